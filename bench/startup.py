"""Start-up of a cold ``newsignal ingest``: what it spends before its flow's own work begins.

Runs ``python -m flows.cli ingest`` over one loopback feed of --articles short articles, --runs times for
this checkout and, with --repo, as often for another (an older commit: ``git worktree add /tmp/old REV``),
alternating the two so that a busy machine slows both alike. Every run is cold as a cron job's is: no
PREFECT_API_URL (Prefect's temporary server starts), the NLP workers load the model, but PREFECT_HOME's
database exists (a first run first fills it, not timed). Prints per run the command's wall time, the
start-up from its throughput line (process start to the flow's first step: imports, Prefect's server, the
flow run) and the CPU seconds of the command and the children it waited for (NLP workers; Prefect's
server is stopped by the watchdog, not waited for, so its CPU is not in it), then the medians.

    .venv/bin/python bench/startup.py [--runs 3] [--repo /tmp/old]

Talks only to 127.0.0.x addresses.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest_vs_nlp import servers  # noqa: E402  (the same generated feeds and loopback servers)

STARTUP = re.compile(r"start-up ([0-9.]+) s")


def one_run(repo: Path, feeds_file: Path, home: Path, db: Path) -> tuple[float, float, float]:
    """(wall s, start-up s, CPU s) of one cold ingest of ``repo``."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(home), PYTHONPATH=str(repo), NEWSIGNAL_CONFIG_DIR=str(repo / "config"),
               PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "flows.cli", "ingest", "--feeds", str(feeds_file), "--db",
                           str(db)], cwd=repo, env=env, capture_output=True, text=True, timeout=600)
    wall = time.monotonic() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"ingest of {repo} failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    found = STARTUP.search(done.stdout)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, float(found.group(1)) if found else float("nan"), cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--articles", type=int, default=4)
    ap.add_argument("--repo", type=Path, help="another checkout to measure alternately with this one")
    args = ap.parse_args()
    args.feeds = 1
    repos = [REPO] + ([args.repo.resolve()] if args.repo else [])
    results: dict[Path, list[tuple[float, float, float]]] = {r: [] for r in repos}
    with servers(args) as bases, tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        feeds_file = Path(tmp) / "feeds.toml"
        feeds_file.write_text(f'[[feed]]\nname = "Startup feed"\nurl = "{bases[0]}/feed.xml"\n')
        for repo in repos:  # fills each checkout's PREFECT_HOME database (migrations): not timed
            one_run(repo, feeds_file, Path(tmp) / f"home-{repos.index(repo)}", Path(tmp) / "warm.duckdb")
        for i in range(args.runs):
            for repo in repos:
                db = Path(tmp) / f"run-{i}-{repos.index(repo)}.duckdb"
                results[repo].append(one_run(repo, feeds_file, Path(tmp) / f"home-{repos.index(repo)}", db))
                wall, startup, cpu = results[repo][-1]
                print(f"{repo}: run {i + 1}: wall {wall:.1f} s, start-up {startup:.1f} s, CPU {cpu:.1f} s",
                      file=sys.stderr)
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"cold `ingest` of {args.articles} articles from one loopback feed, {args.runs} runs each, "
          f"alternating; load average at the end {' '.join(load)}")
    print(f"{'checkout':40} {'wall s':>7} {'start-up s':>10} {'CPU s':>6}   (medians; runs: start-up)")
    for repo, runs in results.items():
        walls, startups, cpus = zip(*runs, strict=True)
        print(f"{repo!s:40} {statistics.median(walls):>7.1f} {statistics.median(startups):>10.1f} "
              f"{statistics.median(cpus):>6.1f}   ({', '.join(f'{s:.1f}' for s in startups)})")


if __name__ == "__main__":
    main()
