"""What a name is, read from the words around it: appositions, titles, datelines, prepositions.

The statistical NER swallows a job title ("CEO Tran Minh Khoa"), reads a town as a company ("data centres
in Sines and Zaragoza"), a person as a company ("Its chief executive, Nadia Farouk,") and back. These rules
relabel or add mentions from the context; each looks only at the passage in hand.
"""

from __future__ import annotations

from dataclasses import replace

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span

from extractors.gazetteer import Gazetteer

from .cue_words import ORG_NOUNS, PERSON_NOUNS, TITLE_WORDS, appositive_head, noun_class
from .mentions import MentionSpan, replace_region, span_mention
from .name_spans import covered_tokens, free_name_token, name_word

# Prepositions of place: an unknown one-word "organisation" right after one of these is a place
# ("data centres in Sines and Zaragoza"), unless the phrase is about money or ownership.
_PLACE_PREPOSITIONS = frozenset({"in", "near", "outside"})
_OWNERSHIP_WORDS = frozenset({
    "stake", "stakes", "invest", "invested", "investing", "investment", "investments", "shares", "share",
    "interest", "position", "role", "confidence", "trust", "changes", "partner", "partnership", "money",
    "stakeholder", "rally", "jobs", "job", "stock", "holding", "holdings", "participate", "participated",
    "round", "stakeholding", "bet", "bets", "equity",
})


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
        if (m.label == "ORG" and len(span) >= 3 and span[0].is_sent_start and span[0].is_title
                and span[0].lower_ in ORG_NOUNS):
            # "Publisher Calder Press Group sued ...": the common noun opening the sentence is no part of it
            out = replace_region([o for o in out if o is not m], span_mention(doc, "ORG", m.start + 1, m.end))
            continue
        # (a capitalised role noun opening the name too: "Lawyer Zhou Yiran said ...")
        title = next((t.i for t in span if t.text in TITLE_WORDS
                      or (t.i == m.start and t.is_title and t.lower_ in PERSON_NOUNS)), None)
        named = title is not None and _full_name(doc[title + 1:m.end])
        if title is not None and named and (title == m.start or name_word(doc[title - 1].text)):
            person = span_mention(doc, "PERSON", title + 1, m.end)
            out = [o for o in out if o is not m]
            if title > m.start:
                out.append(span_mention(doc, "ORG", m.start, title))
            out = replace_region(out, person)
            continue
        # "company CEO Tran Minh Khoa" / "Kintaro Labs CEO Aiko Tanabe": a title right before the name
        before = doc[m.start - 1] if m.start > 0 else None
        if (before is not None and m.label != "PERSON" and m.end - m.start >= 2
                and (before.text in TITLE_WORDS or (before.is_lower and before.lower_ in PERSON_NOUNS))):
            out = replace_region([o for o in out if o is not m], replace(m, label="PERSON"))
    # a PROPN run after a title that no mention covers ("Kintaro Labs CEO Aiko Tanabe" read as one ORG
    # "Kintaro Labs" and nothing after "CEO")
    for tok in doc:
        if tok.text not in TITLE_WORDS or tok.i + 2 > len(doc):
            continue
        j = tok.i + 1
        while (j < len(doc) and j - tok.i <= 4 and doc[j].pos_ == "PROPN" and doc[j].is_title
               and doc[j].is_alpha):
            j += 1
        if j - tok.i >= 3 and not any(o.start < j and o.end > tok.i + 1 for o in out):
            out = replace_region(out, span_mention(doc, "PERSON", tok.i + 1, j))
    return sorted(out, key=lambda o: o.start)


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
        while start > 0 and tok.i - start < 4 and free_name_token(doc, start - 1, mentions):
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
        covered = covered_tokens([m for m in out if m.known])
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
