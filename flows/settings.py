"""Configuration, read and validated in one place.

Defaults ship as package data (``newsignal_config``, the repository's
``config/``); ``NEWSIGNAL_CONFIG_DIR`` points at a user's own copy. Values are
built once per command and passed down as plain frozen dataclasses.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from warehouse.records import FeedSpec

if TYPE_CHECKING:
    from flows.digest.mailer import SmtpSettings


class ConfigError(Exception):
    """A configuration file is missing or wrong; the message says which and how to fix it."""


def config_dir() -> Path:
    """The directory holding settings.toml, gazetteer and event taxonomy."""
    override = os.environ.get("NEWSIGNAL_CONFIG_DIR")
    if override:
        path = Path(override)
        if not (path / "settings.toml").is_file():
            raise ConfigError(
                f"NEWSIGNAL_CONFIG_DIR={override} has no settings.toml; copy config/ from newsignal"
            )
        return path
    return Path(str(files("newsignal_config")))


@dataclass(frozen=True)
class HttpSettings:
    user_agent: str = "newsignal/0.1"
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 20.0
    total_timeout_s: float = 60.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    concurrency: int = 16
    per_host_concurrency: int = 2
    per_host_delay_s: float = 0.25
    retries: int = 2
    retry_base_delay_s: float = 1.0
    respect_robots: bool = True  # robots.txt for article pages
    allowed_private_hosts: tuple[str, ...] = ()  # hosts on private addresses that feed links may reach


@dataclass(frozen=True)
class IngestSettings:
    feeds_per_batch: int = 25
    min_article_chars: int = 200
    nlp_batch_size: int = 32
    default_poll_minutes: int = 30
    max_backoff_hours: int = 24


@dataclass(frozen=True)
class DigestSettings:
    timezone: str = "UTC"
    top_signals: int = 5
    send_at: str = "07:00"  # local time of the daily digest under `newsignal serve`


@dataclass(frozen=True)
class Settings:
    http: HttpSettings
    ingest: IngestSettings
    digest: DigestSettings
    config_dir: Path
    smtp_table: tuple[tuple[str, Any], ...] = ()  # raw [smtp]; flows.digest.mailer.smtp_settings validates it

    @property
    def smtp(self) -> SmtpSettings:
        from flows.digest.mailer import smtp_settings

        return smtp_settings(dict(self.smtp_table))


def _section(cls: type, raw: dict[str, Any], name: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    unknown = set(raw) - set(known)
    if unknown:
        raise ConfigError(f"settings.toml [{name}]: unknown key(s) {sorted(unknown)}; known: {sorted(known)}")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        default = known[key].default
        if isinstance(default, tuple):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"settings.toml [{name}] {key}: expected a list of strings")
            values[key] = tuple(value)
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                raise ConfigError(f"settings.toml [{name}] {key} = {value!r}: expected true or false")
            values[key] = value
        elif isinstance(default, float) and isinstance(value, int):
            values[key] = float(value)
        elif not isinstance(value, type(default)):
            raise ConfigError(f"settings.toml [{name}] {key} = {value!r}: expected {type(default).__name__}")
        else:
            values[key] = value
    return cls(**values)


def load_settings(directory: Path | None = None) -> Settings:
    directory = directory or config_dir()
    path = directory / "settings.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path} not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return Settings(
        http=_section(HttpSettings, raw.get("http", {}), "http"),
        ingest=_section(IngestSettings, raw.get("ingest", {}), "ingest"),
        digest=_section(DigestSettings, raw.get("digest", {}), "digest"),
        config_dir=directory,
        smtp_table=tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in raw.get("smtp", {}).items()),
    )


def load_feeds(path: Path) -> list[FeedSpec]:
    """Read a feeds file: ``[[feed]]`` tables with name, url, optional tags and owner."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"feeds file {path} not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    tables = raw.get("feed")
    if not isinstance(tables, list) or not tables:
        raise ConfigError(f"{path}: no [[feed]] tables; each needs name = \"…\" and url = \"https://…\"")
    feeds: list[FeedSpec] = []
    seen: set[str] = set()
    for i, t in enumerate(tables, 1):
        where = f"{path}: feed #{i}"
        unknown = set(t) - {"name", "url", "tags", "owner", "enabled"}
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)}")
        name, url = t.get("name"), t.get("url")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{where}: missing name")
        if (not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https")
                or not urlsplit(url).netloc):
            raise ConfigError(f"{where} ({name}): url must be an http(s) URL, got {url!r}")
        tags = t.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(x, str) for x in tags):
            raise ConfigError(f"{where} ({name}): tags must be a list of strings")
        if url in seen:
            raise ConfigError(f"{where} ({name}): {url} is listed twice")
        seen.add(url)
        if t.get("enabled", True):
            feeds.append(FeedSpec(name=name.strip(), url=url, tags=tuple(tags), owner=t.get("owner")))
    return feeds
