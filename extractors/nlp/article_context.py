"""The running context of one article that event readers share, and the record they produce.

``ArticleContext`` indexes an article's mentions by token and keeps the running subject, so "it", "the
company" or "the regulator" resolve to the party last named; ``EventCandidate`` is one event found in one
sentence. The helpers below are the ones the event matcher, the elaboration of earlier events and the denial
reader all use.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from extractors.gazetteer import REPORTER_KINDS
from extractors.models import Stance
from extractors.taxonomy import EventRules

from .entities import MentionSpan, is_government
from .no_parties import is_context_person
from .role_cues import governing_verb
from .role_reading import NO_ROLES, RoleReading
from .syntax import ancestors_in_sentence, clause_verb, reported_future, subject_of

ACTOR_LABELS = ("ORG", "PERSON", "GPE")
_PRONOUNS = {"it", "they", "he", "she", "we", "its", "their", "his", "her", "our"}
MAX_ACTORS = 6
# Anaphors that stand for a state body ("the regulator", "the authority"), so they skip companies.
_GOVERNMENT_ANAPHORS = {
    "agency", "authority", "regulator", "ministry", "bureau", "commission", "watchdog", "department",
    "office", "administration", "government",
}
_MODIFIER_DEPS = ("compound", "poss", "nmod", "amod", "npadvmod")
DEFINITE = ("the", "this", "that")


@dataclass(frozen=True)
class EventCandidate:
    """One event instance found in one sentence (before per-article merging)."""

    event_type: str
    stance: Stance
    actors: tuple[str, ...]
    sentence: str
    start: int  # char offsets of the sentence into the text
    end: int
    confidence: float
    trigger: str
    date_phrase: str | None = None
    future: bool = False
    verdict: bool = False  # a conviction/plea governs the trigger (asserted beats alleged)
    roles: RoleReading = NO_ROLES
    # Every party the sentence names (not only role holders): a party answering a report may be named
    # anywhere in it ("Elon Musk's xAI is raising ...; Musk dismissed the report").
    named: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()  # holders of the type's target role


_QUALIFIER_WORDS = {"-", "based", "backed", "headquartered", "owned", "funded", "linked", "born"}


def qualifies(m: MentionSpan, doc: Doc) -> bool:
    """A name used as a qualifier of another noun ("Paris-based", "SoftBank-backed"), not as a party."""
    return m.end < len(doc) and doc[m.end].lower_ in _QUALIFIER_WORDS


def is_dateline(m: MentionSpan, sent: Span) -> bool:
    """A place opening the sentence before a dash, comma or bracket ("BEIJING — ..."): where the story was
    filed, no party to it."""
    return m.label == "GPE" and m.start == sent.start and m.end < sent.end and sent.doc[m.end].text in (
        "—", "–", "-", ",", "(")


class ArticleContext:
    """Mentions indexed by token, plus the running subject used to resolve "it"/"the company"."""

    def __init__(self, mentions: list[MentionSpan], rules: EventRules) -> None:
        self.by_token: dict[int, MentionSpan] = {}
        for m in mentions:
            for i in range(m.start, m.end):
                self.by_token[i] = m
        self.anaphor_nouns = rules.cue("anaphor_nouns")
        self.last_subject: MentionSpan | None = None
        self.last_org: MentionSpan | None = None
        self.last_person: MentionSpan | None = None
        self.last_government: MentionSpan | None = None  # the last agency or regulator named
        self.launched: list[str] = []  # the models whose release the article has told so far, in order
        self.triggers_here: frozenset[int] = frozenset()  # where the sentence in hand tells its events

    def is_anaphor(self, tok: Token) -> bool:
        if tok.lower_ in _PRONOUNS and tok.pos_ == "PRON":
            return True
        # Only definite descriptions point back: "the company" does, "a company" does not.
        definite = any(
            (c.dep_ == "det" and c.lower_ in ("the", "this", "that")) or c.dep_ == "poss"
            for c in tok.children
        )
        return tok.lemma_.lower() in self.anaphor_nouns and definite and tok.i not in self.by_token

    def _antecedent(self, tok: Token) -> MentionSpan | None:
        if tok.lower_ in ("he", "she", "his", "her"):
            return self.last_person
        if tok.pos_ == "PRON" and tok.lower_ in ("we", "our", "they", "their"):
            return self.last_subject
        if tok.lemma_.lower() in _GOVERNMENT_ANAPHORS:
            return self.last_government  # "the authority also fined OpenAI": never a company
        return self.last_org  # "it", "the company", "the startup" ...

    def affiliation(self, m: MentionSpan, doc: Doc) -> MentionSpan | None:
        """The organisation named right before a person: "Xinghe founder Gao Rui", "OpenAI CEO Sam Altman"."""
        if m.label != "PERSON":
            return None
        for i in range(m.start - 1, max(-1, m.start - 4), -1):
            o = self.by_token.get(i)
            if o is not None:
                return o if o.label == "ORG" else None
        # "Tam Ka-wing, Corvid's chief executive, ...": the organisation in the apposition.
        for t in doc[m.start:m.end]:
            for appos in (c for c in t.children if c.dep_ == "appos"):
                for w in appos.subtree:
                    o = self.by_token.get(w.i)
                    if o is not None and o.label == "ORG" and w.dep_ in ("poss", "compound", "pobj"):
                        return o
        return None

    def entity_at(self, tok: Token) -> MentionSpan | None:
        """The named actor a noun phrase head stands for (its own mention or a pre-head modifier)."""
        m = self.by_token.get(tok.i)
        if m is not None:
            return m
        # "Italy's data protection authority, the Garante": the apposition names the noun itself.
        for child in tok.children:
            if child.dep_ == "appos" and child.i in self.by_token:
                return self.by_token[child.i]
        for t in tok.doc[tok.left_edge.i:tok.i]:
            m = self.by_token.get(t.i)
            if m is None or m.label not in ACTOR_LABELS or t.dep_ not in _MODIFIER_DEPS:
                continue
            if qualifies(m, tok.doc) or (m.label == "GPE" and tok.lemma_.lower() in self.anaphor_nouns):
                continue  # "the Paris-based developer", "the Hangzhou startup": not who acts
            return m
        return None

    def resolve(self, tok: Token) -> tuple[MentionSpan | None, bool]:
        """(entity, came_from_anaphora) for a subject/agent token."""
        m = self.entity_at(tok)
        if m is not None:
            return m, False
        if not self.is_anaphor(tok):
            return None, False
        if _is_plural(tok):
            group = self._last_group(tok)  # "the three companies had acquired ...": the listed ones
            if group:
                return group[0], True
        for _child, head in ancestors_in_sentence(tok):
            subj, _ = subject_of(head) if head.pos_ in ("VERB", "AUX") else (None, False)
            if subj is not None and subj.i < tok.i:
                m = self.entity_at(subj)
                if m is not None and m.label in ("ORG", "PERSON"):
                    return m, True
        antecedent = self._antecedent(tok)
        return antecedent, antecedent is not None

    def resolve_anaphor(self, tok: Token) -> tuple[MentionSpan, ...]:
        """What an anaphor argument stands for: one party for "the company" or "it"; for a plural noun
        ("the companies", "the three firms") the organisations last named together; nothing otherwise."""
        if tok.i in self.by_token or not self.is_anaphor(tok):
            return ()
        if tok.pos_ == "NOUN" and tok.tag_ == "NNS":
            return self._last_group(tok)  # a plural never stands for one company
        if _is_plural(tok):
            group = self._last_group(tok)  # "they copied American models": the companies just listed
            if group:
                return group
        antecedent = self._antecedent(tok)
        return (antecedent,) if antecedent is not None else ()

    def _last_group(self, tok: Token) -> tuple[MentionSpan, ...]:
        """The nearest list of two or more organisations joined by "and"/commas before ``tok``, in this
        sentence or the one before it ("for DeepSeek, Moonshot AI and their affiliates, hours after ... added
        the companies")."""
        doc = tok.doc
        sent = tok.sent
        start = doc[sent.start - 1].sent.start if sent.start > 0 else sent.start
        for i in range(tok.i - 1, start - 1, -1):
            m = self.by_token.get(i)
            if m is None or m.label != "ORG" or i != m.end - 1:
                continue
            head = doc[i]
            while head.dep_ in ("conj", "appos") and head.head.i != head.i:
                head = head.head
            # The list's members hang from its first item by "and"/commas or appositions ("DeepSeek, its
            # parent High-Flyer and Moonshot AI").
            todo = [head]
            # The parser may split a list in two: the item before it, set off only by a comma, belongs too.
            todo += [c for c in head.head.children if c.i < head.left_edge.i
                     and all(t.text in (",", "and") for t in doc[c.right_edge.i + 1:head.left_edge.i])]
            members = []
            while todo:
                t = todo.pop()
                members.append(self.by_token.get(t.i))
                todo += [c for c in t.children if c.dep_ in ("conj", "appos", "compound")]
            group = tuple(dict.fromkeys(x for x in members if x is not None and x.label == "ORG"))
            if len(group) >= 2:
                return tuple(sorted(group, key=lambda x: x.start))
        return ()

    def _remember(self, m: MentionSpan) -> None:
        self.last_subject = m
        if m.label == "ORG":
            self.last_org = m
        elif m.label == "PERSON":
            self.last_person = m

    def update_subject(self, sent: Span) -> None:
        for named in sentence_mentions(sent, self):
            if named.label == "ORG" and is_government(named):
                self.last_government = named
        root = sent.root
        subj, _ = subject_of(root) if root.pos_ in ("VERB", "AUX") else (None, False)
        if subj is not None:
            m, via_anaphor = self.resolve(subj)
            if m is not None and m.label in ("ORG", "PERSON"):
                # "Kelora chief executive Tran Van Duc said ...": the company he speaks for is the one
                # "the company" will mean next.
                org = self.affiliation(m, sent.doc)
                if org is not None and org.end <= m.start:  # (not "X, a researcher at Y University")
                    self.last_org = org
                self._remember(m)
                return
            if via_anaphor or self.is_anaphor(subj):
                return  # "the startup ..." keeps pointing at the same entity
        first = next(
            (self.by_token[t.i] for t in sent if t.i in self.by_token
             and self.by_token[t.i].label in ("ORG", "PERSON")
             and self.by_token[t.i].kind not in REPORTER_KINDS),
            None,
        )
        if first is not None:
            self._remember(first)


def _is_plural(tok: Token) -> bool:
    if tok.pos_ == "PRON":
        return tok.lower_ in ("they", "them")
    return tok.pos_ == "NOUN" and tok.tag_ == "NNS"


def sentence_mentions(sent: Span, ctx: ArticleContext) -> list[MentionSpan]:
    """The mentions in ``sent``, each once, in the order they first appear."""
    seen: dict[tuple[int, int], MentionSpan] = {}
    for t in sent:
        m = ctx.by_token.get(t.i)
        if m is not None:
            seen[(m.start, m.end)] = m
    return list(seen.values())


def trigger_actors(
    anchor: Token, sent: Span, ctx: ArticleContext
) -> tuple[MentionSpan | None, bool, list[str], list[MentionSpan]]:
    """(initiator, via_anaphora, ordered actor names, actor mentions) for a trigger."""
    verb = clause_verb(anchor)
    subj, _ = subject_of(verb)
    initiator, via_anaphor = (None, False)
    poss = next((c for c in anchor.children if c.dep_ == "poss"), None)
    if poss is not None and anchor.pos_ == "NOUN":
        initiator, via_anaphor = ctx.resolve(poss)  # "Microsoft's investment in OpenAI"
    if initiator is None and subj is not None:
        initiator, via_anaphor = ctx.resolve(subj)
    if initiator is None:
        # "Commerce officials accused X of distilling ...": the subject of the verb whose phrase holds it.
        gov = governing_verb(anchor)
        gsubj, _ = subject_of(gov) if gov is not None else (None, False)
        if gsubj is not None:
            initiator, via_anaphor = ctx.resolve(gsubj)
    if initiator is not None and (initiator.label not in ACTOR_LABELS or is_dateline(initiator, sent)):
        initiator = None
    if initiator is not None and initiator.label == "PERSON":
        # "OpenAI CEO Sam Altman announced ...": an executive speaking for the company; the company acts.
        org = ctx.affiliation(initiator, sent.doc)
        if org is not None:
            initiator = org
        elif is_context_person(initiator, sent.doc[initiator.start]):
            initiator = None  # "..., said Marcus Feld, an export-control lawyer": a commentator
    names: list[str] = []
    actor_mentions: list[MentionSpan] = []
    if initiator is not None:
        names.append(initiator.name)
        actor_mentions.append(initiator)
    owners: list[str] = []
    for m in sentence_mentions(sent, ctx):
        if m.label in ACTOR_LABELS and m.kind not in REPORTER_KINDS and m.name not in names:
            names.append(m.name)
            actor_mentions.append(m)
        elif m.label == "MODEL" and m.owner:
            owners.append(m.owner)
    for owner in owners:
        if owner not in names:
            names.append(owner)
    return initiator, via_anaphor, names[:MAX_ACTORS], actor_mentions


def date_of(anchor: Token, sent: Span) -> tuple[str | None, bool]:
    """(the date phrase attached to the trigger's clause or None, whether the clause speaks of the future)."""
    verb = clause_verb(anchor)
    future = any(c.dep_ == "aux" and (c.lower_ in ("will", "shall", "'ll") or reported_future(c, verb))
                 for c in verb.children)
    # Only a date attached to the trigger's clause counts: "since its founding last year" in the same
    # sentence dates something else.
    for ent in (e for e in sent.ents if e.label_ == "DATE"):
        if any(head in (verb, anchor) for _c, head in list(ancestors_in_sentence(ent.root))[:3]):
            return ent.text, future
    return None, future
