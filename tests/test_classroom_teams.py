"""Teams: several students on one seat share one draft of the round's moves, see who changed it last,
and a teammate's submission never silently replaces the team's moves with an empty list."""

from __future__ import annotations

import pytest

from classroom import ClassRegistry
from test_classroom_support import FakeClock
from tests.support.browser import Watched, shot

SELL_50 = {"action": "sell_treasuries", "amount_bn": 50}


@pytest.fixture
def team(tmp_path):
    registry = ClassRegistry(tmp_path / "class.sqlite3", clock=FakeClock(), ticker=False)
    room, boss = registry.create("kato-2025", steps=3, start=True)
    _, _, ann = registry.join(room.code, "Ann", seat="JP")
    _, _, ben = registry.join(room.code, "Ben", seat="JP")
    registry.join(room.code, "Uma", seat="US")
    yield registry, room, boss, ann, ben
    registry.close()


def test_teammates_share_one_draft_and_see_who_changed_it(team):
    registry, room, boss, ann, ben = team
    room.draft(ann, [SELL_50], 1)
    for token in (ann, ben):
        you = room.state(token)["you"]
        assert you["draft"] == [{"actor": "JP", **SELL_50}] and you["draft_by"] == "Ann"
    assert room.state(boss)["instructor"]["submissions"] == {}           # a draft is not a submission
    room.draft(ben, [SELL_50, {"action": "threaten_sale", "amount_bn": 200}], 1)
    assert len(room.state(ann)["you"]["draft"]) == 2 and room.state(ann)["you"]["draft_by"] == "Ben"


def test_the_draft_comes_back_after_a_restart(team, tmp_path):
    registry, room, boss, ann, ben = team
    room.draft(ann, [SELL_50], 1)
    registry.close()
    again = ClassRegistry(tmp_path / "class.sqlite3", clock=registry.clock, ticker=False)
    assert again.get(room.code).state(ben)["you"]["draft"] == [{"actor": "JP", **SELL_50}]
    again.close()


def test_a_submission_becomes_the_teams_draft_and_the_round_clears_it(team):
    registry, room, boss, ann, ben = team
    room.submit(ann, [SELL_50], 1)
    you = room.state(ben)["you"]
    assert you["draft"] == you["submission"] == [{"actor": "JP", **SELL_50}] and you["submitted_by"] == "Ann"
    room.advance(boss)
    assert room.state(ben)["you"]["draft"] == [] and room.state(ben)["you"]["submission"] is None


@pytest.mark.slow
def test_two_teammates_in_two_browsers_share_the_seats_moves(browser, server):
    """Ann queues "Sell $50bn" in her browser; Ben's browser shows it with her name; Ben's submit sends
    the team's move (before, his page showed no moves and "Submit: no new moves" wiped hers)."""
    from test_class_browser import _api
    from tests.support.browser import wait_text

    made = _api(server, "/api/class/rooms", {"scenario": "kato-2025", "steps": 3, "start": True})
    code, boss = made["code"], made["instructor_token"]
    ann = _api(server, f"/api/class/rooms/{code}/join", {"name": "Ann", "seat": "JP"})["token"]
    ben = _api(server, f"/api/class/rooms/{code}/join", {"name": "Ben", "seat": "JP"})["token"]
    _api(server, f"/api/class/rooms/{code}/join", {"name": "Uma", "seat": "US"})
    first, second = Watched(browser, server), Watched(browser, server)
    try:
        first.open(f"/class?room={code}&token={ann}", ".submit-moves")
        second.open(f"/class?room={code}&token={ben}", ".submit-moves")
        _queue_sale(first.page, 50)
        wait_text(second.page, ".draft-by", "Ann")
        wait_text(second.page, ".submit-moves", "Submit 1 move")
        shot(second, "class-team-draft", at=".submit-card")
        second.page.locator(".submit-moves").click()
        wait_text(first.page, ".submitted", "by Ben")
        text = " ".join(first.page.locator(".submitted").inner_text().split())
        assert "Sell" in text and "no new moves" not in text
        state = _api(server, f"/api/class/rooms/{code}/draft", {"decisions": [SELL_50]}, token=ann)
        assert state["draft"][0]["amount_bn"] == 50
    finally:
        first.close()
        second.close()


def _queue_sale(page, amount_bn: int) -> None:
    """Queue a Treasury sale with the decision panel's Treasury controls."""
    from tests.support.browser import choose, type_into

    choose(page, "Treasury move", "Sell")
    type_into(page, "Amount (USD bn)", str(amount_bn))
    page.get_by_role("button", name="Add Treasury move").click()
    page.wait_for_selector(f".queued-move:has-text('${amount_bn}bn')")


def test_a_refused_seat_is_found_against_the_start_of_month_state_and_the_month_is_played_once(team, monkeypatch):
    """Before, each seat was tried by playing the month again (about a hundred times the cost of a
    normal round); now the refusal is found without playing, and the month is played once."""
    from simulation.session import PlaySession

    registry, room, boss, ann, ben = team
    room.submit(ann, [{"action": "sell_treasuries", "amount_bn": 600}, {"action": "sell_treasuries", "amount_bn": 600}])
    steps = []
    original = PlaySession.step
    monkeypatch.setattr(PlaySession, "step", lambda self, *a, **k: steps.append(1) or original(self, *a, **k))
    room.advance(boss)
    assert len(steps) == 1
    refused = room.history[-1]["refused"]["JP"]["reason"]
    assert "cannot sell 1,200.0bn" in refused                 # the two sales together exceed the holding
    assert [d for d in room.log() if d.actor == "JP"] == []
