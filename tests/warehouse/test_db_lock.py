"""Readers wait for a writer in another process, then give up naming it."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from warehouse.db import DatabaseError, connect
from warehouse.writer import writer

HOLD = ("import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
        "time.sleep(float(sys.argv[2])); c.close(); time.sleep(30)")


def hold(db_path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(db_path), str(seconds), "ingest-lock-holder"],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_reader_gives_up_after_its_wait_and_names_the_holder(db_path):
    with writer(db_path):
        pass
    with hold(db_path, 60) as holder:
        try:
            started = time.monotonic()
            with pytest.raises(DatabaseError) as info:
                connect(db_path, read_only=True, wait_s=1.0)
            assert 1.0 <= time.monotonic() - started < 5
            message = str(info.value)
            assert f"PID {holder.pid}" in message and "ingest-lock-holder" in message
            assert "NEWSIGNAL_LOCK_WAIT_S" in message
        finally:
            holder.kill()


def test_a_reader_gets_in_once_the_writer_lets_go(db_path):
    with writer(db_path):
        pass
    with hold(db_path, 1.5) as holder:
        try:
            con = connect(db_path, read_only=True, wait_s=20)
            assert con.execute("SELECT count(*) FROM feeds").fetchone() == (0,)
            con.close()
        finally:
            holder.kill()
