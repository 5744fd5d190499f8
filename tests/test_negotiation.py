"""Deals need two sides: offers, answers, expiry, pledges, and the one action table behind them."""

import subprocess
import sys

import numpy as np
import pytest

from simulation import run
from simulation.actions import TABLE
from simulation.decisions import ACTIONS, check
from simulation.errors import DecisionError, UserError
from simulation.policy import HANDLERS
from simulation.session import PlaySession
from tests.conftest import D

SEATS = ("JP", "US")


def us_tariffs_on_japan(result, step: int) -> np.ndarray:
    trade = result.trade
    rows = trade[(trade.step == step) & (trade.exporter == "JP") & (trade.importer == "US")]
    return rows.sort_values("sector").tariff_pct.to_numpy()


def game(decisions, steps=6):
    return run("kato-2025", seed=3, steps=steps, decisions=decisions, seats=SEATS)


def test_an_offer_not_accepted_leaves_the_us_tariffs_on_japan_unchanged():
    offered = game([D(2, "JP", "propose_deal", target="US", rate_pct=0.0)])
    plain = game([])
    for step in (2, 3, 4, 5):
        assert (us_tariffs_on_japan(offered, step) == us_tariffs_on_japan(plain, step)).all()
    assert us_tariffs_on_japan(offered, 5).max() == pytest.approx(27.5)
    offers = offered.offers
    assert offers.status.tolist() == ["expired"] and offers.closed_step.tolist() == [4]
    assert "expires unanswered" in " ".join(offered.events.headline)


def test_an_accepted_offer_caps_the_tariffs_from_the_month_of_acceptance():
    result = game([D(2, "JP", "propose_deal", target="US", rate_pct=15.0),
                   D(3, "US", "accept_deal", target="JP")])
    assert us_tariffs_on_japan(result, 2).max() == pytest.approx(27.5)   # offered, not yet accepted
    assert us_tariffs_on_japan(result, 3).max() == pytest.approx(15.0)   # in force the month it is accepted
    assert us_tariffs_on_japan(result, 6).max() == pytest.approx(15.0)
    assert result.offers.status.tolist() == ["accepted"]
    assert any("accepts Japan's offer" in h for h in result.events.headline)


def test_a_rejected_offer_changes_nothing():
    rejected = game([D(2, "JP", "propose_deal", target="US", rate_pct=0.0), D(3, "US", "reject_deal", target="JP")])
    plain = game([])
    for table in ("model", "economies", "trade"):
        assert getattr(rejected, table).equals(getattr(plain, table))
    assert rejected.offers.status.tolist() == ["rejected"]


def test_a_counter_offer_replaces_the_offer_and_can_be_accepted():
    result = game([D(2, "JP", "propose_deal", target="US", rate_pct=0.0),
                   D(3, "US", "counter_offer", target="JP", rate_pct=20.0, sector="autos"),
                   D(4, "JP", "accept_deal", target="US")])
    assert result.offers.status.tolist() == ["countered", "accepted"]
    before, after = us_tariffs_on_japan(result, 3), us_tariffs_on_japan(result, 4)  # sectors alphabetical
    assert before[1] == pytest.approx(27.5) and after[1] == pytest.approx(20.0)   # autos capped at 20%
    assert after[[0, 2, 3]] == pytest.approx(before[[0, 2, 3]])                   # the other sectors untouched


def test_an_expired_offer_can_no_longer_be_accepted():
    with pytest.raises(DecisionError, match="no open offer from JP to US"):
        game([D(2, "JP", "propose_deal", target="US", rate_pct=15.0), D(5, "US", "accept_deal", target="JP")])


def test_proposing_and_accepting_in_the_same_month_works_in_either_order():
    """In a class round both seats' moves resolve together: the offer is made before answers are applied."""
    result = game([D(2, "US", "accept_deal", target="JP"), D(2, "JP", "propose_deal", target="US", rate_pct=15.0)])
    assert us_tariffs_on_japan(result, 2).max() == pytest.approx(15.0)


def test_selling_during_a_pledge_breaks_it_in_public_and_costs_credibility():
    deal = [D(2, "JP", "propose_deal", target="US", rate_pct=15.0, hold_months=6), D(3, "US", "accept_deal", target="JP")]
    kept = game(deal, steps=6)
    broken = game(deal + [D(5, "JP", "sell_treasuries", amount_bn=50.0)], steps=6)
    events = broken.events
    assert events[events.action == "broken_pledge"].step.tolist() == [5]
    assert "breaks its pledge" in events[events.action == "broken_pledge"].headline.iloc[0]
    assert broken.world.governments["JP"].credibility < kept.world.governments["JP"].credibility
    assert broken.world.governments["JP"].pledges_broken == 1
    after = game(deal + [D(9, "JP", "sell_treasuries", amount_bn=50.0)], steps=9)   # the pledge ran to month 8
    assert "broken_pledge" not in after.events.action.tolist()


def test_a_players_unilateral_trade_deal_is_refused_with_a_sentence():
    session = PlaySession("kato-2025", seats=("JP",))
    with pytest.raises(UserError, match="a deal needs both sides: use propose_deal") as refused:
        session.check_decision(D(1, "JP", "trade_deal", target="US", rate_pct=0.0, origin="player"))
    assert str(refused.value).count(".") <= 1 and "\n" not in str(refused.value)
    check(D(1, "US", "trade_deal", target="JP", rate_pct=15.0, origin="scenario"))  # a script may still impose one


def test_a_trade_deal_in_a_decisions_file_exits_2_with_one_sentence(tmp_path):
    moves = tmp_path / "moves.toml"
    moves.write_text('[[decision]]\nstep = 1\nactor = "JP"\naction = "trade_deal"\ntarget = "US"\nrate_pct = 0\n')
    done = subprocess.run([sys.executable, "run.py", "simulate", "--scenario", "kato-2025", "--steps", "2",
                           "--decisions", str(moves), "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert done.returncode == 2
    assert "propose_deal" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_offer_fields_are_checked_from_the_action_table():
    with pytest.raises(DecisionError, match="hold_months must be a number of months between 0 and 60"):
        check(D(1, "JP", "propose_deal", target="US", rate_pct=15.0, hold_months=100))
    with pytest.raises(DecisionError, match="'accept_deal' does not take 'rate_pct'"):
        check(D(1, "JP", "accept_deal", target="US", rate_pct=15.0))
    with pytest.raises(DecisionError, match="is for governments"):
        check(D(1, "BOJ", "propose_deal", target="US", rate_pct=15.0))


def test_every_action_in_the_table_has_a_handler_and_the_legacy_view_agrees():
    assert set(HANDLERS) == set(TABLE)
    for name, action in TABLE.items():
        assert ACTIONS[name] == (action.who, tuple(f.name for f in action.required),
                                 tuple(f.name for f in action.optional))


def test_offers_are_written_with_their_fate(tmp_path):
    result = game([D(2, "JP", "propose_deal", target="US", rate_pct=15.0), D(3, "US", "reject_deal", target="JP")])
    out = result.write(tmp_path / "out")
    text = (out / "offers.csv").read_text()
    assert text.splitlines()[0].startswith("offer,proposer,target,rate_pct")
    assert ",rejected,3," in text


def test_adding_an_action_takes_one_table_entry_and_one_handler(monkeypatch):
    """The table is the only description: checks, application, families, the seat's choices and the
    queued-move words all follow from one ``Action`` and its handler."""
    from simulation.actions import AMOUNT, GOVERNMENT, Action
    from simulation.session import actions_for
    from ui.state import describe_move

    pledge = Action("pledge_purchase", GOVERNMENT, (AMOUNT,), (), "treasuries", "treasuries", "Pledge to buy",
                    "Announces future purchases of US Treasuries.",
                    lambda d: f"Pledge to buy ${d.amount_bn:g}bn of US Treasuries")
    monkeypatch.setitem(TABLE, "pledge_purchase", pledge)
    monkeypatch.setitem(HANDLERS, "pledge_purchase",
                        lambda model, d: (f"amount_bn={d.amount_bn:g}", f"Japan pledges ${d.amount_bn:g}bn"))
    move = D(2, "JP", "pledge_purchase", amount_bn=50.0)
    check(move)
    with pytest.raises(DecisionError, match="is for governments"):
        check(D(2, "BOJ", "pledge_purchase", amount_bn=50.0))
    assert "pledge_purchase" in actions_for("JP") and "pledge_purchase" not in actions_for("BOJ")
    assert describe_move(move) == "Pledge to buy $50bn of US Treasuries"
    events = game([move], steps=2).events
    assert "Japan pledges $50bn" in events.headline.tolist()


def test_the_docs_list_every_action_as_the_table_describes_it():
    from pathlib import Path

    from simulation.actions import markdown_table

    text = (Path(__file__).parents[1] / "docs" / "scenarios.md").read_text(encoding="utf-8")
    assert markdown_table() in text, "docs/scenarios.md's action table is out of date: paste `python run.py actions`"
