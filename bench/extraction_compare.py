"""Compare main-text extraction methods on the shared extraction corpora.

Run: .venv/bin/python bench/extraction_compare.py [--limit N] [--corpora ...]

Methods (all start from ``extractors.article.decode_html`` for bytes):
  trafilatura  extractors.article.trafilatura_main_text (include_comments=False)
  bs4          extractors.article.heuristic_main_text
  cascade      trafilatura, then bs4 when trafilatura gives < 200 chars
               (what extractors.article.extract_article does)

Scorers, as described in /work/shared/corpora/extraction/README.md:
  scrapinghub_aeb   4-gram shingle P/R/F1 over \\w+ tokens, per-page normalised, means
  trafilatura_eval  segment substring matching of the "with"/"without" lists, summed counts
  fundus            title / date / author accuracy (and body shingle F1 for reference)

This is a measurement script, not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import trafilatura  # noqa: E402

from extractors.article import (  # noqa: E402
    decode_html,
    heuristic_main_text,
    read_page_metadata,
    trafilatura_main_text,
)

CORPUS = REPO.parent / "shared" / "corpora" / "extraction"
REFERENCE_F1 = {"trafilatura": (0.958, 0.938, 0.978)}  # README: published and reproduced figures
CASCADE_MIN_CHARS = 200


# ---------------------------------------------------------------------------
# Scorers
# ---------------------------------------------------------------------------


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = re.findall(r"\w+", text)
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


@dataclass
class ShingleScore:
    precision: float
    recall: float
    f1: float
    accuracy: float
    f1_std: float
    pages: int


def shingle_page_counts(truth: str, pred: str) -> tuple[float, float, float, bool]:
    """Per-page TP/FP/FN normalised by their sum (every page weighs the same), and exact-token match."""
    true_sh, pred_sh = shingles(truth), shingles(pred)
    tp = sum((true_sh & pred_sh).values())
    fp = sum((pred_sh - true_sh).values())
    fn = sum((true_sh - pred_sh).values())
    exact = re.findall(r"\w+", truth) == re.findall(r"\w+", pred)
    total = tp + fp + fn
    if total == 0:
        return 1.0, 0.0, 0.0, exact
    return tp / total, fp / total, fn / total, exact


def _prf(counts: list[tuple[float, float, float, bool]]) -> tuple[float, float, float]:
    precisions = [1.0 if fp == fn == 0 else tp / (tp + fp)
                  for tp, fp, fn, _ in counts if tp + fp > 0 or fn == 0]
    recalls = [1.0 if fp == fn == 0 else tp / (tp + fn) for tp, fp, fn, _ in counts if tp + fn > 0 or fp == 0]
    p = statistics.fmean(precisions) if precisions else 0.0
    r = statistics.fmean(recalls) if recalls else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def shingle_score(pairs: Iterable[tuple[str, str]], bootstrap: int = 1000) -> ShingleScore:
    counts = [shingle_page_counts(truth, pred) for truth, pred in pairs]
    p, r, f1 = _prf(counts)
    rng = random.Random(0)
    resampled = [_prf([rng.choice(counts) for _ in counts])[2] for _ in range(bootstrap)] if counts else []
    resampled = resampled or [f1]
    accuracy = statistics.fmean(c[3] for c in counts) if counts else 0.0
    return ShingleScore(p, r, f1, accuracy, statistics.pstdev(resampled), len(counts))


def _ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class SegmentScore:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    def add(self, output: str, with_segments: list[str], without_segments: list[str]) -> None:
        text = _ws(output)
        for segment in with_segments:
            if _ws(segment) in text:
                self.tp += 1
            else:
                self.fn += 1
        for segment in without_segments:
            if _ws(segment) in text:
                self.fp += 1
            else:
                self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        total = self.tp + self.fn + self.fp + self.tn
        return (self.tp + self.tn) / total if total else 0.0


# ---------------------------------------------------------------------------
# Corpus access
# ---------------------------------------------------------------------------


def manifest(corpus: str) -> list[dict]:
    rows = [json.loads(line) for line in (CORPUS / "manifest.jsonl").open(encoding="utf-8")]
    return sorted((r for r in rows if r["corpus"] == corpus), key=lambda r: r["id"])


def page_bytes(row: dict) -> bytes:
    with gzip.open(CORPUS / row["file"], "rb") as handle:
        return handle.read()


def load_json(relative: str) -> dict:
    path = CORPUS / relative
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


# ---------------------------------------------------------------------------
# Methods
# ---------------------------------------------------------------------------


def cascade_main_text(html: str, url: str | None) -> str:
    text = trafilatura_main_text(html, url)
    if len(text) < CASCADE_MIN_CHARS:
        rescue = heuristic_main_text(html)
        if len(rescue) > len(text):
            return rescue
    return text


METHODS: dict[str, Callable[[str, str | None], str]] = {
    "trafilatura": trafilatura_main_text,
    "bs4": lambda html, url: heuristic_main_text(html),
    "cascade": cascade_main_text,
}


def run_method(method: Callable[[str, str | None], str], raw: bytes, url: str | None) -> tuple[str, float]:
    start = time.perf_counter()
    try:
        text = method(decode_html(raw), url)
    except Exception as exc:  # noqa: BLE001 - a crash scores the page as a full miss, as upstream does
        print(f"    crash: {type(exc).__name__}: {exc}", file=sys.stderr)
        text = ""
    return text, (time.perf_counter() - start) * 1000


# ---------------------------------------------------------------------------
# Benchmarks
# ---------------------------------------------------------------------------


def check_reference() -> None:
    truth = load_json("scrapinghub_aeb/ground-truth.json")
    raw = load_json("scrapinghub_aeb/reference_outputs/trafilatura.json.gz")
    outputs = raw.get("output", raw)
    pairs = [(truth[k]["articleBody"], (outputs.get(k) or {}).get("articleBody") or "") for k in truth]
    score = shingle_score(pairs)
    expected = REFERENCE_F1["trafilatura"]
    got = (round(score.f1, 3), round(score.precision, 3), round(score.recall, 3))
    verdict = "OK, reproduced" if got == expected else "MISMATCH"
    print(
        f"Scorer check on reference_outputs/trafilatura.json.gz: F1 {got[0]:.3f} P {got[1]:.3f} "
        f"R {got[2]:.3f} acc {score.accuracy:.3f} (README: F1 {expected[0]} P {expected[1]} R {expected[2]}) "
        f"-> {verdict}"
    )


def bench_aeb(limit: int | None, methods: list[str]) -> dict[str, tuple[ShingleScore, float]]:
    truth = load_json("scrapinghub_aeb/ground-truth.json")
    rows = manifest("scrapinghub_aeb")[:limit]
    results = {}
    for name in methods:
        pairs, times = [], []
        for row in rows:
            text, ms = run_method(METHODS[name], page_bytes(row), row["url"])
            pairs.append((truth[row["id"]]["articleBody"], text))
            times.append(ms)
        results[name] = (shingle_score(pairs), statistics.fmean(times))
    return results


def bench_trafilatura_eval(limit: int | None, methods: list[str]) -> dict[str, tuple[SegmentScore, float]]:
    evaldata = load_json("trafilatura_eval/evaldata.json")
    rows = manifest("trafilatura_eval")[:limit]
    results = {}
    for name in methods:
        score, times = SegmentScore(), []
        for row in rows:
            truth = evaldata[row["ground_truth"]["key"]]
            url = row["url"] if row["url"].startswith("http") else None
            text, ms = run_method(METHODS[name], page_bytes(row), url)
            score.add(text, truth.get("with") or [], truth.get("without") or [])
            times.append(ms)
        results[name] = (score, statistics.fmean(times))
    return results


def _day_match(found: datetime | None, expected: str) -> bool:
    if found is None:
        return False
    truth = datetime.fromisoformat(expected)
    return found.date() in {truth.date(), truth.astimezone(UTC).date()}


def _author_match(found: str | None, expected: list[str]) -> bool:
    if not expected:
        return not found
    if not found:
        return False
    return all(_ws(name).lower() in found.lower() for name in expected)


def _trafilatura_meta(html: str, url: str) -> dict:
    document = trafilatura.extract_metadata(html, default_url=url)
    if document is None:
        return {"title": None, "author": None, "published_at": None}
    date = datetime.fromisoformat(document.date).replace(tzinfo=UTC) if document.date else None
    return {"title": document.title, "author": document.author, "published_at": date}


def _cascade_meta(html: str, url: str) -> dict:
    own = read_page_metadata(html)
    if own["title"] and own["published_at"] and own["author"]:
        return own
    other = _trafilatura_meta(html, url)
    # As extract_article does: trafilatura fills title and date, never the author.
    return {key: own[key] or (other[key] if key != "author" else None)
            for key in ("title", "author", "published_at")}


META_METHODS = {
    "trafilatura": _trafilatura_meta,
    "bs4": lambda html, url: read_page_metadata(html),  # the page-metadata reader used with bs4
    "cascade": _cascade_meta,
}


def bench_fundus(limit: int | None, methods: list[str]) -> dict[str, dict]:
    truth_all = load_json("fundus/ground-truth.json")
    rows = manifest("fundus")[:limit]
    results = {}
    for name in methods:
        hits: Counter[str] = Counter()
        pairs, times = [], []
        for row in rows:
            truth = truth_all[row["ground_truth"]["key"]]
            expected = truth["expected"]
            raw = page_bytes(row)
            text, ms = run_method(METHODS[name], raw, row["url"])
            times.append(ms)
            pairs.append((truth["body_text"], text))
            meta = META_METHODS[name](decode_html(raw), row["url"])
            hits["title"] += _ws(meta["title"] or "") == _ws(expected.get("title") or "")
            if expected.get("publishing_date"):
                hits["date_n"] += 1
                hits["date"] += _day_match(meta["published_at"], expected["publishing_date"])
            hits["author"] += _author_match(meta["author"], expected.get("authors") or [])
        results[name] = {"n": len(rows), "hits": hits, "body": shingle_score(pairs, bootstrap=0),
                         "ms": statistics.fmean(times)}
    return results


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="pages per corpus (first N by id)")
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--corpora", nargs="+", default=["scrapinghub_aeb", "trafilatura_eval", "fundus"])
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"corpus not found at {CORPUS} (expected ../shared beside the repo)")

    print(f"trafilatura {trafilatura.__version__}; limit={args.limit}; methods={args.methods}\n")
    # Warm-up: the first trafilatura call loads its lazy imports and config; keep that out of ms/page.
    warm = page_bytes(manifest("scrapinghub_aeb")[0])
    for name in args.methods:
        run_method(METHODS[name], warm, None)
    if "scrapinghub_aeb" in args.corpora:
        check_reference()
        aeb = bench_aeb(args.limit, args.methods)
        print(f"\nscrapinghub_aeb: shingle scores over {next(iter(aeb.values()))[0].pages} pages")
        print(f"{'method':<12} {'P':>6} {'R':>6} {'F1':>6} {'±':>6} {'acc':>6} {'ms/page':>8}")
        for name, (s, ms) in aeb.items():
            print(f"{name:<12} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.f1_std:6.3f} "
                  f"{s.accuracy:6.3f} {ms:8.1f}")

    if "trafilatura_eval" in args.corpora:
        segments = bench_trafilatura_eval(args.limit, args.methods)
        first = next(iter(segments.values()))[0]
        print(f"\ntrafilatura_eval: segment substring matching, {first.tp + first.fn} 'with' and "
              f"{first.fp + first.tn} 'without' segments")
        print(f"{'method':<12} {'P':>6} {'R':>6} {'F1':>6} {'acc':>6} "
              f"{'TP':>5} {'FN':>5} {'FP':>5} {'TN':>5} {'ms/page':>8}")
        for name, (seg, ms) in segments.items():
            print(f"{name:<12} {seg.precision:6.3f} {seg.recall:6.3f} {seg.f1:6.3f} {seg.accuracy:6.3f} "
                  f"{seg.tp:5d} {seg.fn:5d} {seg.fp:5d} {seg.tn:5d} {ms:8.1f}")

    if "fundus" in args.corpora:
        fundus = bench_fundus(args.limit, args.methods)
        print("\nfundus: metadata accuracy (title exact after whitespace normalisation; date same day;"
              " author = every expected name found) and body shingle scores")
        print(f"{'method':<12} {'title':>7} {'date':>7} {'author':>7} "
              f"{'body P':>7} {'body R':>7} {'body F1':>7} {'ms/page':>8}")
        for name, r in fundus.items():
            n, h, b = r["n"], r["hits"], r["body"]
            print(f"{name:<12} {h['title'] / n:7.3f} {h['date'] / max(h['date_n'], 1):7.3f} "
                  f"{h['author'] / n:7.3f} {b.precision:7.3f} {b.recall:7.3f} {b.f1:7.3f} {r['ms']:8.1f}")
        print("(metadata columns: trafilatura = trafilatura.extract_metadata; bs4 = extractors.article."
              "read_page_metadata; cascade = read_page_metadata, then trafilatura for missing fields)")


if __name__ == "__main__":
    main()
