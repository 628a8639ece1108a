"""Denials: a party saying it did not do what an earlier (or later) claim says it did.

A trigger under a denial verb ("X denied violating the rules") becomes a denied record; a denial with no
trigger of its own ("X rejected the accusations", "his client had done nothing wrong", "pleaded not guilty")
denies the latest alleged event the denier is a party to, or, when the claim is told after it, the first later
one (``settle_pending``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from spacy.tokens import Span, Token

from extractors.taxonomy import EventRules, TriggerPattern

from .article_context import (
    ACTOR_LABELS,
    ArticleContext,
    EventCandidate,
    date_of,
    sentence_mentions,
)
from .entities import MentionSpan, is_government
from .role_reading import denial_reading
from .syntax import ancestors_in_sentence, clause_verb, is_negated, subject_of

_SPOKES_NOUNS = {"spokesperson", "spokesman", "spokeswoman"}


def _pleads_not_guilty(plead: Token) -> bool:
    """"pleaded not guilty", "will plead not guilty to all counts"."""
    doc = plead.doc
    return plead.i + 2 < len(doc) and doc[plead.i + 1].lower_ == "not" and doc[plead.i + 2].lower_ == "guilty"


def _party_names(denier: MentionSpan, org: MentionSpan | None) -> set[str]:
    """Who a denial speaks for: the denier, and the organisation a named spokesperson speaks for."""
    return {denier.name} | ({org.name} if org is not None else set())


class DenialReader:
    """Reads the denials of one article, holding those told before the claim they answer until its end."""

    def __init__(self, rules: EventRules) -> None:
        self.rules = rules
        self._pending: list[tuple[MentionSpan, Token, Span, MentionSpan | None]] = []

    def apply(
        self, sent: Span, ctx: ArticleContext, found: list[tuple[EventCandidate, Token]],
        earlier: list[EventCandidate],
    ) -> list[EventCandidate]:
        """Turn triggers under a denial verb into denied records; 'X rejected the accusations' denies
        the latest alleged event whose actors include X."""
        rules = self.rules
        results = [c for c, _ in found]
        for tok in sent:
            is_verb = tok.lemma_.lower() in rules.cue("denial_verbs") and tok.pos_ == "VERB"
            is_adj = tok.lower_ in rules.cue("denial_adjectives")
            indirect, for_client = self._indirect_denial(tok, ctx)
            if indirect is not None:
                results += self._deny_latest(indirect, tok, sent, ctx, earlier + results, any_party=True,
                                             trusted=for_client)
                continue
            if not (is_verb or is_adj):
                continue
            head = tok if is_verb else clause_verb(tok)
            if not is_verb:
                # "X said the claims were groundless": the reporting verb above carries the denier.
                reporting = rules.cue("reporting_verbs")
                head = next((h for _c, h in ancestors_in_sentence(tok) if h.lemma_.lower() in reporting),
                            head)
            subj, _ = subject_of(head)
            denier, _ = ctx.resolve(subj) if subj is not None else (None, False)
            if denier is None and subj is not None and subj.lemma_.lower() == "client":
                denier = self._client(head, ctx)  # "A lawyer for Chen said his client denied the charges"
            if denier is None and subj is not None and subj.lemma_.lower() in _SPOKES_NOUNS:
                denier = ctx.last_org  # "a spokesperson said": the organisation the passage is about
            if denier is None or denier.label not in ACTOR_LABELS:
                continue
            # An official act (a filed suit, an export rule) is a fact its target may contest, never deny.
            # Only what the denial is about: "X, whose model was released in March, rejected the findings"
            # does not deny the release told in a clause about its subject.
            about_subject = {t.i for t in subj.subtree} if subj is not None else set()
            covered = [i for i, (c, a) in enumerate(found)
                       if any(h == tok for _c, h in ancestors_in_sentence(a))
                       and a.i not in about_subject and rules.types[c.event_type].deniable]
            for i in covered:
                c, anchor = found[i]
                results[i] = self._denied(c, denier, ctx.affiliation(denier, sent.doc), sent, ctx)
                # "X rejected Y's accusation that it ...": the sentence also reports Y's allegation.
                path = [h for _c, h in ancestors_in_sentence(anchor)]
                upto = path[: next((k for k, h in enumerate(path) if h == tok), len(path))]
                if any(h.lemma_.lower() in rules.cue("denial_objects") for h in upto):
                    results.append(replace(c, stance="alleged"))
            if covered:
                continue
            objects = {t.lemma_.lower() for t in sent}
            # "Vellum disputed that.": a demonstrative object points back at what was just reported.
            points_back = is_verb and any(c.dep_ == "dobj" and c.lower_ in ("that", "this", "it")
                                          and c.i == tok.i + 1 for c in tok.children)
            # "Zhenhe Robotics denied that it had ever received any files": the clause says what it denies.
            denies_clause = is_verb and any(c.dep_ == "ccomp" for c in tok.children)
            if not objects & rules.cue("denial_objects") and not points_back and not denies_clause:
                continue
            denied = self._deny_latest(denier, tok, sent, ctx, earlier + results, any_party=is_verb)
            if not denied:
                # "X rejected the accusation of Y, which says ...": the claim may be told after the denial.
                self._pending.append((denier, tok, sent, ctx.affiliation(denier, sent.doc)))
            results += denied
        return results

    def negated_claims(
        self, sent: Span, matches: Sequence[tuple[TriggerPattern, Span]], ctx: ArticleContext,
        earlier: list[EventCandidate],
    ) -> list[EventCandidate]:
        """"The company said it had not used OpenAI's models to train Kimi K3", "we have never used any other
        company's outputs": the accused saying it did not do what it is accused of denies that claim. Only
        a party to an earlier alleged event of the same type denies it this way."""
        for pattern, span in matches:
            anchor = span.root
            if not self.rules.types[pattern.event_type].deniable or not is_negated(anchor):
                continue
            subj, _ = subject_of(clause_verb(anchor))
            if subj is not None and subj.lower_ in ("we", "i"):
                denier = self._speaker(sent, ctx)  # '"We did not use their outputs," Moonshot said'
            else:
                denier, _ = ctx.resolve(subj) if subj is not None else (None, False)
            if denier is None or denier.label not in ACTOR_LABELS:
                continue
            org = ctx.affiliation(denier, sent.doc)
            party = _party_names(denier, org)
            claim = next((c for c in reversed(earlier) if c.event_type == pattern.event_type
                          and c.stance == "alleged" and party & set(c.named)), None)
            if claim is None:
                continue
            return [self._denial_in(claim, denier, org, sent, ctx, anchor, span.text)]
        return []

    def _speaker(self, sent: Span, ctx: ArticleContext) -> MentionSpan | None:
        """Who a sentence quotes: the named subject of its verb of saying ("..., Moonshot said")."""
        for verb in (t for t in sent if t.lemma_.lower() in self.rules.cue("reporting_verbs")):
            subj, _ = subject_of(verb)
            if subj is not None and subj.lower_ not in ("we", "i"):
                found, _ = ctx.resolve(subj)
                if found is not None:
                    return found
        return None

    def settle_pending(self, out: list[EventCandidate], ctx: ArticleContext) -> list[EventCandidate]:
        """Denials told before the claim they answer: each denies the first later alleged event of the
        article that names the denier (or its organisation) as a party."""
        added: list[EventCandidate] = []
        for denier, tok, sent, org in self._pending:
            party = _party_names(denier, org)
            ref = next((c for c in out if c.stance == "alleged" and c.start > sent.start_char
                        and self.rules.types[c.event_type].deniable
                        and party & set(c.named)), None)
            if ref is None or any(c.stance == "denied" and c.event_type == ref.event_type
                                  for c in out + added):
                continue
            added.append(self._denial_in(ref, denier, org, sent, ctx, tok, tok.text))
        self._pending = []
        return out + added

    def _deny_latest(
        self, denier: MentionSpan, tok: Token, sent: Span, ctx: ArticleContext,
        earlier: list[EventCandidate], any_party: bool, trusted: bool = False,
    ) -> list[EventCandidate]:
        """A denied record for the latest alleged event the denier is a party to.

        ``any_party``: "X rejected the report" also denies the latest earlier event of any stance when X is
        one of its actors (a party answering a reported claim)."""
        earlier = [c for c in earlier if self.rules.types[c.event_type].deniable]
        alleged = [c for c in reversed(earlier) if c.stance == "alleged"]
        org = ctx.affiliation(denier, sent.doc)
        party = _party_names(denier, org)
        # "rejected OpenAI's accusation": the claim OpenAI made, if the article told it, whatever came after;
        # else the latest claim the denier is a party to (a later claim about others does not hide it).
        owners = {m.name for m in self._claim_owners(sent, ctx)}
        made = next((c for c in alleged if owners
                     & set(c.roles.holders(self.rules.types[c.event_type].initiator_role))), None)
        ref = made or next((c for c in alleged if party & set(c.named)), None) or next(iter(alleged), None)
        # "The Chinese Embassy rejected the accusations": a state body answers for its accused country.
        # Whichever side the country is on: the accused of a claim, the perpetrator named by a victim; of
        # the article's claims, the latest one against a country.
        state_body = any(is_government(m) for m in (denier, org) if m is not None)
        if state_body and ref is not None and not party & set(ref.named) and not self._against_a_state(ref):
            ref = next((c for c in alleged if self._against_a_state(c)), ref)
        for_state = ref is not None and state_body and self._against_a_state(ref)
        # "Yunque Tech rejected the accusation": a company answering the article's one claim, told with
        # "the start-up" or "it" for the accused, is its accused (a commentator would be a person).
        # (Only when the denial's sentence names nobody else: "after OpenAI's accusation against Moonshot,
        # which Moonshot has denied" answers a claim of its own sentence.)
        # (Naming who made the claim is no one else: "denied receiving any files from Haemir".)
        makers = set(ref.roles.holders(self.rules.types[ref.event_type].initiator_role)) if ref else set()
        others = {m.name for m in sentence_mentions(sent, ctx) if m.label in ACTOR_LABELS} - party - makers
        sole = ref is not None and len(alleged) == 1 and not others and any(
            m is not None and m.label == "ORG" for m in (denier, org)) and not party & makers
        if (ref is not None and ref.named and not party & set(ref.named) and not trusted and not for_state
                and not sole):
            ref = None  # an uninvolved commentator's rebuttal is not a denial
        if ref is None and any_party:
            # (not an event told in the denial's own sentence: "Sunwave, which released Tidal-R1 in
            # September, disputed the findings" does not deny the release)
            ref = next((c for c in reversed(earlier) if c.stance != "denied" and party & set(c.named)
                        and c.start != sent.start_char), None)
        if ref is None:
            return []
        return [self._denial_in(ref, denier, org, sent, ctx, tok, tok.text)]

    def _against_a_state(self, claim: EventCandidate) -> bool:
        """A country holds a role of ``claim`` other than its first (the accused, the perpetrator)."""
        first = self.rules.types[claim.event_type].initiator_role
        return any(label == "GPE" for r, _n, label in claim.roles.fillers if r != first)

    def _denial_in(self, claim: EventCandidate, denier: MentionSpan, org: MentionSpan | None, sent: Span,
                   ctx: ArticleContext, tok: Token, trigger: str) -> EventCandidate:
        """The denial of ``claim`` told in ``sent`` (its evidence, trigger and date), not in the claim's."""
        date_phrase, future = date_of(tok, sent)
        return replace(self._denied(claim, denier, org, sent, ctx), sentence=sent.text, start=sent.start_char,
                       end=sent.end_char, trigger=trigger, verdict=False, date_phrase=date_phrase,
                       future=future)

    def _denied(self, claim: EventCandidate, denier: MentionSpan, org: MentionSpan | None, sent: Span,
                ctx: ArticleContext) -> EventCandidate:
        """The denial of ``claim`` by ``denier`` (and the organisation a named spokesperson speaks for); the
        claim's makers named in the denial's sentence ("rejected OpenAI's accusation") are whom it answers."""
        spec = self.rules.types[claim.event_type]
        named = {m.name for m in sentence_mentions(sent, ctx)}
        answers = tuple((n, label) for r, n, label in claim.roles.fillers
                        if r == spec.initiator_role and n in named)
        answers += tuple((m.name, m.label) for m in self._claim_owners(sent, ctx) if m.name != denier.name)
        reading = denial_reading(claim.roles, spec, self.rules.denial_roles, denier, org, answers)
        return replace(claim, stance="denied", roles=reading, actors=reading.parties(frozenset()),
                       targets=reading.targets(self.rules.denial_roles[-1]))

    def _claim_owners(self, sent: Span, ctx: ArticleContext) -> list[MentionSpan]:
        """Who made the claim a sentence rejects, when it says so: "OpenAI's accusation", "the claims by
        Anthropic", "the accusation of Saltmarsh Systems"."""
        owners = []
        for tok in sent:
            if tok.lemma_.lower() not in self.rules.cue("denial_objects"):
                continue
            for c in tok.children:
                if c.dep_ == "poss":
                    owners.append(ctx.by_token.get(c.i))
                elif c.dep_ == "prep" and c.lower_ in ("by", "from", "of"):
                    owners += [ctx.by_token.get(g.i) for g in c.children if g.dep_ == "pobj"]
        return [m for m in dict.fromkeys(owners) if m is not None and m.label in ACTOR_LABELS]

    def _client(self, verb: Token, ctx: ArticleContext) -> MentionSpan | None:
        """Whom "my/his client" stands for under ``verb``: the lawyer who says so, when named ("..., his
        client had done nothing wrong, said Dana Ruiz"), else whom the lawyer acts for ("A lawyer for
        Chen said ...")."""
        reporting = self.rules.cue("reporting_verbs")
        speaker = next((h for _c, h in ancestors_in_sentence(verb) if h.lemma_.lower() in reporting), None)
        ssubj = subject_of(speaker)[0] if speaker is not None else None
        if ssubj is None:
            return None
        m, _ = ctx.resolve(ssubj)
        if m is not None:
            return m if m.label == "PERSON" else None
        for_whom = (ctx.by_token.get(g.i) for c in ssubj.children
                    if c.dep_ == "prep" and c.lower_ in ("for", "of")
                    for g in c.children if g.dep_ == "pobj")
        return next((w for w in for_whom if w is not None and w.label in ("ORG", "PERSON")), None)

    def _indirect_denial(self, tok: Token, ctx: ArticleContext) -> tuple[MentionSpan | None, bool]:
        """'(her client / the company) had done nothing wrong': the accused party, or None.

        The speaker counts when a lawyer speaks for "my/her client" (then True: the lawyer speaks for the
        accused, whoever the actors are); otherwise the subject of the clause."""
        none = (None, False)
        if tok.lemma_.lower() == "evidence" and any(c.lower_ == "no" for c in tok.children) \
                and tok.head.lemma_.lower() in ("find", "see", "uncover", "detect") \
                and not any(w.lemma_.lower() in self.rules.cue("admission_verbs") for w in tok.sent):
            # "X said it had found no evidence of a breach": the party concerned denies it; so does X saying
            # that "an internal review had found no evidence ..." (its review speaks for it).
            subj, _ = subject_of(tok.head)
            found, _ = ctx.resolve(subj) if subj is not None else (None, False)
            if found is None and subj is not None and subj.pos_ == "NOUN":
                found = self._speaker(tok.sent, ctx)
            return (found, False) if found is not None and found.label in ("ORG", "PERSON") else none
        if tok.lemma_.lower() == "plead" and _pleads_not_guilty(tok):
            # "Halloran has pleaded not guilty", "his client would plead not guilty": the accused denies it.
            subj, _ = subject_of(tok)
            if subj is not None and subj.lemma_.lower() == "client":
                client = self._client(tok, ctx)
                return (client, True) if client is not None else none
            found, _ = ctx.resolve(subj) if subj is not None else (None, False)
            return (found, False) if found is not None and found.label in ("ORG", "PERSON") else none
        if tok.lower_ != "nothing" or tok.i + 1 >= len(tok.doc):
            return none
        if tok.doc[tok.i + 1].lower_ not in self.rules.cue("indirect_denial_words"):
            return none
        verb = clause_verb(tok)
        if any(c.dep_ == "neg" for c in verb.children):
            return none
        subj, _ = subject_of(verb)
        if subj is None:
            return none
        if subj.lemma_.lower() == "client":
            client = self._client(verb, ctx)
            return (client, True) if client is not None else none
        accused, _ = ctx.resolve(subj)
        if accused is not None and accused.label in ("ORG", "PERSON"):
            return accused, False
        return none
