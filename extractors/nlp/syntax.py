"""Dependency-parse helpers for the event rules: clause verbs, hedges, stance cues, arguments.

All functions read a spaCy Token/Span and the cue sets from ``EventRules``; none of them mutate the Doc.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Span, Token

from extractors.models import Stance
from extractors.taxonomy import EventRules

from .cue_words import GOVERNMENT_NOUNS

_SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
# Relations through which a governing verb makes its dependent a plan/prediction ("plans to launch").
_CLAUSAL_DEPS = {"xcomp", "ccomp", "advcl", "acl", "pcomp", "relcl"}
# Relations whose subtree is NOT an argument of the trigger: its subject, and nested clauses. Everything
# else counts, because the small parser often mislabels an unfamiliar model name ("launched Qwen3" as advmod).
_NON_ARGUMENT_DEPS = {
    "nsubj", "csubj", "punct", "aux", "auxpass", "cc", "mark", "ccomp", "advcl", "parataxis", "neg", "relcl",
}


def ancestors_in_sentence(token: Token) -> Iterator[tuple[Token, Token]]:
    """(child_on_path, ancestor) pairs from ``token`` up to its sentence root."""
    child = token
    while child.head.i != child.i:
        yield child, child.head
        child = child.head


def clause_verb(token: Token) -> Token:
    """The verb (or sentence root) whose clause contains ``token``."""
    tok = token
    for _ in range(6):
        # A participle used as a modifier ("stolen accounts") belongs to the clause above it.
        modifier = tok.dep_ in ("amod", "compound", "nmod")
        if (tok.pos_ in ("VERB", "AUX") and not modifier) or tok.head.i == tok.i:
            return tok
        tok = tok.head
    return tok


def is_hedged(anchor: Token, sent: Span, rules: EventRules, inquiry_is_claim: bool = False) -> bool:
    """True when the trigger is hypothetical, planned, predicted, negated, conditional or a question.

    ``inquiry_is_claim``: for claims, "looking into whether DeepSeek had trained on ChatGPT outputs" is a
    suspicion under investigation, a claim, not an open question."""
    if sent.text.rstrip().endswith("?"):
        return True
    of_what = anchor.head.head if anchor.dep_ == "pobj" and anchor.head.lower_ == "of" else None
    absent = of_what is not None and of_what.lemma_.lower() in _ABSENCE_NOUNS and _has_no(of_what)
    if anchor.pos_ in ("NOUN", "PROPN") and (_has_no(anchor) or absent):
        return True  # "no lawsuit has been filed so far", "no sign of concrete sanction": a negated noun
    modals = rules.cue("modal_auxiliaries")
    verb = clause_verb(anchor)
    for tok in _own_clause(anchor):
        for child in tok.children:
            if child.dep_ in ("aux", "auxpass") and child.lower_ in modals \
                    and not reported_future(child, verb):
                return True
            if child.dep_ == "neg":
                return True
            # "we will aggressively investigate ...": a speaker's pledge, not a decision reported
            if child.dep_ == "aux" and child.lower_ in ("will", "shall", "'ll") and any(
                    c.dep_ == "nsubj" and c.lower_ in ("we", "i") for c in tok.children):
                return True
            inquiry = inquiry_is_claim and child.lower_ in ("whether", "if") and _under_inquiry(tok, rules)
            if child.dep_ == "mark" and child.lower_ in rules.cue("conditional_marks") and not inquiry:
                return True
    upcoming = rules.cue("upcoming_modifiers")
    # "the launch of its new model planned for summer": the trigger's own "of" object counts too.
    described = [anchor, *(g for c in anchor.children if c.dep_ == "prep" and c.lower_ == "of"
                           for g in c.children if g.dep_ == "pobj")]
    for child in (c for t in described for c in t.children):
        if child.dep_ in ("amod", "compound", "advmod", "acl") and child.lower_ in upcoming \
                and not (child.lower_ in ("proposed", "putative") and _class_action(child.head)):
            return True  # (but "filed a proposed class action": a suit filed on behalf of a class)
    if any(_habitual(tok, rules) for tok in _own_clause(anchor)):
        return True
    governors, noun_governors = rules.cue("governors"), rules.cue("noun_governors")
    advocacy = rules.cue("advocacy_verbs")
    for child, head in ancestors_in_sentence(anchor):
        # "expects a charge after the government told it ...": a clause of cause or time past states
        # a fact of its own; what governs the main clause does not reach into it.
        if child.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in _FACTUAL_MARKS
                                         for c in child.children):
            break
        lemma = head.lemma_.lower()
        if child.dep_ in _CLAUSAL_DEPS and lemma in governors:
            return True
        # "has not said when Mythos will be released", "did not say whether ...": an open question
        if child.dep_ in _CLAUSAL_DEPS and head.pos_ in ("VERB", "AUX") \
                and any(c.dep_ == "neg" for c in head.children) \
                and any(t.lower_ in ("when", "whether", "if", "how") for t in child.subtree):
            return True
        # "argued for tighter export controls": advocacy, not a happening
        if child.dep_ == "prep" and child.lower_ == "for" and lemma in advocacy:
            return True
        if head.pos_ == "NOUN" and lemma in noun_governors:
            return True
        if (child.dep_ == "pobj" and head.lower_ == "as"
                and head.head.lemma_.lower() in ("know", "dub", "term")):
            return True  # "the practice, known as distillation": the name of a practice
        # "seeks damages and an order barring X from ...": what a party asks for has not happened.
        if child.dep_ in ("dobj", "xcomp", "ccomp") and lemma in rules.cue("request_verbs"):
            return True
        if child.dep_ in ("advcl",) and any(
            c.dep_ == "mark" and c.lower_ in rules.cue("conditional_marks") for c in child.children
        ):
            return True
    return False


# "no sign of concrete sanction", "no evidence of a breach": nouns whose absence says the act is not told
# as having happened (a party saying it found no evidence denies a claim: the denial reads that).
_ABSENCE_NOUNS = {"sign", "indication", "word", "hint", "prospect", "plan", "mention", "evidence"}


def _has_no(noun: Token) -> bool:
    return any(c.dep_ == "det" and c.lower_ == "no" for c in noun.children)


def _class_action(noun: Token) -> bool:
    return noun.lemma_.lower() in ("action", "lawsuit", "suit") and any(
        c.lower_ == "class" for c in noun.children)


def _under_inquiry(verb: Token, rules: EventRules) -> bool:
    """The clause of ``verb`` is what someone investigates ("is looking into whether ...", "a probe into
    whether ...", "to examine if ...")."""
    inquiry = rules.cue("inquiry_words")
    return any(h.lemma_.lower() in inquiry for _c, h in list(ancestors_in_sentence(verb))[:3])


def _habitual(tok: Token, rules: EventRules) -> bool:
    """"ships new checkpoints almost every week", "routinely bans accounts": what someone does as a habit
    is no happening."""
    for child in tok.children:
        if child.dep_ == "advmod" and child.lower_ in rules.cue("habitual_adverbs"):
            return True
        if child.dep_ in ("npadvmod", "advmod") and any(
                g.dep_ in ("det", "nummod") and g.lower_ in ("every", "each") for g in child.children):
            return True
    return False


def is_negated(anchor: Token) -> bool:
    """"had not used", "never trained": a negation on the trigger's own clause (or the verbs it is an
    infinitive of)."""
    return any(c.dep_ == "neg" for t in _own_clause(anchor) for c in t.children)


def _own_clause(anchor: Token) -> list[Token]:
    """The trigger, its clause's verb, and the verbs it is an infinitive of ("is expected to release")."""
    verb = clause_verb(anchor)
    clause = [anchor, verb]
    tok = verb
    while tok.dep_ in ("xcomp", "conj") and tok.head.i != tok.i:
        tok = tok.head
        clause.append(tok)
    return clause


def reported_future(modal: Token, verb: Token) -> bool:
    """'told the company it would need a licence', 'said X would cost 2 yuan': "would" is the reported
    "will" of a past statement, so the clause is what "will" would make it (a decision or an announced
    future happening, with the future flag), not a hypothesis."""
    if modal.lower_ != "would" or verb.dep_ != "ccomp":
        return False
    head = verb.head
    return head.tag_ == "VBD" and head.lemma_.lower() in _SAYING_VERBS


# Subordinators of a clause that reports what happened, whatever the main clause plans or predicts.
_FACTUAL_MARKS = frozenset({"after", "since", "because"})

# Verbs that pass on a decision to its addressee ("informed the company it would need ...").
_SAYING_VERBS = frozenset({"say", "inform", "notify", "tell", "announce", "warn", "state", "confirm"})


def governed_by_blocked_prep(anchor: Token, blocked: frozenset[str]) -> bool:
    """'amid export controls': the trigger phrase is the object of a background preposition."""
    tok = anchor
    for _ in range(4):
        if tok.dep_ in ("pobj", "pcomp") and tok.head.lower_ in blocked:
            return True
        # two-word prepositions: "ahead of the launch", "prior to the rule"
        if tok.dep_ == "pobj" and tok.head.lower_ in ("of", "to") and tok.head.head.lower_ in blocked:
            return True
        # "amid tightening US export controls": controls <-dobj- tightening <-pcomp- amid
        if tok.dep_ not in ("compound", "amod", "conj", "pobj", "nmod", "dobj", "pcomp"):
            return False
        tok = tok.head
    return False


def is_attribute(anchor: Token) -> bool:
    """'Amazon-backed', 'backed by Amazon' used as a modifier: an attribute, not an event."""
    if anchor.dep_ in ("amod", "acl") and anchor.tag_ == "VBN":
        return True
    return any(c.dep_ == "auxpass" for c in anchor.children) and anchor.dep_ in ("relcl", "acl")


def stance_from_cues(anchor: Token, rules: EventRules) -> tuple[Stance | None, bool]:
    """(stance implied by governing cue words or None, whether a verdict governs the trigger)."""
    alleged, verdicts = rules.cue("alleged_governors"), rules.cue("verdict_governors")
    adverbs = rules.cue("alleged_adverbs")
    reporting, claim_sources = rules.cue("reporting_verbs"), rules.cue("claim_sources")
    if any(c.lower_ in adverbs for c in anchor.children):
        return "alleged", False
    for _child, head in ancestors_in_sentence(anchor):
        lemma = head.lemma_.lower()
        if lemma in verdicts:
            return "asserted", True
        if lemma in alleged:
            return "alleged", False
        if lemma in reporting and any(c.dep_ == "nsubj" and c.lemma_.lower() in claim_sources
                                      for c in head.children):
            return "alleged", False  # "the complaint says ...", "prosecutors say ..."
        if any(c.lower_ in adverbs for c in head.children):
            return "alleged", False
    return None, False


def attributed_doer(anchor: Token, rules: EventRules) -> bool:
    """Whether the doer of the trigger's clause is described by an attribution: "a hacking group linked to
    Russia's military intelligence", "hackers which are believed to be connected with China", "a state-backed
    crew". Whoever says so names a suspect; the reporter does not state it."""
    subj, _ = subject_of(clause_verb(anchor))
    if subj is None:
        return False
    words = rules.cue("attribution_words")
    return any((t.lemma_.lower() in words or _works_for_a_state(t)) and t.dep_ in _ATTRIBUTION_DEPS
               for t in subj.subtree if t != subj)


# Who a state's hackers work for, beyond the nouns that act for a state: its armed forces and spies.
_STATE_NOUNS = GOVERNMENT_NOUNS | {"military", "intelligence", "army"}


def _works_for_a_state(tok: Token) -> bool:
    """"hackers working for China", "a group working on behalf of the North Korean government": whoever
    says whom hackers work for attributes the attack (an engineer "working for Nvidia" is only employed)."""
    if tok.lemma_.lower() not in ("work", "operate", "act"):
        return False
    objects = [g for c in tok.subtree if c.dep_ == "prep" and c.lower_ in ("for", "of")
               for g in c.children if g.dep_ == "pobj"]
    return any(g.ent_type_ in ("GPE", "NORP") or g.lemma_.lower() in _STATE_NOUNS for g in objects)


_ATTRIBUTION_DEPS = frozenset({"acl", "relcl", "amod", "xcomp", "ccomp", "advcl"})


def states_standing_fact(anchor: Token, verbs: frozenset[str], rules: EventRules) -> bool:
    """Whether the trigger's clause states how things stand rather than what changed: a verb of ``verbs``
    in the present tense ("charges", "lists at", "is charging") with no date and no word of novelty."""
    verb = clause_verb(anchor)
    if verb.lemma_.lower() not in verbs:
        return False
    present = verb.tag_ in ("VBZ", "VBP") or (
        verb.tag_ == "VBG" and any(c.dep_ == "aux" and c.tag_ in ("VBZ", "VBP") for c in verb.children))
    if not present:
        return False
    sent = anchor.sent
    novelty = rules.cue("novelty_words")
    return not any(t.lower_ in novelty for t in sent) and not any(e.label_ == "DATE" for e in sent.ents)


def _acting_subject(subjects: list[Token], verb: Token) -> Token | None:
    """Of the subjects the parser gives a verb, the one that acts: not a heading ("MONEY — Zanskar AI
    raised"), the one nearest before the verb (a misparsed compound: "Researchers at firm Wiz said"),
    unless that one is an apposition set off by a comma ("X, the Austin-based company behind Wisp, had
    withdrawn")."""
    kept = [c for c in subjects if not _heads_a_heading(c)] or subjects
    before = [c for c in kept if c.i < verb.i]
    if not before:
        return kept[0] if kept else None
    subj = before[-1]
    if len(before) > 1 and subj.left_edge.i > 0 and subj.doc[subj.left_edge.i - 1].text == ",":
        subj = before[-2]
    return subj


def _heads_a_heading(tok: Token) -> bool:
    """"MONEY —", "ACCESS:": a word set off by a dash or colon right after it, opening its sentence."""
    nxt = tok.doc[tok.right_edge.i + 1] if tok.right_edge.i + 1 < len(tok.doc) else None
    return nxt is not None and nxt.text in ("—", "–", ":") and tok.left_edge.i == tok.sent.start


def subject_of(verb: Token) -> tuple[Token | None, bool]:
    """(subject-or-agent token, is_initiator) for a verb; climbs conj/xcomp/relcl for a shared subject."""
    tok = verb
    for _ in range(5):
        passive = False
        for child in tok.children:
            if child.dep_ == "agent":
                pobj = next((g for g in child.children if g.dep_ == "pobj"), None)
                if pobj is not None:
                    return pobj, True
            if child.dep_ == "nsubjpass":
                passive = True
        subj = _acting_subject([c for c in tok.children if c.dep_ in _SUBJECT_DEPS and c.dep_ != "nsubjpass"],
                               tok)
        if (subj is not None and subj.lower_ in ("which", "who") and tok.dep_ == "relcl" and subj.i > 0
                and subj.doc[subj.i - 1].text == ","):
            # "the company, which raised ...": the pronoun of a clause set off by a comma stands for the
            # noun; "the labs that object ..." restricts the noun instead (which labs), pointing nowhere.
            return tok.head, True
        if subj is not None and _dateline_word(subj):
            # "TORONTO — Corvane Systems has accused ...": the parser makes the dateline the subject and
            # the name after the dash its apposition
            subj = next((c for c in subj.children if c.dep_ == "appos"), subj)
        if subj is not None:
            return subj, True
        if passive:
            return None, False
        if tok.dep_ == "relcl":
            return tok.head, True  # "Mistral AI, which has raised ..." -> the noun the clause modifies
        if tok.dep_ == "acl" and tok.tag_ == "VBG" and tok.head.dep_ == "dobj":
            # "OpenAI published a report accusing Moonshot ...", "filed a suit alleging ...": who issued
            # the report or suit says what it says.
            tok = tok.head.head
            continue
        if tok.dep_ in ("conj", "xcomp", "advcl", "pcomp") and tok.head.i != tok.i:
            tok = tok.head
            continue
        if tok.dep_ == "prep" and tok.pos_ == "ADP" and tok.head.pos_ == "VERB":
            # "Anthropic accused Yunmai of using accounts to harvest answers": the verb the phrase hangs on
            # (whose object, when it has one, is who did it: see ``object_does``).
            tok = tok.head
            continue
        if (tok.dep_ == "acl" and tok.tag_ == "VB" and tok.head.dep_ == "pobj"
                and tok.head.head.dep_ == "prep" and tok.head.head.lower_ in ("in", "on")
                and tok.head.head.head.pos_ in ("VERB", "AUX")):
            # "X is in talks to raise ...", "X is on track to launch ...": who is in the talks acts.
            tok = tok.head.head.head
            continue
        break
    return None, False


def _dateline_word(tok: Token) -> bool:
    """"TORONTO —", "SEOUL, March 3 —": a capitalised place opening the text or a line, before a dash or
    a comma."""
    doc = tok.doc
    opens = tok.i == 0 or "\n" in doc[tok.i - 1].text or "\n" in doc[tok.i - 1].whitespace_
    return (tok.is_upper and tok.is_alpha and len(tok) >= 3 and opens and tok.i + 1 < len(doc)
            and doc[tok.i + 1].text in ("—", "–", "-", ","))


def object_does(verb: Token) -> Token | None:
    """"accused Yunmai of using accounts to harvest ...": the object of the verb whose "of"/"with" phrase
    holds ``verb`` (climbing as ``subject_of`` does), who did what ``verb`` says; None when ``verb`` has a
    subject of its own or hangs on no such phrase."""
    tok = verb
    for _ in range(5):
        if any(c.dep_ in _SUBJECT_DEPS for c in tok.children):
            return None
        if tok.dep_ in ("conj", "xcomp", "pcomp") and tok.head.i != tok.i:
            tok = tok.head
            continue
        if tok.dep_ == "prep" and tok.lower_ in ("of", "with") and tok.head.pos_ == "VERB":
            return next((c for c in tok.head.children if c.dep_ == "dobj"), None)
        return None
    return None


def unnamed_doer(anchor: Token, own_modifiers: frozenset[str]) -> Token | None:
    """The common noun that does what the trigger says, when the parse gives one: the subject of a verb
    trigger ("Several US labs already bar customers ..."), or a nominal trigger made someone's own by its
    adjective ("an internal audit"). None when the doer is named, a pronoun, or not given."""
    if anchor.pos_ == "VERB":
        subj, acts = subject_of(anchor)
        if subj is not None and acts and subj.pos_ == "NOUN" and subj.ent_type_ == "":
            return subj
        return None
    return next((c for c in anchor.children if c.dep_ == "amod" and c.lower_ in own_modifiers), None)


def argument_tokens(anchor: Token) -> list[Token]:
    """Tokens in the trigger's argument subtrees (objects, prepositional objects, modifiers)."""
    out: list[Token] = []
    roots = [anchor]
    if anchor.pos_ == "ADJ" or anchor.dep_ in ("acomp",):
        roots.append(anchor.head)  # "Gemini 3 is now available": the subject is the argument
        out.extend(t for c in anchor.head.children if c.dep_ in ("nsubj", "nsubjpass") for t in c.subtree)
    for root in roots:
        for child in root.children:
            if child.dep_ not in _NON_ARGUMENT_DEPS:
                out.extend(child.subtree)
    if anchor.dep_ in ("compound", "amod", "nmod"):
        out.extend(anchor.head.subtree)  # "the Gemini launch" / "launch event"
    if anchor.dep_ in ("relcl", "acl"):
        head = anchor.head  # "Gemini 3.5 Flash, which Google released": the modified noun is the object
        out.extend(head.doc[head.left_edge.i:head.i + 1])
    return out


def is_generic_plural(anchor: Token) -> bool:
    """A bare plural noun ("the use of AI in cyberattacks"), or all or any of a kind ("opposes all
    hacking"): a category, not one happening."""
    if anchor.tag_ in ("NN", "NNS", "VBG") and any(c.dep_ == "det" and c.lower_ in ("all", "any", "every")
                                     for c in anchor.children):
        return True
    if anchor.tag_ not in ("NNS", "NNPS"):
        return False
    # "hit by what it described as large-scale attacks": something that happened to someone
    if any(h.lower_ == "by" or h.dep_ == "agent" for _c, h in list(ancestors_in_sentence(anchor))[:4]):
        return False
    return not any(c.dep_ in ("det", "poss", "nummod", "compound") for c in anchor.children)


def governed_by_lemma(anchor: Token, lemmas: frozenset[str]) -> bool:
    """An ancestor (or the trigger's own head noun) has one of ``lemmas``: "could violate export controls"."""
    return bool(lemmas) and any(h.lemma_.lower() in lemmas for _c, h in ancestors_in_sentence(anchor))


def standing_rule_subject(anchor: Token, subjects: frozenset[str]) -> bool:
    """'Anthropic's terms bar customers from ...', 'its rule barring customers in China': a standing rule."""
    if not subjects:
        return False
    if anchor.dep_ in ("acl", "relcl") and anchor.head.lemma_.lower() in subjects:
        return True
    if anchor.i > 0 and anchor.doc[anchor.i - 1].lemma_.lower() in subjects:
        return True  # "its rule barring customers in China from ..." (however the parser attached it)
    for _c, head in [(anchor, anchor), *ancestors_in_sentence(anchor)]:
        if head.pos_ in ("VERB", "AUX"):
            subj = next((c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if subj is not None:
                return subj.lemma_.lower() in subjects
    return False
