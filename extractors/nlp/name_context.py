"""Boundaries and labels of names, read from their shape and the words around them.

The statistical NER draws spans across line breaks ("Aurelis AI\\nFounded"), stops at "of" ("University
of"), splits "Ministry of Communication and Digital Affairs" in two, swallows a job title ("CEO Tran Minh
Khoa") and reads a town as a company ("data centres in Sines and Zaragoza"). These rules repair classes of
such spans; each looks only at the passage in hand.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span

from extractors.gazetteer import Gazetteer

from .cue_words import DEMONYMS, HONORIFICS, ORG_SUFFIXES, PERSON_NOUNS, appositive_head, noun_class
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
# Job titles inside a span: the name after them is a person ("Kintaro Labs CEO Aiko Tanabe").
_TITLE_TOKENS = frozenset({
    "CEO", "CTO", "CFO", "COO", "Chairman", "Chairwoman", "Chair", "President", "Founder", "Co-founder",
    "Director", "Minister", "Secretary", "Commissioner", "Spokesperson", "Spokesman", "Spokeswoman",
    "Professor", "Prof.", "Dr.", "Judge", "Senator", "Governor", "Ambassador", "Mayor",
})
# Prepositions of place: an unknown one-word "organisation" right after one of these is a place
# ("data centres in Sines and Zaragoza"), unless the phrase is about money or ownership.
_PLACE_PREPOSITIONS = frozenset({"in", "near", "outside"})
_OWNERSHIP_WORDS = frozenset({
    "stake", "stakes", "invest", "invested", "investing", "investment", "investments", "shares", "share",
    "interest", "position", "role", "confidence", "trust", "changes", "partner", "partnership", "money",
    "stakeholder", "rally", "jobs", "job", "stock", "holding", "holdings", "participate", "participated",
    "round", "stakeholding", "bet", "bets", "equity",
})


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


def _name_word(tok_text: str) -> bool:
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
        if joiner.lower_ not in _NAME_JOINERS or not _name_word(word.text) or word.is_sent_start:
            break
        if joiner.text == "," and not any(t.lower_ == "and" for t in doc[j + 1:j + 5]):
            break  # "Ministry of Trade, Industry and Energy" goes on; "Ministry of Trade, Tencent" not
        other = next((o for o in others if o.start <= j + 1 < o.end), None)
        place_after_of = joiner.lower_ in ("of", "for") and other is not None and other.label == "GPE"
        if other is not None and not place_after_of and (other.known or other.label == "PERSON"):
            break  # "Ministry of Transport and Digital Affairs" takes in "Digital Affairs", not a person
        j += 1
        while j + 1 < len(doc) and _name_word(doc[j + 1].text) and not doc[j + 1].is_sent_start:
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


def _full_name(span: Span) -> bool:
    """Two to four capitalised name words: what a person's full name looks like."""
    return 2 <= len(span) <= 4 and all(t.is_title and t.is_alpha and t.pos_ == "PROPN" for t in span)


def split_titles(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """A job title inside or right before a name makes the words after it a person: "CEO Tran Minh Khoa",
    "Kintaro Labs CEO Aiko Tanabe" (the words before the title stay an organisation), "Trade lawyer
    Somchai Rattanaporn"."""
    out = list(mentions)
    for m in list(mentions):
        if m.known or m.label not in ("ORG", "PERSON", "GPE"):
            continue
        span = doc[m.start:m.end]
        title = next((t.i for t in span if t.text in _TITLE_TOKENS), None)
        named = title is not None and _full_name(doc[title + 1:m.end])
        if title is not None and named and (title == m.start or _name_word(doc[title - 1].text)):
            person = span_mention(doc, "PERSON", title + 1, m.end)
            out = [o for o in out if o is not m]
            if title > m.start:
                out.append(span_mention(doc, "ORG", m.start, title))
            out = replace_region(out, person)
            continue
        # "company CEO Tran Minh Khoa" / "Kintaro Labs CEO Aiko Tanabe": a title right before the name
        before = doc[m.start - 1] if m.start > 0 else None
        if (before is not None and m.label != "PERSON" and m.end - m.start >= 2
                and (before.text in _TITLE_TOKENS or (before.is_lower and before.lower_ in PERSON_NOUNS))):
            out = replace_region([o for o in out if o is not m], replace(m, label="PERSON"))
    # a PROPN run after a title that no mention covers ("Kintaro Labs CEO Aiko Tanabe" read as one ORG
    # "Kintaro Labs" and nothing after "CEO")
    for tok in doc:
        if tok.text not in _TITLE_TOKENS or tok.i + 2 > len(doc):
            continue
        j = tok.i + 1
        while (j < len(doc) and j - tok.i <= 4 and doc[j].pos_ == "PROPN" and doc[j].is_title
               and doc[j].is_alpha):
            j += 1
        if j - tok.i >= 3 and not any(o.start < j and o.end > tok.i + 1 for o in out):
            out = replace_region(out, span_mention(doc, "PERSON", tok.i + 1, j))
    return sorted(out, key=lambda o: o.start)


def _covered_tokens(mentions: list[MentionSpan]) -> set[int]:
    return {i for m in mentions for i in range(m.start, m.end)}


def _free_name_token(doc: Doc, i: int, mentions: list[MentionSpan], covered: set[int] | None = None) -> bool:
    """doc[i] may be part of a name no mention holds: capitalised, no stop word, no demonym, no title,
    not tagged as a date, number or other non-name."""
    tok = doc[i]
    return (tok.text[:1].isupper() and tok.is_alpha and not tok.is_stop and tok.lower_ not in DEMONYMS
            and tok.text not in _TITLE_TOKENS and tok.ent_type_ in ("", "ORG", "PERSON", "GPE", "FAC")
            and i not in (covered if covered is not None else _covered_tokens(mentions)))


def extend_names_left(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """A capitalised name word right before a person or organisation is part of it: "Pallas" +
    "Intelligence", "Nurul" + "Aina Zakaria"; a famous surname after another first name is someone
    else ("Dolores" + "Vance" is not JD Vance)."""
    out = list(mentions)
    for m in mentions:
        one_word_alias = m.known and m.label == "PERSON" and m.end - m.start == 1 and " " in m.name
        if m.start == 0 or m.label not in ("ORG", "PERSON") or (m.known and not one_word_alias):
            continue
        if m.label == "PERSON" and not one_word_alias and (
                m.end - m.start < 2 or m.start < 2 or doc[m.start - 2].text not in (",", "and")):
            # only in a list or an apposition ("Its chief executive, Nurul Aina Zakaria"): elsewhere a
            # capitalised word before a name is mostly a title ("Coach", "Administrator", "Defenseman")
            continue
        if m.label == "ORG" and len(m.name.split()) > 1 and m.name.split()[-1].lower() not in ORG_SUFFIXES:
            continue  # a one-word or company-word name NER cut down ("Pallas" + "Intelligence")
        prev = doc[m.start - 1]
        if (not _free_name_token(doc, m.start - 1, out) or prev.pos_ != "PROPN"
                or prev.lower_.rstrip(".") in HONORIFICS or prev.lower_ in PERSON_NOUNS):
            continue
        new = span_mention(doc, m.label, m.start - 1, m.end)
        out = replace_region([o for o in out if o is not m], new)
    return out


def suffix_named_orgs(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """Capitalised words no mention holds, ending in a company word, are an organisation: "existing
    investors Creandum and Nordwave Capital", "Analysts of Huatai Securities"."""
    out = list(mentions)
    covered = _covered_tokens(out)
    i = 0
    while i < len(doc):
        if not _free_name_token(doc, i, out, covered) or doc[i].lower_ in ORG_SUFFIXES:
            i += 1
            continue
        j = i
        while (j < len(doc) and j - i < 4 and _free_name_token(doc, j, out, covered)
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


# Lower-case nouns after a name that make it a team inside an organisation ("Vellum's Threat
# Intelligence group", "a Preparedness team").
_TEAM_NOUNS = frozenset({"group", "team", "unit", "division", "office", "department", "lab", "desk"})


def drop_internal_teams(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """An unknown name between a possessive or an article and a team noun is a team, not an entity."""
    return [
        m for m in mentions
        if not (m.label == "ORG" and not m.known and m.end < len(doc) and m.start > 0
                and doc[m.end].lower_ in _TEAM_NOUNS and doc[m.end].is_lower
                and doc[m.start - 1].lower_ in ("'s", "’s", "a", "an", "the", "its", "their"))
    ]


def appositive_labels(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """An unknown name followed by an apposition takes the apposition's class: "Boreal Insights, a
    Lagos-based marketing firm" is an organisation, "Anneke de Vries, an infrastructure analyst" a
    person."""
    out = []
    ends = {m.end for m in mentions}
    for tok in doc:
        # a name NER missed altogether: "Echoform AI, the Ottawa-based start-up behind ..."
        if tok.text != "," or tok.i in ends or appositive_head(doc, tok.i) != "org":
            continue
        start = tok.i
        while start > 0 and tok.i - start < 4 and _free_name_token(doc, start - 1, mentions):
            start -= 1
            if doc[start].is_sent_start:
                break
        if start < tok.i and doc[tok.i - 1].pos_ == "PROPN":
            mentions = replace_region(mentions, span_mention(doc, "ORG", start, tok.i))
    for m in mentions:
        if (not m.known and m.label in ("ORG", "PERSON", "GPE") and m.end < len(doc)
                and doc[m.end].text == ","):
            head = appositive_head(doc, m.end)
            if head == "org":
                m = replace(m, label="ORG")
            elif head == "person" and m.label != "GPE" and len(m.name.split()) >= 2:
                m = replace(m, label="PERSON")
        out.append(m)
    return out


def unify_labels(mentions: list[MentionSpan], decided: set[tuple[str, str]]) -> list[MentionSpan]:
    """One name, one label in a passage: an unknown name that context labelled somewhere (``decided``:
    (name, label) pairs) carries that label everywhere ("Veridian Mind's co-founder" after "Veridian
    Mind, the Canadian AI lab")."""
    by_name: dict[str, str] = {}
    for name, label in decided:
        by_name.setdefault(name.lower(), label)
    return [
        replace(m, label=by_name[m.name.lower()])
        if not m.known and m.label in ("ORG", "PERSON", "GPE") and by_name.get(m.name.lower(), m.label)
        in ("ORG", "PERSON") and m.name.lower() in by_name
        else m
        for m in mentions
    ]


def dateline_places(doc: Doc, mentions: list[MentionSpan], gaz: Gazetteer) -> list[MentionSpan]:
    """"SALEM, Ore. —", "NASHVILLE —", "SEATTLE and AMSTERDAM, May 11 —": capitalised words opening a line
    and followed by a dash or a comma are the place the story was filed from."""
    out = list(mentions)
    for tok in doc:
        if not (tok.is_alpha and tok.is_upper and len(tok.text) >= 3):
            continue
        prev = doc[tok.i - 1] if tok.i > 0 else None
        if prev is not None and "\n" not in prev.text and "\n" not in prev.whitespace_:
            continue  # not at the start of a line
        j = tok.i
        places: list[tuple[int, int]] = []
        while j < len(doc):
            k = j
            while k < len(doc) and doc[k].is_alpha and doc[k].is_upper and len(doc[k].text) >= 2:
                k += 1
            if k == j:
                break
            places.append((j, k))
            if k < len(doc) and doc[k].lower_ == "and" and k + 1 < len(doc) and doc[k + 1].is_upper:
                j = k + 1
                continue
            j = k
            break
        if not places or j >= len(doc) or doc[j].text not in (",", "—", "–", "-"):
            continue
        for start, end in places:
            name = " ".join(w.title() for w in doc[start:end].text.split())
            entry = gaz.lookup(name)
            if entry is not None and entry.label != "GPE":
                continue
            words = doc[start:end]
            if entry is None and (any(t.lower_ in STOP_WORDS for t in words)
                                  or not any(t.pos_ == "PROPN" or t.ent_type_ for t in words)):
                continue  # a section label in a roundup ("PRICES —", "FOR IMMEDIATE RELEASE —")
            new = span_mention(doc, "GPE", start, end, entry.name if entry else name, known=entry is not None,
                               kind=entry.kind if entry else "city")
            out = replace_region(out, new)
    return out


def places_after_prepositions(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """An unknown one-word "organisation" or "person" after "in" is a place ("two data centres, in Sines and
    Zaragoza", "a fellow at the Centre for Open Model Research in Kraków"), unless the phrase is about
    money or ownership ("a stake in Nordlicht")."""
    out: list[MentionSpan] = []
    for m in mentions:
        if m.label in ("ORG", "PERSON") and not m.known and m.end - m.start == 1 and m.start > 0 \
                and doc[m.start].is_title:  # not an acronym ("in CBP custody")
            prep = doc[m.start - 1]
            if prep.lower_ == "and" and m.start > 1:  # "in Sines and Zaragoza"
                prev = next((o for o in out if o.end == m.start - 1), None)
                if prev is not None and prev.label == "GPE" and not prev.known:
                    prep = doc[prev.start - 1]
            nxt = doc[m.end] if m.end < len(doc) else None
            if (prep.lower_ in _PLACE_PREPOSITIONS and (nxt is None or nxt.text not in ("'s", "’s"))
                    and not any(t.lower_ in _OWNERSHIP_WORDS for t in doc[max(0, prep.i - 3):prep.i])
                    and prep.head.lemma_.lower() not in _OWNERSHIP_WORDS):
                m = replace(m, label="GPE", kind="city")
        out.append(m)
    return out


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


def places_starting_org_names(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """A place followed by words that begin an organisation's name used in the passage is that
    organisation: "Harbin Yuntu did not respond" after "Harbin Yuntu Computing"."""
    orgs = [m for m in mentions if m.label == "ORG" and len(m.name.split()) >= 3]
    out = list(mentions)
    for m in mentions:
        if m.label != "GPE":
            continue
        end = m.end
        while end < len(doc) and end - m.end < 3 and _free_name_token(doc, end, out):
            end += 1
        if end == m.end:
            continue
        words = doc[m.start:end].text.split()
        full = next((o for o in orgs if o.name.split()[:len(words)] == words and o.start != m.start), None)
        if full is not None:
            new = span_mention(doc, "ORG", m.start, end, full.name, known=full.known, kind=full.kind)
            out = replace_region([x for x in out if x is not m], new)
    return out


_LABEL_OF_CLASS = {"model": "MODEL", "org": "ORG", "person": "PERSON"}
_DETERMINERS = frozenset({"the", "its", "their", "his", "her", "a", "an", "'s", "’s", "our", "two", "both"})


def reverse_appositions(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """A noun phrase, a comma and names set off by a comma: the names are what the noun says. "Its chief
    executive, Nadia Farouk, told staff" (a person), "The apps, Moonlit and Xinyu Companion, let users
    chat" (two models), "its lead investor, Tidewell Capital, said" (an organisation). Known names keep
    their reading."""
    out = list(mentions)
    for tok in doc:
        if tok.text != "," or tok.i < 2 or tok.i + 2 >= len(doc):
            continue
        head = doc[tok.i - 1]
        cls = noun_class(head.lower_) if head.pos_ == "NOUN" else None
        if cls is None or not any(t.lower_ in _DETERMINERS for t in doc[max(0, head.i - 4):head.i]):
            continue
        runs: list[tuple[int, int]] = []
        j = tok.i + 1
        covered = _covered_tokens([m for m in out if m.known])
        while j < len(doc):
            k = j
            while k < len(doc) and k - j < 4 and doc[k].text[:1].isupper() and doc[k].is_alpha \
                    and k not in covered and not doc[k].is_stop:
                k += 1
            if k == j:
                break
            runs.append((j, k))
            if k < len(doc) and doc[k].lower_ == "and":
                j = k + 1
                continue
            j = k
            break
        closed = j >= len(doc) or doc[j].text in (",", ".", ";", ":") or doc[j].is_space
        if not runs or not closed:
            continue
        label = _LABEL_OF_CLASS[cls]
        for start, end in runs:
            if label == "PERSON" and end - start < 2:
                continue  # a person is named in full here
            new = span_mention(doc, label, start, end, kind="model" if label == "MODEL" else "")
            out = replace_region(out, new)
    return out


def based_cue(doc: Doc, start: int) -> bool:
    """doc[start] follows "<Place>-based"."""
    return start >= 2 and doc[start - 1].lower_ == "based" and doc[start - 2].text == "-"


def based_orgs(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """A name after "<Place>-based" is an organisation: "Shanghai-based Hexin Zhisuan", "Seoul-based
    Lumora AI" (people are "based in" a place, not "X-based")."""
    out = []
    for m in mentions:
        if not m.known and m.label in ("PERSON", "GPE") and based_cue(doc, m.start):
            m = replace(m, label="ORG", kind="")
        out.append(m)
    return out


def known_org_units(doc: Doc, mentions: list[MentionSpan], gaz: Gazetteer) -> list[MentionSpan]:
    """A known organisation followed by a company word is its unit, an organisation of its own:
    "Salesforce Ventures", "Tencent Cloud", "Nvidia Research" ("Google AI" is left alone: "AI" follows
    company names as a plain noun too)."""
    out = list(mentions)
    covered = _covered_tokens(mentions)
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
