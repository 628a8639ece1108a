"""The shipped configuration is valid, and bad configuration fails loudly with a useful message."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from flows.settings import ConfigError, config_dir, load_feeds, load_settings

CONFIG = Path(__file__).resolve().parents[1] / "config"


def test_shipped_feeds_are_real_https_feeds_listed_once():
    feeds = load_feeds(CONFIG / "feeds.toml")
    assert len(feeds) >= 20
    assert len({f.url for f in feeds}) == len(feeds)
    assert all(urlsplit(f.url).scheme == "https" for f in feeds)
    assert any("government" in f.tags for f in feeds) and any("lab" in f.tags for f in feeds)


def test_shipped_settings_load_and_the_package_points_at_them():
    settings = load_settings(CONFIG)
    assert settings.http.max_bytes == 10_000_000 and settings.http.max_redirects == 5
    assert "newsignal" in settings.http.user_agent and "http" in settings.http.user_agent
    assert config_dir().resolve() == CONFIG.resolve()


@pytest.mark.parametrize(("text", "message"), [
    ('[[feed]]\nname = "x"\nurl = "file:///etc/passwd"\n', "http(s) URL"),
    ('[[feed]]\nurl = "https://a.example/f"\n', "missing name"),
    ('[[feed]]\nname = "x"\nurl = "https://a.example/f"\ncolour = "red"\n', "unknown key"),
    ('[[feed]]\nname = "x"\nurl = "https://a.example/f"\n[[feed]]\nname = "y"\nurl = "https://a.example/f"\n',
     "listed twice"),
    ("title = 'no feeds'\n", "no [[feed]] tables"),
    ("[[feed]\n", "feeds.toml"),
])
def test_bad_feeds_files_name_the_problem(tmp_path, text, message):
    path = tmp_path / "feeds.toml"
    path.write_text(text)
    with pytest.raises(ConfigError,
                       match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        load_feeds(path)


def test_bad_settings_name_the_key(tmp_path):
    (tmp_path / "settings.toml").write_text("[http]\nmax_bytes = 'lots'\n")
    with pytest.raises(ConfigError, match="max_bytes"):
        load_settings(tmp_path)
    (tmp_path / "settings.toml").write_text("[http]\nmax_bites = 5\n")
    with pytest.raises(ConfigError, match="unknown key"):
        load_settings(tmp_path)


def test_every_config_file_is_described_in_config_readme():
    readme = (CONFIG / "README.md").read_text(encoding="utf-8")
    for path in sorted(CONFIG.iterdir()):
        if path.name in ("README.md", "__init__.py", "__pycache__"):
            continue
        name = f"{path.name}/*.jsonl" if path.is_dir() else path.name
        assert f"`{name}`" in readme, f"config/{name} is not described in config/README.md"
