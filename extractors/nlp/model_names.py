"""Model names the NER does not know: their shapes and the words around them.

A new model rarely is in the gazetteer, and the statistical NER reads it as an organisation, a person or
nothing. What gives it away:

- its shape: a name glued to a version code ("Xinghe-R1", "Dawnlight-70B", "Orvex-Code 2"), or a name
  followed by a version number ("Tessera 4.1", "Sao Mai 2", "Hunyuan T2");
- the words around it: a model noun after it ("its Amicora companion chatbot", "the Tanager Operator
  agent"), an apposition ("Wisp, a companion chatbot", "Haneul Code, the company's coding agent") or a
  quoted name after a model noun ("chatbot app 'Yuebo'", "a model code-named 'Halyard'");
- the rest of the passage: a name read as a model once is a model everywhere in it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from spacy.tokens import Doc, Token

from .cue_words import AI_CUES, DEMONYMS, MODEL_NOUNS, appositive_head
from .mentions import MentionSpan, replace_region, span_mention

# Lower-case words that may stand between a name and its model noun ("companion", "reasoning", "voice").
_MODIFIER_POS = ("NOUN", "ADJ", "PROPN", "VERB")
_MAX_MODIFIERS = 2
_OPENERS = frozenset({"'s", "’s", "its", "their", "his", "her", "our", "the", "a", "an", "new", "latest"})
# Words that never start a model name however they are capitalised.
_NOT_MODEL_WORDS = frozenset({
    "ai", "llm", "large", "language", "foundation", "open", "frontier", "reasoning", "pro", "new",
    "generative", "chinese", "american", "european", "first", "flagship",
})
# Tier words that continue a model name ("Doubao Seed 2.0 Pro", "Grok 4 Fast", "Le Chat Enterprise").
MODEL_TIERS = frozenset({
    "Pro", "Mini", "Lite", "Max", "Plus", "Ultra", "Nano", "Flash", "Turbo", "Air", "Medium", "Small",
    "Large", "Thinking", "Instruct", "Coder", "Image", "Exp", "Preview", "Vision", "Omni", "Edge",
    "Fast", "Enterprise", "Business", "Go", "Operator", "Assist",
})
# Tiers that make a whole unknown name a model product on their own ("MirelleCare Assist"): the others
# also end company or place names ("Hewlett Packard Enterprise", "Air China").
_PRODUCT_TIERS = frozenset({"Pro", "Mini", "Lite", "Max", "Turbo", "Flash", "Nano", "Instruct", "Coder",
                            "Assist", "Thinking"})
# A version token: "4", "4.1", "T2", "X1", "K2.5"; a size token: "8B", "70B", "A22B".
_VERSION_RE = re.compile(r"^(?:[A-Z]?\d+(?:\.\d+)*[a-z]?)$")
_SIZE_RE = re.compile(r"^A?\d+(?:\.\d+)?[BMK]$")
_YEAR_RE = re.compile(r"^(?:19|20)\d\d$")
# A name glued to a code inside one token: "Luoshu-72B", "Vela-2", "Dawnlight-70B." (a sentence's full
# stop after a capital stays on the token), "Refrain-2".
_GLUED_TOKEN_RE = re.compile(r"^[A-Z][a-z][A-Za-z]*(?:-[A-Za-z0-9.]+)+\.?$")
# Words after a number that make it a quantity, not a version ("Nvidia 2 billion", "Alibaba 3 times").
_QUANTITY_WORDS = frozenset({
    "million", "billion", "trillion", "percent", "per", "times", "%", "people", "years", "months", "days",
    "hours", "weeks", "employees", "users", "staff", "of", "to", "-", "–", "/", ":",
})
# NER labels under which a versioned model name hides when NER does not read it as ORG or PERSON.
_SHAPED_LABELS = frozenset({"PRODUCT", "LAW", "WORK_OF_ART", "FAC", "EVENT"})
# A bare code that the gazetteer lists as an alias ("R1" for DeepSeek-R1).
_BARE_CODE_RE = re.compile(r"^[A-Z]\d+(?:\.\d+)?$")
_NO_MODEL_ENTS = frozenset({"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "IGNORE", "LAW"})


def ai_sentence(doc: Doc, i: int, mentions: list[MentionSpan] | None = None) -> bool:
    """The sentence of doc[i] is about AI models: an AI cue word in it, or a known model named in it."""
    sent = doc[i].sent
    if any(t.lower_ in AI_CUES for t in sent):
        return True
    return any(m.label == "MODEL" and m.known and sent.start <= m.start < sent.end for m in mentions or ())


def _covered(mentions: list[MentionSpan], i: int, *, known_only: bool = True) -> MentionSpan | None:
    return next((m for m in mentions if m.start <= i < m.end and (m.known or not known_only)), None)


def _taken(mentions: list[MentionSpan], start: int, end: int) -> bool:
    """Some token of start..end belongs to a known name or to a model already found."""
    return any(m.start < end and m.end > start and (m.known or m.label == "MODEL") for m in mentions)


def _blocks_model(m: MentionSpan | None) -> bool:
    """A known non-model entity is never re-read as a model (Fortune 500 stays a publication)."""
    return m is not None and m.known and m.label != "MODEL"


def _is_glued(doc: Doc, i: int) -> bool:
    """doc[i] is a hyphen with no space on either side, between two word tokens."""
    nxt = doc[i + 1].text[:1] if i + 1 < len(doc) else ""
    return (0 < i < len(doc) - 1 and doc[i].text == "-" and doc[i - 1].whitespace_ == ""
            and doc[i].whitespace_ == "" and (nxt.isupper() or nxt.isdigit()))


def _model_tail(doc: Doc, end: int) -> int:
    """Extend past a version number, a parameter size and tier words after a model name."""
    if end < len(doc) and _VERSION_RE.match(doc[end].text) and not _YEAR_RE.match(doc[end].text):
        end += 1
    if end < len(doc) and _SIZE_RE.match(doc[end].text):
        end += 1
    while end < len(doc) and doc[end].text in MODEL_TIERS:
        end += 1
    return end


def add_glued_models(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """"Xinghe-R1", "Xuanwu-R2-Lite-14B", "Lantern-R reasoning model", "Orvex-Code 2": a capitalised word
    glued by hyphens to a code is one model name, not an organisation plus a gazetteer alias ("R1")."""
    i = 0
    while i < len(doc):
        tok = doc[i]
        if (not (tok.text[:1].isupper() and tok.text[1:2].islower()) or tok.lower_ in DEMONYMS
                or _blocks_model(_covered(mentions, i))):
            i += 1
            continue
        end = i + 1
        while end + 1 < len(doc) and _is_glued(doc, end):
            end += 2
        pieces = doc[i:end].text
        digit = any(ch.isdigit() for ch in pieces.split("-", 1)[-1]) if "-" in pieces else False
        if end == i + 1:
            if not _GLUED_TOKEN_RE.match(tok.text) or not any(ch.isdigit() for ch in tok.text):
                i += 1
                continue
        elif not digit:
            after = _model_tail(doc, end)
            noun = after < len(doc) and (doc[after].lower_ in MODEL_NOUNS
                                         or (after + 1 < len(doc) and doc[after + 1].lower_ in MODEL_NOUNS))
            tiered = doc[end - 1].text in MODEL_TIERS  # "Dhruva-Pro": a name glued to a tier
            if after == end and not noun and not tiered:
                i = end
                continue
        end = _model_tail(doc, end)
        if (any(_blocks_model(_covered(mentions, j)) for j in range(i, end)) or _counts_something(doc, end)
                or not ai_sentence(doc, i, mentions)):
            i = end  # "Bautista-Agut 3-6", "Covid-19": surnames and diseases outside AI sentences
            continue
        mentions = replace_region(mentions, span_mention(doc, "MODEL", i, end, kind="model"))
        i = end
    return mentions


def _name_run_before(doc: Doc, end: int, mentions: list[MentionSpan]) -> int:
    """Start of the run of up to three capitalised name tokens that ends at ``end``."""
    start = end
    while start > 0 and end - start < 3:
        tok = doc[start - 1]
        if (not tok.text[:1].isupper() or tok.lower_ in _NOT_MODEL_WORDS or tok.ent_type_ in _NO_MODEL_ENTS
                or tok.lower_ in DEMONYMS or tok.is_stop or _blocks_model(_covered(mentions, tok.i))):
            break
        start -= 1
        if tok.is_sent_start:
            break
    return start


def _counts_something(doc: Doc, end: int) -> bool:
    """The number before ``end`` counts things: "19 points", "6-0", "3 goals" (a lower-case noun other
    than a model noun, or a score's dash)."""
    if end >= len(doc) or not doc[end - 1].like_num:
        return False  # only a number counts ("Halvard-R1 reasoning model" is a name and a noun)
    nxt = doc[end]
    noun = nxt.is_lower and nxt.pos_ == "NOUN" and nxt.lower_ not in MODEL_NOUNS
    return nxt.text in ("-", "–", "%") or noun


def add_versioned_models(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """"Tessera 4.1", "Tanager 2 Mini", "Sao Mai 2", "Hunyuan T2": a name NER found (as anything) followed
    by a version number is a model; a number that counts something ("3 billion") or a year is not one."""
    for m in list(mentions):
        if m.label == "MODEL" or m.known or m.end >= len(doc):
            continue
        nxt = doc[m.end]
        if m.label == "GPE" and not (m.end + 1 < len(doc) and "." in nxt.text
                                     and doc[m.end + 1].text in MODEL_TIERS):
            continue  # a place and a number is an address or a score ("Corso Monforte 15", "Gibraltar 6-0"),
            # unless a dotted version and a tier follow ("Pellan 3.5 Flash")
        if (not _VERSION_RE.match(nxt.text) or _YEAR_RE.match(nxt.text) or doc[m.end - 1].whitespace_ == ""
                or nxt.ent_type_ in _NO_MODEL_ENTS or _covered(mentions, nxt.i, known_only=False)):
            continue
        if m.end + 1 < len(doc) and doc[m.end + 1].lower_ in _QUANTITY_WORDS:
            continue
        if not all(t.text[:1].isupper() for t in doc[m.start:m.end] if t.is_alpha):
            continue
        end = _model_tail(doc, m.end)
        if _counts_something(doc, end) or not ai_sentence(doc, m.start, mentions):
            continue
        mentions = replace_region(mentions, span_mention(doc, "MODEL", m.start, end, kind="model"))
    # The same shape on a span the canonicaliser dropped (a PRODUCT, or a name NER took for a law or a
    # work: "Pelion 2 Pro"). A law's number is no version ("Article 5"): it needs a dot or a tier.
    for ent in doc.ents:
        if (ent.label_ not in _SHAPED_LABELS or not ent[0].is_title
                or _covered(mentions, ent.start, known_only=False)):
            continue
        if any(t.pos_ == "CCONJ" for t in ent):
            continue  # "Tern 4 Pro and Tern 4 Mini" taken for one law: two names, read one by one below
        versions = [t for t in ent[1:] if _VERSION_RE.match(t.text) and not _YEAR_RE.match(t.text)]
        noun_after = ent.end < len(doc) and doc[ent.end].lower_ in MODEL_NOUNS
        tiered = ent[-1].text in MODEL_TIERS or "." in "".join(t.text for t in versions) or noun_after
        if versions and (ent.label_ != "LAW" or tiered) and ai_sentence(doc, ent.start, mentions):
            end = _model_tail(doc, ent.end)
            mentions = replace_region(mentions, span_mention(doc, "MODEL", ent.start, end, kind="model"))
    # A capitalised word, a version and a tier are a model's name though NER saw no name at all ("Sage 3
    # Pro and Sage 3 Mini").
    for tok in doc[:-2]:
        version, tier = doc[tok.i + 1], doc[tok.i + 2]
        if (tok.pos_ == "PROPN" and tok.is_title and tok.is_alpha and tok.whitespace_
                and _VERSION_RE.match(version.text) and not _YEAR_RE.match(version.text)
                and tier.text in MODEL_TIERS and not _covered(mentions, tok.i, known_only=False)
                and not _covered(mentions, version.i, known_only=False)
                and ai_sentence(doc, tok.i, mentions)):
            mentions = replace_region(
                mentions, span_mention(doc, "MODEL", tok.i, _model_tail(doc, tok.i + 1), kind="model"))
    return mentions


def _partial_alias(m: MentionSpan) -> bool:
    """A known model named by the tail of its name only: "R2" for DeepSeek-R2, "Opus 5" for Claude Opus 5."""
    if not (m.label == "MODEL" and (m.known or m.owner)):
        return False  # a gazetteer model, or one a known family names ("Opus 5" of Claude)
    head = m.name.split()[0].split("-")[0].lower()
    return head not in m.text.lower() and (m.owner is None or m.owner.lower() not in m.text.lower())


def grow_bare_codes(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """"its reasoning model Skiff R2", "Halvard AI released Pellan Opus 5": the tail of a known model's name
    ("R2" for DeepSeek-R2, "Opus 5" for Claude Opus 5) after a capitalised name of its own is that name's
    version, an unknown model."""
    for m in list(mentions):
        if not _partial_alias(m):
            continue
        start = _name_run_before(doc, m.start, mentions)
        if start == m.start or doc[m.start - 1].whitespace_ == "" or _covered(mentions, start) is not None:
            continue
        mentions = replace_region(mentions, span_mention(doc, "MODEL", start, m.end, kind="model"))
    return mentions


def _model_noun_after(doc: Doc, end: int) -> bool:
    """A model noun right after ``end``, or after at most two lower-case modifiers ("companion chatbot")."""
    if end + 1 < len(doc) and doc[end].text == "-" and doc[end + 1].tag_ == "VBN":
        return False  # "an Amritsar-based agent": the name says where, not what
    j = end
    while j < len(doc) and j - end <= _MAX_MODIFIERS:
        tok = doc[j]
        if tok.lower_ in MODEL_NOUNS:
            return True
        if not (tok.is_lower and tok.pos_ in _MODIFIER_POS) and tok.text != "-":
            return False
        j += 1
    return False


def model_context(doc: Doc, tok: Token, mentions: list[MentionSpan]) -> MentionSpan | None:
    """A model named by the words around the capitalised token run ending at ``tok``."""
    end = tok.i + 1
    start = _name_run_before(doc, end, mentions)
    if start == end or len(doc[start:end].text) < 2:
        return None  # "an S line model": a letter is no name
    if _taken(mentions, start, end):
        return None  # a known name keeps its gazetteer reading ("Google's Gemini app")
    before = doc[start - 1].lower_ if start > 0 else ""
    if before in _OPENERS and _model_noun_after(doc, end):
        return span_mention(doc, "MODEL", start, end, kind="model")
    return None


def add_model_context(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """Models introduced by the words around them (see the module docstring)."""
    for tok in doc:
        # tok ends a run of capitalised words
        run_end = tok.is_alpha and tok.text[:1].isupper() and (
            tok.i + 1 == len(doc) or not doc[tok.i + 1].text[:1].isupper())
        if run_end:
            new = model_context(doc, tok, mentions)
            if new is not None:
                mentions = replace_region(mentions, new)
                continue
        # "Wisp, a companion chatbot that ...", "Haneul Code, the company's coding agent"
        if tok.text == "," and tok.i > 0 and appositive_head(doc, tok.i) == "model":
            start = _name_run_before(doc, tok.i, mentions)
            if (start < tok.i and not (start > 0 and doc[start - 1].text in (",", "and"))
                    and not _taken(mentions, start, tok.i)):
                mentions = replace_region(mentions, span_mention(doc, "MODEL", start, tok.i, kind="model"))
        # "chatbot app 'Yuebo'", "a model code-named \"Halyard\"", "a chatbot called Wisp"
        # ("called X" counts only after a model noun: "a startup called X", "named X its chief" do not)
        low = tok.lower_
        code_name = low in ("name", "named") and tok.i >= 2 and (
            (low == "name" and doc[tok.i - 1].lower_ == "code")
            or (low == "named" and doc[tok.i - 1].text == "-" and doc[tok.i - 2].lower_ == "code"))
        if low in MODEL_NOUNS or code_name:
            j = tok.i + 1
            if j < len(doc) and doc[j].lower_ in ("called", "named", "dubbed", "code", "-"):
                j += 1
                while j < len(doc) and doc[j].lower_ in ("-", "named"):
                    j += 1
            quoted = j < len(doc) and doc[j].is_quote
            k = j + 1 if quoted else j
            if quoted or code_name or j > tok.i + 1:
                end = k
                while end < len(doc) and end - k < 3 and doc[end].text[:1].isupper() and doc[end].is_alpha:
                    end += 1
                if end > k and not _taken(mentions, k, end):
                    mentions = replace_region(mentions, span_mention(doc, "MODEL", k, end, kind="model"))
    return mentions


def tiered_products(doc: Doc, mentions: list[MentionSpan]) -> list[MentionSpan]:
    """An unknown organisation or person whose name ends in a product tier ("MirelleCare Assist",
    "Corvane Chorus Pro") is a model product when the sentence is about AI: companies and people are not
    called "... Mini", but gadgets are ("Switch Lite", "MacBook Pro")."""
    return [
        replace(m, label="MODEL", kind="model")
        if (not m.known and m.label in ("ORG", "PERSON") and len(m.name.split()) >= 2
            and m.name.split()[-1] in _PRODUCT_TIERS and ai_sentence(doc, m.start, mentions))
        else m
        for m in mentions
    ]


def _family(name: str) -> str:
    """The family word of a model name: "Haneul" of "Haneul Code", "Luoshu" of "Luoshu-72B"."""
    first = name.split()[0] if name else name
    return first.split("-")[0] if "-" in first and first[:1].isupper() else first


def propagate_models(mentions: list[MentionSpan], orgs: frozenset[str] = frozenset()) -> list[MentionSpan]:
    """A name read as a model once is a model everywhere in the passage; the first word of an unknown
    model name, alone, is its family ("Haneul" beside "Haneul Code") unless it names an organisation
    there (``orgs``: lower-cased names the context says are organisations, "Pixaris, a Berlin startup");
    a bare code alias ("R2") is the passage's own model ending in it ("Xuanwu-R2")."""
    models = {m.name.lower() for m in mentions if m.label == "MODEL"}
    org_words = {m.name.split()[0].lower() for m in mentions if m.label == "ORG" and len(m.name.split()) >= 2}
    families = {_family(m.name).lower(): _family(m.name) for m in mentions
                if m.label == "MODEL" and not m.known and _family(m.name) != m.name}
    unknown_models = [m for m in mentions if m.label == "MODEL" and not m.known]
    out = []
    for m in mentions:
        low = m.name.lower()
        if m.label != "MODEL" and not m.known and m.label in ("ORG", "PERSON", "GPE"):
            if low in models:
                m = replace(m, label="MODEL", kind="model")
            elif low in families and low not in org_words and low not in orgs and len(m.name.split()) == 1:
                m = replace(m, label="MODEL", name=families[low], kind="model")
        elif m.label == "MODEL" and m.known and _BARE_CODE_RE.match(m.text):
            own = [o for o in unknown_models if o.name.endswith(f"-{m.text}")]
            if own:
                m = replace(m, name=own[0].name, known=False, kind="model", owner=None)
        out.append(m)
    return out
