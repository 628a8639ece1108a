"""Word classes that say what a name is, and the apposition reader that uses them.

One definition of each class: the model, organisation and person rules all read an apposition ("Wisp, a
companion chatbot", "Boreal Insights, a Lagos-based marketing firm", "Anneke de Vries, an analyst at ...")
the same way.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

# Nouns that say the name before them (or the apposition they head) is a model or an AI product.
MODEL_NOUNS = frozenset({
    "model", "models", "chatbot", "chatbots", "assistant", "assistants", "llm", "family", "app", "apps",
    "agent", "agents", "generator", "copilot",
})
# Last words that make a name an organisation's ("Corvid Labs", "Orrery Robotics", "Huatai Securities").
ORG_SUFFIXES = frozenset({
    "labs", "lab", "ai", "technologies", "technology", "systems", "robotics", "institute", "capital",
    "ventures", "partners", "group", "research", "interactive", "inc", "corp", "ltd", "llc", "holdings",
    "networks", "software", "analytics", "intelligence", "foundation", "university", "bank", "fund",
    "tech", "dynamics", "media", "compute", "computing", "silicon", "semiconductor", "semiconductors",
    "cloud", "medier", "avis", "conseil", "zeitung", "presse", "consulting", "studio", "studios",
    "industries", "microsystems", "insights", "securities", "electronics", "telecom", "microelectronics",
    "security", "corporation", "company", "works", "advisory", "soft", "energy", "energie", "minds",
    # legal forms and company words of other languages ("Pryor Whitcombe LLP", "Jandaia Tecnologia")
    "llp", "plc", "gmbh", "ag", "tecnologia", "tecnologias", "tecnología", "tecnologías", "technologie",
    "yaz\u0131l\u0131m", "yazilim", "medien", "precision", "audio", "records",
})
# Words that put a sentence in AI-model territory: a version number or a "Pro"/"Mini" tier names a
# model there, and a game, a gadget or a player's score elsewhere ("Switch Lite", "Baker 6 points").
AI_CUES = MODEL_NOUNS | frozenset({
    "ai", "a.i.", "llm", "llms", "weights", "parameters", "parameter", "benchmark", "benchmarks",
    "reasoning", "open-source", "open-weight", "open-sourced", "inference", "tokens", "token",
    "multimodal", "coding", "generative", "training", "trained", "fine-tuned", "distillation",
    "distilled", "outputs", "prompts", "users", "api", "chat", "version", "release", "released",
    "launch", "launched", "unveiled", "upgrade", "upgraded",
})
# Head words of a public body's name ("Ministry of Commerce", "Seoul Central District Court"): a name with
# one of these acts for a state.
GOVERNMENT_BODY_HEADS = frozenset({
    "ministry", "department", "commission", "agency", "authority", "office", "court", "parliament", "senate",
    "congress", "administration", "regulator", "council", "government", "bureau", "committee", "embassy",
    "consulate",
})
# Nouns for those who act for a state ("officials in Virginia issued orders", "the watchdog ordered ...",
# "the U.S. government told the company"): a government act whose doer is any other common noun ("several
# US labs bar customers ...") is none, and a place qualifying one of these stands for its government.
GOVERNMENT_NOUNS = frozenset({
    "government", "ministry", "minister", "regulator", "watchdog", "agency", "authority", "authorities",
    "commission", "official", "lawmaker", "legislator", "legislature", "parliament", "congress", "senate",
    "department", "bureau", "administration", "council", "state", "governor", "president", "senator",
    "committee", "office", "prosecutor", "police", "inspector", "embassy", "cabinet", "court", "judge",
    "regime", "country", "city", "province", "capital", "body",
})
# Nouns that head an apposition about an organisation.
ORG_NOUNS = frozenset({
    "company", "firm", "startup", "start-up", "lab", "laboratory", "developer", "maker", "provider",
    "operator", "carrier", "group", "agency", "outlet", "newsletter", "publication", "unit", "arm",
    "subsidiary", "affiliate", "fund", "manufacturer", "supplier", "consultancy", "regulator",
    "institute", "university", "nonprofit", "non-profit", "organisation", "organization", "designer",
    "chipmaker", "insurer", "bank", "retailer", "platform", "business", "conglomerate", "venture",
    "utility", "integrator", "reseller", "distributor", "foundry", "collective", "association",
    "publisher", "broadcaster",
})
# Nouns that head an apposition about a person (a role, a job).
PERSON_NOUNS = frozenset({
    "analyst", "partner", "professor", "researcher", "scientist", "economist", "lawyer", "attorney",
    "spokesperson", "spokesman", "spokeswoman", "founder", "co-founder", "cofounder", "director",
    "executive", "officer", "chief", "head", "manager", "investor", "engineer", "president", "chairman",
    "chairwoman", "fellow", "lecturer", "consultant", "adviser", "advisor", "strategist", "principal",
    "senator", "representative", "judge", "secretary", "minister", "commissioner", "official", "ceo",
    "cto", "cfo", "coo", "actor", "actress", "author", "writer", "journalist", "reporter", "editor",
    "student", "teacher", "lead", "leader", "member", "mother", "father",
    "songwriter", "singer", "artist", "musician", "doctor", "ambassador",
})
# Demonyms and their like: never a name's first word ("American AI", "Chinese-language").
DEMONYMS = frozenset({
    "american", "european", "chinese", "french", "german", "british", "japanese", "korean", "indian",
    "israeli", "canadian", "italian", "spanish", "dutch", "swiss", "nordic", "western", "asian", "emirati",
    "saudi", "russian", "taiwanese", "australian", "brazilian", "african", "arab", "swedish", "finnish",
    "norwegian", "danish", "polish", "irish", "singaporean", "vietnamese", "indonesian",
    "global", "domestic", "foreign",
})
# Capitalised words before a person's name that are titles, not first names ("Attorney General
# Marcus Bell", "Deputy Nguyen Thi Lan"); PERSON_NOUNS ("Officer", "Director") are titles too.
HONORIFICS = frozenset({
    "deputy", "general", "vice", "acting", "attorney", "sir", "dame", "mr", "mrs", "ms", "dr", "lord",
    "king", "queen", "prince", "princess", "pope", "gen", "col", "lt", "sgt", "rep", "sen", "gov",
    "premier", "mayor", "chancellor", "sheikh", "madam", "justice", "inspector", "captain", "admiral",
})
# Job titles inside a span: the name after them is a person ("Kintaro Labs CEO Aiko Tanabe").
TITLE_WORDS = frozenset({
    "CEO", "CTO", "CFO", "COO", "Chairman", "Chairwoman", "Chair", "President", "Founder", "Co-founder",
    "Director", "Minister", "Secretary", "Commissioner", "Spokesperson", "Spokesman", "Spokeswoman",
    "Professor", "Prof.", "Dr.", "Judge", "Senator", "Governor", "Ambassador", "Mayor",
})
_APPOSITION_OPENERS = frozenset({"a", "an", "the", "its", "their", "his", "her"})
# Words that end the noun phrase of an apposition ("an analyst | at", "the developer | of").
_APPOSITION_STOPS = frozenset({
    "of", "that", "which", "who", "whose", ",", "and", "in", "at", "for", "with", "on", "to", "from", "by",
    "behind", ".", ";", ":", "(", "—", "–",
})


def noun_class(low: str) -> str | None:
    """The class a head noun gives the name it describes: "model", "org", "person" or None."""
    if low in MODEL_NOUNS:
        return "model"
    if low in ORG_NOUNS:
        return "org"
    if low in PERSON_NOUNS:
        return "person"
    return None


def _capitalised_title(words: Span) -> str | None:
    """", Communications Director", ", Partner at ...": a capitalised job title after a name, ending at a
    preposition, a comma or the line, says the name is a person's."""
    for n, tok in enumerate(words[:4]):
        if tok.lower_ in PERSON_NOUNS:
            after = words[n + 1] if n + 1 < len(words) else None
            line_end = after is None or after.is_space or "\n" in tok.whitespace_
            if line_end or (after is not None and after.lower_ in ("at", "of", ",", "for")):
                return "person"
            continue
        if not tok.is_title:
            return None
    return None


def appositive_head(doc: Doc, comma: int) -> str | None:
    """What an apposition after ``comma`` says the name before it is: "model", "org", "person" or None.

    Reads ", a/the/its [modifiers] NOUN" to the end of its noun phrase and classes the last noun of a
    known class: "a former deputy assistant secretary of state" is a person, "the company's co-founder" a
    person, "the developer of the X agent" an organisation, "a companion chatbot that ..." a model. A
    verb right after the phrase makes it a clause, not an apposition ("Through the API, the model costs").
    """
    words = doc[comma + 1:min(len(doc), comma + 12)]
    if words and words[0].is_title and words[0].lower_ not in _APPOSITION_OPENERS:
        return _capitalised_title(words)
    if not words or words[0].lower_ not in _APPOSITION_OPENERS:
        return None
    head: str | None = None
    for tok in words[1:]:
        low = tok.lower_
        if low in _APPOSITION_STOPS:
            return head
        if low in ("'s", "’s"):
            head = None  # "the company's coding agent": the possessor is not the head
            continue
        if tok.pos_ in ("VERB", "AUX") and tok.tag_ not in ("VBN", "VBG"):
            return None
        if head is not None and (tok.tag_ in ("VBN", "VBG") or low.endswith("ing")):
            return head  # "a Munich company building foundation models": what follows is about it
        if tok.text == "-" or (tok.i >= 2 and doc[tok.i - 1].text == "-" and not doc[tok.i - 2].whitespace_
                               and not doc[tok.i - 1].whitespace_):
            # "a Toronto start-up": the tokenizer splits the hyphenated noun; read it whole
            low = doc[tok.i - 2:tok.i + 1].text.lower() if tok.text != "-" else ""
            if not low:
                continue
        cls = noun_class(low)
        if cls is not None or tok.pos_ in ("NOUN", "PROPN") or "-" in low:
            head = cls  # the last noun heads the phrase: "a family fun day" is no model family
    return head
