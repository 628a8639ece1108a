"""Settings are checked when they load (types, ranges, zones, times); the environment overrides any key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.settings import SECTIONS, ConfigError, env_name, load_settings

CONFIG = Path(__file__).resolve().parents[1] / "config"
SHIPPED = (CONFIG / "settings.toml").read_text(encoding="utf-8")


@pytest.fixture
def config(tmp_path, monkeypatch):
    """A copy of the shipped settings.toml, and an environment without NEWSIGNAL_ settings."""
    for name in list(os.environ):
        if name.upper().startswith("NEWSIGNAL_"):
            monkeypatch.delenv(name)
    (tmp_path / "settings.toml").write_text(SHIPPED, encoding="utf-8")
    return tmp_path


def edit(config: Path, old: str, new: str) -> None:
    path = config / "settings.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("concurrency = 16", "concurrency = 0", "[http] concurrency = 0: should be greater than or equal to 1"),
    ('timezone = "UTC"', 'timezone = "Mars/Olympus"',
     "[digest] timezone = 'Mars/Olympus': not a known time zone"),
    ('send_at = "07:00"', 'send_at = "25:99"', "[digest] send_at = '25:99': must be a 24-hour time HH:MM"),
    ('send_at = "07:00"', 'send_at = "7am"', "[digest] send_at = '7am'"),
    ("per_host_concurrency = 2", "per_host_concurrency = -1", "[http] per_host_concurrency = -1"),
    ("total_timeout_s = 60.0", "total_timeout_s = 0", "[http] total_timeout_s = 0: should be greater than 0"),
    ("feeds_per_batch = 50", "feeds_per_batch = 0", "[ingest] feeds_per_batch = 0"),
    ("workers = 0", "workers = -2", "[ingest] workers = -2: should be greater than or equal to 0"),
    ('task_runner = "threads"', 'task_runner = "ray"',
     "[ingest] task_runner = 'ray': should be 'threads' or 'dask'"),
    ("top_signals = 5", 'top_signals = "five"', "[digest] top_signals = 'five': should be a valid integer"),
    ("respect_robots = true", 'respect_robots = "sometimes"', "[http] respect_robots = 'sometimes'"),
    ("port = 587", "port = 70000", "[smtp] port = 70000: should be less than or equal to 65535"),
    ('security = "starttls"', 'security = "ssl"',
     "[smtp] security = 'ssl': should be 'starttls', 'tls' or 'none'"),
    ("allowed_private_hosts = []", "allowed_private_hosts = [1]", "[http] allowed_private_hosts"),
    ("max_redirects = 5", "max_redirect = 5", "[http] unknown key 'max_redirect'; known: user_agent"),
    ("[ingest]", "[ingets]\n[ingest]", "unknown key 'ingets'; sections: http, ingest, digest, smtp"),
    ("[http]", 'config_dir = "/etc"\n[http]', "unknown key 'config_dir'; sections: http"),
    ('user = ""', 'user = ""\npassword = "hunter2"',
     "[smtp] password does not belong in a file; set NEWSIGNAL_SMTP_PASSWORD"),
])
def test_a_bad_value_in_the_file_names_the_key_and_what_is_allowed(config, old, new, expected):
    edit(config, old, new)
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    message = str(caught.value)
    assert expected in message and str(config / "settings.toml") in message
    assert "\n" not in message


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("NEWSIGNAL_HTTP_CONCURRENCY", "0",
     "NEWSIGNAL_HTTP_CONCURRENCY='0': should be greater than or equal to 1"),
    ("NEWSIGNAL_DIGEST_TIMEZONE", "Mars/Olympus",
     "NEWSIGNAL_DIGEST_TIMEZONE='Mars/Olympus': not a known time zone"),
    ("NEWSIGNAL_DIGEST_SEND_AT", "25:99", "NEWSIGNAL_DIGEST_SEND_AT='25:99': must be a 24-hour time"),
    ("NEWSIGNAL_SMTP_PORT", "smtp", "NEWSIGNAL_SMTP_PORT='smtp': should be a valid integer"),
    ("NEWSIGNAL_INGEST_WORKERS", "two", "NEWSIGNAL_INGEST_WORKERS='two': should be a valid integer"),
    ("NEWSIGNAL_INGEST_TASK_RUNNER", "processes",
     "NEWSIGNAL_INGEST_TASK_RUNNER='processes': should be 'threads' or 'dask'"),
    ("NEWSIGNAL_HTTP_CONCURENCY", "4", "unknown setting(s) in the environment: NEWSIGNAL_HTTP_CONCURENCY"),
])
def test_a_bad_value_in_the_environment_names_the_variable(config, monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    assert expected in str(caught.value)


def test_every_key_is_overridable_from_the_environment(config, monkeypatch):
    values = {
        "http": {"user_agent": "probe/1", "connect_timeout_s": "3.5", "read_timeout_s": "4",
                 "total_timeout_s": "9", "max_bytes": "1234", "max_redirects": "0", "concurrency": "3",
                 "per_host_concurrency": "1", "per_host_delay_s": "0", "retries": "0",
                 "retry_base_delay_s": "0.5", "respect_robots": "false",
                 "allowed_private_hosts": "intranet.example, wiki.example"},
        "ingest": {"feeds_per_batch": "7", "min_article_chars": "50", "nlp_batch_size": "8",
                   "workers": "3", "default_poll_minutes": "15", "max_backoff_hours": "6",
                   "task_runner": "dask"},
        "digest": {"timezone": "Europe/Paris", "top_signals": "3", "send_at": "06:45"},
        "smtp": {"host": "mail.example", "port": "2525", "security": "TLS", "user": "digest",
                 "password": "pw", "sender": "n@example.org", "recipients": "a@example.org,b@example.org",
                 "timeout_s": "5", "attempts": "1", "retry_base_delay_s": "0"},
    }
    for section, keys in values.items():
        assert set(keys) == set(SECTIONS[section].model_fields), f"a key of [{section}] is not tested"
        for key, value in keys.items():
            monkeypatch.setenv(env_name(section, key), value)
    settings = load_settings(config)
    assert settings.http.concurrency == 3 and settings.http.connect_timeout_s == 3.5
    assert settings.http.respect_robots is False
    assert settings.http.allowed_private_hosts == ("intranet.example", "wiki.example")
    assert settings.ingest.feeds_per_batch == 7 and settings.ingest.max_backoff_hours == 6
    assert settings.ingest.workers == 3 and settings.ingest.worker_count == 3
    assert settings.ingest.task_runner == "dask"
    digest = settings.digest
    assert (digest.timezone, digest.send_at, digest.top_signals) == ("Europe/Paris", "06:45", 3)
    smtp = settings.smtp
    assert (smtp.host, smtp.port, smtp.security, smtp.password) == ("mail.example", 2525, "tls", "pw")
    assert smtp.recipients == ("a@example.org", "b@example.org") and smtp.attempts == 1


def test_the_environment_wins_over_the_file_and_the_old_mail_names_still_work(config, monkeypatch):
    edit(config, "concurrency = 16", "concurrency = 8")
    assert load_settings(config).http.concurrency == 8
    monkeypatch.setenv("NEWSIGNAL_HTTP_CONCURRENCY", "2")
    monkeypatch.setenv("NEWSIGNAL_DIGEST_FROM", "digest@example.org")
    monkeypatch.setenv("NEWSIGNAL_DIGEST_TO", "one@example.org, two@example.org")
    monkeypatch.setenv("SMTP_HOST", "not-ours.example")  # only NEWSIGNAL_ names are read
    settings = load_settings(config)
    assert settings.http.concurrency == 2
    assert settings.smtp.sender == "digest@example.org"
    assert settings.smtp.recipients == ("one@example.org", "two@example.org")
    assert settings.smtp.host == ""


def test_settings_are_frozen(config):
    settings = load_settings(config)
    with pytest.raises(ValueError, match="frozen"):
        settings.http.concurrency = 0


def test_the_cli_reports_bad_settings_in_one_line_before_starting_prefect(config, tmp_path):
    edit(config, "concurrency = 16", "concurrency = 0")
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feed]]\nname = "x"\nurl = "http://127.0.0.1:9/feed.xml"\n', encoding="utf-8")
    env = {**os.environ, "NEWSIGNAL_CONFIG_DIR": str(config), "PREFECT_HOME": str(tmp_path / "prefect")}
    for args in (["ingest", "--feeds", str(feeds), "--db", str(tmp_path / "n.duckdb")],
                 ["digest", "--db", str(feeds), "--date", "2026-11-20", "--out", str(tmp_path / "out")]):
        result = subprocess.run([sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True,
                                env=env, timeout=120)
        assert result.returncode == 1, result.stderr
        expected = (f"error: {config / 'settings.toml'}: [http] concurrency = 0: should be greater than or "
                    "equal to 1 (or set NEWSIGNAL_HTTP_CONCURRENCY)")
        assert result.stderr.splitlines() == [expected], result.stderr
        assert not (tmp_path / "prefect").exists(), "Prefect was started before the settings were checked"
