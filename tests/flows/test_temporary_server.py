"""Prefect's temporary server, started by newsignal: flows run against it, and the command's own process never
imports Prefect's server package (FastAPI, SQLAlchemy, every route: seconds of CPU at each cold start)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
from flows.cli.output import prefect_defaults, start_flow_run
prefect_defaults()
started = []
start_flow_run(lambda: started.append("prefect.server.api.server" in sys.modules))
from prefect import flow, task

@task
def double(x):
    return 2 * x

@flow
def probe():
    return double.submit(21).result()

print(json.dumps({"answer": probe(), "server_package_before_launch": started[0],
                  "server_package_after_flow": "prefect.server.api.server" in sys.modules}))
"""


def test_a_cold_command_runs_its_flow_on_a_server_it_never_imports(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}  # cold: no server configured
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"answer": 42, "server_package_before_launch": False, "server_package_after_flow": False}
