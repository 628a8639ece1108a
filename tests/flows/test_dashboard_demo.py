"""The dashboard on the demo database, in Chromium: what a new user sees after `make demo`.

These pages are the pictures in ``docs/`` (NEWSIGNAL_SCREENSHOTS=1 retakes them), so they come from the demo
corpus, never from the test sample with its hostile titles.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from flows.dashboard.server import make_server, serve_in_thread
from tests.browser import chromium, console_problems

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_server(demo_build, tmp_path_factory):
    db = tmp_path_factory.mktemp("demo-dash") / "newsignal.duckdb"
    shutil.copy(demo_build.db, db)
    srv = make_server(db)
    serve_in_thread(srv)
    yield srv
    srv.shutdown()
    srv.server_close()


def _page(driver, url: str, name: str):
    from selenium.webdriver.common.by import By

    driver.set_window_size(1280, 1000)
    driver.get(url)
    body = driver.find_element(By.TAG_NAME, "body").text
    if os.environ.get("NEWSIGNAL_SCREENSHOTS"):
        height = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(1280, min(max(height + 40, 800), 2400))
        driver.save_screenshot(str(REPO / "docs" / name))
    return body


def test_the_demo_dashboard_shows_threads_for_readers(demo_server):
    from selenium.webdriver.common.by import By

    base = demo_server.url.rstrip("/")
    with chromium(1280, 1000) as driver:
        overview = _page(driver, base + "/", "dashboard.png")
        assert "Events per type per day" in overview
        entity = _page(driver, base + "/entity?name=Moonshot%20AI", "dashboard-entity.png")
        headlines = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "#threads .headline")]
        assert "OpenAI accuses Moonshot AI of distilling its models; Moonshot AI denies it" in headlines
        assert "Latest:" in entity
        _page(driver, base + "/signals", "dashboard-signals.png")
        assert len(driver.find_elements(By.CSS_SELECTOR, "li.signal")) >= 10
        assert console_problems(driver) == []
        # Nothing from the test fixtures: no script tags, no sample outlets.
        for text in (overview, entity):
            assert "<script" not in text and "sample" not in text.lower()
