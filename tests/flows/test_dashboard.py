"""The dashboard in a real headless Chromium, on a real server on 127.0.0.1, over a real DuckDB file.

Needs Debian's ``chromium`` and ``chromium-driver`` and the ``selenium`` package; skipped with the
reason when any is missing. The pictures in ``docs/`` come from the demo database instead
(tests/flows/test_dashboard_demo.py): this sample carries hostile titles on purpose.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from flows.dashboard.sample import HOSTILE, build_sample
from flows.dashboard.server import allowed_hosts, make_server, serve_in_thread
from tests.browser import chromium, console_problems

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = build_sample(tmp_path_factory.mktemp("dash") / "newsignal.duckdb")
    srv = make_server(db)
    serve_in_thread(srv)
    yield srv
    srv.shutdown()
    srv.server_close()


def get(server, path: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(server.url.rstrip("/") + path, timeout=10) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


# ---- over plain HTTP: escaping, endpoints, errors ------------------------------------------------


def test_feed_text_is_escaped_on_every_page(server):
    for path in ("/", "/entity?name=OpenAI", "/?entity=moonshot&stance=alleged"):
        status, headers, body = get(server, path)
        assert status == 200
        assert HOSTILE not in body and "<img src=x" not in body
        assert "&lt;script&gt;" in body
        assert "script-src 'self'" in headers["Content-Security-Policy"]


def test_signals_page_shows_threads_with_headlines_stance_and_sources(server):
    # The sample stores no "source" role (it runs no extractor): the headline does not say whose models.
    status, _, body = get(server, "/signals")
    assert status == 200
    # OpenAI's claim and Moonshot AI's denial are one thread, headlined from its roles.
    assert "OpenAI accuses Moonshot AI of model distillation; Moonshot AI denies it" in body
    assert "alleged by OpenAI; denied by Moonshot AI" in body
    assert HOSTILE not in body and "&lt;script&gt;" in body  # the hostile title, escaped
    threads = json.loads(get(server, "/api/signals?type=distillation_claim")[2])
    assert threads and {t["event_type"] for t in threads} == {"distillation_claim"}
    claim = next(t for t in threads if t["status"] == "contested")
    # The accusation (14 Nov), the denial (15 Nov) and the memo (17 Nov), oldest first; Anthropic's claim
    # against DeepSeek (15 Nov) is another thread.
    assert [src[0] for src in claim["sources"]] == ["Circuit Ledger", "Pacific Stack", "Modelwatch"]
    assert any("DeepSeek" in t["headline"] and t["signal_id"] != claim["signal_id"] for t in threads)
    assert get(server, "/signals?type=gossip")[0] == 400


def test_feed_health_page_lists_every_feed(server):
    status, _, body = get(server, "/feeds")
    assert status == 200 and "Feed health" in body
    for outlet in ("Circuit Ledger", "Pacific Stack", "Frontier Dispatch", "Modelwatch"):
        assert outlet in body
    assert "failing" not in body.split("<tbody>")[1]  # the sample's polls all succeeded


def test_json_endpoints_follow_the_filters(server):
    _, headers, body = get(server, "/api/counts?type=model_launch")
    assert headers["Content-Type"].startswith("application/json")
    counts = json.loads(body)
    assert {c["event_type"] for c in counts} == {"model_launch"} and sum(c["events"] for c in counts) == 4
    events = json.loads(get(server, "/api/events?entity=z.ai&limit=10")[2])  # an alias of Zhipu AI
    assert {e["article_url"].split("/")[-1] for e in events} == {
        "glm-5-wire", "zhipu-glm-5", "commerce-ends-licence-exception"}
    briefing = json.loads(get(server, "/api/entity?name=MOONSHOT")[2])
    assert briefing["names"] == ["Moonshot AI"] and briefing["events"] == 4
    assert briefing["key_points"] and "Moonshot AI" in briefing["summary"]
    assert [t["event_type"] for t in briefing["threads"]] == ["distillation_claim", "access_restriction"]
    hostile = json.loads(get(server, "/api/events?stance=alleged&source=circuit%20ledger")[2])
    assert hostile[0]["article_title"].endswith(HOSTILE)  # JSON carries the text as is; pages escape it
    assert len(hostile[0]["evidence"]) == 2


def test_bad_input_gets_a_clear_status_not_a_crash(server):
    assert get(server, "/?since=yesterday")[0] == 400
    assert "since must be YYYY-MM-DD" in get(server, "/?since=yesterday")[2]
    assert get(server, "/api/events?limit=0")[0] == 400
    assert get(server, "/static/../server.py")[0] == 404
    assert get(server, "/static/.hidden.js")[0] == 404
    assert get(server, "/entity")[0] == 400
    assert get(server, "/nowhere")[0] == 404


def raw_get(server, path: str, host: str | None) -> tuple[int, str]:
    """GET with exactly the Host header given (None: none at all), as a rebinding page's browser sends."""
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True)
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def test_only_its_own_loopback_names_are_answered(server):
    port = server.server_address[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}"):
        assert raw_get(server, "/api/options", host)[0] == 200, host
    foreign: tuple[str | None, ...] = (
        "attacker.example", f"attacker.example:{port}", f"rebind.attacker.example:{port}",
        f"127.0.0.1:{port + 1}", f"localhost.attacker.example:{port}", f"127.0.0.2:{port}", "127.0.0.1",
        f"[::1]:{port}", f"0.0.0.0:{port}", f"127.0.0.1:{port}@attacker.example", "", None)
    for bad in foreign:
        status, body = raw_get(server, "/api/options", bad)
        assert status == 403, (bad, status)
        assert "Circuit Ledger" not in body and f"127.0.0.1:{port}" in body  # says where it does answer
    assert raw_get(server, "/", "attacker.example")[0] == 403


def test_allowed_hosts_follow_the_bind_address_and_port():
    assert allowed_hosts("127.0.0.1", 8765) == {"127.0.0.1:8765", "localhost:8765"}
    assert allowed_hosts("::1", 8765) == {"[::1]:8765", "localhost:8765"}
    assert allowed_hosts("127.0.0.1", 80) == {"127.0.0.1:80", "localhost:80", "127.0.0.1", "localhost"}
    assert allowed_hosts("Dash.Example", 9000) == {"dash.example:9000"}  # bound by name: no localhost


def test_every_malformed_parameter_gets_a_400_answer(server, capfd):
    for path in ("/api/events?limit=%C2%B2", "/api/events?limit=%EF%BC%91", "/api/events?limit=" + "9" * 5000,
                 "/api/events?limit=1e3", "/api/events?limit=+5", "/api/events?since=20261120",
                 "/api/events?until=2026-W47-1", "/api/counts?type=gossip", "/?type=%00", "/?since=%C2%B2"):
        status, body = raw_get(server, path, f"127.0.0.1:{server.server_address[1]}")
        assert status == 400, (path, status)
        assert len(body) < 400 if path.startswith("/api/") else "must be" in body
    assert "Traceback" not in capfd.readouterr().err


def test_an_unexpected_error_is_still_answered(server, monkeypatch, capfd):
    # A bug the real parts cannot be made to show on demand: the page code raises.
    def broken(model):
        raise RuntimeError("a bug")

    monkeypatch.setattr("flows.dashboard.pages.feeds_page", broken)
    status, body = raw_get(server, "/feeds", f"127.0.0.1:{server.server_address[1]}")
    assert status == 500 and "a bug" not in body


def test_entity_page_with_no_events_says_so(server):
    status, _, body = get(server, "/entity?name=Nobody%20Inc")
    assert status == 200 and "Nothing about Nobody Inc in the warehouse yet." in body


def test_the_lock_is_touched_only_after_the_file_changes(tmp_path, monkeypatch):
    """Served from memory while a writer merely holds the lock; 503 naming it once data changed; fresh
    after."""
    import subprocess
    import sys

    monkeypatch.setattr("warehouse.db.DEFAULT_LOCK_WAIT_S", 0.3)
    db = build_sample(tmp_path / "newsignal.duckdb")
    srv = make_server(db)
    serve_in_thread(srv)
    hold = ("import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
            "c.execute(sys.argv[2]) if sys.argv[2] else None; print('held', flush=True); time.sleep(30)")
    try:
        assert {c["event_type"] for c in json.loads(get(srv, "/api/counts")[2])} >= {"pricing"}
        for change, expected in (("", 200), ("DELETE FROM events WHERE event_type = 'pricing'", 503)):
            with subprocess.Popen([sys.executable, "-c", hold, str(db), change], stdout=subprocess.PIPE,
                                  text=True) as holder:
                assert holder.stdout is not None
                try:
                    assert holder.stdout.readline().strip() == "held"
                    status, _, body = get(srv, "/api/counts")
                    assert status == expected, body
                    if expected == 503:
                        assert f"PID {holder.pid}" in json.loads(body)["error"]
                finally:
                    holder.kill()
        status, _, body = get(srv, "/api/counts")  # the writer is gone: the model is rebuilt
        assert status == 200 and "pricing" not in {c["event_type"] for c in json.loads(body)}
    finally:
        srv.shutdown()
        srv.server_close()


# ---- in Chromium ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    with chromium(1280, 1000) as driver:
        yield driver


@pytest.mark.slow
def test_overview_filter_and_entity_page_in_chromium(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 10)
    browser.get(server.url)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Events per type per day"
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart rect.bar")) >= 8
    assert len(browser.find_elements(By.CSS_SELECTOR, "tr.event")) == 13
    # The hostile title is shown as text, and no script from it ran.
    assert any(HOSTILE in a.text for a in browser.find_elements(By.CSS_SELECTOR, "td.source a"))
    assert browser.execute_script("return document.querySelectorAll('td script, td img').length") == 0

    # Choosing a stance submits the form (dashboard.js) and narrows chart and table.
    Select(browser.find_element(By.NAME, "stance")).select_by_value("alleged")
    wait.until(ec.url_contains("stance=alleged"))
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.event")
    assert len(rows) == 3 and all("alleged" in r.text for r in rows)
    bars = browser.find_elements(By.CSS_SELECTOR, "svg.chart rect.bar")
    assert {r.get_attribute("data-type") for r in bars} == {"distillation_claim"}

    # An entity by alias, then its briefing page.
    box = browser.find_element(By.NAME, "entity")
    box.send_keys("moonshot")
    browser.find_element(By.CSS_SELECTOR, "form.filters button").click()
    wait.until(ec.url_contains("entity=moonshot"))
    assert len(browser.find_elements(By.CSS_SELECTOR, "tr.event")) == 2
    browser.find_element(By.ID, "entity-link").click()
    wait.until(ec.presence_of_element_located((By.ID, "entity-name")))
    assert browser.find_element(By.ID, "entity-name").text == "Moonshot AI"
    # The briefing leads with the threads Moonshot AI is a party to, newest first; events are their evidence.
    brief = browser.find_element(By.CSS_SELECTOR, "#in-brief p").text
    assert brief.startswith("Latest: OpenAI accuses Moonshot AI of model distillation; Moonshot AI "
                            "denies it")
    assert "contested, 3 independent outlets" in brief
    threads = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "#threads .headline")]
    assert threads == ["OpenAI accuses Moonshot AI of model distillation; Moonshot AI denies it",
                       "Garante cuts off Moonshot AI"]
    points = browser.find_element(By.ID, "key-points").text
    assert "Party to 2 thread(s), 1 of them claims not established as fact." in points
    assert "3 distillation claim event(s): 2 alleged, 1 denied." in points
    assert "Most often named with OpenAI (3)" in points
    assert "2026-11-17" in browser.find_element(By.ID, "recent").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "#timeline tr.event")) == 4
    assert len(browser.find_elements(By.CSS_SELECTOR, "#sources tbody tr")) == 4
    # dashboard.js filled the entity list from /api/options.
    wait.until(
        lambda d: d.execute_script("return document.querySelectorAll('#entity-names option').length") > 5
    )
    assert console_problems(browser) == []
