"""The entity gazetteer: canonical names, aliases and kinds read from config data.

Records live in ``config/gazetteer/*.jsonl`` (or a single ``config/gazetteer.jsonl``), one entity a line:
``{"name": canonical, "label": "ORG|PERSON|GPE|MODEL|IGNORE", "aliases": [...], "kind": ..., "owner": ...}``.
``IGNORE`` records name things that are *not* entities (chips, platforms, events, regions); the ruler
claims those spans so the statistical NER cannot mislabel them, and the canonicaliser drops them.

``model_family_patterns.jsonl`` in the same directory holds token patterns for model versions that the
gazetteer does not list yet ("Gemini 4 Pro"), each with a regex rewrite to the canonical spelling.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from extractors.models import ENTITY_LABELS

IGNORE_LABEL = "IGNORE"
FAMILY_ID_PREFIX = "family:"
STOPWORD_KIND = "stopword"  # IGNORE records used only to drop NER spans, never as ruler patterns

# Kinds whose holders act for a government (regulation needs one as initiator).
GOVERNMENT_KINDS = frozenset(
    {
        "agency", "regulator", "legislature", "committee", "executive_office", "court", "prosecutor",
        "military", "embassy", "party", "intl_body", "union", "country", "state", "province",
        "city", "official", "politician",
    }
)
# Kinds that report on events rather than take part in them.
REPORTER_KINDS = frozenset({"news_org", "data_provider"})

_PUNCT_RE = re.compile(r"[^\w\s]", re.UNICODE)
_SPACE_RE = re.compile(r"\s+")


def normalise_key(text: str) -> str:
    """Case-, punctuation- and whitespace-insensitive lookup key ("The U.S." -> "the us")."""
    text = text.replace("’", "'").lower()
    text = _PUNCT_RE.sub("", text)
    return _SPACE_RE.sub(" ", text).strip()


@dataclass(frozen=True)
class GazetteerEntry:
    name: str
    label: str
    kind: str
    aliases: tuple[str, ...] = ()
    owner: str | None = None  # for MODEL records: the organisation that makes it

    @property
    def surface_forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class ModelFamily:
    """A token pattern for unlisted model versions plus the rewrite to canonical spelling."""

    family: str
    pattern: tuple[dict[str, Any], ...]
    regex: str
    replace: str
    owner: str | None = None

    def canonical(self, surface: str) -> str:
        tidy = _SPACE_RE.sub(" ", surface).strip()
        return re.sub(self.regex, self.replace, tidy)


@dataclass
class Gazetteer:
    entries: list[GazetteerEntry]
    families: list[ModelFamily] = field(default_factory=list)
    _by_key: dict[str, GazetteerEntry] = field(default_factory=dict, repr=False)
    _by_name: dict[tuple[str, str], GazetteerEntry] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for entry in self.entries:
            self._by_name[(entry.label, entry.name)] = entry
            for form in entry.surface_forms:
                # First record wins: files are read in sorted order, so conflicts are deterministic.
                self._by_key.setdefault(normalise_key(form), entry)

    def lookup(self, surface: str) -> GazetteerEntry | None:
        """The entry whose name or alias matches ``surface`` (case/punctuation-insensitive)."""
        return self._by_key.get(normalise_key(surface))

    def entry(self, label: str, name: str) -> GazetteerEntry | None:
        return self._by_name.get((label, name))

    def family(self, family_id: str) -> ModelFamily | None:
        wanted = family_id.removeprefix(FAMILY_ID_PREFIX)
        return next((f for f in self.families if f.family == wanted), None)

    def ruler_patterns(self) -> list[dict[str, Any]]:
        """EntityRuler patterns: one phrase pattern per surface form, id = canonical name."""
        patterns: list[dict[str, Any]] = []
        place_words = {f for e in self.entries if e.label == "GPE" for f in e.surface_forms if " " not in f}
        for entry in self.entries:
            if entry.kind == STOPWORD_KIND:
                continue  # filter-only: a ruler span here would block longer NER names ("Acme AI")
            forms = list(dict.fromkeys(entry.surface_forms))
            if entry.label == "ORG":
                # "the US Navy": without this, the place alias "the US" wins the overlap and the name is lost
                forms += [f"the {f}" for f in forms if f.split()[0] in place_words and len(f.split()) > 1]
            for form in dict.fromkeys(forms):
                patterns.append({"label": entry.label, "pattern": form, "id": entry.name})
        for fam in self.families:
            patterns.append(
                {"label": "MODEL", "pattern": list(fam.pattern), "id": FAMILY_ID_PREFIX + fam.family}
            )
        return patterns


def _gazetteer_files(config_dir: Path) -> list[Path]:
    single = config_dir / "gazetteer.jsonl"
    folder = config_dir / "gazetteer"
    files = [single] if single.exists() else []
    if folder.is_dir():
        files += sorted(p for p in folder.glob("*.jsonl") if p.name != "model_family_patterns.jsonl")
    return files


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: {exc}") from exc
    return records


def load_gazetteer(config_dir: Path) -> Gazetteer:
    """Read every gazetteer file under ``config_dir``; raise ValueError on a malformed record."""
    entries: list[GazetteerEntry] = []
    for path in _gazetteer_files(config_dir):
        for rec in _read_jsonl(path):
            label = rec.get("label")
            if label not in (*ENTITY_LABELS, IGNORE_LABEL) or not rec.get("name"):
                raise ValueError(f"{path}: bad gazetteer record {rec!r}")
            entries.append(
                GazetteerEntry(
                    name=rec["name"],
                    label=label,
                    kind=rec.get("kind", ""),
                    aliases=tuple(rec.get("aliases", ())),
                    owner=rec.get("owner"),
                )
            )
    if not entries:
        raise ValueError(f"no gazetteer records under {config_dir}")
    families = []
    family_file = config_dir / "gazetteer" / "model_family_patterns.jsonl"
    if family_file.exists():
        for rec in _read_jsonl(family_file):
            families.append(
                ModelFamily(
                    family=rec["family"],
                    pattern=tuple(rec["pattern"]),
                    regex=rec["regex"],
                    replace=rec["replace"],
                    owner=rec.get("owner"),
                )
            )
    return Gazetteer(entries=entries, families=families)


def alias_index(gazetteer: Gazetteer) -> dict[str, frozenset[str]]:
    """Lower-cased name or alias -> canonical names. ``IGNORE`` records (chips, non-entities) are left out;
    an alias may stand for several entities ("Meta")."""
    index: dict[str, set[str]] = {}
    for entry in gazetteer.entries:
        if entry.label == IGNORE_LABEL:
            continue
        for form in entry.surface_forms:
            index.setdefault(form.strip().lower(), set()).add(entry.name)
    return {k: frozenset(v) for k, v in index.items()}


@lru_cache(maxsize=4)
def _alias_index_for(config_dir: Path) -> dict[str, frozenset[str]]:
    return alias_index(load_gazetteer(config_dir))


def entity_names_for(name: str, config_dir: Path) -> tuple[str, ...]:
    """Lower-cased canonical names a user's entity name may mean: itself, and what it aliases.

    Stored entity names are matched by comparing lower-cased, so an entity missing from the
    gazetteer still matches itself.
    """
    key = name.strip().lower()
    aliases = _alias_index_for(config_dir).get(key, ())
    return tuple(sorted({key} | {canonical.lower() for canonical in aliases}))
