"""Benchmark story clustering and signal building on generated articles (prints figures; not a test).

    .venv/bin/python bench/stories_signals.py                     # 1k new on a 0, 10k, 40k history
    .venv/bin/python bench/stories_signals.py --history 0 20000 --new 500
    .venv/bin/python bench/stories_signals.py --sizes 5000 50000  # backfills of 5k and 50k articles
    .venv/bin/python bench/stories_signals.py --calibrate   # the pair measurements behind the thresholds

The default table is the cost of one ingest: ``--new`` (1,000) articles placed on top of a stored
history of each ``--history`` size (0, 10,000 and 40,000 articles, already in stories and
signals). Proportional means the rows after the first stay flat: a run reads only its own new
articles and events and the stored ones they can join (within the window, sharing a key).

Each size runs in a fresh child process with a temp DuckDB file, so peak memory (VmHWM, reset
before clustering) belongs to that size alone. Articles arrive at ``--per-day`` (500) a day from
40 outlets of 28 owners; about a quarter are near-duplicates of another article (syndicated copy
with light edits, a retitled copy, a light rewrite, a truncated feed-only copy), and some events
are reported independently by several outlets. Measured per size:

* backfill: ``update_stories`` + ``update_signals`` over every article at once (batches of 5,000);
* one more day: 500 new articles with the whole history stored (the per-ingest cost, which the
  14-day window should keep flat);
* quality against the generator's truth: copies placed in their original's story, and
  distinct stories wrongly merged.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import duckdb  # noqa: E402

from warehouse.bulk import insert_rows  # noqa: E402
from warehouse.migrations import apply_migrations  # noqa: E402
from warehouse.signals import signal_params, update_signals  # noqa: E402
from warehouse.stories import update_stories  # noqa: E402

T0 = datetime(2026, 1, 1, 6, 0)
EVENT_TYPES = ("export_control", "distillation_claim", "model_launch", "access_restriction",
               "security_incident", "regulation", "partnership", "funding_investment", "pricing",
               "legal_action")
GPES = ("United States", "China", "European Union", "United Kingdom", "Japan", "India", "Taiwan",
        "Netherlands", "South Korea", "Singapore", "France", "Germany")
GOVERNMENT = ("Department of Commerce", "European Commission", "Federal Trade Commission", "Ofcom",
              "Cyberspace Administration of China", "Department of Justice")
FUNCTION_WORDS = ("the", "a", "of", "to", "and", "in", "that", "for", "on", "with", "as", "by", "at", "from",
                  "its", "was", "is", "has", "said", "it", "be", "this", "which", "have", "are", "but", "not")
STOCK_PHRASES = (
    "said in a statement on {day}", "according to people familiar with the matter",
    "declined to comment on the report", "did not immediately respond to a request for comment",
    "the company said in a filing", "analysts said the move could", "shares rose in early trading",
    "the people said, asking not to be identified because the talks are private",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class Generator:
    """Deterministic article generator: stories from a Zipf vocabulary, copies with light edits."""

    def __init__(self, seed: int, per_day: int) -> None:
        self.rng = random.Random(seed)
        self.per_day = per_day
        syllables = ["ka", "lo", "mi", "ra", "ten", "dor", "vi", "sel", "gra", "nu", "pel", "tor", "zan",
                     "qui", "bro", "fen", "mar", "lis", "cor", "dan", "pri", "sto", "vel", "mon"]
        words = {"".join(self.rng.choice(syllables) for _ in range(self.rng.randint(2, 4)))
                 for _ in range(9000)}
        self.vocab = sorted(words)
        self.weights = [1.0 / (i + 1) ** 0.9 for i in range(len(self.vocab))]
        self.orgs = sorted({"".join(self.rng.choice(syllables) for _ in range(3)).title() + suffix
                            for suffix in ("", " AI", " Labs", " Systems") for _ in range(120)})
        self.outlets = [(f"https://outlet{i:02d}.example/feed", f"Outlet {i:02d}", f"Owner {min(i, 27):02d}")
                        for i in range(40)]  # outlets 27..39 share one owner
        self.story_no = 0
        self.event_no = 0

    def _sentence(self, actors: list[str], day: str) -> str:
        r = self.rng
        words = r.choices(self.vocab, weights=self.weights, k=r.randint(9, 18))
        for _ in range(r.randint(2, 5)):
            words.insert(r.randrange(len(words) + 1), r.choice(FUNCTION_WORDS))
        if actors and r.random() < 0.5:
            words.insert(r.randrange(len(words) + 1), r.choice(actors))
        if r.random() < 0.25:
            words.append(r.choice(STOCK_PHRASES).format(day=day))
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def _text(self, actors: list[str], day: str) -> list[str]:
        return [" ".join(self._sentence(actors, day) for _ in range(self.rng.randint(2, 4)))
                for _ in range(self.rng.randint(5, 9))]

    def _event(self) -> dict[str, Any]:
        r = self.rng
        self.event_no += 1
        actors = r.sample(self.orgs, r.randint(1, 2))
        if r.random() < 0.3:
            actors.insert(0, r.choice(GOVERNMENT))
        if r.random() < 0.5:
            actors.append(r.choice(GPES))
        return {"type": r.choice(EVENT_TYPES), "actors": actors,
                "stance": r.choices(("asserted", "alleged", "denied"), weights=(0.75, 0.18, 0.07))[0]}

    def _edit(self, paragraphs: list[str], rate: float) -> list[str]:
        out = []
        for p in paragraphs:
            words = p.split()
            for i in range(len(words)):
                if self.rng.random() < rate:
                    words[i] = self.rng.choice(self.vocab)
            out.append(" ".join(words))
        return out

    def articles(self, n: int, start: int = 0) -> list[dict[str, Any]]:
        """``n`` articles numbered from ``start``, in publication order at ``per_day`` a day."""
        r = self.rng
        out: list[dict[str, Any]] = []
        while len(out) < n:
            seq = start + len(out)
            published = T0 + timedelta(seconds=seq * 86400 / self.per_day)
            self.story_no += 1
            story = f"s{self.story_no}"
            events = [self._event() for _ in range(r.choice((1, 1, 1, 2)))]
            actors = [a for e in events for a in e["actors"]]
            day = DAYS[published.weekday()]
            paragraphs = self._text(actors, day)
            outlet = r.randrange(len(self.outlets))
            out.append(self._article(seq, story, outlet, published, paragraphs, events))
            # About a quarter of all articles are near-duplicates of this original.
            for _ in range(r.choices((0, 1, 2, 3), weights=(0.78, 0.12, 0.07, 0.03))[0]):
                if len(out) >= n:
                    break
                kind = r.choices(("syndicated", "retitled", "rewrite", "truncated"), weights=(5, 2, 2, 1))[0]
                match kind:
                    case "syndicated":
                        copy = self._edit(paragraphs[:-1], 0.02)
                    case "retitled":
                        copy = ["Listen to this article", *paragraphs]
                    case "rewrite":
                        copy = self._text(actors, day)[:1] + self._edit(
                            r.sample(paragraphs, len(paragraphs) - 1), 0.06)
                    case _:  # truncated
                        copy = paragraphs[:4]
                delay = timedelta(hours=r.uniform(0.5, 20))
                out.append(self._article(start + len(out), story, r.randrange(len(self.outlets)),
                                         published + delay, copy, events))
            # Some events are also reported independently (new text, same actors): corroboration.
            if r.random() < 0.15 and len(out) < n:
                delay = timedelta(hours=r.uniform(1, 48))
                out.append(self._article(start + len(out), f"s{self.story_no}i",
                                         r.randrange(len(self.outlets)), published + delay,
                                         self._text(actors, day), events))
        return out[:n]

    def _article(self, seq: int, story: str, outlet: int, published: datetime, paragraphs: list[str],
                 events: list[dict[str, Any]]) -> dict[str, Any]:
        feed_url, source, _ = self.outlets[outlet]
        return {"article_id": f"a{seq:07d}", "story": story, "feed_url": feed_url, "source": source,
                "published_at": published, "text": "\n\n".join(paragraphs), "events": events}


def load(con: duckdb.DuckDBPyConnection, gen: Generator, articles: list[dict[str, Any]]) -> None:
    now = datetime(2026, 6, 1)
    insert_rows(con, "feeds",
                [("url", "VARCHAR"), ("name", "VARCHAR"), ("owner", "VARCHAR"), ("added_at", "TIMESTAMP")],
                [(u, n, o, now) for u, n, o in gen.outlets], on_conflict="ON CONFLICT DO NOTHING")
    insert_rows(con, "entities", [("label", "VARCHAR"), ("name", "VARCHAR"), ("known", "BOOLEAN"),
                                  ("first_seen_at", "TIMESTAMP")],
                [("GPE", g, True, now) for g in GPES], on_conflict="ON CONFLICT DO NOTHING")
    insert_rows(con, "articles",
                [("article_id", "VARCHAR"), ("url", "VARCHAR"), ("title", "VARCHAR"), ("source", "VARCHAR"),
                 ("feed_url", "VARCHAR"), ("published_at", "TIMESTAMP"), ("text", "VARCHAR"),
                 ("first_seen_at", "TIMESTAMP")],
                [(a["article_id"], f"https://x.example/{a['article_id']}", f"Story {a['story']}", a["source"],
                  a["feed_url"], a["published_at"], a["text"], now) for a in articles])
    rows = []
    for a in articles:
        for i, e in enumerate(a["events"]):
            rows.append((f"{a['article_id']}-{i}", a["article_id"], e["type"], e["stance"], e["actors"],
                         a["published_at"].date(), "Evidence sentence.", 0, 18, 0.7, "bench", now))
    insert_rows(con, "events",
                [("event_id", "VARCHAR"), ("article_id", "VARCHAR"), ("event_type", "VARCHAR"),
                 ("stance", "VARCHAR"), ("actors", "VARCHAR[]"), ("event_date", "DATE"),
                 ("evidence", "VARCHAR"), ("evidence_start", "INTEGER"), ("evidence_end", "INTEGER"),
                 ("confidence", "DOUBLE"), ("extractor_version", "VARCHAR"), ("created_at", "TIMESTAMP")],
                rows)


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS (Linux >= 4.0)
        return True
    except OSError:
        return False


def run_one(n: int, per_day: int, seed: int) -> dict[str, Any]:
    gen = Generator(seed, per_day)
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "bench.duckdb"))
        apply_migrations(con)
        truth: dict[str, str] = {}
        for start in range(0, n, 5000):  # generate and load in slices: the bench's own memory stays small
            batch = gen.articles(min(5000, n - start), start)
            truth.update({a["article_id"]: a["story"] for a in batch})
            load(con, gen, batch)
            del batch
        con.execute("CHECKPOINT")
        params = signal_params(con, weak_actors=GOVERNMENT)
        rss_before = _rss_kb("VmRSS")
        exact_peak = _reset_peak()
        t, c = time.perf_counter(), time.process_time()
        stories = update_stories(con)
        t_stories, c_stories = time.perf_counter() - t, time.process_time() - c
        t, c = time.perf_counter(), time.process_time()
        signals = update_signals(con, params=params)
        t_signals, c_signals = time.perf_counter() - t, time.process_time() - c
        peak = _rss_kb("VmHWM")
        # One more day of ingest on top of the whole history.
        day = gen.articles(per_day, n)
        load(con, gen, day)
        t = time.perf_counter()
        update_stories(con)
        update_signals(con, params=params)
        t_day = time.perf_counter() - t
        truth.update({a["article_id"]: a["story"] for a in day})
        assigned = dict(con.execute("SELECT article_id, story_id FROM article_stories").fetchall())
        signal_row = con.execute(
            "SELECT count(*), avg(corroboration), max(corroboration) FROM signals"
        ).fetchone()
        assert signal_row is not None
        con.close()
    # Quality: a copy is right when it shares a story with its original (truth key without suffix).
    by_truth: dict[str, set[str]] = {}
    for article_id, story in truth.items():
        by_truth.setdefault(story, set()).add(assigned[article_id])
    copies = sum(len(ids) for ids in by_truth.values()) - len(by_truth)
    members: dict[str, int] = {}
    for story_id in assigned.values():
        members[story_id] = members.get(story_id, 0) + 1
    split = sum(len(ids) - 1 for ids in by_truth.values())  # extra stories a true story was split into
    merged_truth: dict[str, set[str]] = {}
    for article_id, story_id in assigned.items():
        merged_truth.setdefault(story_id, set()).add(truth[article_id])
    merged = sum(len(t) - 1 for t in merged_truth.values())
    n_true_dups = len(truth) - len(by_truth)
    return {
        "n": n, "t_stories": t_stories, "t_signals": t_signals, "t_day": t_day,
        "c_stories": c_stories, "c_signals": c_signals,
        "rss_before_mb": rss_before / 1024, "peak_mb": peak / 1024, "peak_exact": exact_peak,
        "stories": stories.new_stories, "dup_share": n_true_dups / len(truth),
        "copy_recall": 1 - split / max(1, n_true_dups), "false_merges": merged, "copies": copies,
        "signals": signal_row[0], "avg_corr": signal_row[1], "max_corr": signal_row[2],
        "events": signals.events,
    }


def run_on_history(history: int, new: int, per_day: int, seed: int) -> dict[str, Any]:
    """One ingest's worth of stories and signals: ``new`` articles on top of ``history`` stored ones."""
    gen = Generator(seed, per_day)
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "bench.duckdb"))
        apply_migrations(con)
        params = None
        t_backfill = time.perf_counter()
        for start in range(0, history, 5000):  # the history, placed the way ingests would have placed it
            load(con, gen, gen.articles(min(5000, history - start), start))
            params = params or signal_params(con, weak_actors=GOVERNMENT)
            update_stories(con)
            update_signals(con, params=params)
        t_backfill = time.perf_counter() - t_backfill
        batch = gen.articles(new, history)
        load(con, gen, batch)
        con.execute("CHECKPOINT")
        params = signal_params(con, weak_actors=GOVERNMENT)  # as ingest does: read once per run
        read = _count_stored_reads()
        t, c = time.perf_counter(), time.process_time()
        stories = update_stories(con)
        t_stories, c_stories = time.perf_counter() - t, time.process_time() - c
        t, c = time.perf_counter(), time.process_time()
        signals = update_signals(con, params=params)
        t_signals, c_signals = time.perf_counter() - t, time.process_time() - c
        con.close()
    return {"history": history, "new": new, "t_stories": t_stories, "t_signals": t_signals,
            "c_stories": c_stories, "c_signals": c_signals, "placed": stories.articles,
            "events": signals.events, "t_backfill": t_backfill, **read}


def _count_stored_reads() -> dict[str, int]:
    """Counts, filled in as the run goes, of the stored signatures and placed events handed to the pure
    steps beside the new ones: what the run read of the history."""
    import warehouse.signals
    import warehouse.stories
    from extractors.signals import signal_assignments as assign_signals
    from extractors.stories import story_assignments as assign_stories

    read = {"signatures_read": 0, "events_read": 0}

    def stories(new: Any, state: Any, params: Any) -> Any:
        read["signatures_read"] += len(state)
        return assign_stories(new, state, params)

    def signals(new: Any, known: Any, params: Any) -> Any:
        read["events_read"] += len(known)
        return assign_signals(new, known, params)

    setattr(warehouse.stories, "story_assignments", stories)  # noqa: B010 (not in its __all__)
    setattr(warehouse.signals, "signal_assignments", signals)  # noqa: B010
    return read


def history_table(args: argparse.Namespace) -> None:
    results = []
    for h in args.history:
        out = subprocess.run([sys.executable, __file__, "--one-history", str(h), "--new", str(args.new),
                              "--per-day", str(args.per_day), "--seed", str(args.seed)],
                             capture_output=True, text=True, check=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"done history {h}: history built in {results[-1]['t_backfill']:.1f}s", file=sys.stderr)
    print(f"\n{args.new:,} new articles ({args.per_day}/day) placed on a stored history; wall and CPU "
          "seconds of update_stories + update_signals")
    head = (f"{'history':>8} {'new':>6} {'stories s':>9} {'signals s':>9} {'total s':>8} {'cpu s':>6} "
            f"{'ms/new':>7} {'x first':>7} {'events':>7} {'stored read':>16}")
    print(head)
    print("-" * len(head))
    base = results[0]["c_stories"] + results[0]["c_signals"]
    for r in results:
        total, cpu = r["t_stories"] + r["t_signals"], r["c_stories"] + r["c_signals"]
        print(f"{r['history']:>8,} {r['new']:>6,} {r['t_stories']:>9.2f} {r['t_signals']:>9.2f} "
              f"{total:>8.2f} "
              f"{cpu:>6.2f} {1000 * total / r['new']:>7.2f} {cpu / base:>7.2f} {r['events']:>7,} "
              f"{r['signatures_read']:>7,} + {r['events_read']:>6,}")
    print("x first: CPU time against the first row (flat from the second on = proportional to what is new: "
          "the first has nothing stored to compare with; CPU, not wall, because the machine may be shared)\n"
          "stored read: stored signatures + placed events compared with the new ones (the window's "
          "candidates, not the history)")


def calibrate() -> None:
    """Similarity of the hand-written pairs in tests/extractors/test_stories.py."""
    from extractors.stories import NewArticle, StoryParams, estimated_similarity, shingle_hashes, sign_article
    from tests.extractors.test_stories import (
        DUTCH,
        ENTITY_LIST,
        FOLLOW_UP,
        INDEPENDENT,
        RETITLED,
        REWRITE,
        SYNDICATED,
        WIRE,
    )

    lead = "\n\n".join(WIRE.split("\n\n")[:3])
    pairs = {
        "same: syndicated copy": (WIRE, SYNDICATED), "same: light rewrite": (WIRE, REWRITE),
        "same: retitled copy": (WIRE, RETITLED), "same: copy vs rewrite": (SYNDICATED, REWRITE),
        "same: 3-paragraph lead": (WIRE, lead),
        "diff: independent report": (WIRE, INDEPENDENT), "diff: other export control": (WIRE, ENTITY_LIST),
        "diff: next-day follow-up": (WIRE, FOLLOW_UP), "diff: follow-up vs copy": (SYNDICATED, FOLLOW_UP),
        "diff: Dutch servicing ban": (WIRE, DUTCH),
    }
    print("exact Jaccard / containment by shingle size k")
    print(f"{'pair':28} " + " ".join(f"{'k=' + str(k):>11}" for k in (2, 3, 4, 5)))
    for name, (a, b) in pairs.items():
        cells = []
        for k in (2, 3, 4, 5):
            sa, sb = set(shingle_hashes(a, k).tolist()), set(shingle_hashes(b, k).tolist())
            cells.append(f"{len(sa & sb) / len(sa | sb):.2f}/{len(sa & sb) / min(len(sa), len(sb)):.2f}")
        print(f"{name:28} " + " ".join(f"{c:>11}" for c in cells))
    print("\nMinHash estimate at k=3 over 40 seeds: same-story minimum, different-story maximum")
    for perms in (64, 128, 256):
        worst: dict[str, tuple[float, float]] = {}
        for name, (a, b) in pairs.items():
            js, cs = [], []
            for seed in range(1, 41):
                p = StoryParams(num_perm=perms, seed=seed, lsh_bands=perms // 2)
                j, c = estimated_similarity(sign_article(NewArticle("a", T0, a), p),
                                            sign_article(NewArticle("b", T0, b), p))
                js.append(j)
                cs.append(c)
            worst[name] = (min(js), min(cs)) if name.startswith("same") else (max(js), max(cs))
        same_j = min(v[0] for k, v in worst.items() if k.startswith("same"))
        diff_j = max(v[0] for k, v in worst.items() if k.startswith("diff"))
        same_c = min(v[1] for k, v in worst.items() if k.startswith("same"))
        diff_c = max(v[1] for k, v in worst.items() if k.startswith("diff"))
        print(f"  {perms:3d} perms: same J >= {same_j:.2f}, C >= {same_c:.2f}; "
              f"diff J <= {diff_j:.2f}, C <= {diff_c:.2f}")
        print("             "
              + "  ".join(f"{k.split(': ')[1]}={v[0]:.2f}/{v[1]:.2f}" for k, v in worst.items()))
    p = StoryParams()
    print(f"\nchosen: k={p.shingle_size}, {p.num_perm} perms, min_jaccard={p.min_jaccard}, "
          f"min_containment={p.min_containment}, bands {p.lsh_bands}x{p.lsh_rows}")
    for s in (0.1, 0.2, 0.3, 0.4, 0.5):
        print(f"  P(candidate | J={s:.1f}) = {1 - (1 - s ** p.lsh_rows) ** p.lsh_bands:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", help="backfill sizes (e.g. 5000 10000 20000 50000)")
    ap.add_argument("--history", type=int, nargs="+", default=[0, 10_000, 40_000])
    ap.add_argument("--new", type=int, default=1_000)
    ap.add_argument("--per-day", type=int, default=500)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--calibrate", action="store_true")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child mode: one size, JSON out
    ap.add_argument("--one-history", type=int, help=argparse.SUPPRESS)  # child mode: one history size
    args = ap.parse_args()
    if args.calibrate:
        calibrate()
        return
    if args.one:
        print(json.dumps(run_one(args.one, args.per_day, args.seed), default=str))
        return
    if args.one_history is not None:
        print(json.dumps(run_on_history(args.one_history, args.new, args.per_day, args.seed), default=str))
        return
    if not args.sizes:
        history_table(args)
        return
    results = []
    for n in args.sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(n), "--per-day", str(args.per_day),
                              "--seed", str(args.seed)], capture_output=True, text=True, check=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        r = results[-1]
        print(f"done {n}: stories {r['t_stories']:.1f}s signals {r['t_signals']:.1f}s", file=sys.stderr)
    print(f"\narticles at {args.per_day}/day; backfill = update_stories + update_signals over all of them; "
          f"+1 day = {args.per_day} more articles on top of that history")
    head = (f"{'articles':>9} {'dups':>5} {'stories s':>9} {'signals s':>9} {'total s':>8} {'cpu s':>7} "
            f"{'art/s':>7} {'peak MB':>8} {'RSS MB':>7} {'+1 day s':>8} {'recall':>7} {'merges':>7} "
            f"{'signals':>8} {'corr':>9}")
    print(head)
    print("-" * len(head))
    for r in results:
        total = r["t_stories"] + r["t_signals"]
        cpu = r["c_stories"] + r["c_signals"]
        print(f"{r['n']:>9,} {r['dup_share']:>5.0%} {r['t_stories']:>9.1f} {r['t_signals']:>9.1f} "
              f"{total:>8.1f} {cpu:>7.1f} "
              f"{r['n'] / total:>7.0f} {r['peak_mb']:>8.0f} {r['rss_before_mb']:>7.0f} {r['t_day']:>8.2f} "
              f"{r['copy_recall']:>7.1%} {r['false_merges']:>7} {r['signals']:>8,} "
              f"{r['avg_corr']:>5.2f}/{r['max_corr']:<3}")
    print("\ngrowth ratios between consecutive sizes "
          "(linear = the size ratio; CPU time, robust to a busy host)")
    for a, b in pairwise(results):
        ta, tb = a["c_stories"] + a["c_signals"], b["c_stories"] + b["c_signals"]
        print(f"  {a['n']:>6,} -> {b['n']:>6,}: size x{b['n'] / a['n']:.1f}  cpu x{tb / ta:.2f}  "
              f"(stories x{b['c_stories'] / a['c_stories']:.2f}, "
              f"signals x{b['c_signals'] / a['c_signals']:.2f})  "
              f"peak memory x{b['peak_mb'] / a['peak_mb']:.2f}  +1 day x{b['t_day'] / a['t_day']:.2f}")
    if not all(r["peak_exact"] for r in results):
        print("note: /proc/self/clear_refs unavailable; peak memory includes data generation")


if __name__ == "__main__":
    main()
