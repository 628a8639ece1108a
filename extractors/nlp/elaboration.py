"""Elaboration of earlier events: sentences that add parties to, or continue, an event told before.

"The round was led by Iconiq", "Nvidia and Adobe also invested", "The listed companies are X, Y and Z" add
their parties to the latest event of that type; a trigger acting on a definite noun that points back at an
event of a type outranking its own ("the bureau tightened the rules") continues that event.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from spacy.tokens import Span, Token

from extractors.taxonomy import EventRules, EventTypeSpec

from .article_context import ACTOR_LABELS, DEFINITE, ArticleContext, EventCandidate, trigger_actors
from .entities import MentionSpan
from .role_reading import RoleReading
from .roles import read_roles
from .syntax import clause_verb, subject_of

# "a similar accusation", "the same claims": a noun that points back like a definite one.
_LIKE_BEFORE = ("similar", "same")
_ALONGSIDE = {"alongside", "with"}


def _mention_within(ctx: ArticleContext, scope: set[int], i: int) -> MentionSpan | None:
    return ctx.by_token.get(i) if i in scope else None


def _party_scope(noun: Token) -> set[int] | None:
    """The tokens that may name parties when a sentence points back at an event with ``noun``, or None.

    Parties come from the whole clause when it says who took part ("The round was led by Iconiq",
    "Pujiang led the round", "The order covers X"); only from the noun's own phrase when the clause says
    what the event did ("The defendants, X and Y, appeared in court"; "The launch wiped $600 billion from
    Nvidia's value" names nobody); never when others merely use what it made ("Adobe will add the model
    to Firefly", "an engineer who tested the model").
    """
    verb = noun.head
    own = {t.i for t in noun.subtree}
    clause = {t.i for t in (verb if noun.dep_ in ("nsubj", "dobj") else clause_verb(noun)).subtree}
    if noun.dep_ == "nsubj":
        return clause if verb.lemma_.lower() in _EXTENT_VERBS else own
    if noun.dep_ == "dobj":
        return clause if verb.lemma_.lower() in _TAKING_PART_VERBS else own
    return clause | own


# Verbs whose subject, an event pointed back at, is followed by whom it applies to ("The order covers X").
_EXTENT_VERBS = {"be", "cover", "include", "target", "affect", "apply", "name", "list", "involve", "hit"}
# Verbs whose subject takes part in the event that is their object ("Pujiang led the round").
_TAKING_PART_VERBS = {
    "lead", "co-lead", "join", "back", "fund", "sign", "draft", "write", "sponsor", "approve", "pass",
    "issue", "file", "bring", "reject", "deny", "dispute", "complete", "close", "impose", "order",
}


def _participle_agents(noun: Token, ctx: ArticleContext) -> tuple[Token, list[MentionSpan]] | None:
    """(participle, the actors its "by" phrase names) for "the complaint, filed ... by X, Y and others": a
    participle describing the noun, whose agent names one or more actors."""
    for part in (c for c in noun.children if c.dep_ == "acl" and c.tag_ == "VBN"):
        for agent in (c for c in part.children if c.dep_ == "agent"):
            named = [ctx.by_token.get(t.i) for t in agent.subtree]
            found = [m for m in dict.fromkeys(named) if m is not None and m.label in ACTOR_LABELS]
            if found:
                return part, found
    return None


def _verb_lemmas(tok: Token) -> set[str]:
    """The verb a word stands for: its lemma, and for a participle tagged as an adjective ("listed",
    "named") the stems it may come from."""
    lemmas = {tok.lemma_.lower()}
    if tok.tag_ == "JJ" and tok.lower_.endswith("ed"):
        lemmas |= {tok.lower_[:-2], tok.lower_[:-1]}
    return lemmas


class EventElaborator:
    """Adds what a later sentence tells about an event the article told before."""

    def __init__(self, rules: EventRules) -> None:
        self.rules = rules

    def elaborate(self, sent: Span, ctx: ArticleContext, earlier: list[EventCandidate]) -> None:
        """A sentence with no trigger that points back at an event with a definite noun ("The round was led
        by Iconiq", "The rules were drafted by the Cyberspace Administration of China") adds its parties to
        the latest event of that type in the article; so does a sentence whose verb continues it with "also"
        ("Nvidia and Adobe also invested", "Entities from Taiwan and Iran were also added")."""
        if self._continue(sent, ctx, earlier):
            return
        for tok in sent:
            if tok.pos_ != "NOUN" or not any((c.dep_ == "det" and c.lower_ in DEFINITE)
                                             or (c.dep_ == "amod" and c.lower_ in _LIKE_BEFORE)
                                             for c in tok.children):
                continue
            for k in range(len(earlier) - 1, -1, -1):
                ref = earlier[k]
                spec = self.rules.types[ref.event_type]
                refers = tok.lemma_.lower() in spec.refers_back or tok.lower_ in spec.refers_back
                if ref.stance == "denied" or not refers:
                    continue
                scope = _party_scope(tok)
                if scope is None:
                    return
                initiator, _via, _names, _mentions = trigger_actors(tok, sent, ctx)
                if initiator is not None and initiator.start not in scope:
                    initiator = None
                anchor, agents = tok, list[MentionSpan]()
                by = _participle_agents(tok, ctx)
                if initiator is None and by is not None:
                    # "The complaint, filed by X and Y, ...", "The round, led by X, ...": who did the act
                    # the participle names; its verb says which role that is, the same for all of them.
                    anchor, agents = by
                    initiator = agents[0]
                reading = read_roles(spec, anchor, sent, initiator, partial(_mention_within, ctx, scope),
                                     whole_sentence=False,
                                     resolve=ctx.resolve_anaphor)
                if agents:
                    role = next((r for r, n, _l in reading.fillers if n == agents[0].name),
                                spec.initiator_role)
                    names = {m.name for m in agents}
                    reading = replace(reading, fillers=tuple(dict.fromkeys(
                        [(role, m.name, m.label) for m in agents]
                        + [f for f in reading.fillers if f[1] not in names])))
                if reading.fillers:
                    earlier[k] = self._with_parties(ref, spec, reading)
                return

    def _continue(self, sent: Span, ctx: ArticleContext, earlier: list[EventCandidate]) -> bool:
        """"Nvidia, Bpifrance and General Catalyst also took part", "..., as did NVentures": a verb of the
        type's ``continued_by`` with "also" adds its subjects (all of them) and arguments to the latest
        event; so does a participle of one naming whom it applied to (``_listed``)."""
        if self._listed(sent, ctx, earlier):
            return True
        verbs = [t for t in sent if t.pos_ in ("VERB", "AUX") and any(c.lower_ == "also" for c in t.children)]
        for verb in verbs:
            k = self._latest_continued_by(earlier, verb)
            if k is not None:
                ref = earlier[k]
                spec = self.rules.types[ref.event_type]
                subj, _ = subject_of(verb)
                initiator = ctx.resolve(subj)[0] if subj is not None and subj.dep_ == "nsubj" else None
                reading = read_roles(spec, verb, sent, initiator, ctx.by_token.get, whole_sentence=False,
                                     resolve=ctx.resolve_anaphor)
                if initiator is not None:
                    # Who acts alongside the subject acts as it does: its other subjects, "as did X", and
                    # "alongside existing backers X and Y" -- never the other party of the event.
                    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
                    subjects += [c for a in verb.children if a.dep_ == "advcl"
                                 for c in a.children if c.dep_ == "nsubj"]
                    subjects += [c for p in verb.children if p.dep_ == "prep" and p.lower_ in _ALONGSIDE
                                 for c in p.children if c.dep_ == "pobj"]
                    named = (ctx.by_token.get(t.i) for c in subjects for t in c.subtree)
                    listed = {(m.start, m.end): m for m in named
                              if m is not None and m.label in spec.initiator_labels}
                    role = next((r for r, n, _l in reading.fillers if n == initiator.name),
                                spec.initiator_role)
                    reading = replace(reading, fillers=tuple(dict.fromkeys(
                        [(role, m.name, m.label) for m in listed.values()])))
                if reading.fillers:
                    earlier[k] = self._with_parties(ref, spec, reading)
                return True
        return False

    def _listed(self, sent: Span, ctx: ArticleContext, earlier: list[EventCandidate]) -> bool:
        """"The listed companies are X, Y and Z", "Among those listed were X": a participle of the type's
        ``continued_by`` describing who it applied to adds the sentence's parties to the latest event."""
        # After a paragraph break the tagger may read "listed" as an adjective (JJ): still a participle.
        participles = [t for t in sent if t.dep_ in ("amod", "acl")
                       and (t.tag_ == "VBN" or (t.tag_ == "JJ" and t.lower_.endswith("ed")))]
        for part in participles:
            k = self._latest_continued_by(earlier, part)
            if k is not None:
                ref = earlier[k]
                spec = self.rules.types[ref.event_type]
                reading = read_roles(spec, part, sent, None, ctx.by_token.get, resolve=ctx.resolve_anaphor)
                if reading.fillers:
                    # The sentence exists to name them: they are whom the event applied to, not bystanders.
                    earlier[k] = self._with_parties(ref, spec, replace(reading, scanned=frozenset()))
                return True
        return False

    def _latest_continued_by(self, earlier: list[EventCandidate], verb: Token) -> int | None:
        """The index of the article's latest claim or report whose type ``verb`` continues, if any."""
        for k in range(len(earlier) - 1, -1, -1):
            ref = earlier[k]
            continued_by = self.rules.types[ref.event_type].continued_by
            if ref.stance != "denied" and _verb_lemmas(verb) & continued_by:
                return k
        return None

    @staticmethod
    def _with_parties(ref: EventCandidate, spec: EventTypeSpec, reading: RoleReading) -> EventCandidate:
        fillers = tuple(dict.fromkeys(ref.roles.fillers + reading.fillers))
        roles = RoleReading(fillers, ref.roles.initiator or reading.initiator,
                            ref.roles.scanned | reading.scanned)
        return replace(ref, roles=roles, actors=roles.parties(spec.object_roles),
                       targets=roles.targets(spec.target_role))

    def continued_as_earlier(
        self, cand: EventCandidate, anchor: Token, earlier: list[EventCandidate],
    ) -> tuple[EventCandidate, Token]:
        """A trigger acting on a definite noun that points back at an earlier event of a type that outranks
        its own ("the bureau tightened the rules" after an export control) continues that event: it takes
        its type, the initiator keeping the first role and the other parties the target role."""
        spec = self.rules.types[cand.event_type]
        for outranking in (self.rules.types[c.event_type] for c in reversed(earlier)):
            if outranking.name not in spec.suppressed_by:
                continue
            nouns = [anchor, *(c for c in anchor.children if c.dep_ in ("dobj", "nsubjpass"))]
            if not any(n.lower_ in outranking.refers_back
                       and any(d.dep_ == "det" and d.lower_ in DEFINITE for d in n.children) for n in nouns):
                continue
            first = spec.initiator_role
            fillers = tuple((outranking.initiator_role if r == first else outranking.target_role, n, label)
                            for r, n, label in cand.roles.fillers if label in ACTOR_LABELS)
            roles = RoleReading(fillers, cand.roles.initiator, cand.roles.scanned)
            return replace(cand, event_type=outranking.name, roles=roles,
                           targets=roles.holders(outranking.target_role)), anchor
        return cand, anchor
