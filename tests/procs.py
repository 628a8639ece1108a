"""Processes read from /proc (Linux): who descends from whom, and whether one is still running.

Tests that start servers and workers use these to prove that nothing outlives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    started: int  # clock ticks after boot: with the PID, names one process even if the PID is reused
    state: str
    cmdline: str


def read_proc(pid: int) -> Proc | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "; comm may hold spaces
    return Proc(pid, int(fields[1]), int(fields[19]), fields[0], cmdline.strip())


def all_processes() -> list[Proc]:
    found = (read_proc(int(d.name)) for d in Path("/proc").iterdir() if d.name.isdigit())
    return [p for p in found if p is not None]


def descendants(pid: int) -> list[Proc]:
    procs = all_processes()
    family, frontier = [], {pid}
    while frontier:
        children = [p for p in procs if p.ppid in frontier]
        family += children
        frontier = {p.pid for p in children}
    return family


def still_running(p: Proc) -> bool:
    now = read_proc(p.pid)
    # A zombie has ended (it only waits to be reaped by whoever adopted it) and holds no memory.
    return now is not None and now.started == p.started and now.state != "Z"
