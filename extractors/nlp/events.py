"""Typed event candidates from one parsed article: trigger patterns + dependency parse + argument rules.

Per sentence: the Matcher finds triggers; each is dropped when hedged (plan, prediction, question,
negation, condition) or when its type's argument rules fail; actors come from the parse (subject/agent first,
then the other named parties); stance comes from governing cue words; denials become separate records.
Candidates are merged into ``Event`` records later (``annotate``), where dates get resolved.

The matcher owns triggers, candidates, argument checks and suppression; it hands each sentence to
``denials.DenialReader`` and ``elaboration.EventElaborator``, which share ``article_context.ArticleContext``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Set
from dataclasses import replace

from spacy.matcher import DependencyMatcher, Matcher
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from extractors.taxonomy import EventRules, EventTypeSpec, TriggerPattern

from .article_context import (
    ACTOR_LABELS,
    DEFINITE,
    MAX_ACTORS,
    ArticleContext,
    EventCandidate,
    date_of,
    is_dateline,
    qualifies,
    sentence_mentions,
    trigger_actors,
)
from .cue_words import GOVERNMENT_NOUNS, MODEL_NOUNS
from .denials import DenialReader
from .elaboration import EventElaborator
from .entities import MentionSpan, described_as_government, is_government
from .no_parties import reports_the_event
from .role_reading import RoleReading
from .roles import read_roles
from .syntax import (
    ancestors_in_sentence,
    argument_tokens,
    attributed_doer,
    clause_verb,
    governed_by_blocked_prep,
    governed_by_lemma,
    is_attribute,
    is_generic_plural,
    is_hedged,
    stance_from_cues,
    standing_rule_subject,
    states_standing_fact,
    subject_of,
    unnamed_doer,
)

__all__ = ["EventCandidate", "EventMatcher"]

# Nouns for people whose trade a trigger word may describe ("an export-control lawyer").
_PERSON_ROLE_NOUNS = {
    "lawyer", "attorney", "analyst", "researcher", "expert", "specialist", "consultant", "adviser", "advisor",
    "scholar", "professor", "economist", "official", "officer", "counsel", "partner", "veteran", "watcher",
}
# Nouns a trigger word may describe without being an act: a topic of talk, a kind of body.
_DESCRIBED_NOUNS = _PERSON_ROLE_NOUNS | {
    "debate", "discussion", "question", "issue", "agency", "hawk", "concern", "risk", "exposure",
    # "the open-source strategy", "the open-source community": a stance or a crowd, no release
    "strategy", "approach", "community", "movement", "ecosystem", "advocate", "philosophy", "camp"}
_QUOTE_MARKS = ('"', "\u201c", "\u201d")
# Titles before a person's name that make the person act for a government ("Texas Governor Greg Abbott").
_GOV_TITLES = {
    "governor", "president", "senator", "minister", "secretary", "mayor", "premier", "chancellor",
    "commissioner", "representative", "rep.", "sen.", "gov.", "attorney", "prosecutor",
}


def _acts_for_government(m: MentionSpan, doc: Doc) -> bool:
    """is_government, plus a person introduced by a government title ("Texas Governor Greg Abbott")."""
    if is_government(m) or (m.label == "ORG" and described_as_government(m, doc)):
        return True
    if m.label != "PERSON":
        return False
    # the first mention of this person in the text carries the title
    first = next((t.i for t in doc if t.text == m.name.split()[0]), m.start)
    return any(t.lower_ in _GOV_TITLES for t in doc[max(0, first - 2):first])


def _first_half_of_hyphenated(tok: Token) -> bool:
    """"fine-tuned", "ban-proof": the token opens a hyphenated modifier whose second half is a participle or
    adjective, so it is no noun or verb of its own."""
    doc = tok.doc
    if tok.whitespace_ or tok.i + 2 >= len(doc) or doc[tok.i + 1].text != "-" or doc[tok.i + 1].whitespace_:
        return False
    return doc[tok.i + 2].tag_ in ("VBN", "VBD", "VBG", "JJ")


# Words right before a participle that make it a verb ("..., which open-sourced X", "it has released").
_BEFORE_A_VERB = frozenset({"which", "who", "that", "it", "they", "has", "have", "had", "also"})


# Verbs of telling besides the reporting verbs: what a party confirms or discloses that another did.
_TELLING_VERBS = frozenset({"confirm", "disclose", "announce", "report", "reveal"})


def _verb_by_position(span: Span, ctx: ArticleContext) -> bool:
    """"Zhipu AI open-sourced GLM-5 Air": the small parser reads the participle as an adjective of the
    name after it, but a company's name (or "which", "has") right before it makes it the verb."""
    if span.start == 0:
        return False
    before = span.doc[span.start - 1]
    named = ctx.by_token.get(before.i)
    if before.lower_ in _BEFORE_A_VERB or (named is not None and named.label == "ORG"
                                           and named.end == span.start):
        return True
    # "The four-year-old lab open-sourced Yunhe-Lan 3 72B", "Pavonine open-sourced Pavo 2": a noun the
    # passage points back with, or a name the NER passed over, before it and a model's name after it.
    after = ctx.by_token.get(span.end) if span.end < len(span.doc) else None
    doer = ctx.is_anaphor(before) or (named is None and before.pos_ == "PROPN" and before.text[:1].isupper())
    return doer and after is not None and after.label == "MODEL" and after.start == span.end


def _local_currency_amount(sent: Span, currencies: frozenset[str]) -> bool:
    """"1,800 won", "1.20 ringgit": an amount in a currency the small NER model does not tag as MONEY."""
    return any(t.like_num and t.i + 1 < sent.end and t.doc[t.i + 1].lower_ in currencies for t in sent)


def _has_phrase(text: str, phrases: tuple[str, ...]) -> bool:
    words = " " + " ".join(re.findall(r"\w+", text.lower())) + " "
    return any(f" {p} " in words for p in phrases)


class EventMatcher:
    """Finds event candidates in a parsed Doc given its canonical mentions."""

    def __init__(self, vocab: Vocab, rules: EventRules) -> None:
        self.rules = rules
        self.elaborator = EventElaborator(rules)
        self.matcher = Matcher(vocab)
        self.parse_matcher = DependencyMatcher(vocab)
        self.patterns: dict[str, TriggerPattern] = {}
        for p in rules.patterns:
            if p.on_parse:
                self.parse_matcher.add(p.pattern_id, [list(p.pattern)])
            else:
                self.matcher.add(p.pattern_id, [list(p.pattern)])
            self.patterns[p.pattern_id] = p

    def _triggers(self, doc: Doc) -> Iterator[tuple[TriggerPattern, Span]]:
        for match_id, start, end in self.matcher(doc):
            yield self.patterns[doc.vocab.strings[match_id]], doc[start:end]
        if len(self.parse_matcher):
            for match_id, token_ids in self.parse_matcher(doc):
                first = token_ids[0]  # the pattern's anchor node: the trigger word
                yield self.patterns[doc.vocab.strings[match_id]], doc[first:first + 1]

    def __call__(self, doc: Doc, mentions: list[MentionSpan]) -> list[EventCandidate]:
        ctx = ArticleContext(mentions, self.rules)
        denials = DenialReader(self.rules)  # holds the denials told before their claim
        by_sentence: dict[int, list[tuple[TriggerPattern, Span]]] = {}
        for pattern, span in self._triggers(doc):
            by_sentence.setdefault(span.sent.start, []).append((pattern, span))
        out: list[EventCandidate] = []
        for sent in doc.sents:
            matches = by_sentence.get(sent.start, ())
            triggers = [(p, s) for p, s in matches if not p.denial_only]
            ctx.triggers_here = frozenset(s.root.i for _p, s in triggers)
            candidates = [c for c in (self._candidate(p, s, sent, ctx) for p, s in triggers) if c]
            candidates = self._suppress_and_dedupe(candidates, {p.event_type for p, _s in triggers})
            candidates = [self.elaborator.continued_as_earlier(c, a, out) for c, a in candidates]
            found = denials.apply(sent, ctx, candidates, out)
            if not found:
                found = denials.negated_claims(sent, matches, ctx, out)
            if not found:
                self.elaborator.elaborate(sent, ctx, out)
            out.extend(found)
            ctx.launched += [n for c in found if c.event_type == "model_launch" for n in c.targets
                             if n not in ctx.launched]
            ctx.update_subject(sent)
        return denials.settle_pending(out, ctx)

    def _candidate(
        self, pattern: TriggerPattern, span: Span, sent: Span, ctx: ArticleContext
    ) -> tuple[EventCandidate, Token] | None:
        spec = self.rules.types[pattern.event_type]
        anchor = span.root
        if (is_hedged(anchor, sent, self.rules, inquiry_is_claim=spec.prefer_alleged)
                or governed_by_blocked_prep(anchor, spec.blocked_preps)):
            return None
        if spec.blocked_phrases and _has_phrase(sent.text, spec.blocked_phrases):
            return None
        if spec.blocked_lemmas and any(t.lemma_.lower() in spec.blocked_lemmas for t in sent):
            return None
        if spec.block_attributes and is_attribute(anchor):
            return None
        if spec.generic_plural_is_background and is_generic_plural(anchor):
            return None
        if (spec.standing_verbs and states_standing_fact(anchor, spec.standing_verbs, self.rules)
                and not self._prices_new_model(anchor, ctx)):
            return None
        if anchor.pos_ == "VERB" and any(c.dep_ == "dobj" and c.lemma_.lower() in spec.blocked_objects
                                         for c in anchor.children):
            return None  # "announced a partnership", "released a stream of models": not a model's release
        if (governed_by_lemma(anchor, spec.background_governors)
                or standing_rule_subject(anchor, spec.blocked_subjects)):
            return None
        if self._in_commentator_quote(anchor, sent, ctx):
            return None
        if anchor.dep_ in ("compound", "amod", "nmod") and anchor.head.lemma_.lower() in _DESCRIBED_NOUNS:
            # "an export-control lawyer", "a distillation researcher", "export-control debates": the trigger
            # describes a person or a topic, no act.
            return None
        if _first_half_of_hyphenated(anchor) and span.end <= anchor.i + 1:
            return None  # "fine-tuned derivatives", "audit-ready": half of another word (unless the
            # pattern spans the whole word: "co-developing")
        if spec.block_adjective_triggers and not _verb_by_position(span, ctx) and (
            anchor.dep_ == "amod"
            or (anchor.dep_ == "compound" and anchor.head.lemma_.lower() in spec.object_nouns)
        ):
            return None  # "open-source models", "released models": an attribute
        initiator, via_anaphor, names, actor_mentions = trigger_actors(anchor, sent, ctx)
        if initiator is not None and reports_the_event(sent.doc[initiator.end - 1], anchor):
            # "404 Media first reported the exposure": the outlet is no party to it
            names = [n for n in names if n != initiator.name]
            actor_mentions = [m for m in actor_mentions if m.name != initiator.name]
            initiator = None
        if initiator is None and anchor.i != span.start and span[0].tag_ in ("VBD", "VBZ", "VBN"):
            # "Anthropic barred companies controlled from ...": the parser hangs the verb on its object,
            # and the name right before the verb is who acts.
            named = ctx.by_token.get(span.start - 1) if span.start > 0 else None
            if named is not None and named.end == span.start and named.label in spec.initiator_labels:
                initiator = named
        first = initiator or next((m for m in actor_mentions if not is_dateline(m, sent)), None)
        if spec.reroute_if_government and first is not None and _acts_for_government(first, sent.doc):
            spec = self.rules.types[spec.reroute_if_government]
        if not self._arguments_ok(spec, pattern, span, sent, ctx, initiator, names, actor_mentions):
            return None
        reading = read_roles(spec, anchor, sent, initiator, ctx.by_token.get, resolve=ctx.resolve_anaphor,
                             other_triggers=ctx.triggers_here - {anchor.i})
        if spec.fixed_stance:
            stance, verdict = spec.default_stance, False
        else:
            cue, verdict = stance_from_cues(anchor, self.rules)
            if cue is None and spec.attribution_is_alleged and (
                    attributed_doer(anchor, self.rules) or self._told_against_another(anchor, ctx)):
                cue = "alleged"
            stance = cue or spec.default_stance
        confidence = pattern.strength + (0.1 if initiator is not None and not via_anaphor else 0.0)
        confidence += 0.05 if len(names) >= 2 else 0.0
        confidence -= 0.1 if via_anaphor else 0.0
        confidence -= 0.1 if any(t.lower_ in self.rules.cue("hedge_words") for t in sent) else 0.0
        date_phrase, future = date_of(anchor, sent)
        product = next((r for r in spec.roles if r in spec.object_roles), None)
        if (spec.standing_verbs and product is not None and not reading.holders(product)
                and self._prices_new_model(anchor, ctx)):
            # "It costs $4 per million input tokens", right after the release: "it" is the model released
            reading = replace(reading, fillers=(*reading.fillers, (product, ctx.launched[-1], "MODEL")))
        cand = EventCandidate(
            event_type=spec.name, stance=stance, actors=reading.parties(spec.object_roles), roles=reading,
            named=tuple(names), targets=reading.targets(spec.target_role),
            sentence=sent.text,
            start=sent.start_char, end=sent.end_char, confidence=round(min(0.99, max(0.05, confidence)), 3),
            trigger=span.text, date_phrase=date_phrase, future=future, verdict=verdict,
        )
        return cand, anchor

    def _told_against_another(self, anchor: Token, ctx: ArticleContext) -> bool:
        """"Derinsu said its former engineer stole the weights and sold them to Karavan", "X said Y hacked
        its servers": what a party says another did (the doer, or whom it was done for, named and not the
        teller) is that party's claim. ("X said hackers stole its code" names no doer: X confirming its own
        loss is a fact.)"""
        if anchor.pos_ != "VERB":
            return False
        telling = self.rules.cue("reporting_verbs") | _TELLING_VERBS
        verb = next((h for _c, h in ancestors_in_sentence(anchor) if h.lemma_.lower() in telling), None)
        subj = subject_of(verb)[0] if verb is not None else None
        teller = ctx.resolve(subj)[0] if subj is not None else None
        if subj is None or teller is None:
            return False
        doer = subject_of(anchor)[0]
        named = [ctx.resolve(doer)[0]] if doer is not None and doer.i != subj.i else []
        for act in (anchor, *anchor.conjuncts):
            named += [ctx.by_token.get(g.i) for c in act.children if c.dep_ == "prep"
                      and c.lower_ in ("to", "for") for g in c.children if g.dep_ == "pobj"]
        return any(m is not None and m.label in ACTOR_LABELS and m.name != teller.name for m in named)

    def _prices_new_model(self, anchor: Token, ctx: ArticleContext) -> bool:
        """"Through the API, the model costs $0.50 ...", after the article told the model's release: the
        price of what was just launched is news, though told in the present tense."""
        if not ctx.launched:
            return False
        subj, _ = subject_of(clause_verb(anchor))
        if subj is None:
            return False
        named = ctx.by_token.get(subj.i)
        if named is not None:
            return named.label == "MODEL" and named.name in ctx.launched
        definite = any(c.dep_ == "det" and c.lower_ in DEFINITE for c in subj.children)
        return subj.lower_ == "it" or (definite and subj.lemma_.lower() in MODEL_NOUNS)

    def _in_commentator_quote(self, anchor: Token, sent: Span, ctx: ArticleContext) -> bool:
        """'"This is the first time Congress has put distillation beside export controls," said Rebecca Ahn,
        a trade lawyer': words quoted from an outside commentator (lawyer, analyst, professor...) are a view
        on the news, not news; the events they mention are told elsewhere or not at all."""
        before = sent.doc[sent.start:anchor.i].text
        if sum(before.count(q) for q in _QUOTE_MARKS) % 2 == 0:
            return False  # not inside a quotation opened in this sentence
        titles = self.rules.cue("commentator_titles")
        for verb in (t for t in sent if t.lemma_.lower() in self.rules.cue("reporting_verbs")):
            subj, _ = subject_of(verb)
            speaker = ctx.by_token.get(subj.i) if subj is not None else None
            if speaker is None or speaker.label != "PERSON":
                continue
            described = {w.lower_ for t in sent.doc[speaker.start:speaker.end] for a in t.children
                         if a.dep_ == "appos" for w in a.subtree}
            described |= {t.lower_ for t in sent.doc[max(sent.start, speaker.start - 3):speaker.start]}
            if described & titles:
                return True
        return False

    def _arguments_ok(
        self, spec: EventTypeSpec, pattern: TriggerPattern, span: Span, sent: Span,
        ctx: ArticleContext, initiator: MentionSpan | None, names: list[str], actors: list[MentionSpan],
    ) -> bool:
        anchor = span.root
        req = spec.requires
        has_model = any(m.label == "MODEL" for m in sentence_mentions(sent, ctx))
        if not names and not (spec.allow_without_actor and has_model):
            return False
        if "initiator" in req and initiator is None:
            return False
        if pattern.object_labels or pattern.object_nouns:
            args = argument_tokens(anchor)
            if not any(
                (t.i in ctx.by_token and ctx.by_token[t.i].label in pattern.object_labels)
                or t.lemma_.lower() in pattern.object_nouns
                for t in args
            ):
                return False
        if "org_or_person_actor" in req and not any(m.label in ("ORG", "PERSON") for m in actors):
            return False
        if "government_actor" in req:
            if initiator is not None and (not _acts_for_government(initiator, sent.doc)
                                          or initiator.kind in spec.excluded_initiator_kinds):
                return False
            # "Seoul-based Lumora AI", a dateline: a place that only locates someone is no state acting.
            if initiator is None and not any(is_government(m) for m in actors
                                             if not qualifies(m, sent.doc) and not is_dateline(m, sent)):
                return False
            doer = unnamed_doer(anchor, self.rules.cue("own_review_modifiers")) if initiator is None else None
            if doer is not None and doer.lemma_.lower() not in GOVERNMENT_NOUNS and not any(
                    _acts_for_government(m, sent.doc) for m in ctx.resolve_anaphor(doer)):
                return False  # "Several US labs bar customers ...", "an internal audit": no state acts
        if "two_orgs" in req and len({m.name for m in actors if m.label == "ORG"}) < 2:
            return False
        # Strictly entities: "free"/"half the price" count only through their own standalone patterns.
        if (
            "money_or_percent" in req
            and not pattern.standalone
            and not any(e.label_ in ("MONEY", "PERCENT") for e in sent.ents)
            and not _local_currency_amount(sent, self.rules.cue("currency_words"))
        ):
            return False
        if "model_object" in req:
            # the trigger's arguments, or the words a pattern spans ("made Gemini 3.5 Flash generally
            # available": the model sits inside the matched phrase, the parser hangs it on "available")
            args = argument_tokens(anchor) + list(span)
            if not any(t.i in ctx.by_token and ctx.by_token[t.i].label == "MODEL" for t in args) and not any(
                t.lemma_.lower() in spec.object_nouns for t in args
            ):
                return False
        return True

    def _suppress_and_dedupe(
        self, found: list[tuple[EventCandidate, Token]], triggered: Set[str] = frozenset()
    ) -> list[tuple[EventCandidate, Token]]:
        types_here = {c.event_type for c, _ in found}
        best: dict[tuple[str, str], tuple[EventCandidate, Token]] = {}
        for cand, anchor in found:
            spec = self.rules.types[cand.event_type]
            if spec.suppressed_by & types_here or spec.suppressed_by_trigger & set(triggered):
                continue
            key = (cand.event_type, cand.stance)
            if key not in best:
                best[key] = (cand, anchor)
                continue
            kept, kept_anchor = best[key]
            (winner, w_anchor), loser = (
                ((cand, anchor), kept) if cand.confidence > kept.confidence else ((kept, kept_anchor), cand)
            )
            union = tuple(dict.fromkeys(winner.actors + loser.actors))[:MAX_ACTORS]
            roles = RoleReading(tuple(dict.fromkeys(winner.roles.fillers + loser.roles.fillers)),
                                winner.roles.initiator or loser.roles.initiator,
                                winner.roles.scanned | loser.roles.scanned)
            targets = tuple(dict.fromkeys(winner.targets + loser.targets))
            best[key] = (replace(winner, actors=union, roles=roles, targets=targets), w_anchor)
        return list(best.values())
