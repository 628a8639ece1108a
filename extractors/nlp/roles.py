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

from spacy.tokens import Span, Token

from extractors.gazetteer import REPORTER_KINDS
from extractors.taxonomy import EventTypeSpec

from .entities import MentionSpan, is_government
from .no_parties import (
    ADMITTING_VERBS,
    SOURCE_NOUNS,
    announces,
    describes_other,
    destination_place,
    employer_of_staff,
    governing_prep,
    inside_clause,
    is_court,
    is_dateline,
    is_speaker,
    objector,
    owns_something_else,
    plays_no_part,
    qualified_noun,
    speaks_for_state,
)
from .role_cues import (
    CHANNEL_PREPS,
    beneficiary_country,
    conduct_verb,
    earlier_value,
    governing_verb,
    handed_to,
    is_own_subject,
    maker_of_source,
    of_audience,
    owns_the_object,
    qualifiers,
    reporter,
    setting_clause,
    trigger_arguments,
)
from .role_reading import PARTY_LABELS, RoleReading
from .syntax import ancestors_in_sentence, argument_tokens, clause_verb, subject_of

_ITEM_LEMMAS = {
    "chip", "semiconductor", "accelerator", "gpu", "processor", "weight", "tool", "equipment", "wafer",
}


def _joined_on(tok: Token, top: Token) -> bool:
    """``tok`` hangs under ``top`` through a conjunct: "before OpenAI addressed its concerns, and later
    fined the company" (the parser joins the main clause's second act to the clause it follows)."""
    while tok.i != top.i and tok.head.i != tok.i:
        if tok.dep_ == "conj":
            return True
        tok = tok.head
    return False


def read_roles(
    spec: EventTypeSpec, anchor: Token, sent: Span, initiator: MentionSpan | None,
    mention_at: Callable[[int], MentionSpan | None], *, whole_sentence: bool = True,
    resolve: Callable[[Token], tuple[MentionSpan, ...]] | None = None,
    other_triggers: frozenset[int] = frozenset(),
) -> RoleReading:
    """The roles of the event whose trigger is ``anchor``; ``initiator`` is the resolved subject/agent.

    ``whole_sentence``: also take the sentence's other parties that the guide does not rule out (they get
    the other party role); off for a sentence that only refers back to an event. ``resolve`` maps an
    anaphor ("the company", "it") to what it stands for; ``other_triggers``: where the sentence's other
    events are told.
    """
    party_roles = spec.party_roles
    first_role = spec.initiator_role
    if initiator is not None and initiator.label not in spec.initiator_labels:
        initiator = None  # "President Trump announced a venture in which OpenAI ...": no party to it
    if initiator is not None and is_court(initiator):
        initiator = None  # "The Internet Court ordered X to pay damages": the court decides, it is no party
    gov = governing_verb(anchor)
    lemma = anchor.lemma_.lower()
    if gov is not None and (lemma not in spec.subject_roles or anchor.pos_ != "VERB"):
        lemma = gov.lemma_.lower()  # (a noun "breach" is no act of its subject: "X notified Y of the breach")
    subject_role = spec.subject_roles.get(lemma, first_role) if initiator is not None else first_role
    claimant: MentionSpan | None = None
    if spec.conduct_subject_role and initiator is not None and is_own_subject(initiator, anchor, resolve):
        # "Anthropic said DeepSeek distilled its models": who did it is accused; who says so claims it.
        subject_role = spec.conduct_subject_role
        claimant = reporter(anchor, mention_at, initiator, resolve)
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
            verb = conduct_verb(anchor)
            subj = subject_of(verb)[0] if verb is not None else None
            group = resolve(subj) if subj is not None and mention_at(subj.i) is None else ()
            # "DeepSeek and Moonshot AI had copied US models": every company of the subject did it.
            group += tuple(m for c in (subj.conjuncts if subj is not None else ())
                           if (m := mention_at(c.i)) is not None)
            fillers += [(subject_role, g.name, g.label) for g in group if g.label in PARTY_LABELS]
        # "Spain's AESIA fined ...": the regulator's or authority's named jurisdiction acts with it.
        if initiator.label == "ORG":
            for child in qualifiers(sent.doc[initiator.start:initiator.end]):
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
            if named is not None and named.label in PARTY_LABELS:
                fillers.append((spec.passive_subject_role, named.name, named.label))
                initiator = named if spec.passive_subject_role == first_role else None
    seen = ({initiator.name} if initiator is not None else set()) | seen_parent
    seen |= {n for _r, n, _label in fillers}  # the claimant, each listed company of a conduct
    scanned: set[str] = set()
    args = trigger_arguments(anchor)
    direct = {t.i for t in argument_tokens(anchor)} if governing_verb(anchor) is not None else set()
    for tok in args:
        m = mention_at(tok.i)
        if m is None and resolve is not None and tok.dep_ in ("nsubjpass", "dobj", "pobj", "dative"):
            for r in resolve(tok):  # "the company was added to the Entity List", "... added the companies"
                if r.label in PARTY_LABELS and r.name not in seen:
                    fillers.append((other_role, r.name, r.label))
                    seen.add(r.name)
            continue
        copied_from = "source" in spec.roles and tok.head.lower_ in SOURCE_NOUNS
        if (m is not None and m.name in seen and copied_from and tok.i == m.start
                and m.label in PARTY_LABELS and claimant is not None and m.name == claimant.name):
            fillers.append(("source", m.name, m.label))  # "OpenAI's accusation that it used OpenAI's models"
            continue
        if m is None or tok.i != m.start or m.name in seen or m.kind in REPORTER_KINDS:
            continue
        if is_dateline(m, sent):
            continue
        if m.label == "MODEL":
            if (governing_prep(tok, anchor) in CHANNEL_PREPS or earlier_value(tok, anchor)
                    or of_audience(tok, anchor)):
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
        if m.label in PARTY_LABELS and spec.sponsor_role and describes_other(m, tok):
            fillers.append((spec.sponsor_role, m.name, m.label))  # "North Korea-linked hackers stole ..."
            seen.add(m.name)
            continue
        if m.label in PARTY_LABELS and spec.beneficiary_role and handed_to(tok.doc[m.end - 1]):
            fillers.append((spec.beneficiary_role, m.name, m.label))  # "... and sold it to Quillon"
            seen.add(m.name)
            continue
        if m.label in PARTY_LABELS and employer_of_staff(m, tok):
            if spec.staff_employer_role:
                fillers.append((spec.staff_employer_role, m.name, m.label))
            seen.add(m.name)
            continue
        if m.label not in PARTY_LABELS or plays_no_part(m, tok, anchor, mention_at, spec.party_place_preps):
            continue
        clause = inside_clause(tok, anchor) and tok.i not in direct
        if clause and spec.name != "distillation_claim":
            continue
        qualified = qualified_noun(m, tok, mention_at)
        if qualified is not None and qualified.lemma_.lower() not in spec.refers_back:
            continue  # "a US cloud provider": the place says where something is from
        role = spec.prep_roles.get(governing_prep(tok, anchor) or "", other_role)
        if qualified is not None:
            role = first_role  # "subject to US export rules": whose rules they are
        if spec.name == "distillation_claim" and "source" in spec.roles and (
                tok.head.lower_ in SOURCE_NOUNS or maker_of_source(tok)):
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
        setting = setting_clause(anchor)
        within = {t.i for t in setting.subtree} if setting is not None else None
        # "Yunque released Xuanji 2.5, two months after the Commerce Department added it to the Entity
        # List": a scene-setting clause that tells another event names that event's parties ("blocked
        # ChatGPT before OpenAI addressed its concerns" tells none, and OpenAI is a party).
        elsewhere = {t.i for c in sent if c.i != anchor.i and setting_clause(c) is c
                     and c not in [h for _c, h in ancestors_in_sentence(anchor)]
                     and any(t.i in other_triggers and not _joined_on(t, c) for t in c.subtree)
                     for t in c.subtree} if setting is None else set()
        for tok in sent:
            if (within is not None and tok.i not in within) or tok.i in elsewhere:
                continue
            m = mention_at(tok.i)
            if (m is not None and tok.i == m.start and m.name not in seen and spec.beneficiary_role and (
                    (m.label == "GPE" and beneficiary_country(tok))
                    or (m.label in PARTY_LABELS and handed_to(sent.doc[m.end - 1])))):
                fillers.append((spec.beneficiary_role, m.name, m.label))
                seen.add(m.name)
                continue
            if (m is not None and tok.i == m.start and m.name not in seen and m.label in PARTY_LABELS
                    and spec.sponsor_role and describes_other(m, tok)):
                fillers.append((spec.sponsor_role, m.name, m.label))
                seen.add(m.name)
                continue
            m = mention_at(tok.i)
            if (m is not None and tok.i == m.start and m.name not in seen and m.label in PARTY_LABELS
                    and employer_of_staff(m, tok)):
                if spec.staff_employer_role:
                    fillers.append((spec.staff_employer_role, m.name, m.label))
                seen.add(m.name)
                continue
            if (m is None or tok.i != m.start or m.name in seen or m.label not in PARTY_LABELS
                    or m.kind in REPORTER_KINDS or is_dateline(m, sent)
                    or plays_no_part(m, tok, anchor, mention_at, spec.party_place_preps)
                    # A person saying something comments; an organisation saying so speaks for its act.
                    or (m.label == "PERSON" and is_speaker(tok))
                    # "..., the Justice Department said": for an act no state performs, the agency
                    # telling it is the source, not a party
                    or (m.label == "ORG" and not spec.announced_by_government and is_government(m)
                        and announces(tok, anchor))
                    or owns_something_else(m, tok, anchor)
                    or objector(tok, anchor)
                    or (m.label == "GPE" and not spec.places_from_sentence)):
                continue
            qualified = qualified_noun(m, tok, mention_at)
            if qualified is not None and qualified.lemma_.lower() not in spec.refers_back:
                continue
            role = spec.prep_roles.get(governing_prep(tok, anchor) or "", other_role)
            if qualified is not None:
                role = first_role
            if destination_place(tok, spec.party_place_preps):
                role = spec.prep_roles.get("to", role)
            if spec.announced_by_government and m.label != "PERSON" and (
                    (is_government(m) and announces(tok, anchor)) or speaks_for_state(m, tok, anchor)):
                role = first_role  # "Norway will require licences ..., its Ministry of Trade said"
            elif initiator is None and m.label == "ORG" and (
                    (announces(tok, anchor) and owns_the_object(anchor))
                    or (spec.admitted_by_first_role and announces(tok, anchor, ADMITTING_VERBS))):
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
            and any(t.lower_ in ("its", "their", "our") and t.head.lower_ in SOURCE_NOUNS for t in args)):
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
