"""The web app in a real browser (Debian's Chromium through Playwright) against a real server process.

Screenshots go to ``test-artifacts/`` (see ``tests/support/browser.py``).
"""

import re

import pytest

from tests.support.browser import Watched, choose, shot, type_into, wait_for_month, wait_text

pytestmark = pytest.mark.slow
KATO_JAPAN = "/play?scenario=kato-2025&seats=JP"


def assert_offline_and_clean(tab) -> None:
    assert tab.foreign_hosts() == set(), "the page asked a host other than the app's own"
    assert tab.failures == [], "a request failed"
    assert tab.errors == [], "the page raised a script error"
    assert "Traceback" not in tab.page.inner_text("body")


def queue_treasury_move(page, move: str, amount_bn: int) -> None:
    choose(page, "Treasury move", move)
    type_into(page, "Amount (USD bn)", str(amount_bn))
    page.get_by_role("button", name="Add Treasury move").click()
    page.wait_for_selector(f".queued-move:has-text('${amount_bn}bn')")


def step(page, month: int) -> None:
    page.get_by_role("button", name="Step: play next month").click()
    wait_for_month(page, month)


@pytest.mark.parametrize("path, ready, name", [
    ("/", ".scenario-card", "scenarios"),
    (KATO_JAPAN, ".chart-network [data-draws='1']", "play-start"),
    ("/lab?scenario=kato-2025", ".lab-run", "lab"),
])
def test_every_page_renders_fully_offline(tab, path, ready, name):
    tab.open(path, ready)
    tab.page.wait_for_load_state("networkidle")
    shot(tab, name)
    assert_offline_and_clean(tab)


def test_playing_japan_threaten_then_sell_moves_charts_ticker_and_why(tab, browser, server):
    tab.open(KATO_JAPAN, ".chart-markets [data-draws='1']")
    page = tab.page
    queue_treasury_move(page, "Threaten to sell", 300)
    step(page, 1)
    wait_text(page, ".why-us_10y", "Japan's threat to sell Treasuries")   # the panel redraws after the heading
    assert re.search(r"threat|warns it could sell", page.locator(".news-ticker").inner_text(), re.I)
    queue_treasury_move(page, "Sell", 150)
    step(page, 2)
    wait_text(page, ".why-us_10y", "Japan's Treasury sales")
    why = page.locator(".why-us_10y").inner_text()
    assert "Japan's Treasury sales" in why and "Japan" in page.locator(".news-ticker").inner_text()
    assert page.locator(".chart-network .gtitle").text_content().startswith("Trade network, month 2")
    assert page.locator(".report-card").inner_text().count("Baseline") >= 1
    shot(tab, "play-japan-sold")
    assert_offline_and_clean(tab)

    # the address bar holds the game: a second browser opening it sees the same two months
    page.wait_for_function("() => location.search.includes('month=2')")
    link = page.url
    assert "threaten_sale" in link and "sell_treasuries" in link
    other = Watched(browser, server)
    try:
        other.open(link.removeprefix(server), ".chart-markets [data-draws='1']")
        wait_for_month(other.page, 2)
        assert other.page.locator(".why-us_10y").inner_text() == why
    finally:
        other.close()


def test_two_browsers_never_share_a_game(browser, server):
    first, second = Watched(browser, server), Watched(browser, server)
    try:
        for tab in (first, second):
            tab.open(KATO_JAPAN, ".chart-markets [data-draws='1']")
        for month in (1, 2, 3):
            step(first.page, month)
        step(second.page, 1)
        assert "month 1 of 24" in second.page.locator(".game-heading").inner_text()
        assert "month 3 of 24" in first.page.locator(".game-heading").inner_text()
    finally:
        first.close()
        second.close()


def test_bad_links_and_bad_moves_get_an_inline_sentence(tab):
    tab.open("/play?scenario=kato-2025&seed=abc&steps=24&v=0.2.0", ".link-error")
    assert "'seed' must be a whole number" in tab.page.locator(".link-error").inner_text()
    tab.open("/play?scenario=atlantis", ".link-error")
    assert "atlantis" in tab.page.locator(".link-error").inner_text()

    tab.open(KATO_JAPAN, ".chart-markets [data-draws='1']")
    page = tab.page
    choose(page, "Treasury move", "Sell")
    type_into(page, "Amount (USD bn)", "5000")
    page.get_by_role("button", name="Add Treasury move").click()
    page.wait_for_selector(".move-error")
    assert "so you cannot sell $5,000bn" in page.locator(".move-error").inner_text()
    assert "month 0 of 24" in page.locator(".game-heading").inner_text()
    choose(page, "Sector", "autos")
    type_into(page, "Tariff (%)", "-20")
    page.get_by_role("button", name="Add tariff").click()
    page.wait_for_selector(".move-error:has-text('A tariff must be from 0% to 1000%; you entered -20%.')")
    shot(tab, "play-bad-input")
    assert "Traceback" not in page.inner_text("body")


def test_the_fan_chart_runs_without_freezing_the_page(tab):
    tab.open(KATO_JAPAN, ".chart-markets [data-draws='1']")
    page = tab.page
    page.get_by_role("button", name="Fan chart: 100 seeds").click()
    queue_treasury_move(page, "Threaten to sell", 300)   # the page answers while the seeds run
    step(page, 1)
    # the fan follows the decisions: a new one makes it stale, however fast the first one finished
    page.get_by_role("button", name="Update the fan chart").click()
    page.wait_for_selector(".fan-done", timeout=60_000)
    page.wait_for_function("() => document.querySelector('.chart-markets').textContent.includes('5-95% across seeds')")
    shot(tab, "play-fan")


def test_the_lab_runs_an_experiment_and_refuses_bad_values(tab):
    tab.open("/lab?scenario=kato-2025", ".lab-run")
    page = tab.page
    type_into(page, "Investors (agents)", "3")
    page.wait_for_selector(".lab-error")
    assert "number of investors must be from 10" in page.locator(".lab-error").inner_text()
    type_into(page, "Investors (agents)", "200")
    choose(page, "Treasury rule of JP", "threaten_then_sell")
    page.locator(".lab-run").click()
    page.wait_for_selector(".lab-results [data-draws='1']", timeout=60_000)
    assert "Experiment" in page.locator(".lab-results").inner_text()
    shot(tab, "lab-experiment")
    assert_offline_and_clean(tab)


def test_play_runs_months_on_its_own_until_paused(tab):
    tab.open(KATO_JAPAN, ".chart-markets [data-draws='1']")
    page = tab.page
    choose(page, "Speed", "fast (0.3 s a month)")
    page.locator(".play-button").click()
    wait_for_month(page, 3)
    page.get_by_role("button", name="Pause").click()
    page.wait_for_selector(".play-button")
    heading = page.locator(".game-heading").inner_text()
    page.wait_for_timeout(1200)
    assert page.locator(".game-heading").inner_text() == heading   # paused means paused
    month = int(re.search(r"month (\d+) of 24", heading).group(1))
    assert month >= 3
    page.get_by_role("button", name="Undo month").click()
    page.wait_for_function(f"() => document.querySelector('.game-heading').textContent.includes('month {month - 1} of 24')")
