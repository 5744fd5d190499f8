"""Deals in a class game, in real browsers: Japan offers, the US student sees the offer at once and
accepts it, and both screens show the deal; a rejected offer changes nothing."""

import re

import pytest

from tests.support.browser import Watched, shot, type_into, wait_for_month
from tests.support.browser import wait_text
from tests.test_class_browser import assert_offline_and_clean, create_room, join

pytestmark = pytest.mark.slow


def offer_from_japan(japan, cap: str) -> None:
    type_into(japan.page, "Tariff cap (%)", cap)
    japan.page.get_by_role("button", name="Add offer").click()
    japan.page.wait_for_selector(".queued-move:has-text('Offer United States a deal')")
    japan.page.locator(".submit-moves").click()
    wait_text(japan.page, ".submitted", "Offer United States a deal")


def us_tariff_line(america) -> str:
    """The US seat's own tariff on Japan, as its decision panel shows it ("Now: ...% on Japan's goods")."""
    return america.page.locator(".decision-panel", has_text="Now:").first.inner_text().split("Now:")[1].split("\n")[0]


def test_japan_offers_the_us_accepts_and_both_screens_show_the_deal(browser, server):
    teacher, japan, america = (Watched(browser, server) for _ in range(3))
    tabs = (teacher, japan, america)
    try:
        _, join_path = create_room(teacher, 600)
        join(japan, join_path, "Aiko", "JP")
        join(america, join_path, "Ben", "US")
        wait_text(teacher.page, ".monitor-table", "Ben")
        teacher.page.get_by_role("button", name="Start the game").click()
        for tab in (japan, america):
            tab.page.wait_for_selector(".submit-moves:not([disabled])")

        # Round 1: Japan offers a 15% cap; the US screen shows it before the round is played
        offer_from_japan(japan, "15")
        wait_text(america.page, ".pending-offer", "Japan offers United States")
        america.page.wait_for_selector(".negotiation-panel .accept-offer")
        wait_text(teacher.page, ".all-offers", "Japan offers United States")       # the instructor sees it too
        shot(america, "negotiation-us-sees-offer", at=".negotiation-panel")
        america.page.locator(".negotiation-panel .accept-offer").first.click()
        america.page.wait_for_selector(".queued-move:has-text(\"Accept Japan's offer\")")
        america.page.locator(".submit-moves").click()
        for tab in tabs:
            wait_for_month(tab.page, 1)
        for tab in (japan, america):
            wait_text(tab.page, ".news-ticker", "accepts Japan's offer: deal struck")
            wait_text(tab.page, ".offer-accepted", "accepted in month 1")
        wait_text(teacher.page, ".all-offers .offer-accepted", "accepted in month 1")
        shot(japan, "negotiation-japan-sees-deal", at=".negotiation-panel")
        after_deal = us_tariff_line(america)

        # Round 2: Japan asks for 0%; the US rejects; nothing changes
        offer_from_japan(japan, "0")
        wait_text(america.page, ".pending-offer", "capped at 0%")
        america.page.locator(".negotiation-panel .reject-offer").first.click()
        america.page.wait_for_selector(".queued-move:has-text(\"Reject Japan's offer\")")
        america.page.locator(".submit-moves").click()
        for tab in (japan, america):
            wait_for_month(tab.page, 2)
            wait_text(tab.page, ".offer-rejected", "rejected in month 2")
        wait_text(america.page, ".news-ticker", "rejects Japan's offer")
        assert us_tariff_line(america) == after_deal
        for tab in tabs:
            assert_offline_and_clean(tab)
    finally:
        for tab in tabs:
            tab.close()


def test_playing_japan_the_table_shows_the_threat_the_offer_and_the_answer(browser, server):
    """Single play as Japan against the shipped US rules: threaten and offer, see the threat's
    credibility and age, the US answer the offer, and the debrief questions when the game ends."""
    from tests.test_app_browser import queue_treasury_move, step

    tab = Watched(browser, server)
    try:
        tab.open("/play?scenario=kato-2025&seats=JP&steps=3", ".chart-markets [data-draws='1']")
        page = tab.page
        step(page, 1)
        queue_treasury_move(page, "Threaten to sell", 300)
        type_into(page, "Tariff cap (%)", "15")
        page.get_by_role("button", name="Add offer").click()
        page.wait_for_selector(".queued-move:has-text('Offer United States a deal')")
        step(page, 2)
        wait_text(page, ".standing-JP", "threatens to sell $300bn of Treasuries, ")
        assert re.search(r"\d+% credible, standing 0 months", page.locator(".standing-JP").inner_text())
        wait_text(page, ".offer-from-me", "open until month 4")
        step(page, 3)                       # the US answers by its projected score
        wait_text(page, ".negotiation-panel", "month 2;")
        assert re.search(r"(accepted|countered|rejected) in month 3", page.locator(".negotiation-panel").inner_text())
        page.wait_for_selector(".debrief-questions")
        assert "card" in page.locator(".debrief-questions").inner_text()
        shot(tab, "negotiation-play-japan", at=".negotiation-panel")
        assert_offline_and_clean(tab)
    finally:
        tab.close()
