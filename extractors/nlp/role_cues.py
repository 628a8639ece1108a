"""Which role a name gets, and where the trigger's parties are: the preposition or channel a name sits under,
an audience or an earlier value, the maker of a copied model, the country a company is in, the qualifiers of
an initiator, the clause that sets the scene, the verb of the trigger's conduct and who reports it, and the
trigger's arguments (with those of the verb whose phrase holds it).

``roles.read_roles`` combines these; ``no_parties.py`` says which names take no role at all.
"""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Span, Token

from .entities import MentionSpan
from .no_parties import CONTEXT_PREPS, SOURCE_NOUNS, SPEAKING_VERBS, first_of_list
from .role_reading import PARTY_LABELS, MentionAt
from .syntax import ancestors_in_sentence, argument_tokens, clause_verb, object_does, subject_of

# Subordinators of a clause that sets the scene for the main one rather than sharing its parties.
_SETTING_MARKS = {"after", "before", "while", "when", "since", "until", "although", "though", "whereas"}


# Prepositions of where a model is offered, not which model is released or priced ("available in Claude
# Code", "through Anthropic's API").
CHANNEL_PREPS = CONTEXT_PREPS | {"in", "via", "inside", "within"}


_AUDIENCE_NOUNS = {"user", "customer", "subscriber", "client"}


def of_audience(tok: Token, stop: Token) -> bool:
    """"paying users of the Claude app", "ChatGPT subscribers": a name that says whose users they are."""
    cur = tok
    while cur.head.i != cur.i and cur.i != stop.i:
        if cur.head.lemma_.lower() in _AUDIENCE_NOUNS:
            return True
        cur = cur.head
    return False


def earlier_value(tok: Token, stop: Token) -> bool:
    """"down from $5 and $25 for Claude Opus 4.5": a name under the value something changed from."""
    cur = tok
    while cur.head.i != cur.i and cur.i != stop.i:
        if cur.dep_ == "prep" and cur.head.lower_ in ("down", "up") and any(
                c.dep_ == "prep" and c.lower_ == "from" for c in cur.head.children):
            return True  # under "from", or beside it ("down from $5 for X")
        cur = cur.head
    return False


def maker_of_source(tok: Token) -> bool:
    """'copy the capabilities of models developed by OpenAI and Anthropic': whose models were copied."""
    head = first_of_list(tok)
    by = head.head
    if head.dep_ != "pobj" or by.lower_ != "by" or by.head.dep_ != "acl":
        return False
    return by.head.head.lower_ in SOURCE_NOUNS


_BENEFICIARY_NOUNS = {
    "company", "companies", "startup", "start-up", "firm", "competitor", "rival", "employer", "institute",
    "entity", "venture", "business", "maker", "group", "university", "lab", "laboratory",
}


def handed_to(tok: Token) -> bool:
    """"sold it to Quillon Systems", "handed the files to Zhenhe Robotics": who received what was taken
    (a theft's perpetrator, by the guide)."""
    while tok.dep_ in ("appos", "conj", "compound") and tok.head.i != tok.i:
        tok = tok.head
    return (tok.dep_ == "pobj" and tok.head.lower_ == "to"
            and tok.head.head.lemma_.lower() in _HANDING_VERBS)


_HANDING_VERBS = {"sell", "hand", "give", "pass", "transfer", "provide", "leak", "send", "deliver", "smuggle"}


def beneficiary_country(tok: Token) -> bool:
    """"for companies based in China", "a start-up in Shenzhen, China", "a competitor in China": the country
    of the organisation the act was for or the person went to (the guide's perpetrator of a theft)."""
    if tok.dep_ == "conj":
        tok = tok.head  # "in Shenzhen, China"
    if tok.dep_ not in ("pobj", "appos") or tok.head.lower_ != "in":
        return tok.dep_ == "appos" and beneficiary_country(tok.head)
    holder = tok.head.head
    if holder.lower_ in ("based", "headquartered", "registered") and holder.dep_ in ("amod", "acl"):
        holder = holder.head
    if not (holder.lemma_.lower() in _BENEFICIARY_NOUNS or holder.lower_ in _BENEFICIARY_NOUNS):
        return False
    # Only an organisation the act was for or someone went to: "Lumenfold, a company based in Austin" locates.
    return (holder.dep_ == "pobj" and holder.head.lower_ in ("for", "with", "at", "to")) or (
        holder.dep_ == "dobj" and holder.head.lemma_.lower() in ("join", "found", "start"))


def qualifiers(mention: Span) -> list[Token]:
    """Possessors before a name, or before the noun it stands in apposition to: "Spain's AESIA",
    "Italy's privacy watchdog, the Garante", "the Commerce Department's Bureau of Industry and Security"."""
    root = mention.root
    heads = [root] + ([root.head] if root.dep_ == "appos" else [])
    return [c for h in heads for c in h.children if c.dep_ == "poss" and c.i < mention.start]


def setting_clause(tok: Token) -> Token | None:
    """The head of the nearest clause around ``tok`` that sets a scene ("after ...", "while ...")."""
    for _c, h in [(tok, tok), *ancestors_in_sentence(tok)]:
        if h.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in _SETTING_MARKS for c in h.children):
            return h
    return None


def owns_the_object(anchor: Token) -> bool:
    """"stolen the source code of its models", "breached their systems", "used its coding agent to break
    into ...", "broke into a server and stole code for its scheduler": what the act hit (or the tool of
    the act it completes) belongs to "its"/"their" owner, who is then the one telling of it."""
    verbs = [anchor, *anchor.conjuncts] + ([anchor.head] if anchor.dep_ in ("xcomp", "advcl") else [])
    return any(t.lower_ in ("its", "their", "our") for v in verbs for c in v.children
               if c.dep_ in ("dobj", "nsubjpass") or (c.dep_ == "prep" and c.lower_ in _OWNED_PREPS)
               for t in c.subtree)


# Prepositions after a theft or break-in that name what was hit: "stole code for its scheduler",
# "broke into its servers", "took data from their systems".
_OWNED_PREPS = {"for", "of", "from", "into", "in"}


def conduct_verb(anchor: Token) -> Token | None:
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


def is_own_subject(initiator: MentionSpan, anchor: Token,
                    resolve: Callable[[Token], tuple[MentionSpan, ...]] | None) -> bool:
    """Whether ``initiator`` is the subject of the trigger's own verb ("DeepSeek distilled ...", "the
    accusation that it had used ..."), not of a verb above it ("OpenAI accused DeepSeek of distilling")."""
    verb = conduct_verb(anchor)
    subj = (object_does(verb) or subject_of(verb)[0]) if verb is not None else None
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
_REPORTING_VERBS = SPEAKING_VERBS | {
    "accuse", "allege", "claim", "find", "conclude", "believe", "suspect", "say", "assert", "charge", "state",
}


def reporter(anchor: Token, mention_at: MentionAt, accused: MentionSpan,
              resolve: Callable[[Token], tuple[MentionSpan, ...]] | None) -> MentionSpan | None:
    """The named subject of the reporting verb above the trigger's clause ("Anthropic said that ...",
    "the lab published its conclusion: that ...", or the possessor of the claim: "rejected OpenAI's
    accusation that it had used ...")."""
    for _child, head in list(ancestors_in_sentence(anchor))[:4]:
        if head.pos_ == "NOUN" and head.lemma_.lower() in _CLAIM_NOUNS:
            owner = next((mention_at(c.i) for c in head.children if c.dep_ == "poss"), None)
            if owner is not None and owner.name != accused.name and owner.label in PARTY_LABELS:
                return owner
            continue
        if head.lemma_.lower() not in _REPORTING_VERBS:
            continue
        subj, _ = subject_of(head)
        m = mention_at(subj.i) if subj is not None else None
        if m is None and subj is not None and resolve is not None:
            m = next(iter(resolve(subj)), None)
        if m is not None and m.name != accused.name and m.label in PARTY_LABELS:
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


def trigger_arguments(anchor: Token) -> list[Token]:
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
