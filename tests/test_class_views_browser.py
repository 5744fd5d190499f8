"""The projector view and the student page on a phone, in Debian's Chromium against a real server."""

from __future__ import annotations

import pytest

from test_class_browser import _api, assert_offline_and_clean
from tests.support.browser import Watched, shot, wait_for_month, wait_text

pytestmark = pytest.mark.slow


def _room(server: str) -> tuple[str, str, str]:
    made = _api(server, "/api/class/rooms", {"scenario": "kato-2025", "steps": 3, "start": True})
    token = _api(server, f"/api/class/rooms/{made['code']}/join", {"name": "Aiko Nakamura-Watanabe",
                                                                    "seat": "JP"})["token"]
    _api(server, f"/api/class/rooms/{made['code']}/join", {"name": "Ben", "seat": "US"})
    return made["code"], made["instructor_token"], token


def test_the_projector_view_shows_the_code_and_student_link_and_never_the_key(browser, server):
    from ui.server import lan_addresses

    code, boss, _ = _room(server)
    tab = Watched(browser, server)
    try:
        tab.open(f"/class/projector?room={code}", ".projector-code")
        text = tab.page.locator(".projector").inner_text()
        assert tab.page.locator(".projector-code").inner_text().strip() == code
        link = tab.page.locator(".projector-link").inner_text().strip()
        assert link.endswith(f"/class?room={code}")
        if lan_addresses():            # opened on 127.0.0.1: students get the machine's network address
            assert link.startswith(f"http://{lan_addresses()[0]}:")
        assert "--host 0.0.0.0" in text                    # the test server listens on loopback only
        assert boss not in tab.page.content() and "token" not in text and "instructor" not in text.lower()
        assert float(tab.page.locator(".projector-code").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) > 60
        qr = tab.page.locator("img.projector-qr")
        assert qr.get_attribute("alt") == f"QR code of {link}" and qr.get_attribute("src").startswith("data:image/svg+xml")
        drawn = qr.evaluate("e => [e.naturalWidth, e.getBoundingClientRect().height, window.innerHeight]")
        assert drawn[0] > 0 and drawn[1] >= 0.3 * drawn[2]     # loaded, and large enough to scan from afar
        assert_offline_and_clean(tab)
        shot(tab, "class-projector-view")
    finally:
        tab.close()


def test_the_student_page_is_usable_on_a_390_px_phone(browser, server):
    code, boss, token = _room(server)
    _api(server, f"/api/class/rooms/{code}/advance", {}, token=boss)
    tab = Watched(browser, server, viewport=(390, 844))
    try:
        tab.open(f"/class?room={code}&token={token}", ".submit-moves")
        tab.page.wait_for_selector(".chart-markets .gtitle", timeout=60_000)
        layout = tab.page.evaluate("""() => {
            const box = e => e.getBoundingClientRect();
            const words = [...document.querySelectorAll('.prose h2, .prose h3, .prose h4')].map(h => {
                const s = getComputedStyle(h); return [s.wordBreak, s.overflowWrap, h.scrollWidth <= h.clientWidth + 1]; });
            const charts = [...document.querySelectorAll('.plotly-view, .svg-chart')].map(e => Math.round(box(e).right));
            const tables = [...document.querySelectorAll('.prose table')].map(t => {
                const holder = t.closest('.prose'); return [getComputedStyle(holder).overflowX, Math.round(box(holder).right)]; });
            const submit = box(document.querySelector('.submit-moves'));
            return {page: document.documentElement.scrollWidth, words, charts, tables,
                    submit: [Math.round(submit.height), Math.round(submit.left), Math.round(submit.right)]};
        }""")
        assert layout["page"] <= 390, "the page scrolls sideways"
        assert layout["words"] and all(w[0] != "break-all" and w[1] == "normal" and w[2] for w in layout["words"])
        assert layout["charts"] and max(layout["charts"]) <= 390, f"a chart is wider than the phone: {layout['charts']}"
        assert layout["tables"] and all(overflow == "auto" and right <= 390 for overflow, right in layout["tables"])
        height, left, right = layout["submit"]
        assert height >= 44 and left >= 0 and right <= 390
        assert "runs on Solara" not in tab.page.inner_text("body"), "Solara's badge covers the form's corner"
        assert_offline_and_clean(tab)
        tab.page.locator(".class-heading").scroll_into_view_if_needed()
        shot(tab, "class-student-phone")
    finally:
        tab.close()


def test_the_qr_code_holds_the_student_link_in_a_symbol_small_enough_to_scan_from_afar():
    import urllib.parse

    import segno

    from ui.components.class_projector import student_qr_uri

    link = "http://192.168.178.101:8765/class?room=K7QZ2M"
    symbol = segno.make(link, error="m")
    assert symbol.version <= 5 and symbol.error in ("M", "Q", "H")   # segno raises the level when it fits
    svg = urllib.parse.unquote(student_qr_uri(link).split(",", 1)[1])
    assert svg == urllib.parse.unquote(symbol.svg_data_uri(border=4).split(",", 1)[1])
    assert "href" not in svg and "<script" not in svg      # nothing to fetch, nothing to run


WORLD_DRAWS = """() => Object.fromEntries(['markets', 'economies', 'network'].map(name => {
    const view = document.querySelector(`.class-world .chart-${name} .plotly-view, .class-world .chart-${name} .svg-chart`);
    const title = view.querySelector('.gtitle');
    return [name, {draws: +view.dataset.draws, title: title ? title.textContent : '', height: view.offsetHeight}];
}))"""


def _scroll_chart(page, chart: str, below_px: int) -> None:
    """Scroll the page's scrolling box so that ``chart``'s top sits ``below_px`` under its visible bottom
    (negative: inside the visible part)."""
    page.evaluate("""([chart, below]) => {
        const target = document.querySelector('.class-world .chart-' + chart);
        let box = target.parentElement;
        while (!/(auto|scroll)/.test(getComputedStyle(box).overflowY)) box = box.parentElement;
        const top = target.getBoundingClientRect().top - box.getBoundingClientRect().top;
        box.scrollTop += top - box.clientHeight - below;
    }""", [chart, below_px])


def test_world_charts_off_screen_wait_and_are_drawn_at_once_when_scrolled_to_or_the_page_is_shown(browser, server):
    """The markets chart is drawn when a round arrives; the economies and network charts only when they
    are on or near the screen of a visible page, and then at once, with the latest month."""
    made = _api(server, "/api/class/rooms", {"scenario": "kato-2025", "steps": 4, "start": True})
    code, boss = made["code"], made["instructor_token"]
    token = _api(server, f"/api/class/rooms/{code}/join", {"name": "Chika", "seat": "JP"})["token"]
    tab = Watched(browser, server, viewport=(1280, 900))
    page = tab.page
    try:
        tab.open(f"/class?room={code}&token={token}", ".submit-moves")
        page.wait_for_selector(".chart-markets .gtitle", timeout=60_000)
        off_screen = page.evaluate("() => document.querySelector('.chart-economies').getBoundingClientRect().top")
        assert off_screen > 900 + 400, "the world's lower charts must start off screen for this test to mean anything"
        _api(server, f"/api/class/rooms/{code}/advance", {}, token=boss)
        wait_for_month(page, 1)
        page.wait_for_timeout(500)
        world = page.evaluate(WORLD_DRAWS)
        assert world["economies"]["draws"] == 0 and world["network"]["draws"] == 0, world
        assert world["economies"]["height"] >= 400 and world["network"]["height"] >= 440, "their space is kept"

        _scroll_chart(page, "network", below_px=200)            # near the screen: drawn before it shows
        page.wait_for_function("() => document.querySelector('.chart-network .gtitle')", timeout=10_000)
        world = page.evaluate(WORLD_DRAWS)
        assert world["network"]["title"].startswith("Trade network, month 1") and world["network"]["draws"] == 1
        assert world["economies"]["title"] and "month 1:" in world["markets"]["title"]

        _api(server, f"/api/class/rooms/{code}/advance", {}, token=boss)   # in view: redrawn with the round
        wait_text(page, ".chart-network .gtitle", "month 2", timeout_ms=20_000)

        page.evaluate("""() => { Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
                                 document.dispatchEvent(new Event('visibilitychange')); }""")
        _api(server, f"/api/class/rooms/{code}/advance", {}, token=boss)   # a hidden tab draws no lower chart
        wait_for_month(page, 3)
        page.wait_for_timeout(500)
        assert page.evaluate(WORLD_DRAWS)["network"]["title"].startswith("Trade network, month 2")
        page.evaluate("""() => { Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'visible'});
                                 document.dispatchEvent(new Event('visibilitychange')); }""")
        wait_text(page, ".chart-network .gtitle", "month 3", timeout_ms=10_000)
        assert_offline_and_clean(tab)
    finally:
        tab.close()


def test_a_students_markets_and_report_charts_come_drawn_by_the_server_without_plotly(browser, server):
    """On a student's page the markets and report-card charts are SVG made once per room and month on the
    server: the page draws them without loading plotly.js, and hovering a month shows every series' value."""
    code, boss, token = _room(server)
    tab = Watched(browser, server, viewport=(1280, 900))
    page = tab.page
    try:
        tab.open(f"/class?room={code}&token={token}", ".submit-moves")
        _api(server, f"/api/class/rooms/{code}/advance", {}, token=boss)
        wait_for_month(page, 1)
        shown = page.evaluate("""() => {
            const markets = document.querySelector('.chart-markets .svg-chart');
            const report = document.querySelector('.report-card .svg-chart');
            const titles = (e, s) => [...e.querySelectorAll(s)].map(t => t.textContent);
            return {plotly: typeof window.Plotly,
                    fetched: performance.getEntriesByType('resource').filter(r => r.name.includes('plotly')).length,
                    panels: titles(markets, '.svg-panel-title'), months: titles(markets, '.svg-hover title'),
                    legend: titles(markets, '.svg-legend-item'), bars: titles(report, 'rect title'),
                    width: Math.round(markets.getBoundingClientRect().width)};
        }""")
        assert shown["plotly"] == "undefined" and shown["fetched"] == 0, "a student's page drew a chart with plotly.js"
        assert shown["panels"] == ["US 10-year yield (%)", "USD/JPY (yen per dollar)", "S&P 500 (index)", "Nikkei 225 (index)"]
        month_one = [m for m in shown["months"] if m.startswith("month 1\n")]
        assert len(month_one) == 4 and all("Your game: " in m and "Baseline (rules only): " in m for m in month_one)
        assert shown["legend"] == ["Baseline (rules only)", "Your game"] and shown["width"] > 600
        ours = [b for b in shown["bars"] if b.startswith("Your game, ")]         # one bar a part, and the baseline's
        assert len(ours) >= 4 and len(shown["bars"]) == 2 * len(ours) and ours[0].startswith("Your game, output: ")
        assert_offline_and_clean(tab)
    finally:
        tab.close()
