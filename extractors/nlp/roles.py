"""Who plays which part in one event instance, read from the dependency parse.

The initiator is the subject or agent, the possessor of a noun trigger, the subject of the verb whose phrase
holds the trigger, or the owner of the trigger noun ("the US Entity List"). The other parties are the named
parties inside the trigger's argument subtrees (objects, a passive subject, prepositional objects,
appositions, conjuncts, resolved anaphors) and the sentence's other parties that the guide does not rule
out. Ruled out -- no role, so no actor: a quoted commentator or speaker, a place that only locates or
qualifies (datelines, "in Beijing", "Paris-based", cities other than as subjects), an outlet or a name under
"according to", an owner named as a possessor ("Elon Musk's xAI"), an executive or president named as
context ("OpenAI CEO Sam Altman", "the Trump administration").

Role names come from config/event_types.toml: the initiator takes the type's first role unless the trigger
word gives the subject another one (``subject_roles``: "Nvidia invested in X" makes the subject an investor,
"X raised money" a recipient); the other named parties take the first other party role; models and items
take the type's object roles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Span, Token

from extractors.gazetteer import REPORTER_KINDS
from extractors.taxonomy import EventTypeSpec

from .cue_words import GOVERNMENT_NOUNS
from .entities import MentionSpan, is_government
from .syntax import ancestors_in_sentence, argument_tokens, clause_verb, subject_of

_PARTY_LABELS = ("ORG", "PERSON", "GPE")
MentionAt = Callable[[int], MentionSpan | None]
# A place under one of these only locates the event ("in Beijing", "at a summit in Paris").
_LOCATING_PREPS = {"in", "at", "near", "during", "across", "within", "throughout", "inside", "outside", "via"}
# A party under one of these is context, not an argument ("according to Reuters", "like OpenAI"); "including"
# lists members ("ordered seven companies, including Alphabet"), so it is not one of them.
_CONTEXT_PREPS = {
    "like", "unlike", "than", "according", "despite", "amid", "after", "before", "since",
    # a channel or a price comparison: "available through Alibaba Cloud's Model Studio", "below Google's ..."
    "through", "below",
}
# Subordinators of a clause that sets the scene for the main one rather than sharing its parties.
_SETTING_MARKS = {"after", "before", "while", "when", "since", "until", "although", "though", "whereas"}
# Nouns whose possessor or compound names the owner of the copied model ("OpenAI's outputs").
_SOURCE_NOUNS = {
    "model", "models", "output", "outputs", "chatbot", "system", "systems", "api", "answers", "responses",
}
_ITEM_LEMMAS = {
    "chip", "semiconductor", "accelerator", "gpu", "processor", "weight", "tool", "equipment", "wafer",
}


@dataclass(frozen=True)
class RoleReading:
    """The role holders of one event instance: (role, canonical name, label) in role order."""

    fillers: tuple[tuple[str, str, str], ...]
    initiator: str | None
    # Names taken from the rest of the sentence rather than the trigger's arguments: parties, but too
    # uncertain to say whom the event is about (they never become targets).
    scanned: frozenset[str] = frozenset()

    def holders(self, role: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(n for r, n, _label in self.fillers if r == role))

    def targets(self, role: str) -> tuple[str, ...]:
        """Holders of ``role`` read from the trigger's own arguments."""
        return tuple(n for n in self.holders(role) if n not in self.scanned)

    def parties(self, object_roles: frozenset[str]) -> tuple[str, ...]:
        """The named parties among the holders, initiator first, each once."""
        names = [n for r, n, label in self.fillers if r not in object_roles and label in _PARTY_LABELS]
        if self.initiator in names:
            names.remove(self.initiator)
            names.insert(0, self.initiator)
        return tuple(dict.fromkeys(names))


NO_ROLES = RoleReading((), None)


def _governing_prep(tok: Token, stop: Token) -> str | None:
    """The preposition directly above ``tok`` on its way up to ``stop`` (the trigger), if any."""
    cur = tok
    while cur.head.i != cur.i and cur.i != stop.i:
        if cur.dep_ == "pobj" and cur.head.dep_ in ("prep", "agent"):
            return cur.head.lower_
        if cur.head.i == stop.i:
            return None
        cur = cur.head
    return None


# Prepositions of where a model is offered, not which model is released or priced ("available in Claude
# Code", "through Anthropic's API").
_CHANNEL_PREPS = _CONTEXT_PREPS | {"in", "via", "inside", "within"}


_AUDIENCE_NOUNS = {"user", "customer", "subscriber", "client"}


def _of_audience(tok: Token, stop: Token) -> bool:
    """"paying users of the Claude app", "ChatGPT subscribers": a name that says whose users they are."""
    cur = tok
    while cur.head.i != cur.i and cur.i != stop.i:
        if cur.head.lemma_.lower() in _AUDIENCE_NOUNS:
            return True
        cur = cur.head
    return False


def _earlier_value(tok: Token, stop: Token) -> bool:
    """"down from $5 and $25 for Claude Opus 4.5": a name under the value something changed from."""
    cur = tok
    while cur.head.i != cur.i and cur.i != stop.i:
        if cur.dep_ == "prep" and cur.head.lower_ in ("down", "up") and any(
                c.dep_ == "prep" and c.lower_ == "from" for c in cur.head.children):
            return True  # under "from", or beside it ("down from $5 for X")
        cur = cur.head
    return False


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


def _plays_no_part(m: MentionSpan, tok: Token, anchor: Token, mention_at: MentionAt,
                 place_preps: frozenset[str] = frozenset()) -> bool:
    """Not a party: a name under a context preposition, a place that only locates or qualifies, a person
    named as context ("the Trump administration") or speaking for an organisation ("Nvidia CEO Jensen
    Huang")."""
    prep = _governing_prep(tok, anchor)
    if prep in _CONTEXT_PREPS or _is_comparison(tok):
        return True
    last = tok.doc[m.end - 1]
    if last.dep_ == "poss" and mention_at(last.head.i) is not None:
        return True  # "Elon Musk's xAI", "Alibaba's Qwen team": the owner named as context
    if is_court(m):
        return True  # the court where a case is heard is no party to it
    if _describes_other(m, tok) or _source_of_the_report(tok):
        return True
    if m.label == "PERSON":
        return is_context_person(m, tok) and not _listed_with_company(tok, mention_at)
    if m.label != "GPE":
        return False
    if prep in place_preps:
        return False  # "users located in China and Russia" are the ones cut off (the type says so)
    if _destination_place(tok, place_preps):
        return False  # "to data centres in Malaysia": where the goods go
    if prep in _LOCATING_PREPS or m.kind == "city":
        return True  # a city acts only as the subject ("Washington added ..."), never as another party
    if speaks_for_state(m, tok, anchor):
        return False  # "U.S. officials said ...", "the U.S. government told ...": the state acts
    if last.dep_ in ("compound", "amod", "nmod") and mention_at(last.head.i) is None:
        return True  # "U.S. chips", "US export rules": the place qualifies a thing
    # "Paris-based Mistral AI", "Shenzhen's Kairo": a place qualifying a company only locates it.
    last = tok.doc[m.end - 1]
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


def _first_of_list(tok: Token) -> Token:
    """The first item of the list ``tok`` is in ("OpenAI" for "Anthropic" in "OpenAI and Anthropic")."""
    while tok.dep_ == "conj" and tok.head.i != tok.i:
        tok = tok.head
    return tok


def _maker_of_source(tok: Token) -> bool:
    """'copy the capabilities of models developed by OpenAI and Anthropic': whose models were copied."""
    head = _first_of_list(tok)
    by = head.head
    if head.dep_ != "pobj" or by.lower_ != "by" or by.head.dep_ != "acl":
        return False
    return by.head.head.lower_ in _SOURCE_NOUNS


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
    return verb.i in above or verb.lemma_.lower() in _SPEAKING_VERBS


def _destination_place(tok: Token, place_preps: frozenset[str]) -> bool:
    """'ship chips to data centres in Malaysia': a place inside a destination phrase (under one of the
    type's ``party_place_preps``) is where the goods go, not where something happens."""
    head = _first_of_list(tok)
    prep = head.head
    if head.dep_ != "pobj" or prep.lower_ != "in" or prep.head.dep_ != "pobj":
        return False
    return prep.head.head.lower_ in place_preps


def is_court(m: MentionSpan) -> bool:
    # "Guangzhou Internet Court", "Ontario Superior Court of Justice", "the Court of Justice of the EU"
    words = set(m.name.lower().split())
    return m.label == "ORG" and (m.kind == "court" or bool({"court", "tribunal"} & words))


# Participles whose agent is where the news came from: "a cable reviewed by Statecraft Review".
_REPORTING_PARTICIPLES = {"review", "see", "obtain", "report", "publish", "cite", "quote", "view"}


def _source_of_the_report(tok: Token) -> bool:
    """The outlet or researcher that saw the document ("a memo seen by Modelwatch") is no party."""
    cur = tok
    while cur.dep_ in ("compound", "conj", "appos") and cur.head.i != cur.i:
        cur = cur.head
    if cur.dep_ != "pobj" or cur.head.lower_ != "by":
        return False
    verb = cur.head.head
    return verb.tag_ == "VBN" and verb.lemma_.lower() in _REPORTING_PARTICIPLES


def _describes_other(m: MentionSpan, tok: Token) -> bool:
    """"Nvidia-backed Mistral", "the Tidewell Capital-backed company", "a North Korea-linked group": the name
    describes another party by who stands behind it (for most types an earlier backer, no part in this event;
    a type's ``sponsor_role`` says otherwise: who backs the hackers carries out the attack)."""
    doc = tok.doc
    after = doc[m.end:m.end + 2].text.lower().replace(" ", "")
    return after.startswith(("-backed", "backed", "-linked", "linked", "-sponsored", "sponsored"))


_CONTEXT_AFTER_PERSON = {"administration", "-era", "era", "government", "cabinet", "'s"}
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
    doc = tok.doc
    after = doc[m.end].lower_ if m.end < len(doc) else ""
    if after in ("administration", "-", "era", "government", "cabinet"):
        return True  # "the Trump administration", "Biden-era rules": the country acts, not the president
    before = {t.lower_ for t in doc[max(0, m.start - 3):m.start]}
    appos = {c.lower_ for t in doc[m.start:m.end] for c in t.children if c.dep_ == "appos"}
    head = doc[m.end - 1].head
    return bool(_EXECUTIVE_TITLES & (before | appos | {head.lower_ if head.dep_ == "appos" else ""}))


_BENEFICIARY_NOUNS = {
    "company", "companies", "startup", "start-up", "firm", "competitor", "rival", "employer", "institute",
    "entity", "venture", "business", "maker", "group", "university", "lab", "laboratory",
}


def _beneficiary_country(tok: Token) -> bool:
    """"for companies based in China", "a start-up in Shenzhen, China", "a competitor in China": the country
    of the organisation the act was for or the person went to (the guide's perpetrator of a theft)."""
    if tok.dep_ == "conj":
        tok = tok.head  # "in Shenzhen, China"
    if tok.dep_ not in ("pobj", "appos") or tok.head.lower_ != "in":
        return tok.dep_ == "appos" and _beneficiary_country(tok.head)
    holder = tok.head.head
    if holder.lower_ in ("based", "headquartered", "registered") and holder.dep_ in ("amod", "acl"):
        holder = holder.head
    if not (holder.lemma_.lower() in _BENEFICIARY_NOUNS or holder.lower_ in _BENEFICIARY_NOUNS):
        return False
    # Only an organisation the act was for or someone went to: "Lumenfold, a company based in Austin" locates.
    return (holder.dep_ == "pobj" and holder.head.lower_ in ("for", "with", "at", "to")) or (
        holder.dep_ == "dobj" and holder.head.lemma_.lower() in ("join", "found", "start"))


def _qualifiers(mention: Span) -> list[Token]:
    """Possessors before a name, or before the noun it stands in apposition to: "Spain's AESIA",
    "Italy's privacy watchdog, the Garante", "the Commerce Department's Bureau of Industry and Security"."""
    root = mention.root
    heads = [root] + ([root.head] if root.dep_ == "appos" else [])
    return [c for h in heads for c in h.children if c.dep_ == "poss" and c.i < mention.start]


def _setting_clause(tok: Token) -> Token | None:
    """The head of the nearest clause around ``tok`` that sets a scene ("after ...", "while ...")."""
    for _c, h in [(tok, tok), *ancestors_in_sentence(tok)]:
        if h.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in _SETTING_MARKS for c in h.children):
            return h
    return None


def _owns_something_else(m: MentionSpan, tok: Token, anchor: Token) -> bool:
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
    return owned.lower_ not in _SOURCE_NOUNS and not any(t.i == anchor.i for t in owned.subtree)


def _inside_clause(tok: Token, anchor: Token) -> bool:
    """Whether ``tok`` sits in a clause hanging from the trigger ("charged with exporting Nvidia chips to
    China"): that clause says what the event is about, not who takes part in it."""
    cur = tok
    while cur.head.i != cur.i and cur.i != anchor.i:
        if cur.dep_ in ("pcomp", "acl", "relcl", "advcl", "ccomp", "xcomp") and cur.i != anchor.i:
            return True
        cur = cur.head
    return False


def _is_dateline(m: MentionSpan, sent: Span) -> bool:
    """"WASHINGTON —", "BEIJING, March 3 -": a place that opens the story only says where it was filed."""
    return m.label == "GPE" and m.start == sent.start and m.end < sent.end and sent.doc[m.end].text in (
        "—", "–", "-", ",", "(")


_SPEAKING_VERBS = {
    "say", "tell", "add", "note", "write", "argue", "warn", "explain", "comment", "predict", "call", "report",
    "publish", "cite", "quote",
}


def _is_speaker(tok: Token) -> bool:
    """The subject of "said", "told", "wrote" (a quoted commentator), or a name in an apposition/title
    ("analyst X", "X, a lawyer at ..."), or a name inside a clause that reports speech."""
    head = tok
    while head.dep_ in ("compound", "appos", "conj", "poss", "amod") and head.head.i != head.i:
        head = head.head
    if head.dep_ in ("nsubj", "nsubjpass") and head.head.lemma_.lower() in _SPEAKING_VERBS:
        return True
    return head.dep_ == "pobj" and head.head.lower_ == "according"


def _qualified_noun(m: MentionSpan, tok: Token, mention_at: MentionAt) -> Token | None:
    """The common noun a place's name qualifies ("US export rules", "a US cloud provider"), if it does."""
    last = tok.doc[m.end - 1]
    head = last.head
    if m.label != "GPE" or last.dep_ not in ("compound", "amod", "nmod") or head.pos_ != "NOUN":
        return None
    if head.i < m.end or mention_at(head.i) is not None or head.lemma_.lower() in GOVERNMENT_NOUNS:
        return None  # "the U.S. government told the company": the place's government acts
    return head


def _owns_the_object(anchor: Token) -> bool:
    """"stolen the source code of its models", "breached their systems": the trigger's object belongs to
    "its"/"their" owner, who is then the one telling of it."""
    return any(t.lower_ in ("its", "their", "our") for c in anchor.children if c.dep_ in ("dobj", "nsubjpass")
               for t in c.subtree)


# Verbs of objecting: who says it objects to an act is not its author.
_OBJECTING_VERBS = {"oppose", "condemn", "criticise", "criticize", "protest", "denounce", "decry", "slam",
                    "object", "reject", "deplore", "challenge"}
# Verbs of owning up: who confirms a breach or an exposure tells of its own loss.
_ADMITTING_VERBS = {"confirm", "acknowledge", "admit", "disclose"}


def _announces(tok: Token, anchor: Token, verbs: frozenset[str] | set[str] = _SPEAKING_VERBS) -> bool:
    """Whether ``tok`` is the subject of the verb of saying (one of ``verbs``) that reports the trigger's
    clause ("..., its ministry said", "the agency said it would ...")."""
    head = tok
    while head.dep_ in ("compound", "appos", "conj", "poss") and head.head.i != head.i:
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


def _objector(tok: Token, anchor: Token) -> bool:
    """"China's Ministry of Commerce said it opposed Washington's decision ...": who objects to the act,
    as the subject of the objecting verb or of the verb of saying above it, plays no part in it."""
    head = tok
    while head.dep_ in ("compound", "appos", "conj", "poss") and head.head.i != head.i:
        head = head.head
    return head.dep_ == "nsubj" and (head.head.lemma_.lower() in _OBJECTING_VERBS
                                     or _objects_to(head.head, anchor))


def _conduct_verb(anchor: Token) -> Token | None:
    """The verb whose subject did what the trigger names: the trigger itself ("DeepSeek distilled ..."), or
    the verb it is the means of ("had acquired capabilities through unauthorized distillation")."""
    if anchor.pos_ in ("VERB", "AUX"):
        return anchor
    prep = anchor.head if anchor.dep_ == "pobj" else None
    if prep is None or prep.lower_ not in ("through", "via", "by"):
        return None
    head = prep.head  # the parser may hang the means on the object: "acquired [capabilities through ...]"
    if head.pos_ in ("NOUN", "PROPN") and head.dep_ == "dobj":
        head = head.head
    return head if head.pos_ == "VERB" else None


def _is_own_subject(initiator: MentionSpan, anchor: Token,
                    resolve: Callable[[Token], tuple[MentionSpan, ...]] | None) -> bool:
    """Whether ``initiator`` is the subject of the trigger's own verb ("DeepSeek distilled ...", "the
    accusation that it had used ..."), not of a verb above it ("OpenAI accused DeepSeek of distilling")."""
    verb = _conduct_verb(anchor)
    subj = subject_of(verb)[0] if verb is not None else None
    if subj is None:
        return False
    if initiator.start <= subj.i < initiator.end:
        return True
    if subj.pos_ == "PRON" and subj.lower_ in ("it", "they", "he", "she"):
        return True  # the initiator was read from this pronoun ("... accusation that it had used ...")
    return resolve is not None and any(m.name == initiator.name for m in resolve(subj))


# Nouns for a claim whose possessor makes it ("OpenAI's accusation that ...").
_CLAIM_NOUNS = {"accusation", "allegation", "claim", "charge", "report", "finding", "conclusion", "assertion"}
# Verbs whose subject reports or asserts what the clause under them says.
_REPORTING_VERBS = _SPEAKING_VERBS | {
    "accuse", "allege", "claim", "find", "conclude", "believe", "suspect", "say", "assert", "charge", "state",
}


def _reporter(anchor: Token, mention_at: MentionAt, accused: MentionSpan,
              resolve: Callable[[Token], tuple[MentionSpan, ...]] | None) -> MentionSpan | None:
    """The named subject of the reporting verb above the trigger's clause ("Anthropic said that ...",
    "the lab published its conclusion: that ...", or the possessor of the claim: "rejected OpenAI's
    accusation that it had used ...")."""
    for _child, head in list(ancestors_in_sentence(anchor))[:4]:
        if head.pos_ == "NOUN" and head.lemma_.lower() in _CLAIM_NOUNS:
            owner = next((mention_at(c.i) for c in head.children if c.dep_ == "poss"), None)
            if owner is not None and owner.name != accused.name and owner.label in _PARTY_LABELS:
                return owner
            continue
        if head.lemma_.lower() not in _REPORTING_VERBS:
            continue
        subj, _ = subject_of(head)
        m = mention_at(subj.i) if subj is not None else None
        if m is None and subj is not None and resolve is not None:
            m = next(iter(resolve(subj)), None)
        if m is not None and m.name != accused.name and m.label in _PARTY_LABELS:
            return m
        return None
    return None


def governing_verb(anchor: Token) -> Token | None:
    """The verb whose phrase holds the trigger: "added X to the Entity List" for "Entity List", "accused X of
    distilling" for "distilling", "filed a lawsuit against Y" for "lawsuit"; None when the trigger is a verb
    with its own clause."""
    tok, steps = anchor, 0
    while tok.head.i != tok.i and steps < 4 and tok.dep_ in _PHRASE_DEPS:
        tok, steps = tok.head, steps + 1
        if tok.pos_ in ("VERB", "AUX"):
            return tok
    if anchor.pos_ in ("NOUN", "PROPN"):
        # The small parser often hangs "to the Entity List" on a noun of the object list ("its parent
        # company ... to the Entity List"): a noun trigger still belongs to the clause of its verb.
        verb = clause_verb(anchor)
        if verb.i != anchor.i and verb.pos_ in ("VERB", "AUX"):
            return verb
    return None


# How a trigger hangs inside its verb's phrase (object, prepositional object, gerund after "of").
_PHRASE_DEPS = {"pobj", "dobj", "prep", "attr", "nsubjpass", "compound", "oprd", "pcomp", "xcomp", "acl"}


def _arguments(anchor: Token) -> list[Token]:
    """The trigger's argument tokens, and those of the verb whose phrase holds it (``governing_verb``);
    for a relative clause ("Moonshot AI, which OpenAI accused of ..."), the noun it modifies."""
    args = argument_tokens(anchor)
    verb = governing_verb(anchor)
    if verb is not None:
        seen = {t.i for t in args}
        args += [t for t in argument_tokens(verb) if t.i not in seen and t.i != anchor.i]
        if verb.dep_ == "relcl":
            head = verb.head
            args += [t for t in head.doc[head.left_edge.i:head.i + 1] if t.i not in seen]
    return args


def read_roles(
    spec: EventTypeSpec, anchor: Token, sent: Span, initiator: MentionSpan | None,
    mention_at: Callable[[int], MentionSpan | None], *, whole_sentence: bool = True,
    resolve: Callable[[Token], tuple[MentionSpan, ...]] | None = None,
) -> RoleReading:
    """The roles of the event whose trigger is ``anchor``; ``initiator`` is the resolved subject/agent.

    ``whole_sentence``: also take the sentence's other parties that the guide does not rule out (they get
    the other party role); off for a sentence that only refers back to an event. ``resolve`` maps an
    anaphor ("the company", "it") to what it stands for.
    """
    party_roles = spec.party_roles
    first_role = spec.initiator_role
    if initiator is not None and initiator.label not in spec.initiator_labels:
        initiator = None  # "President Trump announced a venture in which OpenAI ...": no party to it
    if initiator is not None and is_court(initiator):
        initiator = None  # "The Internet Court ordered X to pay damages": the court decides, it is no party
    gov = governing_verb(anchor)
    lemma = anchor.lemma_.lower()
    if lemma not in spec.subject_roles and gov is not None:
        lemma = gov.lemma_.lower()
    subject_role = spec.subject_roles.get(lemma, first_role) if initiator is not None else first_role
    claimant: MentionSpan | None = None
    if spec.conduct_subject_role and initiator is not None and _is_own_subject(initiator, anchor, resolve):
        # "Anthropic said DeepSeek distilled its models": who did it is accused; who says so claims it.
        subject_role = spec.conduct_subject_role
        claimant = _reporter(anchor, mention_at, initiator, resolve)
    other_role = next((r for r in party_roles if r != subject_role), subject_role)
    conduct_by = initiator.name if initiator is not None and subject_role != first_role else None
    object_roles = [r for r in spec.roles if r in spec.object_roles]
    fillers: list[tuple[str, str, str]] = []
    seen_parent: set[str] = set()
    if claimant is not None:
        fillers.append((first_role, claimant.name, claimant.label))
    if initiator is not None:
        fillers.append((subject_role, initiator.name, initiator.label))
        if conduct_by is not None and resolve is not None:
            # "they copied American models", "the three companies had acquired ...": each listed company
            verb = _conduct_verb(anchor)
            subj = subject_of(verb)[0] if verb is not None else None
            group = resolve(subj) if subj is not None and mention_at(subj.i) is None else ()
            # "DeepSeek and Moonshot AI had copied US models": every company of the subject did it.
            group += tuple(m for c in (subj.conjuncts if subj is not None else ())
                           if (m := mention_at(c.i)) is not None)
            fillers += [(subject_role, g.name, g.label) for g in group if g.label in _PARTY_LABELS]
        # "Spain's AESIA fined ...": the regulator's or authority's named jurisdiction acts with it.
        if initiator.label == "ORG":
            for child in _qualifiers(sent.doc[initiator.start:initiator.end]):
                g = mention_at(child.i)
                parent_acts = g is not None and (g.label == "ORG" or spec.jurisdiction)
                if g is not None and parent_acts and g.label in ("GPE", "ORG") and g.name != initiator.name:
                    fillers.append((subject_role, g.name, g.label))
                    seen_parent.add(g.name)
    # "the US Entity List", "China's new rules", "the EU AI Act": who owns the trigger issues it.
    if initiator is None and anchor.pos_ in ("NOUN", "PROPN"):
        owners = [mention_at(c.i) for c in anchor.children if c.dep_ in ("compound", "poss", "amod", "nmod")]
        if anchor.dep_ == "compound":
            owners += [mention_at(c.i) for c in anchor.head.children
                       if c.dep_ in ("compound", "poss") and c.i < anchor.i]
        owner = next((o for o in owners if o is not None and o.label in ("GPE", "ORG")), None)
        if owner is not None:
            initiator = owner
            fillers.append((first_role, owner.name, owner.label))
    if initiator is None and spec.passive_subject_role:
        # "OpenAI was valued at $300 billion in a round led by SoftBank": the one it happened to
        verb = clause_verb(anchor)
        patient = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
        if patient is not None and not any(c.dep_ == "agent" for c in verb.children):
            named = mention_at(patient.i)
            if named is not None and named.label in _PARTY_LABELS:
                fillers.append((spec.passive_subject_role, named.name, named.label))
                initiator = named if spec.passive_subject_role == first_role else None
    seen = ({initiator.name} if initiator is not None else set()) | seen_parent
    seen |= {n for _r, n, _label in fillers}  # the claimant, each listed company of a conduct
    scanned: set[str] = set()
    args = _arguments(anchor)
    direct = {t.i for t in argument_tokens(anchor)} if governing_verb(anchor) is not None else set()
    for tok in args:
        m = mention_at(tok.i)
        if m is None and resolve is not None and tok.dep_ in ("nsubjpass", "dobj", "pobj", "dative"):
            for r in resolve(tok):  # "the company was added to the Entity List", "... added the companies"
                if r.label in _PARTY_LABELS and r.name not in seen:
                    fillers.append((other_role, r.name, r.label))
                    seen.add(r.name)
            continue
        copied_from = "source" in spec.roles and tok.head.lower_ in _SOURCE_NOUNS
        if (m is not None and m.name in seen and copied_from and tok.i == m.start
                and m.label in _PARTY_LABELS and claimant is not None and m.name == claimant.name):
            fillers.append(("source", m.name, m.label))  # "OpenAI's accusation that it used OpenAI's models"
            continue
        if m is None or tok.i != m.start or m.name in seen or m.kind in REPORTER_KINDS:
            continue
        if _is_dateline(m, sent):
            continue
        if m.label == "MODEL":
            if (_governing_prep(tok, anchor) in _CHANNEL_PREPS or _earlier_value(tok, anchor)
                    or _of_audience(tok, anchor)):
                # "available in Claude Code", "down from $5 for Claude Opus 4.5", "users of the Claude app"
                seen.add(m.name)
                continue
            if object_roles and spec.object_roles & {"model", "product"}:
                fillers.append((object_roles[0], m.name, "MODEL"))
            elif spec.name == "distillation_claim" and m.owner and m.owner != conduct_by:
                # (the model the accused trained -- "to train Kimi K3" -- is no source)
                fillers.append(("source", m.owner, "ORG"))
            seen.add(m.name)
            continue
        if m.label in _PARTY_LABELS and spec.sponsor_role and _describes_other(m, tok):
            fillers.append((spec.sponsor_role, m.name, m.label))  # "North Korea-linked hackers stole ..."
            seen.add(m.name)
            continue
        if m.label in _PARTY_LABELS and employer_of_staff(m, tok):
            if spec.staff_employer_role:
                fillers.append((spec.staff_employer_role, m.name, m.label))
            seen.add(m.name)
            continue
        if m.label not in _PARTY_LABELS or _plays_no_part(m, tok, anchor, mention_at, spec.party_place_preps):
            continue
        clause = _inside_clause(tok, anchor) and tok.i not in direct
        if clause and spec.name != "distillation_claim":
            continue
        qualified = _qualified_noun(m, tok, mention_at)
        if qualified is not None and qualified.lemma_.lower() not in spec.refers_back:
            continue  # "a US cloud provider": the place says where something is from
        role = spec.prep_roles.get(_governing_prep(tok, anchor) or "", other_role)
        if qualified is not None:
            role = first_role  # "subject to US export rules": whose rules they are
        if spec.name == "distillation_claim" and "source" in spec.roles and (
                tok.head.lower_ in _SOURCE_NOUNS or _maker_of_source(tok)):
            role = "source"
        fillers.append((role, m.name, m.label))
        seen.add(m.name)
    if whole_sentence:
        # The small parser often misattaches long lists and unfamiliar names, so the trigger sentence's
        # other parties count too, unless the guide rules them out (a place that locates, a speaker, an
        # outlet, a dateline, context) -- measured: this beats arguments alone on every labeled set.
        # A trigger inside a clause that only dates or contrasts ("..., hours after Commerce added the
        # companies") keeps the scan inside that clause: the main clause is about something else. A
        # participle ("sued OpenAI, accusing it of ...") shares its parties with the main clause.
        # (The converse does not hold: "blocked ChatGPT before OpenAI addressed its concerns" names a party.)
        setting = _setting_clause(anchor)
        within = {t.i for t in setting.subtree} if setting is not None else None
        for tok in sent:
            if within is not None and tok.i not in within:
                continue
            m = mention_at(tok.i)
            if (m is not None and tok.i == m.start and m.name not in seen and m.label == "GPE"
                    and spec.beneficiary_role and _beneficiary_country(tok)):
                fillers.append((spec.beneficiary_role, m.name, m.label))
                seen.add(m.name)
                continue
            if (m is not None and tok.i == m.start and m.name not in seen and m.label in _PARTY_LABELS
                    and spec.sponsor_role and _describes_other(m, tok)):
                fillers.append((spec.sponsor_role, m.name, m.label))
                seen.add(m.name)
                continue
            m = mention_at(tok.i)
            if (m is not None and tok.i == m.start and m.name not in seen and m.label in _PARTY_LABELS
                    and employer_of_staff(m, tok)):
                if spec.staff_employer_role:
                    fillers.append((spec.staff_employer_role, m.name, m.label))
                seen.add(m.name)
                continue
            if (m is None or tok.i != m.start or m.name in seen or m.label not in _PARTY_LABELS
                    or m.kind in REPORTER_KINDS or _is_dateline(m, sent)
                    or _plays_no_part(m, tok, anchor, mention_at, spec.party_place_preps)
                    # A person saying something comments; an organisation saying so speaks for its act.
                    or (m.label == "PERSON" and _is_speaker(tok))
                    # "..., the Justice Department said": for an act no state performs, the agency
                    # telling it is the source, not a party
                    or (m.label == "ORG" and not spec.announced_by_government and is_government(m)
                        and _announces(tok, anchor))
                    or _owns_something_else(m, tok, anchor)
                    or _objector(tok, anchor)
                    or (m.label == "GPE" and not spec.places_from_sentence)):
                continue
            qualified = _qualified_noun(m, tok, mention_at)
            if qualified is not None and qualified.lemma_.lower() not in spec.refers_back:
                continue
            role = spec.prep_roles.get(_governing_prep(tok, anchor) or "", other_role)
            if qualified is not None:
                role = first_role
            if _destination_place(tok, spec.party_place_preps):
                role = spec.prep_roles.get("to", role)
            if spec.announced_by_government and m.label != "PERSON" and (
                    (is_government(m) and _announces(tok, anchor)) or speaks_for_state(m, tok, anchor)):
                role = first_role  # "Norway will require licences ..., its Ministry of Trade said"
            elif initiator is None and m.label == "ORG" and (
                    (_announces(tok, anchor) and _owns_the_object(anchor))
                    or (spec.admitted_by_first_role and _announces(tok, anchor, _ADMITTING_VERBS))):
                # "Vltava said hackers had stolen the code of its models", "X confirmed that a database
                # had been left accessible": the teller's own loss
                role = first_role
            fillers.append((role, m.name, m.label))
            seen.add(m.name)
            scanned.add(m.name)
    # "accused X of distilling its models": the possessive points back at the claimant (in "X trained its
    # model on ...", it is X's own model).
    claims = claimant if subject_role != first_role else initiator
    if (spec.name == "distillation_claim" and "source" in spec.roles and claims is not None
            and claims is initiator
            and any(t.lower_ in ("its", "their", "our") and t.head.lower_ in _SOURCE_NOUNS for t in args)):
        fillers.append(("source", claims.name, claims.label))
    item_role = next((r for r in object_roles if r == "item"), None)
    if item_role is not None:
        for chunk in sent.noun_chunks:
            if chunk.root.lemma_.lower() in _ITEM_LEMMAS and chunk.root in args:
                fillers.append((item_role, chunk.text, "ITEM"))
    if spec.object_roles & {"model", "product"} and not any(r == first_role for r, _n, _l in fillers):
        # "Gemini 3 is out": with no developer or seller named as subject, the model's maker is.
        for tok in args + list(sent):
            m = mention_at(tok.i)
            named_first = any(r == first_role for r, _n, _l in fillers)
            if m is not None and m.label == "MODEL" and m.owner and not named_first:
                fillers.append((first_role, m.owner, "ORG"))
    if spec.conduct_subject_role and "source" in spec.roles:
        # Whose model was copied is never the accused ("to build Kimi K3" names the accused's own model).
        accused = {n for r, n, _l in fillers if r == spec.conduct_subject_role}
        fillers = [f for f in fillers if not (f[0] == "source" and f[1] in accused)]
    # Nobody is done to by their own act ("The State Department has instructed ...": no regulated State
    # Department); whose model was copied may be the claimant, so "source" stays.
    acting = {n for r, n, _l in fillers if r == first_role}
    fillers = [f for f in fillers if f[0] in (first_role, "source") or f[1] not in acting]
    order = {r: i for i, r in enumerate(spec.roles)}
    fillers = list(dict.fromkeys(fillers))
    fillers.sort(key=lambda f: order.get(f[0], len(order)))
    acts = claims if spec.conduct_subject_role and subject_role == spec.conduct_subject_role else initiator
    return RoleReading(tuple(fillers), acts.name if acts is not None else None, frozenset(scanned))




def denial_reading(
    claim: RoleReading, spec: EventTypeSpec, denial_roles: tuple[str, ...], denier: MentionSpan,
    affiliated: MentionSpan | None = None, answers: tuple[tuple[str, str], ...] = (),
) -> RoleReading:
    """The roles of a denial of ``claim``: who rejects it, the party the claim is about (its second
    party role: the accused, target, defendant, perpetrator ...), and, when the denial names them
    ("rejected OpenAI's accusation"), whom it answers: ``answers`` (name, label) in the claim's first role."""
    denier_role, accused_role = denial_roles[0], denial_roles[-1]
    concerned = next((r for r in spec.party_roles if r != spec.initiator_role), spec.initiator_role)
    fillers = [(denier_role, denier.name, denier.label)]
    if affiliated is not None and affiliated.name != denier.name:
        fillers.append((denier_role, affiliated.name, affiliated.label))  # "DeepSeek spokesperson Li Wei"
    fillers += [(accused_role, n, label) for r, n, label in claim.fillers if r == concerned]
    fillers += [(spec.initiator_role, n, label) for n, label in answers
                if n != denier.name and (affiliated is None or n != affiliated.name)]
    scanned = claim.scanned - {denier.name}
    return RoleReading(tuple(dict.fromkeys(fillers)), denier.name, frozenset(scanned))
