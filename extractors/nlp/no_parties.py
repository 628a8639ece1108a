"""Names that play no part in an event: the guide's rules that a name in the trigger's sentence is context,
not a party.

A name under a context preposition ("according to Reuters", "like OpenAI"), a comparison ("rivals such as
Alibaba"), a place that only locates or qualifies ("in Beijing", "Paris-based", "US chips", a dateline), a
court, an owner named as a possessor ("Elon Musk's xAI"), a person named as context or speaking ("the Trump
administration", "Nvidia CEO Jensen Huang", "X said"), the outlet that saw a document, an objector to the act.
Also the few predicates that say which party a name is instead (the employer of staff, a state speaking
through its officials). ``roles.read_roles`` asks these; they only look at the parse around one name.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from .cue_words import GOVERNMENT_NOUNS
from .entities import MentionSpan, is_government
from .role_reading import MentionAt
from .syntax import ancestors_in_sentence

# A place under one of these only locates the event ("in Beijing", "at a summit in Paris").
_LOCATING_PREPS = {"in", "at", "near", "during", "across", "within", "throughout", "inside", "outside", "via"}
# A party under one of these is context, not an argument ("according to Reuters", "like OpenAI"); "including"
# lists members ("ordered seven companies, including Alphabet"), so it is not one of them.
CONTEXT_PREPS = {
    "like", "unlike", "than", "according", "despite", "amid", "after", "before", "since",
    # a channel or a price comparison: "available through Alibaba Cloud's Model Studio", "below Google's ..."
    "through", "below",
}

# Nouns whose possessor or compound names the owner of the copied model ("OpenAI's outputs").
SOURCE_NOUNS = {
    "model", "models", "output", "outputs", "chatbot", "system", "systems", "api", "answers", "responses",
}


def governing_prep(tok: Token, stop: Token) -> str | None:
    """The preposition directly above ``tok`` on its way up to ``stop`` (the trigger), if any."""
    cur = tok
    while cur.head.i != cur.i and cur.i != stop.i:
        if cur.dep_ == "pobj" and cur.head.dep_ in ("prep", "agent"):
            return cur.head.lower_
        if cur.head.i == stop.i:
            return None
        cur = cur.head
    return None


# Nouns that make the names under them comparisons, not parties ("rivals such as Alibaba and ByteDance").
_COMPARISON_NOUNS = {"rival", "competitor", "peer", "counterpart", "competition", "challenger"}


def _is_comparison(tok: Token) -> bool:
    cur, steps = tok, 0
    while cur.head.i != cur.i and steps < 4:
        before = cur.doc[cur.head.i - 1].lower_ if cur.head.i > 0 else ""
        attached = cur.dep_ in ("pobj", "appos", "conj", "prep", "compound")
        if attached and cur.head.lemma_.lower() in _COMPARISON_NOUNS:
            return True
        if cur.dep_ == "pobj" and cur.head.lower_ == "with" and before == "along":
            return True  # "one of a handful of start-ups, along with Moonshot AI and MiniMax"
        if cur.dep_ == "pobj" and cur.head.lower_ == "as" and before == "such":
            cur = cur.head
            steps += 1
            continue
        cur, steps = cur.head, steps + 1
    return False


def _informed(tok: Token) -> bool:
    """"reported the breach to the Information Commissioner's Office", "has notified the regulator":
    the authority the news was told to (the caller asks whether it is one) is no party to it."""
    head = tok
    while head.dep_ in ("det", "compound", "appos", "conj") and head.head.i != head.i:
        head = head.head
    if head.dep_ == "dobj":
        return head.head.lemma_.lower() in ("notify", "inform", "alert")
    if head.dep_ != "pobj" or head.head.lower_ != "to":
        return False
    told = head.head.head
    if told.dep_ == "dobj":
        told = told.head  # "reported [the breach to the ICO]"
    return told.lemma_.lower() in ("report", "notify", "disclose", "refer", "submit")


def reports_the_event(tok: Token, anchor: Token) -> bool:
    """"404 Media first reported the exposure", "the breach was first reported by Cybernews": who reported
    the event (with no "to": a company reporting its own breach to a regulator is its victim) is no party."""
    head = tok
    while head.dep_ in ("det", "compound", "appos", "conj", "poss") and head.head.i != head.i:
        head = head.head
    if head.dep_ == "nsubj":
        verb, told = head.head, "dobj"
    elif head.dep_ == "pobj" and head.head.lower_ == "by" and head.head.dep_ == "agent":
        verb, told = head.head.head, "nsubjpass"
    else:
        return False
    told_to = [verb, *(c for c in verb.children if c.dep_ == told)]  # "reported the breach to the ICO"
    if verb.lemma_.lower() != "report" or any(c.dep_ == "prep" and c.lower_ == "to"
                                              for t in told_to for c in t.children):
        return False
    return any(c.dep_ == told and anchor in c.subtree for c in verb.children)


def plays_no_part(m: MentionSpan, tok: Token, anchor: Token, mention_at: MentionAt,
                 place_preps: frozenset[str] = frozenset()) -> bool:
    """Not a party: a name under a context preposition, a place that only locates or qualifies, a person
    named as context ("the Trump administration") or speaking for an organisation ("Nvidia CEO Jensen
    Huang")."""
    prep = governing_prep(tok, anchor)
    if prep in CONTEXT_PREPS or _is_comparison(tok):
        return True
    last = tok.doc[m.end - 1]
    if last.dep_ == "poss" and mention_at(last.head.i) is not None:
        return True  # "Elon Musk's xAI", "Alibaba's Qwen team": the owner named as context
    if is_court(m):
        return True  # the court where a case is heard is no party to it
    if (describes_other(m, tok) or _source_of_the_report(tok) or reports_the_event(last, anchor)
            or (is_government(m) and _informed(last))):
        return True
    if m.label == "PERSON":
        return is_context_person(m, tok) and not _listed_with_company(tok, mention_at)
    if m.label != "GPE":
        return False
    if prep in place_preps:
        return False  # "users located in China and Russia" are the ones cut off (the type says so)
    if destination_place(tok, place_preps):
        return False  # "to data centres in Malaysia": where the goods go
    if prep in _LOCATING_PREPS or m.kind == "city":
        return True  # a city acts only as the subject ("Washington added ..."), never as another party
    if speaks_for_state(m, tok, anchor):
        return False  # "U.S. officials said ...", "the U.S. government told ...": the state acts
    if last.dep_ in ("compound", "amod", "nmod") and mention_at(last.head.i) is None:
        return True  # "U.S. chips", "US export rules": the place qualifies a thing
    # "Paris-based Mistral AI", "Shenzhen's Kairo": a place qualifying a company only locates it.
    if m.end < len(tok.doc) and tok.doc[m.end].lower_ in ("-", "based", "-based"):
        return True
    head = mention_at(last.head.i)
    modifier = last.dep_ in ("compound", "poss", "nmod", "npadvmod", "amod")
    return modifier and head is not None and head.label != "GPE"


# People named by their job at an organisation ("a former Meta engineer", "ex-Halcyon staff").
_STAFF_NOUNS = {
    "engineer", "employee", "researcher", "staffer", "staff", "worker", "scientist", "contractor",
    "executive", "developer", "insider", "manager", "programmer",
}


def employer_of_staff(m: MentionSpan, tok: Token) -> bool:
    """``m`` names the employer of a person described by their job ("a former Meta engineer"): that person
    acted, not the employer (who, in a theft, is its victim)."""
    last = tok.doc[m.end - 1]
    if m.label != "ORG":
        return False
    prep = last.head
    if last.dep_ == "pobj" and prep.lower_ in ("at", "of") and prep.head.lemma_.lower() in _STAFF_NOUNS:
        return True  # "a former engineer at Pelagic Compute", "an employee of Tessaline"
    return last.dep_ in ("compound", "poss", "nmod") and last.head.lemma_.lower() in _STAFF_NOUNS \
        and last.head.i >= m.end



def first_of_list(tok: Token) -> Token:
    """The first item of the list ``tok`` is in ("OpenAI" for "Anthropic" in "OpenAI and Anthropic")."""
    while tok.dep_ == "conj" and tok.head.i != tok.i:
        tok = tok.head
    return tok


# Nouns for a state's own people or bodies: a place qualifying one names the state that acts.
_STATE_NOUNS = {
    "government", "official", "administration", "authority", "embassy", "diplomat", "ministry", "regulator",
}


def speaks_for_state(m: MentionSpan, tok: Token, anchor: Token) -> bool:
    """``m`` is a country qualifying its government or officials who do or announce the act ("U.S.
    officials said the curbs ...", "the U.S. government told the company it would need a licence");
    not the addressees of an act or officials in a clause about something else ("instructed U.S.
    diplomats", "after U.S. officials raised concerns")."""
    last = tok.doc[m.end - 1]
    if m.label != "GPE" or last.dep_ not in ("compound", "amod", "nmod", "poss") \
            or last.head.lemma_.lower() not in _STATE_NOUNS:
        return False
    body = last.head
    if body.dep_ != "nsubj":
        return False
    above = {h.i for _c, h in ancestors_in_sentence(anchor)} | {anchor.i}
    verb = body.head
    return verb.i in above or verb.lemma_.lower() in SPEAKING_VERBS



def destination_place(tok: Token, place_preps: frozenset[str]) -> bool:
    """'ship chips to data centres in Malaysia': a place inside a destination phrase (under one of the
    type's ``party_place_preps``) is where the goods go, not where something happens."""
    head = first_of_list(tok)
    prep = head.head
    if head.dep_ != "pobj" or prep.lower_ != "in" or prep.head.dep_ != "pobj":
        return False
    return prep.head.head.lower_ in place_preps


def is_court(m: MentionSpan) -> bool:
    """Whether ``m`` is a court or tribunal (the gazetteer's kind "court", or the word in its name)."""
    # "Guangzhou Internet Court", "Ontario Superior Court of Justice", "the Court of Justice of the EU"
    words = set(m.name.lower().split())
    return m.label == "ORG" and (m.kind == "court" or bool({"court", "tribunal"} & words))


# Participles whose agent is where the news came from: "a cable reviewed by Statecraft Review". (Not
# "published by": an investigation an outlet published is its own finding, and it claims what it found.)
_REPORTING_PARTICIPLES = {"review", "see", "obtain", "report", "cite", "quote", "view"}


def _source_of_the_report(tok: Token) -> bool:
    """The outlet or researcher that saw the document ("a memo seen by Modelwatch") is no party."""
    cur = tok
    while cur.dep_ in ("det", "compound", "conj", "appos") and cur.head.i != cur.i:
        cur = cur.head
    if cur.dep_ != "pobj" or cur.head.lower_ != "by":
        return False
    verb = cur.head.head
    return verb.tag_ == "VBN" and verb.lemma_.lower() in _REPORTING_PARTICIPLES


def describes_other(m: MentionSpan, tok: Token) -> bool:
    """"Nvidia-backed Mistral", "the Tidewell Capital-backed company", "a North Korea-linked group": the name
    describes another party by who stands behind it (for most types an earlier backer, no part in this event;
    a type's ``sponsor_role`` says otherwise: who backs the hackers carries out the attack)."""
    doc = tok.doc
    after = doc[m.end:m.end + 2].text.lower().replace(" ", "")
    return after.startswith(("-backed", "backed", "-linked", "linked", "-sponsored", "sponsored"))


_EXECUTIVE_TITLES = {
    "ceo", "chief", "founder", "co-founder", "cofounder", "president", "chairman", "chairwoman", "chair",
    "executive", "spokesperson", "spokesman", "spokeswoman", "head", "director", "officer", "cto", "cfo",
    "analyst", "lawyer", "attorney", "professor", "researcher", "judge", "economist", "partner", "secretary",
}


def _listed_with_company(tok: Token, mention_at: MentionAt) -> bool:
    """"sued the company and its chief executive Sam Altman": a person joined to a company by "and" is a
    party like it, whatever the title that describes them."""
    cur = tok
    for _ in range(4):
        if cur.dep_ == "conj":
            m = mention_at(cur.head.i)
            return (m is not None and m.label == "ORG") or cur.head.pos_ == "NOUN"
        if cur.dep_ not in ("appos", "compound") or cur.head.i == cur.i:
            return False
        cur = cur.head
    return False


def is_context_person(m: MentionSpan, tok: Token) -> bool:
    """A person named as context: for a state ("the Trump administration", "Biden-era rules") or by a title
    ("Nvidia CEO Jensen Huang", "analyst X", "X, a lawyer at ...")."""
    doc = tok.doc
    after = doc[m.end].lower_ if m.end < len(doc) else ""
    if after in ("administration", "-", "era", "government", "cabinet"):
        return True  # "the Trump administration", "Biden-era rules": the country acts, not the president
    before = {t.lower_ for t in doc[max(0, m.start - 3):m.start]}
    appos = {c.lower_ for t in doc[m.start:m.end] for c in t.children if c.dep_ == "appos"}
    head = doc[m.end - 1].head
    return bool(_EXECUTIVE_TITLES & (before | appos | {head.lower_ if head.dep_ == "appos" else ""}))


def owns_something_else(m: MentionSpan, tok: Token, anchor: Token) -> bool:
    """A possessor of another thing than the trigger ("Apple's App Store", "one of Anthropic's main
    competitors"): outside the trigger's arguments, the name only qualifies that thing. A place is kept:
    "China's chipmakers", "the EU's AI Act" name the country as the party (measured on the labeled sets)."""
    last = tok.doc[m.end - 1]
    owned = last.head
    if m.label == "GPE" or last.dep_ != "poss" or owned.i == anchor.i:
        return False
    if owned.pos_ not in ("NOUN", "PROPN"):
        return False
    # "Washington's decision to add DeepSeek": the possessor owns the act that holds the trigger;
    # "OpenAI's models": whose model was copied is a party to a distillation claim.
    return owned.lower_ not in SOURCE_NOUNS and not any(t.i == anchor.i for t in owned.subtree)


def inside_clause(tok: Token, anchor: Token) -> bool:
    """Whether ``tok`` sits in a clause hanging from the trigger ("charged with exporting Nvidia chips to
    China"): that clause says what the event is about, not who takes part in it."""
    cur = tok
    while cur.head.i != cur.i and cur.i != anchor.i:
        if cur.dep_ in ("pcomp", "acl", "relcl", "advcl", "ccomp", "xcomp") and cur.i != anchor.i:
            return True
        cur = cur.head
    return False


def is_dateline(m: MentionSpan, sent: Span) -> bool:
    """"WASHINGTON —", "BEIJING, March 3 -": a place that opens the story only says where it was filed."""
    return m.label == "GPE" and m.start == sent.start and m.end < sent.end and sent.doc[m.end].text in (
        "—", "–", "-", ",", "(")


SPEAKING_VERBS = {
    "say", "tell", "add", "note", "write", "argue", "warn", "explain", "comment", "predict", "call", "report",
    "publish", "cite", "quote",
}


def is_speaker(tok: Token) -> bool:
    """The subject of "said", "told", "wrote" (a quoted commentator), or a name in an apposition/title
    ("analyst X", "X, a lawyer at ..."), or a name inside a clause that reports speech."""
    head = tok
    while head.dep_ in ("det", "compound", "appos", "conj", "poss", "amod") and head.head.i != head.i:
        head = head.head
    if head.dep_ in ("nsubj", "nsubjpass") and head.head.lemma_.lower() in SPEAKING_VERBS:
        return True
    return head.dep_ == "pobj" and head.head.lower_ == "according"


def qualified_noun(m: MentionSpan, tok: Token, mention_at: MentionAt) -> Token | None:
    """The common noun a place's name qualifies ("US export rules", "a US cloud provider"), if it does."""
    last = tok.doc[m.end - 1]
    head = last.head
    if m.label != "GPE" or last.dep_ not in ("compound", "amod", "nmod") or head.pos_ != "NOUN":
        return None
    if head.i < m.end or mention_at(head.i) is not None or head.lemma_.lower() in GOVERNMENT_NOUNS:
        return None  # "the U.S. government told the company": the place's government acts
    return head


# Verbs of objecting: who says it objects to an act is not its author.
_OBJECTING_VERBS = {"oppose", "condemn", "criticise", "criticize", "protest", "denounce", "decry", "slam",
                    "object", "reject", "deplore", "challenge"}
# Verbs of owning up: who confirms a breach or an exposure tells of its own loss.
ADMITTING_VERBS = {"confirm", "acknowledge", "admit", "disclose"}


def announces(tok: Token, anchor: Token, verbs: frozenset[str] | set[str] = SPEAKING_VERBS) -> bool:
    """Whether ``tok`` is the subject of the verb of saying (one of ``verbs``) that reports the trigger's
    clause ("..., its ministry said", "the agency said it would ...")."""
    head = tok
    while head.dep_ in ("det", "compound", "appos", "conj", "poss") and head.head.i != head.i:
        head = head.head
    verb = head.head
    if head.dep_ != "nsubj" or verb.lemma_.lower() not in verbs:
        return False
    if _objects_to(verb, anchor):
        return False  # "China's ministry said it firmly opposed Washington's decision to ...": no author
    above = {h.i for _c, h in ancestors_in_sentence(anchor)}
    return verb.i in above or (verb.dep_ == "parataxis" and verb.head.i in above | {anchor.i})


def _objects_to(verb: Token, anchor: Token) -> bool:
    """A verb of objecting between ``verb`` (above) and the trigger: what follows is objected to."""
    for _c, head in ancestors_in_sentence(anchor):
        if head.i == verb.i:
            return False
        if head.lemma_.lower() in _OBJECTING_VERBS:
            return True
    return False


def objector(tok: Token, anchor: Token) -> bool:
    """"China's Ministry of Commerce said it opposed Washington's decision ...": who objects to the act,
    as the subject of the objecting verb or of the verb of saying above it, plays no part in it."""
    head = tok
    while head.dep_ in ("det", "compound", "appos", "conj", "poss") and head.head.i != head.i:
        head = head.head
    return head.dep_ == "nsubj" and (head.head.lemma_.lower() in _OBJECTING_VERBS
                                     or _objects_to(head.head, anchor))
