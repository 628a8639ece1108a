"""Where a name begins and ends: spans the NER cut wrong, and names it missed whose shape gives them away.

The statistical NER draws spans across line breaks ("Aurelis AI\\nFounded"), stops at "of" ("University
of"), splits "Ministry of Communication and Digital Affairs" in two, takes "Pallas Intelligence" for
"Intelligence", misses "Huatai Securities" and reads "the Oregon Department of Justice" as the federal
department plus a state. These rules repair classes of such spans; each looks only at the passage in hand.
"""

from __future__ import annotations

from itertools import pairwise

from spacy.tokens import Doc, Span

from extractors.gazetteer import Gazetteer

from .cue_words import DEMONYMS, GOVERNMENT_BODY_HEADS, HONORIFICS, ORG_SUFFIXES, PERSON_NOUNS, TITLE_WORDS
from .mentions import MentionSpan, replace_region, span_mention
from .mentions import tidy_surface as tidy_name

# Tokens a name never runs across: a line break, a dash or a bar starts something else (a heading's
# "— Press Release", the "Founded in 2023" of a boilerplate paragraph).
_BREAK_TEXTS = frozenset({"—", "–", "|", "•"})
# Words a name does not end on ("Qingluo Intelligence of Shenzhen").
_TRAILING_FUNCTION_WORDS = frozenset({"of", "and", "for", "the", "&", "at", "in", "on", "by"})
# Heads of official and institutional names that continue with "of ..." ("University of Washington",
# "Ministry of Communication and Digital Affairs", "Centre for Open Model Research").
OF_NAME_HEADS = frozenset({
    "university", "ministry", "department", "court", "institute", "centre", "center", "office", "bureau",
    "commission", "committee", "council", "agency", "academy", "school", "college", "authority",
    "administration", "board", "chamber", "federation", "association", "society", "foundation", "museum",
    "service", "division", "district", "state", "republic", "house", "parliament", "tribunal",
})
_NAME_JOINERS = frozenset({"of", "and", "&", "for", "the", ","})


def trim_ent(doc: Doc, ent: Span) -> Span:
    """The part of an NER span a name can be: cut at a line break or a dash, then drop trailing
    function words. The first part is the name ("Aurelis AI\\nFounded" -> "Aurelis AI")."""
    end = ent.end
    for tok in ent:
        line_break = "\n" in doc[tok.i - 1].whitespace_ or "\n" in tok.text
        if tok.i > ent.start and (tok.is_space or tok.text in _BREAK_TEXTS or line_break):
            end = tok.i
            break
    if end == ent.end and doc[end - 1].lower_ in ("of", "for") and end - 2 >= ent.start \
            and doc[end - 2].lower_ in OF_NAME_HEADS:
        end = _of_tail_end(doc, end - 1, [])  # "the University of" + "Washington"
    while end - 1 > ent.start and doc[end - 1].lower_ in _TRAILING_FUNCTION_WORDS:
        end -= 1
    if end == ent.end:
        return ent
    return Span(doc, ent.start, end, label=ent.label, kb_id=ent.kb_id, span_id=ent.id)


def name_word(tok_text: str) -> bool:
    return tok_text[:1].isupper() and any(ch.isalpha() for ch in tok_text)


def _of_name_continues(doc: Doc, m: MentionSpan) -> bool:
    """``m`` is an institution's name cut before its "of ..." part ("University" + "of Washington") or
    before the rest of a coordinated "of" part ("Ministry of Communication" + "and Digital Affairs")."""
    if m.end >= len(doc):
        return False
    nxt = doc[m.end].lower_
    words = m.name.lower().split()
    if nxt in ("of", "for"):
        return bool(words) and words[-1] in OF_NAME_HEADS
    return nxt in ("and", ",") and ("of" in words or "for" in words) and bool(set(words) & OF_NAME_HEADS)


def _of_tail_end(doc: Doc, j: int, others: list[MentionSpan]) -> int:
    """End of the "of X [and Y]" part of an institution's name whose joiner is ``doc[j]``. A place may
    follow "of" ("University of Washington"); any other known name ends it ("Ministry of Commerce and
    Nvidia")."""
    end = j
    while j + 1 < len(doc):
        joiner, word = doc[j], doc[j + 1]
        if joiner.lower_ not in _NAME_JOINERS or not name_word(word.text) or word.is_sent_start:
            break
        if joiner.text == "," and not any(t.lower_ == "and" for t in doc[j + 1:j + 5]):
            break  # "Ministry of Trade, Industry and Energy" goes on; "Ministry of Trade, Tencent" not
        other = next((o for o in others if o.start <= j + 1 < o.end), None)
        place_after_of = joiner.lower_ in ("of", "for") and other is not None and other.label == "GPE"
        if other is not None and not place_after_of and (other.known or other.label == "PERSON"):
            break  # "Ministry of Transport and Digital Affairs" takes in "Digital Affairs", not a person
        j += 1
        while j + 1 < len(doc) and name_word(doc[j + 1].text) and not doc[j + 1].is_sent_start:
            j += 1
        end = j = j + 1
    return end


def extend_of_names(doc: Doc, mentions: list[MentionSpan], gaz: Gazetteer) -> list[MentionSpan]:
    """An institution named "<Head> of/for X [and Y]" is one organisation: "the University of" +
    "Washington", "Ministry of Communication" + "Digital Affairs", "Ontario Superior Court" + "of
    Justice". A place may follow "of" ("University of Washington"); any other known name ends it
    ("the Ministry of Commerce and Nvidia")."""
    out = list(mentions)
    for m in list(out):
        if m.label != "ORG" or m.known or m not in out or not _of_name_continues(doc, m):
            continue  # a gazetteer name is whole ("Department of Homeland Security and Alex Azar" is two)
        end = _of_tail_end(doc, m.end, [o for o in out if o is not m])
        if end == m.end:
            continue
        name = " ".join(doc[m.start:end].text.split())
        entry = gaz.lookup(name)
        if entry is not None and entry.label != "ORG":
            continue
        new = span_mention(doc, "ORG", m.start, end, entry.name if entry else None,
                           known=entry is not None, kind=entry.kind if entry else "")
        out = replace_region([o for o in out if o is not m], new)
    return out


def covered_tokens(mentions: list[MentionSpan]) -> set[int]:
    return {i for m in mentions for i in range(m.start, m.end)}


def free_name_token(doc: Doc, i: int, mentions: list[MentionSpan], covered: set[int] | None = None) -> bool:
    """doc[i] may be part of a name no mention holds: capitalised, no stop word, no demonym, no title,
    not tagged as a date, number or other non-name."""
    tok = doc[i]
    return (tok.text[:1].isupper() and tok.is_alpha and not tok.is_stop and tok.lower_ not in DEMONYMS
            and tok.text not in TITLE_WORDS and tok.ent_type_ in ("", "ORG", "PERSON", "GPE", "FAC")
            and i not in (covered if covered is not None else covered_tokens(mentions)))


# Kinds of known organisation whose one-word name may also end another firm's ("Hanbit Cognition").
_FIRM_KINDS = frozenset({"company", "lab", "investor", "chipmaker"})


def extend_names_left(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """A capitalised name word right before a person or organisation is part of it: "Pallas" +
    "Intelligence", "Nurul" + "Aina Zakaria"; a famous surname after another first name is someone
    else ("Dolores" + "Vance" is not JD Vance)."""
    out = list(mentions)
    for m in mentions:
        one_word_alias = m.known and m.label == "PERSON" and m.end - m.start == 1 and " " in m.name
        # "Hanbit Cognition": a known company's one word ending an unknown name is that name's last word
        known_company_word = (m.known and m.label == "ORG" and m.end - m.start == 1 and m.kind in _FIRM_KINDS
                              and doc[m.start].is_title)
        if m.start == 0 or m.label not in ("ORG", "PERSON") or (
                m.known and not one_word_alias and not known_company_word):
            continue
        if m.label == "PERSON" and not one_word_alias and (
                m.end - m.start < 2 or m.start < 2 or doc[m.start - 2].text not in (",", "and")):
            # only in a list or an apposition ("Its chief executive, Nurul Aina Zakaria"): elsewhere a
            # capitalised word before a name is mostly a title ("Coach", "Administrator", "Defenseman")
            continue
        if m.label == "ORG" and len(m.name.split()) > 1 and m.name.split()[-1].lower() not in ORG_SUFFIXES:
            continue  # a one-word or company-word name NER cut down ("Pallas" + "Intelligence")
        prev = doc[m.start - 1]
        if (not free_name_token(doc, m.start - 1, out) or prev.pos_ != "PROPN"
                or prev.lower_.rstrip(".") in HONORIFICS or prev.lower_ in PERSON_NOUNS):
            continue
        if known_company_word and (prev.is_sent_start or prev.lower_ in DEMONYMS):
            continue
        new = span_mention(doc, m.label, m.start - 1, m.end)
        out = replace_region([o for o in out if o is not m], new)
    return out


def suffix_named_orgs(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """Capitalised words no mention holds, ending in a company word, are an organisation: "existing
    investors Creandum and Nordwave Capital", "Analysts of Huatai Securities"."""
    out = list(mentions)
    covered = covered_tokens(out)
    i = 0
    while i < len(doc):
        if not free_name_token(doc, i, out, covered) or doc[i].lower_ in ORG_SUFFIXES:
            i += 1
            continue
        j = i
        while (j < len(doc) and j - i < 4 and free_name_token(doc, j, out, covered)
               and doc[j].pos_ == "PROPN" and doc[j].ent_type_ not in ("GPE", "LOC", "FAC")):
            j += 1
        # a capitalised word or a possessive before the run: the name starts earlier ("Asia Trade Policy
        # Institute") or belongs to another ("Samsung's Galaxy AI")
        before = doc[i - 1] if i > 0 else None
        claimed = before is not None and (before.text in ("'s", "’s")
                                          or (before.is_title and not before.is_sent_start))
        if j - i >= 2 and doc[j - 1].lower_ in ORG_SUFFIXES and not claimed and not _title_line(doc, i):
            out = replace_region(out, span_mention(doc, "ORG", i, j))
        i = max(j, i + 1)
    return out


def _title_line(doc: Doc, i: int) -> bool:
    """doc[i] sits in a heading-like sentence: short, with no verb."""
    sent = doc[i].sent
    return len(sent) <= 12 and not any(t.pos_ in ("VERB", "AUX") for t in sent)


# Places that name a nation: "U.S. Department of Justice" is the national department itself.
_NATIONAL_KINDS = frozenset({"country", "union"})


def merge_local_institutions(doc: Doc, mentions: list[MentionSpan], gaz: Gazetteer) -> list[MentionSpan]:
    """A state's or city's name right before an institution's is one organisation: "the Oregon
    Department of Justice" is not the (federal) Department of Justice plus Oregon."""
    out = list(mentions)
    for m, o in pairwise(mentions):
        if (m.label != "GPE" or o.label != "ORG" or o.start != m.end or m.kind in _NATIONAL_KINDS
                or not o.name or o.name.split()[0].lower() not in OF_NAME_HEADS):
            continue
        name = " ".join(doc[m.start:o.end].text.split())
        entry = gaz.lookup(name)
        if entry is not None and entry.label != "ORG":
            continue
        new = span_mention(doc, "ORG", m.start, o.end, entry.name if entry else name,
                           known=entry is not None, kind=entry.kind if entry else "")
        out = replace_region([x for x in out if x is not m and x is not o], new)
    return out


# Last words of a local public body's name ("Seoul Central District Prosecutors' Office").
_LOCAL_BODY_HEADS = GOVERNMENT_BODY_HEADS | {
    "police", "procuratorate", "tribunal", "prosecutors", "prosecution"}


def local_public_bodies(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """A city's or province's name, then capitalised words ending in a public body's head word, the NER
    left untagged once the place was known: "Seoul Central District Prosecutors' Office" is one
    organisation, not Seoul."""
    out = list(mentions)
    for m in mentions:
        if m.label != "GPE" or m.kind in _NATIONAL_KINDS:
            continue
        end, last, covered = m.end, None, covered_tokens(out)
        while end < len(doc) and end - m.end < 6 and end not in covered and (
                (doc[end].is_title and doc[end].is_alpha) or doc[end].text in ("'", "'s", "’", "’s")):
            if doc[end].is_alpha and doc[end].lower_ in _LOCAL_BODY_HEADS:
                last = end + 1
            end += 1
        if last is not None and last - m.end >= 2:
            out = replace_region([x for x in out if x is not m], span_mention(doc, "ORG", m.start, last))
    return out


def places_starting_org_names(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """A place followed by words that begin an organisation's name used in the passage is that
    organisation: "Harbin Yuntu did not respond" after "Harbin Yuntu Computing"."""
    orgs = [m for m in mentions if m.label == "ORG" and len(m.name.split()) >= 3]
    out = list(mentions)
    for m in mentions:
        if m.label != "GPE":
            continue
        end = m.end
        while end < len(doc) and end - m.end < 3 and free_name_token(doc, end, out):
            end += 1
        if end == m.end:
            continue
        words = doc[m.start:end].text.split()
        full = next((o for o in orgs if o.name.split()[:len(words)] == words and o.start != m.start), None)
        if full is not None:
            new = span_mention(doc, "ORG", m.start, end, full.name, known=full.known, kind=full.kind)
            out = replace_region([x for x in out if x is not m], new)
    return out


def known_org_units(doc: Doc, mentions: list[MentionSpan], gaz: Gazetteer) -> list[MentionSpan]:
    """A known organisation followed by a company word is its unit, an organisation of its own:
    "Salesforce Ventures", "Tencent Cloud", "Nvidia Research" ("Google AI" is left alone: "AI" follows
    company names as a plain noun too)."""
    out = list(mentions)
    covered = covered_tokens(mentions)
    for m in mentions:
        if m.label != "ORG" or not m.known or m.end >= len(doc) or m.end in covered:
            continue
        nxt = doc[m.end]
        name_goes_on = m.end + 1 < len(doc) and doc[m.end + 1].is_title  # "House Intelligence Committee"
        if (nxt.lower_ in ORG_SUFFIXES and nxt.lower_ != "ai" and nxt.is_title and doc[m.end - 1].whitespace_
                and not name_goes_on):
            name = f"{m.text} {nxt.text}"
            entry = gaz.lookup(name)
            if entry is not None and entry.label != "ORG":
                continue
            new = span_mention(doc, "ORG", m.start, m.end + 1, entry.name if entry else tidy_name(name),
                               known=entry is not None, kind=entry.kind if entry else "")
            out = replace_region([o for o in out if o is not m], new)
    return out
