"""The Play page tells the truth about the game and never gets stuck: checked in Chromium against the real
server, one test per thing a student ran into (the left column after a month, Undo, the end of the game,
refused moves, double clicks, the app bar's Play link, reloading, scrolling, the US seat, number entry).
"""

import re

import pytest

from tests.support.browser import Watched, choose, shot, type_into, wait_for_month

pytestmark = pytest.mark.slow
KATO_JAPAN = "/play?scenario=kato-2025&seats=JP"
CHARTS = ".chart-markets [data-draws='1']"


def heading(page) -> str:
    return page.locator(".game-heading").inner_text()


def add_treasury_move(page, move: str, amount: str | None = None) -> None:
    choose(page, "Treasury move", move)
    if amount is not None:
        type_into(page, "Amount (USD bn)", amount)
    page.get_by_role("button", name="Add Treasury move").click()


def step(page, month: int) -> None:
    page.get_by_role("button", name="Step: play next month").click()
    wait_for_month(page, month)


def test_the_left_column_is_current_after_a_month_and_undo_is_offered(tab):
    tab.open(KATO_JAPAN, CHARTS)
    page = tab.page
    add_treasury_move(page, "Sell", "150")
    page.wait_for_selector(".queued-move:has-text('Sell $150bn')")
    choose(page, "Sector", "autos")
    page.wait_for_selector(".tariff-now:has-text(\"United States's autos\")")
    type_into(page, "Tariff (%)", "25")
    page.get_by_role("button", name="Add tariff").click()
    page.wait_for_selector(".queued-move:has-text('autos: 25%')")
    assert page.locator(".undo-button").is_disabled()
    step(page, 1)
    page.wait_for_selector(".holdings-now:has-text('You hold $929bn')")
    assert "Now: 25.0% on United States's autos" in page.locator(".tariff-now").inner_text()
    assert page.get_by_label("Tariff (%)", exact=True).input_value() == "25"
    assert page.locator(".queued-none").count() == 1
    page.wait_for_function("() => !document.querySelector('.undo-button').disabled")
    shot(tab, "play-after-a-sale", at=".play-left")
    page.locator(".undo-button").click()
    page.wait_for_selector(".holdings-now:has-text('You hold $1,079bn')")
    assert "month 0 of 24" in heading(page)


def test_the_tariff_box_follows_the_chosen_sector(tab):
    tab.open("/play?scenario=kato-2025&seats=US", CHARTS)
    page = tab.page
    choose(page, "Partner", "JP")
    for sector in ("autos", "all"):
        choose(page, "Sector", sector)
        now = page.locator(".tariff-now").inner_text()
        page.wait_for_selector(f".tariff-now:has-text(\"{'autos' if sector == 'autos' else 'goods (average)'}\")")
        now = re.search(r"Now: ([\d.]+)%", page.locator(".tariff-now").inner_text()).group(1)
        assert float(page.get_by_label("Tariff (%)", exact=True).input_value()) == pytest.approx(float(now), abs=0.05)
    # the US issues Treasuries: it is offered no Treasury move, and told why
    assert page.locator(".v-select", has=page.locator("label:text-is('Treasury move')")).count() == 0
    assert "holds no US Treasuries" in page.locator(".no-treasuries").inner_text()


def test_the_last_month_ends_the_game_visibly(tab):
    tab.open("/play?scenario=kato-2025&seats=JP&steps=2", CHARTS)
    page = tab.page
    step(page, 1)
    step(page, 2)
    page.wait_for_selector(".game-over")
    assert "game over" in heading(page).lower()
    assert page.locator(".step-button").is_disabled() and page.locator(".play-button").is_disabled()
    assert page.locator(".decision-panel").count() == 0
    shot(tab, "play-game-over", at=".play-left")


def test_a_refused_move_is_caught_when_added_and_never_blocks_a_month(tab):
    tab.open(KATO_JAPAN, CHARTS)
    page = tab.page
    choose(page, "Treasury move", "Hold (do nothing)")
    options = page.locator(".menuable__content__active .v-list-item").all_inner_texts()
    page.keyboard.press("Escape")
    assert "Withdraw a threat" not in " ".join(options)     # no threat stands, so none to withdraw
    add_treasury_move(page, "Sell", "5000")
    page.wait_for_selector(".move-error")
    assert page.locator(".move-error").inner_text().strip() == (
        "You hold $1,079bn of US Treasuries (face value), so you cannot sell $5,000bn.")
    assert page.locator(".queued-none").count() == 1
    add_treasury_move(page, "Threaten to sell", "300")
    step(page, 1)
    page.wait_for_selector(".holdings-now:has-text('Standing threat: $300bn')")   # the panel has been redrawn
    add_treasury_move(page, "Withdraw a threat")
    page.wait_for_selector(".queued-move:has-text('Withdraw the threat')")
    page.locator(".undo-button").click()                     # the threat is gone again ...
    page.wait_for_function("() => document.querySelector('.game-heading').textContent.includes('month 0 of 24')")
    step(page, 1)                                            # ... so the month plays without the move
    note = page.locator(".dropped-move").inner_text()
    assert "Not played in month 1" in note and "no standing threat to withdraw" in note
    assert "decision (" not in page.inner_text("body") and "retract_threat" not in page.inner_text("body")


def test_a_double_click_plays_one_month(tab):
    tab.open(KATO_JAPAN, CHARTS)
    page = tab.page
    page.locator(".step-button").dblclick()
    wait_for_month(page, 1)
    page.wait_for_timeout(1500)
    assert "month 1 of 24" in heading(page)
    page.locator(".step-button").click()
    wait_for_month(page, 2)


def test_the_app_bars_play_link_and_a_reload_keep_the_game_and_its_queued_moves(tab):
    tab.open(KATO_JAPAN, CHARTS)
    page = tab.page
    step(page, 1)
    add_treasury_move(page, "Sell", "150")
    page.wait_for_function("() => location.search.includes('q=2')")
    page.locator(".nav-scenarios").click()
    page.wait_for_selector(".scenario-card")
    page.locator(".nav-play").click()
    page.wait_for_selector(".queued-move:has-text('Sell $150bn')")
    assert "month 1 of 24" in heading(page)
    page.reload()
    page.wait_for_selector(".queued-move:has-text('Sell $150bn')")
    assert "month 1 of 24" in heading(page)
    step(page, 2)
    assert "Japan sells $150bn" in page.locator(".news-ticker").inner_text()


def test_the_play_page_opens_at_its_top_from_far_down_the_scenarios_list(tab):
    tab.open("/", ".scenario-card")
    page = tab.page
    last = page.locator(".scenario-card").last
    last.scroll_into_view_if_needed()
    scrolled = page.evaluate("() => Math.max(...[...document.querySelectorAll('div')].map(e => e.scrollTop))")
    assert scrolled > 300
    last.locator("button:has-text('Play ')").first.click()
    page.wait_for_selector(CHARTS)
    page.wait_for_timeout(300)
    assert page.evaluate("() => Math.max(...[...document.querySelectorAll('div')].map(e => e.scrollTop))") == 0


@pytest.mark.parametrize("typed, queued", [("1,000", "Sell $1,000bn"), ("100bn", "Sell $100bn"),
                                           ("$1tn", "Sell $1,000bn")])
def test_amounts_are_read_as_people_type_them(tab, typed, queued):
    tab.open(KATO_JAPAN, ".decision-panel")
    page = tab.page
    add_treasury_move(page, "Sell", typed)
    page.wait_for_selector(f".queued-move:has-text('{queued} of US Treasuries')")


def test_an_unreadable_amount_is_refused_in_plain_words(tab):
    tab.open(KATO_JAPAN, ".decision-panel")
    page = tab.page
    add_treasury_move(page, "Sell", "a lot")
    page.wait_for_selector(".move-error")
    assert page.locator(".move-error").inner_text().strip() == (
        "'Amount (USD bn)': 'a lot' is not an amount of US dollars in billions; type a number such as 150, "
        "1,000, 100bn or $1tn.")
    assert page.locator(".queued-none").count() == 1


@pytest.mark.parametrize("width, height", [(1280, 720), (390, 844)])
def test_the_play_page_fits_the_screen_without_sideways_scrolling(browser, server, width, height):
    tab = Watched(browser, server, viewport=(width, height))
    try:
        tab.open(KATO_JAPAN, CHARTS)
        page = tab.page
        page.wait_for_timeout(500)
        wide = page.evaluate("""() => [...document.querySelectorAll('*')]
            .filter(e => e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
            .map(e => e.tagName + '.' + e.className)""")
        assert wide == [] and page.evaluate("() => document.documentElement.scrollWidth") <= width
        for part in (".decision-panel", ".chart-markets .main-svg"):
            box = page.locator(part).first.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, part
        shot(tab, f"play-{width}px")
    finally:
        tab.close()
