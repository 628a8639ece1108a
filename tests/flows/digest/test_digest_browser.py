"""The demo digest rendered in headless Chromium at 600 px: it loads, fits, and logs no console error.

NEWSIGNAL_SCREENSHOTS=1 refreshes docs/digest.png.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from flows.digest.build import build_digest
from flows.digest.render import render_html
from tests.browser import chromium, console_problems
from tests.flows.digest.factory import BOUNDS, DAY, event

REPO = Path(__file__).resolve().parents[3]


def demo_like_digest():
    members = [
        event("1", "export_control", "asserted",
              ["Bureau of Industry and Security", "DeepSeek", "Moonshot AI"], "Circuit Ledger", signal="x",
              owner="Ledger Media Group", conf=0.95,
              title="US blacklists DeepSeek and Moonshot AI, citing distillation of American models",
              evidence=("The Bureau of Industry and Security added DeepSeek and Moonshot AI "
                        "to the Entity List.")),
        event("2", "export_control", "asserted", ["DeepSeek", "Bureau of Industry and Security"],
              "Pacific Stack", signal="x", title="Beijing vows response to US blacklisting"),
        event("3", "distillation_claim", "alleged", ["OpenAI", "Moonshot AI"], "Modelwatch", signal="d",
              seen=datetime(2026, 11, 16, 9), title="OpenAI memo details how Moonshot used ChatGPT"),
        event("4", "distillation_claim", "denied", ["Moonshot AI"], "Frontier Dispatch", signal="d",
              title='Moonshot AI denies the charge: "trained from scratch"'),
        event("5", "pricing", "asserted", ["Anthropic"], "Frontier Dispatch", signal="p",
              title="Anthropic prices Claude Opus 5 below its predecessor "
                    + "with a very long headline " * 3),
    ]
    return build_digest(DAY, "UTC", BOUNDS, members, {"export_control": 1.0, "distillation_claim": 0.9},
                        failing_feeds=[("Old Wire", "not_found: HTTP 404")], top_n=2)


@pytest.mark.slow
def test_digest_renders_at_600px_without_console_errors(tmp_path):
    page = tmp_path / "digest.html"
    page.write_text(render_html(demo_like_digest()), encoding="utf-8")
    with chromium(600, 900) as driver:
        driver.get(page.as_uri())
        assert driver.title.startswith("newsignal digest 2026-11-20")
        body_width = driver.execute_script("return document.documentElement.scrollWidth")
        assert body_width <= 600, f"the digest scrolls sideways at 600 px ({body_width} px wide)"
        text = driver.execute_script("return document.body.innerText")
        for expected in ("TOP SIGNALS", "WHAT CHANGED SINCE THE LAST DIGEST", "Old Wire"):
            assert expected.upper() in text.upper()
        assert console_problems(driver) == []
        if os.environ.get("NEWSIGNAL_SCREENSHOTS"):
            demo = Path(os.environ.get("NEWSIGNAL_DEMO_DIGEST",
                                       REPO / "demo-output" / "digest-2026-11-20.html"))
            if not demo.exists():
                pytest.fail(f"run `make demo` first: {demo} is missing")
            driver.get(demo.resolve().as_uri())
            height = driver.execute_script("return document.body.scrollHeight")
            driver.set_window_size(600, min(height + 40, 4000))
            driver.save_screenshot(str(REPO / "docs" / "digest.png"))


@pytest.mark.slow
def test_the_demo_digest_reads_in_at_most_2400_px_at_600_px_wide(demo_build):
    # The demo day's digest as `newsignal demo` wrote it: five threads, what changed, timelines, footer.
    page = demo_build.out_dir / "digest-2026-11-20.html"
    with chromium(600, 900) as driver:
        driver.get(page.resolve().as_uri())
        height = driver.execute_script("return document.body.scrollHeight")
        width = driver.execute_script("return document.documentElement.scrollWidth")
        text = driver.execute_script("return document.body.innerText").upper()
    print(f"demo digest {width} x {height} px")
    assert width <= 600 and height <= 2400, f"{width} x {height} px"
    for section in ("IN 20 SECONDS", "TOP SIGNALS", "WHAT CHANGED SINCE THE LAST DIGEST",
                    "EVIDENCE TIMELINES"):
        assert section in text
