"""The same ingest on threads and on a 2-process Dask cluster: throughput, and the busiest host's load.

Generates --articles articles in --feeds feeds, one feed per loopback host (127.0.0.2, 127.0.0.3, ...),
with bench/ingest_vs_nlp.py's generator, served from a child process that notes when each request
arrives at each host. Then runs a cold ``python -m flows.cli ingest`` into a new database once per
configuration, one after the other, on the same feeds:

- threads, 1 NLP process: tasks on threads, NLP in the command's own process (``[ingest] workers = 1``);
- threads, 2 NLP processes: the default on two cores (``workers = 0``: one per core), NLP in two
  processes of the command's own, fed article by article;
- dask, 2 workers: ``--task-runner dask``, a local cluster of two worker processes (``workers = 2``)
  that poll, fetch, extract and annotate; the command's process only writes.

Each configuration thus uses at most two processes for NLP, on a machine with two cores. Prints for each the
wall time, articles per second, peak resident memory of all its processes, the CPU seconds per kind of
process, the ratio of throughputs, and the busiest host's requests per second: over its busy span, and
the most in any one second (the per-host limits allow 2 at once and one every 0.25 s: about 4 a second),
and the closest two requests to any one host.

    .venv/bin/python bench/task_runners.py [--articles 300] [--feeds 10]

Talks only to 127.0.0.x addresses. Linux only (reads /proc). On a shared machine, compare figures of one
run only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path

from ingest_vs_nlp import article_text, feed_xml, page_html, plan, run_measured

REPO = Path(__file__).resolve().parents[1]

# name -> (extra arguments of `ingest`, NEWSIGNAL_INGEST_WORKERS)
CONFIGURATIONS: dict[str, tuple[list[str], str]] = {
    "threads, 1 NLP process": (["--task-runner", "threads"], "1"),
    "threads, 2 NLP processes": (["--task-runner", "threads"], "2"),
    "dask, 2 worker processes": (["--task-runner", "dask"], "2"),
}


def serve(args: argparse.Namespace) -> None:
    """Child process: one server per feed on its own loopback address; prints their bases, serves until
    stdin closes, then prints every host's arrival times (JSON) and ends."""
    bases: list[str] = []
    arrivals: dict[str, list[float]] = {}
    for f, seeds in enumerate(plan(args.articles, args.feeds)):
        routes: dict[str, tuple[str, bytes]] = {}
        host = f"127.0.0.{f + 2}"
        seen = arrivals.setdefault(host, [])

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            table, log = routes, seen

            def log_message(self, *a: object) -> None:
                pass

            def do_GET(self) -> None:
                self.log.append(time.monotonic())
                kind, body = self.table.get(self.path, ("text/plain", b""))
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        server = ThreadingHTTPServer((host, 0), Handler)
        server.daemon_threads = True
        base = f"http://{host}:{server.server_address[1]}"
        routes["/feed.xml"] = ("application/rss+xml", feed_xml(base, f, seeds))
        for s in seeds:
            routes[f"/p/{s}.html"] = ("text/html; charset=utf-8", page_html(*article_text(s)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        bases.append(base)
    print(json.dumps(bases), flush=True)
    for line in sys.stdin:  # one line per run: hand over that run's arrivals and start afresh
        if line.strip() == "arrivals":
            print(json.dumps(arrivals), flush=True)
            for times in arrivals.values():
                times.clear()


@contextmanager
def servers(args: argparse.Namespace) -> Iterator[tuple[list[str], subprocess.Popen[str]]]:
    cmd = [sys.executable, __file__, "--serve", "--articles", str(args.articles), "--feeds", str(args.feeds)]
    with subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None and child.stdin is not None
        yield json.loads(child.stdout.readline()), child
        child.stdin.close()


def take_arrivals(child: subprocess.Popen[str]) -> dict[str, list[float]]:
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write("arrivals\n")
    child.stdin.flush()
    return {host: sorted(times) for host, times in json.loads(child.stdout.readline()).items()}


def busiest(arrivals: dict[str, list[float]]) -> tuple[str, float, int]:
    """The host with the most requests in any one second: (host, its requests per second over its busy
    span, that most in one second)."""
    def most_in_a_second(times: list[float]) -> int:
        j, most = 0, 0
        for i, t in enumerate(times):
            while times[j] <= t - 1.0:
                j += 1
            most = max(most, i - j + 1)
        return most

    host = max(arrivals, key=lambda h: (most_in_a_second(arrivals[h]), len(arrivals[h])))
    times = arrivals[host]
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    return host, (len(times) - 1) / span if span else 0.0, most_in_a_second(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--feeds", type=int, default=10)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.serve:
        serve(args)
        return

    tmp = Path(tempfile.mkdtemp(prefix="bench-runners-"))
    print(f"{args.articles} articles in {args.feeds} feeds on {args.feeds} loopback hosts; {os.cpu_count()} "
          f"cores; load average {os.getloadavg()[0]:.2f} (other processes on the machine take CPU too)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSIGNAL_"))}
    env |= {"PREFECT_HOME": str(tmp / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1", "NEWSIGNAL_CONFIG_DIR": str(REPO / "config")}
    # Prefect's database exists already, as on every run after a machine's first.
    prefect = REPO / ".venv/bin/prefect"
    subprocess.run([str(prefect if prefect.exists() else "prefect"), "server", "database", "upgrade", "-y"],
                   env=env, check=True, capture_output=True)
    results: dict[str, float] = {}
    with servers(args) as (bases, child):
        feeds_file = tmp / "feeds.toml"
        feeds_file.write_text("".join(f'[[feed]]\nname = "Bench {i}"\nurl = "{b}/feed.xml"\n\n'
                                      for i, b in enumerate(bases)))
        for n, (name, (extra, workers)) in enumerate(CONFIGURATIONS.items()):
            cmd = [sys.executable, "-m", "flows.cli", "ingest", "--feeds", str(feeds_file),
                   "--db", str(tmp / f"run{n}.duckdb"), *extra]
            run_env = env | {"NEWSIGNAL_INGEST_WORKERS": workers}
            wall, peak, cpu, done = run_measured(cmd, cwd=REPO, env=run_env)
            arrivals = take_arrivals(child)
            if done.returncode:
                sys.exit(f"{name}: ingest failed: {done.stderr.strip()[-2000:]}")
            stored = next((ln for ln in done.stdout.splitlines() if ln.startswith("throughput")), "")
            articles = int(stored.split(":")[1].split()[0]) if stored else 0
            results[name] = articles / wall
            host, rate, most = busiest(arrivals)
            closest = min((b - a for times in arrivals.values() for a, b in pairwise(times)),
                          default=0.0)
            # Spawned processes are the NLP workers under threads, the Dask workers under dask.
            kinds = ", ".join(f"{k.replace('NLP workers', 'spawned workers')} {s:.1f}"
                              for k, s in sorted(cpu.items(), key=lambda kv: -kv[1]))
            print(f"{name}:\n  {wall:6.1f} s wall, {articles} articles, {articles / wall:.2f} articles/s "
                  f"(whole command, start-up included); peak RSS {peak:.0f} MB\n"
                  f"  {stored}\n  CPU seconds (sampled every 50 ms): {sum(cpu.values()):.1f}: {kinds}\n"
                  f"  busiest host {host}: {sum(map(len, arrivals.values()))} requests in all, "
                  f"{len(arrivals[host])} to it, {rate:.2f}/s over its busy span, "
                  f"at most {most} in one second; closest two requests to one host {closest * 1000:.0f} ms "
                  "apart (stamped by a server process that waits for a core too)")
    dask = results["dask, 2 worker processes"]
    for name, throughput in results.items():
        if not name.startswith("dask"):
            print(f"ratio dask / {name} = {dask / throughput:.2f}")


if __name__ == "__main__":
    main()
