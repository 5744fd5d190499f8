"""PlaySession: the month-by-month game behind the app and the class game."""

import numpy as np
import pandas as pd
import pytest

from simulation.decisions import Decision
from simulation.errors import UserError
from simulation.runner import run
from simulation.session import PlaySession, actions_for, seat_kind

THREATEN = Decision(step=0, actor="JP", action="threaten_sale", amount_bn=300)
SELL = Decision(step=0, actor="JP", action="sell_treasuries", amount_bn=150)


def play(session, moves):
    for month_moves in moves:
        session.step(month_moves)
    return session


def test_a_played_session_equals_the_batch_run_of_its_log():
    session = play(PlaySession("kato-2025", seats=("JP",), seed=3, steps=6), [[THREATEN], [], [SELL]])
    batch = run("kato-2025", steps=6, seed=3, decisions=session.log, seats=("JP",))
    for month in range(4, 7):
        session.step()
    pd.testing.assert_frame_equal(session.result.model, batch.model)
    pd.testing.assert_frame_equal(session.result.events, batch.events)


def test_rebuilding_from_the_saved_log_gives_the_same_world():
    session = play(PlaySession("kato-2025", seats=("JP",), seed=5), [[THREATEN], [SELL], []])
    saved = session.saved()
    again = PlaySession(saved.scenario, seats=saved.seats, seed=saved.seed, steps=saved.steps,
                        decisions=saved.decisions, months_played=session.month)
    assert again.month == 3
    pd.testing.assert_frame_equal(again.result.model, session.result.model)


def test_undo_takes_back_exactly_one_month():
    session = play(PlaySession("kato-2025", seats=("JP",), seed=2), [[THREATEN]])
    before = session.result.model.copy()
    session.step([SELL])
    session.undo()
    assert session.month == 1 and [d.action for d in session.log] == ["threaten_sale"]
    pd.testing.assert_frame_equal(session.result.model, before)
    session.undo()
    with pytest.raises(UserError, match="nothing to undo"):
        session.undo()


def test_a_refused_decision_leaves_the_game_as_it_was():
    session = play(PlaySession("kato-2025", seats=("JP",), seed=2), [[THREATEN]])
    before = session.result.model.copy()
    with pytest.raises(UserError, match="JP"):
        session.step([Decision(step=0, actor="JP", action="sell_treasuries", amount_bn=50_000)])
    assert session.month == 1
    pd.testing.assert_frame_equal(session.result.model, before)


def test_a_player_acts_only_for_a_played_seat():
    session = PlaySession("kato-2025", seats=("JP",))
    with pytest.raises(UserError, match="'US' is not a seat played by a person"):
        session.step([Decision(step=0, actor="US", action="set_tariff", target="JP", rate_pct=50)])
    assert session.month == 0


def test_a_shock_names_any_actor_and_keeps_its_headline():
    session = PlaySession("kato-2025", seats=("JP",), seed=1)
    shock = Decision(step=0, actor="US", action="set_tariff", target="JP", rate_pct=60,
                     note="Breaking: Washington doubles tariffs on all Japanese goods")
    session.step([], [shock])
    assert (1, "Breaking: Washington doubles tariffs on all Japanese goods") in session.headlines(1)
    assert session.log[0].origin == "scenario"
    rebuilt = PlaySession("kato-2025", seats=("JP",), seed=1, decisions=session.log)
    pd.testing.assert_frame_equal(rebuilt.result.model, session.result.model)


def test_why_splits_the_months_change_by_cause():
    session = play(PlaySession("kato-2025", seats=("JP",), seed=1), [[THREATEN], [SELL]])
    why = session.why(2, "us_10y")
    change_bp = 100 * session.result.model.us_10y.diff().iloc[2]
    assert not why.empty and why.label.str.len().min() > 0 and set(why.unit) == {"bp"}
    assert why.change.sum() == pytest.approx(change_bp, abs=1e-6)
    assert any("Japan" in label for label in why.label)


def test_the_fan_brackets_its_median_and_starts_from_one_point():
    session = play(PlaySession("kato-2025", seats=("JP",), seed=1, steps=6), [[THREATEN]])
    fan = session.fan(seeds=8)
    assert set(fan.column) == {"us_10y", "usd_jpy", "sp500", "nikkei225"}
    assert (fan.p5 <= fan.p50 + 1e-12).all() and (fan.p50 <= fan.p95 + 1e-12).all()
    start = fan[fan.step == 0]
    assert np.allclose(start.p5, start.p95)
    assert (fan[fan.step == 6].p95 - fan[fan.step == 6].p5 > 0).any()


def test_the_score_is_100_plus_its_parts():
    session = play(PlaySession("kato-2025", seats=("JP", "BOJ"), seed=1), [[THREATEN], [SELL]])
    for seat in ("JP", "BOJ"):
        assert 100 + sum(session.score_parts(seat).values()) == pytest.approx(session.score(seat))


def test_panels_offer_each_seat_only_its_own_actions():
    assert seat_kind("BOJ") == "central bank" and seat_kind("JP") == "government"
    assert "set_policy_rate" in actions_for("FED") and "set_tariff" not in actions_for("FED")
    assert "threaten_sale" in actions_for("CN") and "fx_intervention" not in actions_for("CN")
    with pytest.raises(UserError, match="unknown seat"):
        seat_kind("XX")


def test_the_game_ends_after_its_last_month():
    session = PlaySession("kato-2025", seats=("JP",), steps=2)
    session.step(); session.step()
    assert session.finished
    with pytest.raises(UserError, match="the game is over"):
        session.step()


def test_the_baselines_score_terms_add_up_to_its_recorded_score():
    session = PlaySession("kato-2025", seats=("JP",), seed=4, steps=6)
    scores = session.baseline().economies.query("economy == 'JP'").set_index("step").score
    for month in (0, 3, 6):
        assert 100 + sum(session.baseline_score_parts("JP", month).values()) == pytest.approx(scores[month])


def test_a_seat_view_is_a_frozen_copy_with_the_moves_open_to_the_seat():
    from dataclasses import FrozenInstanceError

    session = PlaySession("kato-2025", seats=("JP",), seed=1)
    before = session.seat_view("JP")
    assert before.holdings_bn == pytest.approx(1079.3) and before.threat_bn == 0
    assert before.move("retract_threat").why_not == "You have no standing threat to withdraw."
    assert before.move("sell_treasuries").amount_bn == (0.0, pytest.approx(1079.3))
    session.step([THREATEN, Decision(step=0, actor="JP", action="set_tariff", target="US", rate_pct=25,
                                     sector="autos")])
    after = session.seat_view("JP")
    assert before.month == 0 and after.month == 1 and before != after      # the old copy did not change
    assert after.threat_bn == 300 and after.move("retract_threat").open
    assert after.tariff_pct("US", "autos") == 25
    with pytest.raises(FrozenInstanceError):
        after.holdings_bn = 0


@pytest.mark.parametrize("seat, offered, not_offered", [
    ("US", {"set_tariff", "propose_deal", "accept_deal"}, {"sell_treasuries", "threaten_sale", "buy_treasuries",
                                                     "retract_threat", "trade_deal"}),
    ("FED", {"set_policy_rate"}, {"fx_intervention", "sell_treasuries"}),
    ("BOJ", {"set_policy_rate", "fx_intervention", "sell_treasuries"}, {"set_tariff", "threaten_sale"}),
])
def test_each_seat_is_offered_only_moves_it_can_make(seat, offered, not_offered):
    view = PlaySession("kato-2025", seats=(seat,)).seat_view(seat)
    actions = {m.action for m in view.moves}
    assert offered <= actions and not actions & not_offered


def test_play_session_implements_the_read_only_game_interface():
    from simulation.seat_view import GameState

    session = PlaySession("kato-2025", seats=("JP",), steps=3)
    members = [name for name in dir(GameState) if not name.startswith("_")] + list(GameState.__annotations__)
    assert all(hasattr(session, name) for name in members), [n for n in members if not hasattr(session, n)]


def test_the_panel_offers_exactly_the_amounts_the_engine_accepts():
    """One statement of the balance-sheet limits: at each seat's upper bound the engine accepts the move,
    and just above it the engine refuses, for every action with an amount."""
    from simulation.policy import problem

    session = play(PlaySession("kato-2025", seats=("JP", "BOJ"), seed=2), [[THREATEN]])
    checked = set()
    for seat in ("JP", "BOJ"):
        view = session.seat_view(seat)
        for option in view.moves:
            if option.amount_bn is None or option.amount_bn[1] is None:
                continue
            most = option.amount_bn[1]
            at = Decision(step=0, actor=seat, action=option.action, amount_bn=most)
            above = Decision(step=0, actor=seat, action=option.action, amount_bn=most + 1.0)
            assert problem(session.model, at) is None and view.refusal(at) == "", option
            assert problem(session.model, above) and view.refusal(above), option
            checked.add(option.action)
    assert checked == {"sell_treasuries", "threaten_sale", "buy_treasuries", "fima_repo", "fx_intervention"}


def test_a_repayment_is_bounded_by_cash_as_well_as_by_the_debt():
    """Japan borrows from the repo facility, then spends most of its cash on Treasuries: it owes more
    than it has, so the panel's lowest repo amount is minus its cash, which the engine also accepts,
    and a larger repayment is refused by both with the sentence about cash."""
    from simulation.policy import problem

    session = PlaySession("kato-2025", seats=("JP",), seed=2)
    session.step([Decision(step=0, actor="JP", action="fima_repo", amount_bn=200.0)])
    cash = session.model.governments["JP"].cash_reserves_bn
    keep_bn = 50.0
    session.step([Decision(step=0, actor="JP", action="buy_treasuries",
                           amount_bn=(cash - keep_bn) / session.model.ust_price)])
    government = session.model.governments["JP"]
    assert government.cash_reserves_bn < government.repo_bn
    view = session.seat_view("JP")
    repo = next(m for m in view.moves if m.action == "fima_repo")
    assert repo.amount_bn[0] == pytest.approx(-government.cash_reserves_bn)
    at = Decision(step=0, actor="JP", action="fima_repo", amount_bn=repo.amount_bn[0])
    below = Decision(step=0, actor="JP", action="fima_repo", amount_bn=repo.amount_bn[0] - 1.0)
    assert problem(session.model, at) is None and view.refusal(at) == ""
    assert "cash reserves and cannot repay" in problem(session.model, below) and view.refusal(below)
