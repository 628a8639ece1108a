"""A flow command that fails says so in one line: no Prefect traceback, no teardown noise, nothing lost."""

from __future__ import annotations

import ctypes
import functools
import os
import subprocess
import sys
from pathlib import Path

import pytest

from warehouse.writer import writer

pytestmark = pytest.mark.slow

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def _without_file_capabilities() -> None:
    """In the child, before exec: root without the capabilities that ignore file permissions."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@functools.cache
def _permissions_apply() -> bool:
    """Whether a child of this process meets a directory's permission bits (root must drop capabilities)."""
    if os.geteuid() != 0:
        return True
    try:
        subprocess.run([sys.executable, "-c", "pass"], preexec_fn=_without_file_capabilities, check=True)
    except (subprocess.SubprocessError, OSError):
        return False
    return True


def newsignal(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # Root ignores a directory's permission bits; without CAP_DAC_OVERRIDE it meets them like anyone.
    preexec = _without_file_capabilities if os.geteuid() == 0 and _permissions_apply() else None
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    env.pop("NEWSIGNAL_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True, env=env,
                          timeout=300, preexec_fn=preexec, cwd=Path(__file__).resolve().parents[3])


@pytest.fixture
def files(tmp_path):
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feed]]\nname = "Nowhere"\nurl = "http://127.0.0.1:9/feed.xml"\n', encoding="utf-8")
    corrupt = tmp_path / "corrupt.duckdb"
    corrupt.write_bytes(b"not a database, " * 512)
    good = tmp_path / "good.duckdb"
    with writer(good):
        pass  # migrated, empty
    read_only = tmp_path / "read-only"
    read_only.mkdir()
    read_only.chmod(0o555)
    yield {"feeds": feeds, "corrupt": corrupt, "good": good, "read_only": read_only}
    read_only.chmod(0o755)


CASES = {
    "ingest into a corrupt database": (
        ["ingest", "--feeds", "{feeds}", "--db", "{corrupt}"], "not a valid DuckDB database"),
    "ingest into a read-only directory": (
        ["ingest", "--feeds", "{feeds}", "--db", "{read_only}/news.duckdb"], "Permission denied"),
    "digest of a corrupt database": (
        ["digest", "--db", "{corrupt}", "--date", "2026-11-20", "--out", "{tmp}/out"],
        "not a valid DuckDB database"),
    "digest into a read-only directory": (
        ["digest", "--db", "{good}", "--date", "2026-11-20", "--out", "{read_only}/out"],
        "Permission denied"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_failing_flow_command_prints_exactly_one_error_line(tmp_path, files, case):
    args, reason = CASES[case]
    if "read-only" in case and not _permissions_apply():
        pytest.skip("running as root without CAP_SETPCAP: a read-only directory cannot be made here")
    before = files["corrupt"].read_bytes()
    result = newsignal(tmp_path, *(a.format(tmp=tmp_path, **files) for a in args))
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert reason in lines[0] and " (" in lines[0], "the line says what went wrong and what to do"
    assert files["corrupt"].read_bytes() == before, "the damaged file is left as it was"
    assert not list(files["read_only"].iterdir())


def test_a_successful_digest_leaves_stderr_empty(tmp_path, files):
    result = newsignal(tmp_path, "digest", "--db", str(files["good"]), "--date", "2026-11-20",
                       "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert len(result.stdout.splitlines()) == 3  # the .html, .txt and .json files
