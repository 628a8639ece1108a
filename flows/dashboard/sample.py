"""A small hand-written warehouse for tests, screenshots and trying the dashboard without an ingest.

Written through the real writer (``warehouse.writes.write_polls``), so it has exactly the
shape an ingest produces. One outlet publishes hostile markup in a title and an evidence
sentence: every page that shows feed-derived text must escape it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

from extractors.models import Annotation, ArticleText, Event, Evidence, FeedEntry, Mention, RoleFiller, Stance
from extractors.taxonomy import EventRules, load_event_rules
from flows.settings import config_dir
from warehouse.records import ArticleRecord, FeedPoll, FeedSpec

HOSTILE = "<script>alert('x')</script>"

OUTLETS = {
    "Circuit Ledger": FeedSpec("Circuit Ledger", "http://127.0.0.1:9/circuit-ledger.xml", ("policy",)),
    "Pacific Stack": FeedSpec("Pacific Stack", "http://127.0.0.1:9/pacific-stack.xml", ("china",)),
    "Frontier Dispatch": FeedSpec("Frontier Dispatch", "http://127.0.0.1:9/frontier-dispatch.xml", ("labs",)),
    "Modelwatch": FeedSpec("Modelwatch", "http://127.0.0.1:9/modelwatch.xml", ("labs",), owner="Watch Media"),
}


@dataclass(frozen=True)
class SampleEvent:
    event_type: str
    stance: Stance
    actors: tuple[str, ...]
    sentences: tuple[str, ...]
    confidence: float = 0.8


@dataclass(frozen=True)
class SampleArticle:
    slug: str
    outlet: str
    day: date
    title: str
    entities: tuple[tuple[str, str], ...]  # (label, canonical name)
    events: tuple[SampleEvent, ...]


ARTICLES: tuple[SampleArticle, ...] = (
    SampleArticle("commerce-ends-licence-exception", "Circuit Ledger", date(2026, 11, 10),
                  "Commerce ends chip licence exception for Chinese AI labs",
                  (("ORG", "Department of Commerce"), ("ORG", "DeepSeek"), ("ORG", "Zhipu AI"),
                   ("GPE", "China")),
                  (SampleEvent("export_control", "asserted",
                               ("Department of Commerce", "DeepSeek", "Zhipu AI"),
                               (("The Commerce Department ended the licence exception that let DeepSeek "
                                 "and Zhipu buy accelerators."),)),)),
    SampleArticle("zhipu-glm-5", "Pacific Stack", date(2026, 11, 11), "Zhipu AI releases GLM-5",
                  (("ORG", "Zhipu AI"), ("MODEL", "GLM-5")),
                  (SampleEvent("model_launch", "asserted", ("Zhipu AI", "GLM-5"),
                               ("Zhipu AI released GLM-5 on Tuesday.",)),)),
    SampleArticle("gemini-flash", "Frontier Dispatch", date(2026, 11, 11), "Google ships a faster Gemini",
                  (("ORG", "Google"), ("MODEL", "Gemini 3")),
                  (SampleEvent("model_launch", "asserted", ("Google", "Gemini 3"),
                               ("Google launched Gemini 3 to all developers.",)),)),
    SampleArticle("glm-5-wire", "Modelwatch", date(2026, 11, 12), "GLM-5 arrives, Zhipu says",
                  (("ORG", "Zhipu AI"), ("MODEL", "GLM-5")),
                  (SampleEvent("model_launch", "asserted", ("Zhipu AI", "GLM-5"),
                               ("Zhipu AI made GLM-5 available through its API.",)),)),
    SampleArticle("deepseek-export-probe", "Circuit Ledger", date(2026, 11, 12),
                  "BIS adds DeepSeek to the entity list",
                  (("ORG", "Bureau of Industry and Security"), ("ORG", "DeepSeek")),
                  (SampleEvent("export_control", "asserted", ("Bureau of Industry and Security", "DeepSeek"),
                               ("The Bureau of Industry and Security added DeepSeek to the entity list.",)),
                   )),
    SampleArticle("openai-accuses-moonshot", "Circuit Ledger", date(2026, 11, 14),
                  "OpenAI accuses Moonshot of distilling its models " + HOSTILE,
                  (("ORG", "OpenAI"), ("ORG", "Moonshot AI"), ("MODEL", "Kimi K2")),
                  (SampleEvent("distillation_claim", "alleged", ("OpenAI", "Moonshot AI"),
                               ("OpenAI said Moonshot AI distilled its models to train Kimi K2.",
                                ("The memo accuses Moonshot of harvesting outputs "
                                 "<img src=x onerror=alert(1)>."))),)),
    SampleArticle("moonshot-denies", "Pacific Stack", date(2026, 11, 15), "Moonshot rejects OpenAI's claims",
                  (("ORG", "Moonshot AI"), ("ORG", "OpenAI")),
                  (SampleEvent("distillation_claim", "denied", ("Moonshot AI", "OpenAI"),
                               ("Moonshot AI rejected the accusations as groundless.",)),)),
    SampleArticle("anthropic-accuses-deepseek", "Modelwatch", date(2026, 11, 15),
                  "Anthropic says DeepSeek distilled Claude",
                  (("ORG", "Anthropic"), ("ORG", "DeepSeek"), ("MODEL", "Claude")),
                  (SampleEvent("distillation_claim", "alleged", ("Anthropic", "DeepSeek"),
                               ("Anthropic accused DeepSeek of distilling Claude at scale.",)),)),
    SampleArticle("garante-blocks-kimi", "Frontier Dispatch", date(2026, 11, 16),
                  "Italian regulator blocks Kimi",
                  (("ORG", "Garante"), ("MODEL", "Kimi"), ("ORG", "Moonshot AI"), ("GPE", "Italy")),
                  (SampleEvent("access_restriction", "asserted", ("Garante", "Moonshot AI"),
                               ("Italy's Garante blocked the Kimi app from Moonshot AI.",)),)),
    SampleArticle("stepfun-raises", "Pacific Stack", date(2026, 11, 16), "StepFun raises new round",
                  (("ORG", "StepFun"),),
                  (SampleEvent("funding_investment", "asserted", ("StepFun",),
                               ("StepFun raised $300 million in a new round.",)),)),
    SampleArticle("google-cuts-prices", "Circuit Ledger", date(2026, 11, 17), "Google halves Gemini prices",
                  (("ORG", "Google"), ("MODEL", "Gemini 3")),
                  (SampleEvent("pricing", "asserted", ("Google", "Gemini 3"),
                               ("Google cut the price of Gemini 3 by half.",)),
                   SampleEvent("model_launch", "asserted", ("Google",),
                               ("Google also launched a smaller Gemini model.",), 0.6))),
    SampleArticle("openai-memo-moonshot", "Modelwatch", date(2026, 11, 17),
                  "Inside OpenAI's memo on Moonshot", (("ORG", "OpenAI"), ("ORG", "Moonshot AI")),
                  (SampleEvent("distillation_claim", "alleged", ("OpenAI", "Moonshot AI"),
                               ("The memo says Moonshot AI distilled OpenAI models.",)),)),
)


def article_url(a: SampleArticle) -> str:
    host = a.outlet.lower().replace(" ", "-")
    return f"https://{host}.example/{a.day.isoformat()}/{a.slug}"


@lru_cache(maxsize=1)
def _rules() -> EventRules:
    return load_event_rules(config_dir())


def _annotation(a: SampleArticle, text: str) -> Annotation:
    mentions = []
    for label, name in a.entities:
        at = max(0, text.find(name.split()[0]))
        mentions.append(Mention(label, name, name, at, at + len(name), True))
    events = []
    for ev in a.events:
        evidence = []
        for s in ev.sentences:
            start = text.find(s)
            evidence.append(Evidence(s, start, start + len(s)))
        # The first actor holds the type's first role (the denier of a denial); the others its target role.
        spec = _rules().types[ev.event_type]
        first, target = ("denier", "accused") if ev.stance == "denied" else (spec.roles[0], spec.target_role)
        labels = {name: label for label, name in a.entities}
        roles = tuple(RoleFiller(first if i == 0 else target, n, labels.get(n, "ORG"))
                      for i, n in enumerate(ev.actors))
        events.append(Event(ev.event_type, ev.stance, ev.actors, tuple(evidence), a.day, ev.confidence,
                            "sample-1", roles=roles, initiator=ev.actors[0] if ev.actors else None,
                            targets=ev.actors[1:]))
    return Annotation(mentions=tuple(mentions), events=tuple(events), extractor_version="sample-1")


def sample_polls() -> list[FeedPoll]:
    """One poll per outlet carrying that outlet's sample articles."""
    polls = []
    for outlet, feed in OUTLETS.items():
        entries, records = [], []
        for a in (a for a in ARTICLES if a.outlet == outlet):
            url = article_url(a)
            published = datetime(a.day.year, a.day.month, a.day.day, 9, 30, tzinfo=UTC)
            sentences = " ".join(s for ev in a.events for s in ev.sentences)
            text = sentences + " " + ("Background paragraph. " * 12)
            entries.append(FeedEntry(entry_key=a.slug, guid=url, link=url, title=a.title, summary=a.title,
                                     content="", author=None, published_at=published))
            art = ArticleText(url=url, title=a.title, text=text, published_at=published, language="en",
                              fetched_url=url)
            records.append(ArticleRecord(art, outlet, feed.url, a.slug, None, None, _annotation(a, text)))
        polls.append(FeedPoll(feed=feed, polled_at=datetime(2026, 11, 17, 12, tzinfo=UTC), status=200,
                              entries=tuple(entries), articles=tuple(records)))
    return polls


def build_sample(path: str | Path) -> Path:
    """Write the sample warehouse to ``path`` (created if missing; writing twice adds nothing)."""
    from flows.signal_rules import linking_params
    from warehouse.polls import write_polls
    from warehouse.signals import update_signals
    from warehouse.stories import update_stories
    from warehouse.writer import writer

    with writer(path) as con:
        write_polls(con, sample_polls())
        update_stories(con)
        update_signals(con, params=linking_params(con, config_dir()))
    return Path(path)
