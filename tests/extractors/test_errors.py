"""The transient reasons are listed once, and every TransientError raised in the code names one of them."""

from __future__ import annotations

import ast
from pathlib import Path

from extractors.errors import TRANSIENT_REASONS

REPO = Path(__file__).resolve().parents[2]


def _reasons_raised_as_transient() -> dict[str, str]:
    """reason -> where, for every TransientError(..., reason=...) call in the packages."""
    found: dict[str, str] = {}
    for path in sorted(p for pkg in ("extractors", "warehouse", "flows") for p in (REPO / pkg).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "TransientError"):
                continue
            for kw in node.keywords:
                if kw.arg == "reason":
                    v = kw.value
                    values = [v.body, v.orelse] if isinstance(v, ast.IfExp) else [v]
                    for v in values:
                        assert isinstance(v, ast.Constant), f"{path}:{node.lineno}: reason is not a literal"
                        found[str(v.value)] = f"{path.relative_to(REPO)}:{node.lineno}"
    return found


def test_every_transient_reason_in_the_code_is_in_the_one_list():
    raised = _reasons_raised_as_transient()
    assert {"timeout", "decoding", "robots_unavailable", "rate_limited"} <= set(raised)  # the scan sees them
    missing = {reason: where for reason, where in raised.items() if reason not in TRANSIENT_REASONS}
    assert not missing, f"add these to extractors.errors.TRANSIENT_REASONS: {missing}"

