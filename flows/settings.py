"""Configuration, read and validated in one place.

Defaults ship as package data (``newsignal_config``, the repository's
``config/``); ``NEWSIGNAL_CONFIG_DIR`` points at a user's own copy. Values are
validated once per command (types and ranges, with pydantic-settings) and passed
down as frozen models. Every key of settings.toml can be overridden by an
environment variable ``NEWSIGNAL_<SECTION>_<KEY>`` (``NEWSIGNAL_HTTP_CONCURRENCY``).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

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


# Every section forbids unknown keys and is frozen: a typo stops the command with the key's name, and a
# value handed down a run cannot change under it.
_SECTION = ConfigDict(frozen=True, extra="forbid")
_SEND_AT = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def _comma_list(value: Any) -> Any:
    """Lists come as TOML arrays or, from the environment, comma-separated ("a.example, b.example")."""
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    return value


class HttpSettings(BaseModel):
    model_config = _SECTION

    user_agent: Annotated[str, Field(min_length=1)] = "newsignal/0.1"
    connect_timeout_s: Annotated[float, Field(gt=0)] = 10.0
    read_timeout_s: Annotated[float, Field(gt=0)] = 20.0
    total_timeout_s: Annotated[float, Field(gt=0)] = 60.0
    max_bytes: Annotated[int, Field(ge=1)] = 10_000_000
    max_redirects: Annotated[int, Field(ge=0)] = 5
    concurrency: Annotated[int, Field(ge=1)] = 16  # at 0 no request could start: ingest would wait forever
    per_host_concurrency: Annotated[int, Field(ge=1)] = 2
    per_host_delay_s: Annotated[float, Field(ge=0)] = 0.25
    retries: Annotated[int, Field(ge=0)] = 2
    retry_base_delay_s: Annotated[float, Field(ge=0)] = 1.0
    respect_robots: bool = True  # robots.txt for article pages
    # Hosts on private addresses that feed links may reach.
    allowed_private_hosts: tuple[str, ...] = ()

    _split_hosts = field_validator("allowed_private_hosts", mode="before")(_comma_list)


class IngestSettings(BaseModel):
    model_config = _SECTION

    # Feeds in flight: their pages are fetched at once, each host's under its politeness gap, so this bounds
    # how many hosts are being fetched (25: at most 96 pages/s at the default 0.25 s gap; the 200 x 50
    # benchmark's 50 hosts all fit in 50). Their fetched pages stay in memory until written.
    feeds_per_batch: Annotated[int, Field(ge=1)] = 50
    min_article_chars: Annotated[int, Field(ge=0)] = 200
    nlp_batch_size: Annotated[int, Field(ge=1)] = 32
    # Processes for main-text extraction and NLP; 0 means one per core. 1 keeps both in the flow's own
    # process (no model copies).
    workers: Annotated[int, Field(ge=0, le=64)] = 0
    default_poll_minutes: Annotated[int, Field(ge=1)] = 30
    max_backoff_hours: Annotated[int, Field(ge=1)] = 24
    # Where fetching, extraction and NLP run: threads of this process (NLP in ``workers`` processes), or
    # Dask worker processes (``workers`` of them in a local cluster, or a cluster's at --dask-address).
    task_runner: Literal["threads", "dask"] = "threads"


    @property
    def worker_count(self) -> int:
        """How many processes run NLP: ``workers``, or the number of cores when it is 0."""
        if self.workers:
            return self.workers
        # The cores this process may run on (a container or taskset can allow fewer than the machine has).
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class DigestSettings(BaseModel):
    model_config = _SECTION

    timezone: str = "UTC"  # an IANA name: the digest's day runs midnight to midnight there
    top_signals: Annotated[int, Field(ge=1)] = 5
    send_at: str = "07:00"  # local time of the daily digest under `newsignal serve`

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("not a known time zone; use an IANA name such as UTC or Europe/Paris") from exc
        return value

    @field_validator("send_at")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        if not _SEND_AT.match(value):
            raise ValueError("must be a 24-hour time HH:MM, from 00:00 to 23:59")
        return value


class SmtpSection(BaseModel):
    """``[smtp]`` of settings.toml; flows.digest.mailer checks what sending needs (host, sender, ...)."""

    model_config = _SECTION

    host: str = ""
    port: Annotated[int, Field(ge=1, le=65535)] = 587
    security: Literal["starttls", "tls", "none"] = "starttls"
    user: str = ""
    password: Annotated[str, Field(repr=False)] = ""  # from NEWSIGNAL_SMTP_PASSWORD only, never from the file
    sender: str = ""
    recipients: tuple[str, ...] = ()
    timeout_s: Annotated[float, Field(gt=0)] = 30.0
    attempts: Annotated[int, Field(ge=1)] = 3
    retry_base_delay_s: Annotated[float, Field(ge=0)] = 2.0

    _split_recipients = field_validator("recipients", mode="before")(_comma_list)

    @field_validator("security", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value


# The environment names every key as NEWSIGNAL_<SECTION>_<KEY> (NEWSIGNAL_HTTP_CONCURRENCY,
# NEWSIGNAL_DIGEST_SEND_AT). These older names stay as aliases of the mail keys they always set.
ENV_PREFIX = "NEWSIGNAL_"
ENV_ALIASES = {"NEWSIGNAL_DIGEST_FROM": ("smtp", "sender"), "NEWSIGNAL_DIGEST_TO": ("smtp", "recipients")}
SECTIONS: dict[str, type[BaseModel]] = {
    "http": HttpSettings, "ingest": IngestSettings, "digest": DigestSettings, "smtp": SmtpSection,
}


class _MailEnv(PydanticBaseSettingsSource):
    """NEWSIGNAL_SMTP_<KEY> and the aliases, for [smtp].

    [smtp] is the field ``smtp_table`` read under the alias ``smtp``, and pydantic-settings looks an
    aliased field up without the NEWSIGNAL_ prefix (SMTP_HOST): this source reads the prefixed names
    instead, and Settings keeps every unprefixed name away from the generic source.
    """

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ builds the whole mapping

    def __call__(self) -> dict[str, Any]:
        env = {name.upper(): value for name, value in os.environ.items()}
        found = {key: env[name] for name, (_, key) in ENV_ALIASES.items() if name in env}
        found |= {key: env[env_name("smtp", key)] for key in SmtpSection.model_fields
                  if env_name("smtp", key) in env}
        return {"smtp": found} if found else {}


class Settings(BaseSettings):
    """Everything settings.toml holds, each key overridable by NEWSIGNAL_<SECTION>_<KEY>."""

    model_config = SettingsConfigDict(
        frozen=True, extra="forbid", env_prefix=ENV_PREFIX, env_nested_delimiter="_",
        env_nested_max_split=1, case_sensitive=False, enable_decoding=False,
    )

    http: HttpSettings = HttpSettings()
    ingest: IngestSettings = IngestSettings()
    digest: DigestSettings = DigestSettings()
    # Named smtp_table so that ``smtp`` can stay the mailer's record; read as [smtp] / NEWSIGNAL_SMTP_*.
    smtp_table: SmtpSection = Field(default=SmtpSection(), validation_alias="smtp")
    config_dir: Path = Path()

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment wins over the file (handed in as init values); no .env or secrets directory.
        if isinstance(env_settings, EnvSettingsSource):
            env_settings.env_vars = {
                k: v for k, v in env_settings.env_vars.items()
                if k.upper().startswith(ENV_PREFIX) and k.upper() not in ENV_ALIASES
                and not k.upper().startswith(env_name("smtp", "")) and k.upper() != "NEWSIGNAL_CONFIG_DIR"
            }
        return _MailEnv(settings_cls), env_settings, init_settings

    @property
    def smtp(self) -> SmtpSettings:
        from flows.digest.mailer import SmtpSettings

        return SmtpSettings(**self.smtp_table.model_dump())


def env_name(section: str, key: str) -> str:
    """The environment variable that overrides ``[section] key``."""
    return f"{ENV_PREFIX}{section}_{key}".upper()


def _unknown_env_keys() -> list[str]:
    """NEWSIGNAL_<SECTION>_<KEY> variables whose key no section has (a typo would otherwise do nothing)."""
    unknown = []
    for name in os.environ:
        upper = name.upper()
        for section, model in SECTIONS.items():
            prefix = env_name(section, "")
            if (upper.startswith(prefix) and upper not in ENV_ALIASES
                    and upper[len(prefix):].lower() not in model.model_fields):
                unknown.append(name)
    return sorted(unknown)


def _describe(error: Mapping[str, Any], path: Path) -> str:
    """One pydantic error as one line: the key, where its value came from, what is allowed."""
    loc = [str(part) for part in error["loc"]]
    section = "smtp" if loc and loc[0] == "smtp_table" else (loc[0] if loc else "")
    key = loc[1] if len(loc) > 1 else ""
    if error["type"] == "extra_forbidden":
        model = SECTIONS.get(section)
        known = f"; known: {', '.join(model.model_fields)}" if model else f"; sections: {', '.join(SECTIONS)}"
        where = f"[{section}] " if key else ""
        return f"{path}: {where}unknown key {key or section!r}{known}"
    message = str(error["msg"]).removeprefix("Value error, ")
    message = message.replace("Input should be", "should be").replace("Input", "the value")
    if not key:
        return f"{path}: [{section}] {message}"
    name = env_name(section, key)
    alias = next((a for a, at in ENV_ALIASES.items() if at == (section, key) and a in os.environ), None)
    if alias or name in {n.upper() for n in os.environ}:
        return f"{alias or name}={error['input']!r}: {message}"
    return f"{path}: [{section}] {key} = {error['input']!r}: {message} (or set {name})"


def load_settings(directory: Path | None = None) -> Settings:
    """settings.toml of ``directory`` (default: config_dir()) with NEWSIGNAL_* overrides, validated."""
    directory = directory or config_dir()
    path = directory / "settings.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path} not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    if "config_dir" in raw:  # a field, but not one the file sets (NEWSIGNAL_CONFIG_DIR chooses the file)
        raise ConfigError(f"{path}: unknown key 'config_dir'; sections: {', '.join(SECTIONS)}")
    if isinstance(raw.get("smtp"), dict) and "password" in raw["smtp"]:
        raise ConfigError(f"{path}: [smtp] password does not belong in a file; set NEWSIGNAL_SMTP_PASSWORD")
    unknown = _unknown_env_keys()
    if unknown:
        raise ConfigError(f"unknown setting(s) in the environment: {', '.join(unknown)}; "
                          "names are NEWSIGNAL_<SECTION>_<KEY> for the keys of settings.toml")
    try:
        return Settings(**raw, config_dir=directory)
    except ValidationError as exc:
        problems = [_describe(e, path) for e in exc.errors()]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ConfigError(problems[0] + more) from exc


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
