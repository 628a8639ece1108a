"""Entity canonicalisation: doc.ents (gazetteer ruler + statistical NER) -> canonical mentions.

Runs on a whole article, because several rules need the article as context: a bare surname resolves to
the full name used elsewhere in the text, "also known as" folds aliases, and a short organisation name
resolves to its longer form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span, Token

from .gazetteer import FAMILY_ID_PREFIX, IGNORE_LABEL, Gazetteer

# NER labels we may turn into mentions; anything else (DATE, MONEY, NORP, LAW ...) is dropped.
_NER_LABELS = {"ORG", "PERSON", "GPE", "PRODUCT", "LOC", "FAC"}
# Only these may become mentions without a gazetteer hit (PRODUCT/LOC/FAC are too noisy unknown).
_UNKNOWN_OK = {"ORG", "PERSON", "GPE"}
# Capitalised head nouns of official names: a place name that modifies one of these is part of the
# name ("Cyberspace Administration of China", "US Navy"), not a GPE mention.
_ORG_HEADS = {
    "department", "ministry", "navy", "army", "office", "administration", "committee", "commission",
    "agency", "embassy", "court", "bureau", "council", "institute", "authority", "police", "parliament",
    "government", "academy", "university", "association", "corporation", "bank", "fund", "district",
    "circuit", "party", "force", "guard", "service", "senate", "house", "congress", "assembly",
}
_DETERMINERS = ("the ", "a ", "an ")
_POSSESSIVE_RE = re.compile(r"(?:'s|’s|'|’)$")
_CORP_SUFFIX_RE = re.compile(r",?\s+(?:Inc|Corp|Co|Ltd|LLC|plc|PLC|GmbH|S\.A|AG)\.?$")
_QUOTES = "\"'“”‘’«»"
# Words around a company name that say its product is meant ("AI model DeepSeek", "the DeepSeek app").
_PRODUCT_BEFORE = {"model", "chatbot", "app", "assistant", "application"}
_PRODUCT_AFTER = {"app", "chatbot", "assistant", "application"}
# Unknown ORG spans ending in one of these name a document, law or event, not an organisation.
_DOCUMENT_HEADS = {
    "act", "order", "rule", "bill", "eo", "law", "framework", "initiative", "program", "programme", "plan",
    "policy", "report", "summit", "conference", "award", "index", "strategy", "directive", "guidelines",
}
_ALIAS_CUES = ("also known as", "known as", "aka", "a.k.a.", "a.k.a", "alias")


@dataclass(frozen=True)
class MentionSpan:
    """A canonical mention plus the token offsets the event rules need."""

    label: str
    name: str
    text: str
    start_char: int
    end_char: int
    start: int  # token offsets into the Doc
    end: int
    known: bool
    kind: str = ""
    owner: str | None = None


def tidy_surface(text: str) -> str:
    """Strip quotes, determiners, possessives and corporate suffixes from an unknown name."""
    text = " ".join(text.split()).strip(_QUOTES + " ")
    lowered = text.lower()
    for det in _DETERMINERS:
        if lowered.startswith(det):
            text = text[len(det):]
            break
    text = _POSSESSIVE_RE.sub("", text).strip()
    text = _CORP_SUFFIX_RE.sub("", text).strip()
    return text.strip(_QUOTES + " ,.;:")


def _plausible_unknown(name: str) -> bool:
    if len(name) < 2 or not name[0].isupper() and not name[0].isdigit():
        return False
    if name.replace(" ", "").replace(".", "").isdigit():
        return False
    return any(ch.isalpha() for ch in name)


def _from_ent(ent: Span, gaz: Gazetteer) -> MentionSpan | None:
    label, ent_id = ent.label_, ent.ent_id_
    base = dict(text=ent.text, start_char=ent.start_char, end_char=ent.end_char, start=ent.start, end=ent.end)
    if label == IGNORE_LABEL:
        return None
    if ent_id.startswith(FAMILY_ID_PREFIX):
        family = gaz.family(ent_id)
        if family is None:
            return None
        name = family.canonical(ent.text)
        entry = gaz.lookup(name)
        if entry is not None and entry.label == "MODEL":
            return MentionSpan("MODEL", entry.name, known=True, kind=entry.kind, owner=entry.owner, **base)
        return MentionSpan("MODEL", name, known=False, kind="model", owner=family.owner, **base)
    if ent_id:
        entry = gaz.entry(label, ent_id)
        if entry is not None:
            return MentionSpan(label, entry.name, known=True, kind=entry.kind, owner=entry.owner, **base)
    if label not in _NER_LABELS:
        return None
    tidy = tidy_surface(ent.text)
    entry = gaz.lookup(tidy)
    if entry is not None:
        if entry.label == IGNORE_LABEL:
            return None
        return MentionSpan(entry.label, entry.name, known=True, kind=entry.kind, owner=entry.owner, **base)
    if label not in _UNKNOWN_OK or not _plausible_unknown(tidy):
        return None
    if label == "ORG" and tidy.split()[-1].lower() in _DOCUMENT_HEADS:
        return None
    if _in_heading(ent.sent):
        return None  # "Broader Context: US-China AI Competition" -- title-case headings fool NER
    return MentionSpan(label, tidy, known=False, kind="", **base)


def _in_heading(sent: Span) -> bool:
    """A short verbless, title-cased line (a subheading inside the article text)."""
    words = [t for t in sent if t.is_alpha]
    if not words or len(words) > 12 or any(t.pos_ in ("VERB", "AUX") for t in sent):
        return False
    content = [t for t in words if not t.is_stop]
    return bool(content) and all(t.text[0].isupper() for t in content)


def _inside_official_name(doc: Doc, m: MentionSpan) -> bool:
    """True for a place name that modifies a capitalised official-name head ("US Navy", "X of China")."""
    tok: Token = doc[m.end - 1]
    for _ in range(3):
        head = tok.head
        if head.i == tok.i or head.i in range(m.start, m.end):
            return False
        if tok.dep_ in ("compound", "pobj", "nmod") or (tok.dep_ == "prep"):
            if head.pos_ == "PROPN" and head.lemma_.lower() in _ORG_HEADS and head.text[:1].isupper():
                return True
            if tok.dep_ == "pobj" or head.dep_ == "prep":
                tok = head
                continue
        return False
    return False


def _product_use(doc: Doc, m: MentionSpan) -> bool:
    before = doc[m.start - 1].lower_ if m.start > 0 else ""
    after = doc[m.end].lower_ if m.end < len(doc) else ""
    return before in _PRODUCT_BEFORE or after in _PRODUCT_AFTER


def _relookup_person(name: str, m: MentionSpan, gaz: Gazetteer) -> MentionSpan:
    entry = gaz.lookup(name)
    if entry is not None and entry.label == "PERSON":
        return replace(m, name=entry.name, known=True, kind=entry.kind)
    return replace(m, name=name, known=False, kind="")


def _fold_person_aliases(doc: Doc, mentions: list[MentionSpan], gaz: Gazetteer) -> list[MentionSpan]:
    """'X, also known as Y' -> Y is X; 'Dario and Daniela Amodei' -> Dario Amodei."""
    out = list(mentions)
    for i, m in enumerate(out):
        if m.label != "PERSON":
            continue
        window = doc[max(0, m.start - 5):m.start].text.lower()
        prev = next((p for p in reversed(out[:i]) if p.label == "PERSON" and p.end <= m.start), None)
        if prev is not None and m.start - prev.end <= 6 and any(cue in window for cue in _ALIAS_CUES):
            out[i] = replace(m, name=prev.name, known=prev.known, kind=prev.kind)
            continue
        nxt = out[i + 1] if i + 1 < len(out) else None
        if (
            nxt is not None and nxt.label == "PERSON" and m.end - m.start == 1
            and nxt.start == m.end + 1 and doc[m.end].lower_ == "and" and nxt.end - nxt.start >= 2
        ):
            out[i] = _relookup_person(f"{m.text} {doc[nxt.end - 1].text}", m, gaz)
    return out


def _add_missed_person_tokens(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """NER often misses (or mislabels) a later bare surname and the first name in "Dario and Daniela
    Amodei"; add/relabel those tokens as PERSON when the article names the full person."""
    full = [m for m in mentions if m.label == "PERSON" and len(m.text.split()) >= 2]
    surnames = {doc[m.end - 1].text for m in full if len(doc[m.end - 1].text) >= 3}
    covered = {i for m in mentions for i in range(m.start, m.end)}
    out = [
        replace(m, label="PERSON") if not m.known and m.end - m.start == 1 and m.text in surnames else m
        for m in mentions
    ]
    for tok in doc:
        if tok.i in covered or not tok.text[:1].isupper() or tok.pos_ != "PROPN":
            continue
        nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
        if nxt is not None and nxt.pos_ == "PROPN" and nxt.i not in covered:
            continue  # part of a longer, different name
        coordinated = (
            nxt is not None and nxt.lower_ == "and"
            and any(m.start == tok.i + 2 and m.end - m.start >= 2 for m in full)
        )
        if tok.text in surnames or coordinated:
            out.append(MentionSpan("PERSON", tok.text, tok.text, tok.idx, tok.idx + len(tok.text),
                                   tok.i, tok.i + 1, known=False))
    return sorted(out, key=lambda m: m.start)


def _resolve_short_names(mentions: list[MentionSpan]) -> list[MentionSpan]:
    """A bare surname or short org name takes the full name used nearest in the same article."""
    out = list(mentions)
    for i, m in enumerate(out):
        if m.label not in ("PERSON", "ORG") or len(m.text.split()) != 1:
            continue
        if m.label == "ORG" and m.known:
            continue  # "Google" must not become "Google DeepMind"
        word = tidy_surface(m.text).lower()
        position = 0 if m.label == "ORG" else -1  # orgs shorten to their first word, people to the last
        candidates = [
            (abs(o.start - m.start) + (0 if o.start < m.start else 10_000), o)
            for o in out
            if o.label == m.label and len(o.name.split()) >= 2 and o.name.split()[position].lower() == word
        ]
        if candidates:
            best = min(candidates, key=lambda pair: pair[0])[1]
            out[i] = replace(m, name=best.name, known=best.known, kind=best.kind, owner=best.owner)
    return out


# Last words that make an unknown "PERSON" an organisation ("Corvid Labs", "Orrery Robotics").
_ORG_SUFFIXES = {
    "labs", "lab", "ai", "technologies", "technology", "systems", "robotics", "institute", "capital",
    "ventures", "partners", "group", "research", "interactive", "inc", "corp", "ltd", "llc", "holdings",
    "networks", "software", "analytics", "intelligence", "foundation", "university", "bank", "fund",
}


def _fix_misread_people(mentions: list[MentionSpan]) -> list[MentionSpan]:
    """NER reads unfamiliar company names as people; fix the cases the article itself gives away."""
    out = []
    for m in mentions:
        if m.label == "PERSON" and not m.known and m.name.split()[-1].lower() in _ORG_SUFFIXES:
            m = replace(m, label="ORG")
        out.append(m)
    return out


def _drop_lone_unknown_people(mentions: list[MentionSpan]) -> list[MentionSpan]:
    """A one-word unknown "person" that no full name explains is usually a company or product
    ("Modelwatch said ..."): people get a full name in news text, so read it as an ORG."""
    return [
        replace(m, label="ORG") if m.label == "PERSON" and not m.known and len(m.name.split()) == 1 else m
        for m in mentions
    ]


def canonical_mentions(doc: Doc, gaz: Gazetteer) -> list[MentionSpan]:
    """Every ORG/PERSON/GPE/MODEL mention in ``doc`` with its canonical name, in text order."""
    mentions: list[MentionSpan] = []
    for ent in doc.ents:
        m = _from_ent(ent, gaz)
        if m is None:
            continue
        if m.label == "GPE" and _inside_official_name(doc, m):
            continue
        if m.label == "ORG" and _product_use(doc, m):
            m = replace(m, label="MODEL")
        mentions.append(m)
    mentions = _add_missed_person_tokens(doc, mentions)
    mentions = _fold_person_aliases(doc, mentions, gaz)
    mentions = _fix_misread_people(mentions)
    return _drop_lone_unknown_people(_resolve_short_names(mentions))
