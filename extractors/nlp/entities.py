"""Entity canonicalisation: doc.ents (gazetteer ruler + statistical NER) -> canonical mentions.

Runs on a whole article, because several rules need the article as context: a bare surname resolves to
the full name used elsewhere in the text, "also known as" folds aliases, and a short organisation name
resolves to its longer form.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TypedDict

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span, Token

from extractors.gazetteer import FAMILY_ID_PREFIX, GOVERNMENT_KINDS, IGNORE_LABEL, Gazetteer, GazetteerEntry

from .cue_words import DEMONYMS, GOVERNMENT_BODY_HEADS, ORG_NOUNS, ORG_SUFFIXES, PERSON_NOUNS, appositive_head
from .mentions import LEGAL_FORMS
from .mentions import MentionSpan as MentionSpan  # re-exported: events and roles import it from here
from .mentions import replace_region as _replace_region
from .mentions import span_mention as _span_mention
from .mentions import tidy_surface as tidy_surface
from .model_names import (
    MODEL_TIERS,
    add_glued_models,
    add_model_context,
    add_versioned_models,
    grow_bare_codes,
    propagate_models,
    tiered_products,
)
from .name_labels import (
    appositive_labels,
    based_cue,
    based_orgs,
    dateline_places,
    drop_internal_teams,
    places_after_prepositions,
    reverse_appositions,
    split_titles,
    unify_labels,
)
from .name_spans import (
    OF_NAME_HEADS,
    extend_names_left,
    extend_of_names,
    known_org_units,
    local_public_bodies,
    merge_local_institutions,
    places_starting_org_names,
    suffix_named_orgs,
    trim_ent,
)

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
# Words around a company name that say its product is meant ("AI model DeepSeek", "the DeepSeek app").
_PRODUCT_BEFORE = {"model", "chatbot", "app", "assistant", "application"}
_PRODUCT_AFTER = {"app", "chatbot", "assistant", "application"}
# A lab's name used for its app: "using DeepSeek on government devices", "the removal of DeepSeek from".
_APP_USE_BEFORE = {
    "using", "download", "downloading", "install", "installing", "uninstall", "removal", "remove", "removing",
}
_DEVICE_NOUNS = {"device", "devices", "phone", "phones", "computer", "computers", "laptop", "laptops"}
# Unknown ORG spans ending in one of these name a document, law or event, not an organisation.
_DOCUMENT_HEADS = {
    "act", "order", "rule", "bill", "eo", "law", "framework", "initiative", "program", "programme", "plan",
    "policy", "report", "summit", "conference", "award", "index", "strategy", "directive", "guidelines",
    "register", "regulation", "amendment", "treaty", "convention", "code",
}
_ALIAS_CUES = ("also known as", "known as", "aka", "a.k.a.", "a.k.a", "alias")


def _plausible_unknown(name: str) -> bool:
    if len(name) < 2 or (not name[0].isupper() and not name[0].isdigit()):
        return False
    if name.replace(" ", "").replace(".", "").isdigit():
        return False
    return any(ch.isalpha() for ch in name)


class _SpanOffsets(TypedDict):
    text: str
    start_char: int
    end_char: int
    start: int
    end: int


def _from_ent(ent: Span, gaz: Gazetteer) -> MentionSpan | None:
    label, ent_id = ent.label_, ent.ent_id_
    base: _SpanOffsets = {
        "text": ent.text, "start_char": ent.start_char, "end_char": ent.end_char,
        "start": ent.start, "end": ent.end,
    }
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
    if not any(ch.isupper() for ch in ent.text):
        return None  # "China's commerce ministry": a lowercase description, not a name
    tidy = tidy_surface(ent.text)
    entry = gaz.lookup(tidy)
    if entry is not None:
        if entry.label == IGNORE_LABEL:
            return None
        return MentionSpan(entry.label, entry.name, known=True, kind=entry.kind, owner=entry.owner, **base)
    if label in ("FAC", "LOC") and _org_shaped(tidy):
        label = "ORG"  # "at Lumora AI", "the Centre for Open Model Research": a firm taken for a building
    if label not in _UNKNOWN_OK or not _plausible_unknown(tidy):
        return None
    if label == "ORG" and tidy.split()[-1].lower() in _DOCUMENT_HEADS:
        return None
    doc = ent.doc
    signature = ent.end < len(doc) and doc[ent.end].text == "," and appositive_head(doc, ent.end) == "person"
    if _in_heading(ent.sent) and not signature:
        return None  # "Broader Context: US-China AI Competition" -- title-case headings fool NER
    # (a signature line is no heading: "Kelsey Arnaud, Communications Director")
    if label == "ORG" and ent[0].text == "The" and not ent[0].is_sent_start and len(ent) > 1:
        tidy = f"The {tidy}"  # "by The Circuit Ledger": a capital "The" inside a sentence is the name's
    return MentionSpan(label, tidy, known=False, kind="", **base)


def _org_shaped(name: str) -> bool:
    """A name built like an organisation's: a company word at the end, or "<Institution> of/for ..."."""
    words = name.lower().split()
    institution = words[0] in OF_NAME_HEADS and words[1:2] in (["of"], ["for"])
    return len(words) >= 2 and (words[-1] in ORG_SUFFIXES or institution)


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
        if tok.dep_ == "prep" and tok.lower_ not in ("of", "for"):
            return False  # "the High Court in London": a locative, not part of the name
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
    if before in _PRODUCT_BEFORE or after in _PRODUCT_AFTER:
        return True
    if m.kind != "lab" or after in ("'s", "’s"):
        return False
    # "removal of DeepSeek from", "using DeepSeek and RedNote on government-issued devices"
    lead = [t.lower_ for t in doc[max(0, m.start - 2):m.start]]
    if before in _APP_USE_BEFORE or lead == ["removal", "of"]:
        return True
    window = doc[m.end:min(len(doc), m.end + 8)]
    return (any(t.lower_ in ("on", "from") for t in window[:4])
            and any(t.lower_ in _DEVICE_NOUNS for t in window))


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
        if not candidates and m.label == "PERSON" and not m.known:
            # Chinese/Korean names put the family name first: "Wen" for Wen Tao, "Gao" for Gao Rui.
            candidates = [
                (abs(o.start - m.start) + (0 if o.start < m.start else 10_000), o)
                for o in out
                if o.label == "PERSON" and len(o.name.split()) >= 2 and o.name.split()[0].lower() == word
            ]
        if not candidates and m.label == "PERSON" and not m.known:
            # NER reads a company's short name as a person ("Getty's photographs", "Lumora, which ...").
            candidates = [
                (abs(o.start - m.start) + (0 if o.start < m.start else 10_000), o)
                for o in out
                if o.label == "ORG" and len(o.name.split()) >= 2 and o.name.split()[0].lower() == word
            ]
        if candidates:
            best = min(candidates, key=lambda pair: pair[0])[1]
            out[i] = replace(m, label=best.label, name=best.name, known=best.known, kind=best.kind,
                             owner=best.owner)
    for i, m in enumerate(out):
        # "Yuehai" for Hangzhou Yuehai Technology: an unknown word that is the distinctive part of an org name
        if m.known or len(m.text.split()) != 1 or m.label == "MODEL":
            continue
        word = tidy_surface(m.text).lower()
        longer = [o for o in out if o.label == "ORG" and len(o.name.split()) >= 3 and o.name != m.name
                  and word in (w.lower() for w in o.name.split()[1:-1])]
        if longer:
            best = min(longer, key=lambda o: abs(o.start - m.start))
            out[i] = replace(m, label="ORG", name=best.name, known=best.known, kind=best.kind,
                             owner=best.owner)
    return out


def _add_short_org_names(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """"Vinara chief executive Pham Quoc Bao", after "Vinara Compute": the first word of an unknown
    organisation's name, standing alone where the NER saw nothing, is that organisation."""
    firsts: dict[str, MentionSpan] = {}
    for m in mentions:
        words = m.name.split()
        if m.label == "ORG" and not m.known and len(words) >= 2 and words[0][:1].isupper():
            firsts.setdefault(words[0], m)
    for tok in doc:
        org = firsts.get(tok.text)
        if (org is None or tok.pos_ != "PROPN" or any(m.start <= tok.i < m.end for m in mentions)
                or tok.lower_ in STOP_WORDS):
            continue
        nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
        if nxt is not None and (nxt.text[:1].isupper() or nxt.like_num or nxt.text == "-"):
            continue  # "Vinara Cloud", "Vinara 2", "Vinara-LM": another name that starts the same way
        if tok.dep_ in ("compound", "amod") and tok.head.lemma_.lower() not in PERSON_NOUNS:
            continue  # "Galaxy phones", "the Vinara app": a brand on a product, not the company
        mentions = _replace_region(mentions, _span_mention(
            doc, "ORG", tok.i, tok.i + 1, name=org.name, known=org.known, kind=org.kind, owner=org.owner))
    return mentions


# Last words that make an unknown "PERSON" an organisation ("Corvid Labs", "Orrery Robotics").
_ORG_SUFFIXES = ORG_SUFFIXES
# Last words of a job title or an internal team, read by NER as a name ("General Counsel", "Managing Partner",
# "Applied Research Team", "Customer Success"): not entities at all.
_TITLE_ONLY_HEADS = {"counsel", "partner", "founder", "co-founder", "cofounder", "team", "success", "officer"}


def _fix_misread_people(mentions: list[MentionSpan]) -> list[MentionSpan]:
    """NER reads unfamiliar company and model names as people; fix the cases the name's shape gives away:
    a company word at the end makes an organisation, a version number a model (no person's name has
    digits: "Tessera 4.1 Mini"); a job title or a team name alone is no entity."""
    out = []
    for m in mentions:
        words = m.name.split()
        last = words[-1].lower() if words else ""
        if not m.known and m.label in ("PERSON", "ORG") and last in _TITLE_ONLY_HEADS:
            continue
        if m.label == "PERSON" and not m.known and any(ch.isdigit() for ch in m.name):
            m = replace(m, label="MODEL", kind="model")
        elif m.label == "PERSON" and not m.known and (last in _ORG_SUFFIXES or last.endswith("bank")):
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


# Last words of an organisation name that starts with a place ("Hangzhou Yuehai Technology",
# "Zhuhai Huafa Group", "Guangzhou Internet Court"): the place is part of the name, not a GPE mention.
_PLACE_ORG_SUFFIXES = {
    "technology", "technologies", "tech", "group", "holdings", "court", "university", "institute", "academy",
    "bank", "capital", "investment", "investments", "securities", "ventures", "partners", "labs", "lab",
    "intelligence", "systems", "electronics", "semiconductor", "semiconductors", "telecom", "software",
    "robotics", "productions", "studio", "studios", "network", "networks", "college", "school", "hospital",
    "corporation", "company", "co", "corp", "inc", "ltd", "limited", "industries", "media", "computing",
    "information", "innovation", "innovations", "research", "laboratory", "laboratories", "centre", "center",
}
_NAME_CONNECTORS = {"of", "and", "&", "for"}
# "American AI", "European AI": a demonym plus a generic word is not an organisation.
_DEMONYMS = DEMONYMS
_GENERIC_ORG_WORDS = {"ai", "tech", "technology", "labs", "startups", "firms", "companies", "industry"}


def _merge_place_prefixed_orgs(
    doc: Doc, mentions: list[MentionSpan], official: list[MentionSpan]
) -> list[MentionSpan]:
    """A place name followed by capitalised name words ending in an organisation word is one ORG
    ("Munich Regional Court", "Hefei Intermediate People's Court"). ``official`` are places already
    found inside an official name: they make the name or vanish."""
    by_start = {m.start: m for m in mentions}
    dropped = {id(m) for m in official}
    mentions = [*mentions, *official]
    out: list[MentionSpan] = []
    skip_until = -1
    for m in sorted(mentions, key=lambda m: m.start):
        if m.start < skip_until:
            continue
        if m.label == "GPE" and doc[m.start].text[:1].isupper() and not doc[m.start].text.isupper():
            end, last_suffix = m.end, None
            i = m.end
            while i < len(doc) and i < m.end + 6:
                tok = doc[i]
                inner_possessive = tok.text in ("'s", "’s") and i > m.end  # "People's Court", not "Korea's"
                if last_suffix is not None and tok.lower_ in ("and", "&", ","):
                    break  # "Harbin Yuntu Computing and Greyfen Security" are two
                if ((tok.lower_ in _NAME_CONNECTORS or inner_possessive) and i + 1 < len(doc)
                        and doc[i + 1].text[:1].isupper()):
                    i += 1
                    continue
                if (not (tok.text[:1].isupper() and tok.is_alpha)
                        or (i in by_start and by_start[i].label == "GPE")):
                    break
                # not "AI": "California AI law", "China AI market" are no names
                if tok.lower_ in _PLACE_ORG_SUFFIXES or (tok.lower_ in ORG_SUFFIXES and tok.lower_ != "ai"):
                    last_suffix = i + 1
                i += 1
            if last_suffix is not None and doc[m.end].lower_ not in _NAME_CONNECTORS:
                end = last_suffix
                span = doc[m.start:end]
                out.append(MentionSpan("ORG", span.text, span.text, span.start_char, span.end_char,
                                       m.start, end, known=False))
                skip_until = end
                continue
        if id(m) not in dropped:
            out.append(m)
    return out


def _is_demonym_phrase(m: MentionSpan) -> bool:
    words = m.name.lower().split()
    return (
        m.label == "ORG" and not m.known and len(words) >= 2
        and words[0] in _DEMONYMS and all(w in _GENERIC_ORG_WORDS for w in words[1:])
    )


def _dateline_place(doc: Doc, gaz: Gazetteer) -> tuple[int, GazetteerEntry] | None:
    """'BRUSSELS - ...', 'WASHINGTON, March 25 - ...': an all-caps place name opening the text."""
    for tok in doc[:3]:
        if tok.is_alpha and tok.text.isupper() and len(tok.text) > 2:
            entry = gaz.lookup(tok.text.title())
            if entry is not None and entry.label == "GPE":
                return tok.i, entry
            return None
    return None


_DOTTED_VERSION_RE = re.compile(r"^\d+\.\d+[a-z]?$")
# A letter-and-number version code after a one-word model name ("Hunyuan T2").
_VERSION_CODE_RE = re.compile(r"^[A-Z]\d+(?:\.\d+)?$")
# A parameter count after a model name ("Llama 3.1 8B", "Qwen3 235B").
_SIZE_RE = re.compile(r"^A?\d+(?:\.\d+)?[BMK]$")
# Nouns right before a capitalised name that make it an organisation ("startup Fjordlight AI").
_ORG_CUE_NOUNS = {
    "startup", "start-up", "company", "firm", "developer", "maker", "lab", "fund", "unit", "operator",
}
# Of those, the ones no person's job title ends in ("the consultancy Ostrander Advisory", "start-up Dorim
# Soft"; "developer Ana Roth" may be a person's job).
_ORG_ONLY_CUE_NOUNS = {
    "startup", "start-up", "company", "firm", "lab", "fund", "consultancy", "chipmaker", "integrator",
    "utility", "insurer", "conglomerate", "subsidiary", "retailer",
}


def _org_cue_before(doc: Doc, start: int, nouns: set[str]) -> bool:
    """A company noun right before ``start`` ("the consultancy X", "start-up X")."""
    if start >= 3 and doc[start - 2].text == "-" and not doc[start - 3].whitespace_:
        return doc[start - 3:start].text.lower() in nouns
    return start > 0 and doc[start - 1].lower_ in nouns


def _cue_noun_orgs(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """An unknown "person" or "place" right after a company noun is a company ("the consultancy Ostrander
    Advisory", "Bangkok integrator Siam Nexa")."""
    return [replace(m, label="ORG", kind="") if not m.known and m.label in ("PERSON", "GPE")
            and _org_cue_before(doc, m.start, _ORG_ONLY_CUE_NOUNS) else m for m in mentions]
# Job titles after an organisation-like word: "Home Affairs Secretary Stephanie Foster".
_TITLE_WORDS = {
    "secretary", "minister", "commissioner", "chairman", "chairwoman", "chair", "director", "spokesperson",
    "spokesman", "spokeswoman", "governor", "ambassador", "undersecretary",
}
_NON_NAME_ENTS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY", "NORP"}


def _name_token(tok: Token) -> bool:
    if tok.ent_type_ == IGNORE_LABEL or tok.lower_ in _DEMONYMS:
        return False
    if tok.ent_type_ in _NON_NAME_ENTS and tok.ent_type_ != "NORP":
        return False
    return tok.text[:1].isupper() and (tok.is_alpha or tok.text[:1].isalpha())


def _glued_suffix(doc: Doc, i: int) -> bool:
    """doc[i] is a hyphen glued to the name before it and to an alphanumeric suffix after it ("-Exp")."""
    nxt = doc[i + 1]
    return (
        doc[i - 1].whitespace_ == "" and doc[i].text == "-" and doc[i].whitespace_ == ""
        and nxt.text[:1].isalnum() and (nxt.text[:1].isupper() or nxt.text[:1].isdigit())
    )


def _extend_models(doc: Doc, mentions: list[MentionSpan], gaz: Gazetteer) -> list[MentionSpan]:
    """Grow a model mention over glued suffixes ("-Exp", "-A22B"), a version ("Seed 2.0") and tier words."""
    out = list(mentions)
    for m in [m for m in mentions if m.label == "MODEL"]:
        others = {i for o in out if o is not m and (o.start, o.end) != (m.start, m.end) and o.known
                  for i in range(o.start, o.end)}
        end = m.end
        while end + 1 < len(doc) and _glued_suffix(doc, end) and end + 1 not in others:
            end += 2
        if end == m.end and m.end - m.start == 1:
            j = end
            if (j + 1 < len(doc) and doc[j].is_alpha and doc[j].text[:1].isupper() and j not in others
                    and doc[j].text not in MODEL_TIERS and _DOTTED_VERSION_RE.match(doc[j + 1].text)):
                j += 1  # "Doubao Seed 2.0"
            if j < len(doc) and _DOTTED_VERSION_RE.match(doc[j].text):
                end = j + 1
        elif end == m.end and end < len(doc) and _DOTTED_VERSION_RE.match(doc[end].text):
            end += 1  # "Magistral Medium 1.3"
        if end == m.end and m.end - m.start == 1 and end < len(doc) and _VERSION_CODE_RE.match(doc[end].text):
            end += 1  # "Hunyuan T2", "ERNIE X2"
        if end < len(doc) and _SIZE_RE.match(doc[end].text) and end not in others:
            end += 1  # "Llama 3.1 8B"
        while end < len(doc) and doc[end].text in MODEL_TIERS and end not in others:
            end += 1
        if end > m.end and end < len(doc) and _DOTTED_VERSION_RE.match(doc[end].text) and end not in others:
            end += 1  # "Magistral Pro 1.2": a version after the tier
        if end == m.end:
            continue
        last, new_last = doc[m.end - 1], doc[end - 1]
        tail = doc.text[last.idx + len(last.text):new_last.idx + len(new_last.text)]
        name = " ".join(f"{m.name}{tail}".split())
        entry = gaz.lookup(name)
        if entry is not None and entry.label != "MODEL":
            continue
        new = _span_mention(doc, "MODEL", m.start, end, entry.name if entry else name,
                            known=entry is not None, kind=entry.kind if entry else "model",
                            owner=entry.owner if entry else m.owner)
        out = [o for o in out if o is not m]
        out = _replace_region(out, new)
    return out


def _add_context_names(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """Names the NER misses or mislabels, given away by the words around them."""
    def known_at(i: int) -> bool:
        return any(m.known and m.start <= i < m.end for m in mentions)

    for tok in doc:
        low = tok.lower_
        # "startup Fjordlight AI", "the startup Tokenwise", "a startup called Tokenwise"
        if low in _ORG_CUE_NOUNS and tok.i + 1 < len(doc) and tok.pos_ in ("NOUN", "ADJ"):
            first = tok.i + 2 if doc[tok.i + 1].lower_ in ("called", "named", "dubbed") else tok.i + 1
            j = first
            while j < len(doc) and j - first < 4 and _name_token(doc[j]) and not known_at(j):
                j += 1
            if j > first and doc[first].pos_ == "PROPN":
                mentions = _replace_region(mentions, _span_mention(doc, "ORG", first, j))
    # "said Hugo Marchand, a partner at ...": a two- or three-word name before a role appositive
    for tok in doc:
        if tok.text != "," or tok.i < 2:
            continue
        start = tok.i
        while start > 0 and tok.i - start < 3 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].is_alpha \
                and doc[start - 1].text[:1].isupper():
            start -= 1
        if not 2 <= tok.i - start <= 3 or any(m.start < tok.i and m.end > start for m in mentions):
            continue
        # lowercase only: ", President Trump said" is a title before another name, not an appositive
        after = [t.text for t in doc[tok.i + 1:tok.i + 6]]
        if (after and any(w in PERSON_NOUNS for w in after[:4])
                and (after[0] in ("a", "an", "the") or after[0] in PERSON_NOUNS)):
            mentions = _replace_region(mentions, _span_mention(doc, "PERSON", start, tok.i))
    # "Home Affairs Secretary Stephanie Foster": a title, not an organisation
    return [
        m for m in mentions
        if not (m.label == "ORG" and not m.known and m.end < len(doc) and doc[m.end].lower_ in _TITLE_WORDS)
    ]


def _add_acting_names(doc: Doc, mentions: list[MentionSpan], gaz: Gazetteer) -> list[MentionSpan]:
    """A one-word name the NER passed over that does what only an organisation does ("Marrowind
    disclosed that ...", "Pellworth confirmed the exposure"): an unknown company. (A person's surname
    names a person the passage has already introduced; it stays theirs.)"""
    surnames = {w for m in mentions if m.label == "PERSON" for w in m.name.split()}
    for tok in doc:
        if not (tok.pos_ == "PROPN" and tok.is_alpha and len(tok.text) >= 3 and tok.text[:1].isupper()
                and not tok.is_upper and tok.dep_ == "nsubj" and tok.head.pos_ == "VERB"
                and tok.head.lemma_.lower() in _ORG_ACTS):
            continue
        low = tok.lower_
        if (any(m.start <= tok.i < m.end for m in mentions) or tok.text in surnames or tok.tag_ == "NNPS"
                or any(c.dep_ in ("compound", "amod", "det", "poss") for c in tok.children)
                or {low, low.removesuffix("s")} & (PERSON_NOUNS | ORG_NOUNS) or low in STOP_WORDS
                or low in _DEMONYMS
                or gaz.lookup(tok.text) is not None):
            continue
        mentions = _replace_region(mentions, _span_mention(doc, "ORG", tok.i, tok.i + 1))
    return mentions


def _add_legal_form_names(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """"Corvanta AS today announced ...": one to three capitalised words before a legal form the NER
    passed over are a company's name."""
    for tok in doc[1:]:
        if tok.text.rstrip(".") not in LEGAL_FORMS or any(m.start <= tok.i < m.end for m in mentions):
            continue
        start = tok.i
        while (start > 0 and tok.i - start < 3 and doc[start - 1].is_title and doc[start - 1].is_alpha
               and doc[start - 1].pos_ == "PROPN" and doc[start - 1].lower_ not in STOP_WORDS):
            start -= 1
        # (an unknown place or person the NER made of the name gives way: "Skarvika AS" is no town)
        if start < tok.i and not any(m.start < tok.i and m.end > start and (m.known or m.start < start)
                                     for m in mentions):
            mentions = _replace_region(mentions, _span_mention(doc, "ORG", start, tok.i + 1))
    return mentions


def _not_a_name(doc: Doc, m: MentionSpan) -> bool:
    """An unknown one-word organisation that is no name: a model tier on its own ("the previous Max
    model", "the Flash variant") or a common word the tagger reads as a noun or verb, usually capitalised
    only because it opens a sentence ("Screenshots seen by ...", "Benchmarks show ...")."""
    if m.known or m.label != "ORG" or m.end - m.start != 1:
        return False
    tok = doc[m.start]
    return m.name in MODEL_TIERS or tok.pos_ in ("NOUN", "VERB", "ADJ")


def canonical_mentions(doc: Doc, gaz: Gazetteer) -> list[MentionSpan]:
    """Every ORG/PERSON/GPE/MODEL mention in ``doc`` with its canonical name, in text order."""
    mentions: list[MentionSpan] = []
    official: list[MentionSpan] = []  # places inside an official name: kept only to build that name
    dateline = _dateline_place(doc, gaz)
    if dateline is not None:
        i, entry = dateline
        tok = doc[i]
        mentions.append(MentionSpan("GPE", entry.name, tok.text, tok.idx, tok.idx + len(tok.text), i, i + 1,
                                    known=True, kind=entry.kind))
    for ent in doc.ents:
        if dateline is not None and ent.start <= dateline[0] < ent.end:
            continue  # "BRUSSELS - Obligations" read as one ORG
        m = _from_ent(trim_ent(doc, ent), gaz)
        if m is None or _is_demonym_phrase(m):
            continue
        if m.label == "GPE" and _inside_official_name(doc, m):
            official.append(m)
            continue
        if m.label == "ORG" and _product_use(doc, m):
            m = replace(m, label="MODEL")
        mentions.append(m)
    merged = local_public_bodies(doc, merge_local_institutions(doc, _outermost([*mentions, *official]), gaz))
    official = [m for m in merged if any(m is o for o in official)]
    mentions = [m for m in merged if not any(m is o for o in official)]
    mentions = _merge_place_prefixed_orgs(doc, mentions, official)
    mentions = dateline_places(doc, mentions, gaz)
    # shapes first (a glued code, a version number), then the words around a name
    mentions = add_glued_models(doc, mentions)
    mentions = add_versioned_models(doc, grow_bare_codes(doc, mentions))
    mentions = add_model_context(doc, mentions)
    mentions = _add_acting_names(doc, _add_legal_form_names(doc, _add_context_names(doc, mentions)), gaz)
    mentions = extend_of_names(doc, mentions, gaz)
    mentions = extend_names_left(doc, drop_internal_teams(doc, mentions))
    mentions = suffix_named_orgs(doc, mentions)
    mentions = split_titles(doc, mentions)
    mentions = appositive_labels(doc, reverse_appositions(doc, mentions))
    mentions = known_org_units(doc, _cue_noun_orgs(doc, based_orgs(doc, mentions)), gaz)
    decided = {(m.name, m.label) for m in mentions if not m.known and _cue_labelled(doc, m)}
    mentions = places_after_prepositions(doc, mentions)
    # (a "person" with a version number is a model before its tier is read: "Orrin 3.5 Turbo")
    mentions = _extend_models(doc, _fix_misread_people(mentions), gaz)
    mentions = _add_missed_person_tokens(doc, mentions)
    mentions = _fold_person_aliases(doc, mentions, gaz)
    mentions = tiered_products(doc, mentions)
    mentions = _places_naming_orgs(places_starting_org_names(doc, mentions))
    mentions = _add_short_org_names(doc, _drop_lone_unknown_people(_resolve_short_names(mentions)))
    decided |= {(m.name, "ORG") for m in mentions if _acts_as_org(doc, m)}
    cue_orgs = frozenset(name.lower() for name, label in decided if label == "ORG")
    mentions = unify_labels(propagate_models(mentions, cue_orgs), decided)
    return [m for m in mentions if not _not_a_name(doc, m) and not _ignored(m, gaz)]


# What only an organisation does, of all the things a one-word name may stand for (a model, a place):
# "Lumora called the claims baseless", "which Lumora released in October".
_ORG_ACTS = frozenset({
    "say", "tell", "call", "announce", "confirm", "deny", "reject", "dispute", "accuse", "allege", "sue",
    "release", "launch", "unveil", "raise", "sign", "operate", "hire", "acquire", "decline", "respond",
    "comment", "insist", "argue", "counter", "agree", "invest", "open-source", "license", "file", "disclose",
    "reveal", "admit", "notify", "suspend", "revoke", "ban", "bar", "restrict", "partner",
})


_ORG_HEAD_ROLES = frozenset({
    "spokesperson", "spokesman", "spokeswoman", "executive", "officer", "ceo", "cto", "cfo", "coo", "founder",
    "co-founder", "cofounder", "chairman", "chairwoman",
})


def _acts_as_org(doc: Doc, m: MentionSpan) -> bool:
    """An unknown one-word name read as an organisation or a place that does what only an organisation
    does, or who speaks for it ("Chief Executive Officer of Brisova", "a spokesperson for Lumora"):
    an organisation wherever else it stands alone, even beside a model named after it ("Lumora 2.5")."""
    if m.known or m.label not in ("ORG", "GPE", "PERSON") or m.end - m.start != 1:
        return False
    tok = doc[m.start]
    if tok.is_upper:
        return False  # a dateline ("AUCKLAND, New Zealand — Koru announced"), parsed as the subject
    # (a person also speaks and has a lawyer; only an organisation has a spokesperson or a chief executive)
    heads = _ORG_HEAD_ROLES if m.label == "PERSON" else PERSON_NOUNS
    if m.label != "PERSON" and tok.dep_ == "nsubj" and tok.head.lemma_.lower() in _ORG_ACTS:
        return True
    if tok.dep_ == "poss" and tok.head.lemma_.lower() in heads:
        return True
    return (tok.dep_ == "pobj" and tok.head.lower_ in ("of", "for")
            and tok.head.head.lemma_.lower() in heads)


def _ignored(m: MentionSpan, gaz: Gazetteer) -> bool:
    """A name a context rule built that the gazetteer lists as no entity ("API", "Azure")."""
    if m.known:
        return False
    entry = gaz.lookup(m.name)
    return entry is not None and entry.label == IGNORE_LABEL


def _outermost(mentions: list[MentionSpan]) -> list[MentionSpan]:
    """Mentions in text order without those inside a longer one ("Washington" inside the "University of
    Washington" that an "of" name grew into)."""
    spans = sorted(mentions, key=lambda m: (m.start, -m.end))
    return [m for m in spans
            if not any(o is not m and o.start <= m.start and m.end <= o.end
                       and o.end - o.start > m.end - m.start for o in spans)]


def _cue_labelled(doc: Doc, m: MentionSpan) -> bool:
    """The label of ``m`` rests on more than the NER: an apposition, a cue noun before it, or a company
    word ending it."""
    last = m.name.split()[-1].lower() if m.name else ""
    cue_nouns = _ORG_CUE_NOUNS | _ORG_ONLY_CUE_NOUNS
    cue_before = _org_cue_before(doc, m.start, cue_nouns) or based_cue(doc, m.start)
    if m.label == "ORG" and (last in _ORG_SUFFIXES or cue_before):
        return True
    return m.end < len(doc) and doc[m.end].text == "," and appositive_head(doc, m.end) in ("org", "person")


def _places_naming_orgs(mentions: list[MentionSpan]) -> list[MentionSpan]:
    """An unknown "place" that is the first word of an organisation named in the passage is that
    organisation ("Greyfen's head of research" after "Greyfen Security"); one ending in a company word is
    an organisation itself ("Nordlicht AI")."""
    org_first = {m.name.split()[0].lower() for m in mentions if m.label == "ORG" and len(m.name.split()) >= 2}
    out = []
    for m in mentions:
        if m.label == "GPE" and not m.known:
            words = m.name.split()
            if (len(words) == 1 and words[0].lower() in org_first) or (
                    len(words) >= 2 and words[-1].lower() in _ORG_SUFFIXES):
                m = replace(m, label="ORG", kind="")
        out.append(m)
    return out



def described_as_government(m: MentionSpan, doc: Doc) -> bool:
    """A name the sentence calls a state body by apposition: "Portugal's data protection authority, the CNPD",
    "the CNPD, the national data regulator"."""
    root = doc[m.end - 1]
    nouns = [root.head] if root.dep_ == "appos" else []
    nouns += [c for c in root.children if c.dep_ == "appos"]
    return any(n.lemma_.lower() in GOVERNMENT_BODY_HEADS for n in nouns)


def is_government(m: MentionSpan) -> bool:
    """Acts for a state: agencies, legislatures, officials, countries (a GPE as actor is its government)."""
    if m.kind in GOVERNMENT_KINDS or m.label == "GPE":
        return True
    return not m.known and m.label == "ORG" and bool(GOVERNMENT_BODY_HEADS & set(m.name.lower().split()))
