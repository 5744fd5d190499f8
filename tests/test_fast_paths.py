"""The short cuts that make a run cheaper must give exactly what the plain way gives: an observation built
without the dataclass ``__init__``, a run that records the model table alone (fan charts, projections) or
a few economies' series beside it (sweeps), a full record that keeps each month's inputs and scores every
month when a table asks, and the tariff tables shared between runs."""

import dataclasses
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from agents.rules import Observation
from scenarios import load_scenario
from simulation import run
from simulation.actions import TABLE, VALUE_FIELDS
from simulation.decisions import Decision, home_economy, read_decisions_file
from simulation.calibration import load_calibration
from simulation.macro import Macro
from simulation.markets import Markets, Moves, by_economy
from simulation.model import TradeWarModel, _tuples_by_pair
from simulation.macro import GOVERNMENT_PARTS, MANDATE_PARTS
from simulation.recording import ECONOMY_COLUMNS, ECONOMY_VALUES
from simulation.runner import model_series, run_series
from simulation.world import CENTRAL_BANKS, ECONOMIES, FX_QUOTES, SECTORS
from simulation.session import KEY_SERIES, PlaySession, seed_fan
from simulation.trade import TradeNetwork

MOVES = "examples/decisions/japan-sells.toml"


def test_a_model_observation_is_the_one_the_dataclass_would_build():
    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=3)
    model.run(4)
    for actor in ("JP", "BOJ", "US", "ROW"):
        seen = model.observe(actor, 5)
        rebuilt = Observation(**{f.name: getattr(seen, f.name) for f in dataclasses.fields(Observation)})
        assert seen == rebuilt and vars(seen) == vars(rebuilt)
        with pytest.raises(dataclasses.FrozenInstanceError):
            seen.step = 9   # still read-only


def test_from_model_refuses_an_incomplete_observation():
    with pytest.raises(TypeError, match="exactly the fields"):
        Observation.from_model(step=1, actor="JP")
    with pytest.raises(TypeError, match="exactly the fields"):
        Observation.from_model({"step": 1, "actor": "JP"})
    with pytest.raises(TypeError, match="not both"):
        Observation.from_model({"step": 1}, actor="JP")


def test_a_model_table_only_run_gives_the_same_series():
    decisions = read_decisions_file(MOVES, 24)
    full = run("kato-2025", seed=6, decisions=decisions, seats=("JP",))
    light = model_series("kato-2025", tuple(KEY_SERIES) + ("fed_rate",), seed=6, decisions=decisions, seats=("JP",))
    for column, series in light.items():
        np.testing.assert_array_equal(series, full.series("model", (), column))


def test_a_run_that_records_a_few_series_gives_the_same_numbers_as_a_full_run():
    """Sweeps record only their metrics' series (``run_series``): every economies column for two economies,
    score terms of a government and a central bank, and trade cells and sums, in the order asked."""
    decisions = read_decisions_file(MOVES, 24)
    wanted = tuple(("economies", (economy,), column) for economy in ("JP", ECONOMIES[-1]) for column in ECONOMY_COLUMNS)
    wanted += tuple(("scores", (seat,), part) for seat, parts in (("JP", GOVERNMENT_PARTS), ("BOJ", MANDATE_PARTS))
                    for part in ("score", *parts))
    wanted += (("trade", ("JP", "US", "autos"), "tariff_pct"), ("trade", ("JP", "US", "autos"), "flow_bn"),
               ("trade", ("CN", "US", "all"), "flow_bn"), ("model", (), "us_10y"), ("economies", ("JP",), "score"))
    full = run("kato-2025", seed=4, decisions=decisions, seats=("JP",))
    light = run_series("kato-2025", wanted, seed=4, decisions=decisions, seats=("JP",))
    for (table, keys, column), series in zip(wanted, light):
        assert series.dtype == np.float64 and len(series) == 25
        np.testing.assert_array_equal(series, full.series(table, keys, column), err_msg=f"{table} {keys} {column}")
    assert any(np.ptp(series) > 0 for series in light[-6:-2])   # the trade series move, so the test can fail


def test_picked_series_are_kept_by_a_full_recorder_too_and_jobs_are_whole_as_in_the_table():
    scenario = load_scenario("kato-2025").scenario
    wanted = (("economies", ("JP",), "score"), ("economies", ("US",), "auto_jobs"))
    full = TradeWarModel(scenario, seed=2, steps=4, record_series=wanted)
    plain = TradeWarModel(scenario, seed=2, steps=4)
    full.run()
    plain.run()
    for table, keys, column in wanted:
        np.testing.assert_array_equal(full.recorder.series(table, keys, column), plain.recorder.series(table, keys, column))
    jobs = plain.recorder.economies_frame().query("economy == 'US'")["auto_jobs"].to_numpy()
    np.testing.assert_array_equal(plain.recorder.series("economies", ("US",), "auto_jobs"), jobs)


def test_a_model_only_recorder_keeps_the_model_table_and_nothing_else():
    scenario = load_scenario("liberation-day-2025").scenario
    full, light = TradeWarModel(scenario, seed=2), TradeWarModel(scenario, seed=2, record_model_only=True)
    full.run()
    light.run()
    pd.testing.assert_frame_equal(light.recorder.model_frame(), full.recorder.model_frame(), check_exact=True)
    assert not light.recorder.economy_rows and not light.recorder.flows and not light.recorder.moves


def test_the_play_fan_is_the_seed_fan_of_the_same_game():
    moves = read_decisions_file(MOVES, 24)
    session = PlaySession("kato-2025", seats=("JP",), decisions=moves, months_played=max(d.step for d in moves))
    fan, runs = seed_fan(session.loaded, session.steps, session.seed, 5, list(session.log), session.seats)
    pd.testing.assert_frame_equal(session.fan(5), fan, check_exact=True)
    assert len(runs) == 5


def test_shared_tariff_tables_are_immutable_and_exact():
    table = np.random.default_rng(1).uniform(0, 50, (9, 9, 4))
    tuples = _tuples_by_pair(table)
    assert tuples is _tuples_by_pair(table.copy())   # the same bytes share one table
    assert [[list(sectors) for sectors in row] for row in tuples] == table.tolist()
    assert isinstance(tuples, tuple) and isinstance(tuples[0], tuple) and isinstance(tuples[0][0], tuple)


def test_what_is_kept_between_tariff_changes_follows_every_change():
    """The tariff push, the world tariff, the observations' partner tariffs and the trade totals are kept
    until the tariffs (or the flows) change; each must equal what the plain formula gives after a change."""
    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=4)
    model.run(3)
    trade = model.trade
    before = model.observe("CN", 4)
    trade.set_tariff("CN", "US", "autos", 60.0, 4)
    trade.agree("JP", "EA")
    assert model.observe("CN", 4) == before   # a step's view is the world at its start
    after = model.observe("CN", 5)
    assert after.my_tariffs["US"][0] == 60.0 != before.my_tariffs["US"][0]
    assert after.my_tariffs is not model.observe("CN", 5).my_tariffs   # each observation has its own dict
    np.testing.assert_array_equal(trade.tariff_push(),
                                  np.log1p(trade.tariffs_pct / 100.0) - np.log1p(trade.base_tariffs_pct / 100.0))
    assert trade.trade_weighted_tariff_pct() == float((trade.tariffs_pct * trade.base_flows_bn).sum()
                                                      / trade.base_flows_bn.sum())
    model.run(1)
    # summed in one pass with the month's other totals: the same up to the order of addition
    np.testing.assert_allclose(trade.exports_bn(), trade.flows_bn.sum(axis=(1, 2)), rtol=1e-14)
    np.testing.assert_allclose(trade.imports_bn(), trade.flows_bn.sum(axis=(0, 2)), rtol=1e-14)
    assert trade.tariff_terms().version == trade.tariff_version
    with pytest.raises(ValueError):
        trade.exports_bn()[0] = 0.0   # shared by every reader, so read-only


def test_the_absorbed_share_is_the_formula_everywhere():
    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=1)
    model.run(5)
    trade = model.trade
    for step in (0, 5, 30):
        age = np.maximum(step - trade.tariff_changed_step, 0.0)
        plain = trade._absorbed_for_good + trade._absorbed_fading * 0.5 ** (age / trade.absorption_half_life)
        np.testing.assert_array_equal(trade.absorbed_share(step), plain)


def _summed_afresh(markets) -> tuple[dict[str, float], dict[str, float]]:
    """Every price, and the 10-year and log FX levels, summed from their parts the plain way."""
    levels = {"us_10y": markets.start["us_10y"] + sum(markets.ust_parts.values()) + markets.ust_gap}
    prices = {"us_10y": levels["us_10y"],
              "jgb_10y": markets.start["jgb_10y"] + sum(markets.jgb_parts.values()) + markets.jgb_gap}
    for economy, (quote, per_dollar) in FX_QUOTES.items():
        levels[economy] = sum(markets.fx_parts[economy].values()) + markets.fx_gap[economy]
        prices[quote] = markets.start[quote] * math.exp((1.0 if per_dollar else -1.0) * levels[economy])
    for name in ("sp500", "nikkei225"):
        prices[name] = markets.start[name] * math.exp(sum(markets.eq_parts[name].values()) + markets.eq_gap[name])
    return prices, levels


@pytest.mark.parametrize("scenario, seed", [("kato-2025", 2), ("carry-unwind-2024", 3)])
def test_kept_closing_prices_and_levels_are_the_prices_now(scenario, seed):
    model = TradeWarModel(load_scenario(scenario).scenario, seed=seed)
    for _ in range(4):
        model.step()
        markets = model.markets
        prices, levels = _summed_afresh(markets)
        assert markets.prices() == prices == model.price_history[-1]
        assert markets.us_10y == levels["us_10y"]
        assert all(markets.fx_log(e) == levels[e] for e in FX_QUOTES)
        markets.prices()["us_10y"] = 99.0   # a copy: changing it changes nothing
        assert markets.prices()["us_10y"] != 99.0


def test_the_markets_read_each_calibrated_number_once_as_the_calibration_gives_it():
    """Per-economy numbers resolve as a look-up does, wildcard fallbacks included, and an override reaches
    the markets through their set-up."""
    calibration = load_calibration().with_overrides({"fx.safe_haven_pct_per_risk.JP": -2.5, "risk.per_deal": -0.1})
    markets = Markets(calibration, np.random.default_rng(0), np.zeros(len(ECONOMIES)))
    p = calibration.param
    for currency in markets.currencies:
        assert currency.safe_haven_pct_per_risk == p("fx.safe_haven_pct_per_risk", currency.economy)
        assert currency.news_pct == p("fx.news_pct", currency.economy)
    assert [c.safe_haven_pct_per_risk for c in markets.currencies] == [-2.5, 0.0, 0.0]
    assert markets.risk_per_deal == -0.1
    assert [i.carry_share for i in markets.stock_indices] == [p("carry.equity_us_share"), 1.0 - p("carry.equity_us_share")]
    assert markets.carry_cascade_rounds == int(p("carry.cascade_rounds"))


def test_a_carry_traders_stop_threshold_is_its_stop_times_its_leverage():
    """Set at the start from the traits, so a rule that draws its traits its own way still gets it."""
    group = TradeWarModel(load_scenario("carry-unwind-2024").scenario, seed=3).investors.carry[0]
    members = group.members
    np.testing.assert_array_equal(members["stop_share_of_peak"],
                                  1.0 - members["stop_pct"] * members["leverage"] / 100.0)
    assert "stop_share_of_peak" not in group.rule.traits(np.random.default_rng(0), 5)


def test_a_carry_trader_stops_out_exactly_when_its_drawdown_passes_its_stop_times_its_leverage():
    """The stop test compares equity with a share of the peak; it stops out the traders the drawdown form
    (100 x (1 - equity / peak) > stop x leverage) stops out, over many random moves and states."""
    model = TradeWarModel(load_scenario("carry-unwind-2024").scenario, seed=3)
    model.run(2)
    group = model.investors.carry[0]
    rng = np.random.default_rng(7)
    outcomes = set()
    for _ in range(300):
        members = {k: v.copy() for k, v in group.members.items()}
        n = len(members["position_bn"])
        members["cooldown"][:] = 0.0
        members["position_bn"] *= rng.random(n) > 0.1            # some traders hold nothing
        members["equity_bn"] *= rng.uniform(0.8, 1.0, n)          # some are already below their peak
        before = {k: v.copy() for k, v in members.items()}
        move = float(rng.normal(0.0, 0.03))
        orders = group.rule.mark(members, move)
        equity = before["equity_bn"] + before["position_bn"] * move
        drawdown = 1.0 - equity / np.maximum(before["peak_bn"], equity)
        plain = (before["position_bn"] > 0) & (drawdown * 100.0 > before["stop_pct"] * before["leverage"])
        expected = np.where(plain, -before["position_bn"], 0.0) if plain.any() else None
        if expected is None:
            assert orders is None
        else:
            np.testing.assert_array_equal(orders, expected)
        outcomes.add(expected is None)
    assert outcomes == {True, False}   # months with and without stop-outs


def _same(a, b) -> bool:
    """Whether two attribute values hold the same numbers (arrays bit for bit, lists and dicts item by item)."""
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and a.tobytes() == b.tobytes()
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b or (callable(a) and callable(b))


@pytest.mark.parametrize("kind", [TradeNetwork, Macro])
def test_a_kept_start_is_the_built_start_even_after_runs_changed_their_copies(kind):
    """The trade network and macro state at the start are built once per calibration and copied for each
    run; a run that sets tariffs, strikes deals and sets objectives must leave the kept start as built."""
    scenario = load_scenario("kato-2025").scenario
    model = TradeWarModel(scenario, seed=5, decisions=read_decisions_file(MOVES, 24))
    model.trade.set_tariff("JP", "US", "all", 40.0, 1)
    model.trade.agree("JP", "EA")
    model._set_objectives("JP")
    model.run(8)
    calibration = model.calibration
    fresh, copied = kind(calibration), kind.at_start(calibration)
    assert vars(fresh).keys() == vars(copied).keys()
    different = [name for name in vars(fresh) if not _same(vars(fresh)[name], vars(copied)[name])]
    assert different == []


def test_what_a_run_changes_in_place_is_its_own_and_the_rest_is_read_only():
    calibration = TradeWarModel(load_scenario("kato-2025").scenario, seed=1).calibration
    one, two = TradeNetwork.at_start(calibration), TradeNetwork.at_start(calibration)
    for name in TradeNetwork.RUN_ARRAYS:
        assert getattr(one, name) is not getattr(two, name) and getattr(one, name).flags.writeable
    with pytest.raises(ValueError):
        one.base_flows_bn[0, 1, 0] = 0.0   # shared by every run of the calibration
    with pytest.raises(ValueError):
        one.tariff_terms().minus_lasting[0, 1, 0] = 0.0   # the start's tariff terms too
    macro_one, macro_two = Macro.at_start(calibration), Macro.at_start(calibration)
    assert macro_one.gdp_history is not macro_two.gdp_history
    assert macro_one.weights["output"] is not macro_two.weights["output"]
    with pytest.raises(ValueError):
        macro_one.gdp0_bn[0] = 0.0


def test_carry_traders_with_no_stop_out_give_no_orders_and_the_same_positions():
    model = TradeWarModel(load_scenario("carry-unwind-2024").scenario, seed=3)
    model.run(2)
    group = model.investors.carry[0]
    members = {k: v.copy() for k, v in group.members.items()}
    assert group.rule.mark(group.members, 0.0) is None   # no move, nobody stopped
    assert model.investors.carry_mark(0.0) == 0.0
    assert all(np.array_equal(members[k], group.members[k]) for k in members)
    orders = group.rule.mark(group.members, -0.5)   # a 50-point yen rally stops out every open position
    assert orders is not None and (orders < 0).any()
    capital = sum(float(g.members["capital_bn"].sum()) for g in model.investors.carry)
    assert model.investors._carry_capital_bn == capital   # capital is fixed after the start


def test_action_field_specs_by_name_are_the_first_field_of_that_name():
    for action in TABLE.values():
        for name in VALUE_FIELDS + ("no_such_field",):
            assert action.spec(name) is next((f for f in action.fields if f.name == name), None)


def test_a_projection_shares_the_calibration_and_no_run_changes_it():
    """A deep copy of the world (what a projection runs ahead) shares the calibration rather than copying
    it: that is safe only while nothing changes a calibration once made, which a run with offers weighed
    by projections must not do either."""
    from copy import deepcopy

    scenario = load_scenario("kato-2025").scenario
    model = TradeWarModel(scenario, seed=2)
    before = deepcopy(dict(model.calibration.parameters)), dict(model.calibration.markets)
    flows, tariffs = model.calibration.flows_bn.copy(), model.calibration.tariffs_pct.copy()
    assert deepcopy(model).calibration is model.calibration
    model.run(3)
    assert model.project_score("US", [], 6) == model.project_score("US", [], 6)   # a projection, twice
    assert (dict(model.calibration.parameters), dict(model.calibration.markets)) == before
    np.testing.assert_array_equal(model.calibration.flows_bn, flows)
    np.testing.assert_array_equal(model.calibration.tariffs_pct, tariffs)


def test_a_world_copy_without_caches_projects_the_same_score_as_a_full_copy():
    """A projection copies the world without its recorder and its observation caches (the copy builds its
    own); run ahead, it must give the very score a full deep copy gives, and the original keeps its caches."""
    from copy import deepcopy

    from simulation.recording import Recorder

    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=4, decisions=read_decisions_file(MOVES, 24))
    model.run(5)
    model.observe("US", 6)   # fill the step view and the tariff caches
    caches = (model._view, model._observations, model._tariff_tuple_cache, model._partner_tariffs_cache)
    light = model._world_copy()
    assert light.recorder is None and light._observations == {} and light._view_step == -1
    now = (model._view, model._observations, model._tariff_tuple_cache, model._partner_tariffs_cache)
    assert all(a is b for a, b in zip(now, caches))
    full = deepcopy(model)
    for copy in (light, full):
        copy.recorder = Recorder(copy, model_only=True)
        copy.release()
        copy.run(6)
    assert light.seat_score("US") == full.seat_score("US") and light.seat_score("JP") == full.seat_score("JP")
    assert light.markets.prices() == full.markets.prices()


def test_records_shared_by_world_copies_hold_only_text_numbers_and_none():
    """Decisions, events and offers are shared, not copied, by a deep copy of the world (a projection):
    right only while every field is text, a number, a truth value or None, which this checks field by
    field, from the annotations, so a list or dict field added later fails here."""
    from copy import deepcopy

    from simulation.decisions import Decision, SharedWhenCopied
    from simulation.negotiation import Offer
    from simulation.policy import Event

    allowed = {"int", "str", "float", "bool", "None"}
    for record in (Decision, Event, Offer):
        assert issubclass(record, SharedWhenCopied) and record.__dataclass_params__.frozen
        for f in dataclasses.fields(record):
            kinds = {kind.strip() for kind in str(f.type).split("|")}
            assert kinds <= allowed, (record.__name__, f.name, f.type)
    decision = Decision(step=2, actor="JP", action="sell_treasuries", amount_bn=100.0)
    assert deepcopy([decision])[0] is decision


def test_a_parameter_read_by_plain_name_or_with_keys_is_the_table_lookup():
    """Plain names are read straight from the parameters (no wildcard can apply to them); keyed look-ups
    go through the wildcard search once and are remembered. Both must give what ``lookup`` gives."""
    from simulation.calibration import calibration_for, lookup

    calibration = calibration_for("central")
    for name in calibration.parameters:
        if "*" not in name:
            assert calibration.param(name) == lookup(calibration.parameters, name)
    for economy in ECONOMIES:
        assert calibration.param("bonds.neutral_real_rate_pct", economy) == \
            lookup(calibration.parameters, "bonds.neutral_real_rate_pct", economy)
    with pytest.raises(KeyError, match="no calibration parameter matches no.such.name"):
        calibration.param("no.such.name")


def test_index_of_is_the_position_in_economies_and_refuses_an_unknown_code():
    from simulation.world import index_of

    assert [index_of(economy) for economy in ECONOMIES] == list(range(len(ECONOMIES)))
    with pytest.raises(ValueError, match="not an economy"):
        index_of("XX")


def test_calibration_numbers_read_at_set_up_follow_an_override():
    """The model reads the numbers it uses every month once, at set-up: a run with its own calibration
    must read that one (a Treasury price with a longer duration, a different repo spread)."""
    from simulation.calibration import calibration_for
    from simulation.treasuries import price_index

    scenario = load_scenario("kato-2025").scenario
    overrides = {"bonds.ust_duration_years": 9.0, "repo.fima_spread_pp": 0.5, "macro.global_rate_weight": 0.1}
    calibration = calibration_for("central").with_overrides(overrides)
    model = TradeWarModel(scenario, seed=1, calibration=calibration)
    model.run(3)
    cal = model.calibration
    assert (model.ust_duration_years, model.fima_spread_pp, model.global_rate_weight) == (9.0, 0.5, 0.1)
    assert model.threat_deadline_months == cal.param("credibility.deadline_months")
    assert model.neutral_real_rate_pct == {e: cal.param("bonds.neutral_real_rate_pct", e) for e in ECONOMIES}
    assert model.ust_price == price_index(model.markets.us_10y, model.markets.start["us_10y"], 9.0) != 1.0


def test_the_room_for_a_rule_decision_is_what_the_actor_holds():
    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=2, decisions=read_decisions_file(MOVES, 24))
    model.run(6)
    price = model.ust_price
    for holder in ("JP", "CN", "US"):
        government, held = model.governments[holder], model.ledger.holdings_bn[holder]
        plain = {"sell_treasuries": held, "threaten_sale": held, "buy_treasuries": government.cash_reserves_bn / price,
                 "fx_intervention": government.cash_reserves_bn + held * price,
                 "fima_repo": held * price - government.repo_bn}
        for action in TABLE:
            assert model._room_bn(action, holder) == plain.get(action)


def test_a_rule_decision_for_an_unknown_actor_is_refused_in_a_sentence():
    from simulation.decisions import Decision
    from simulation.errors import DecisionError

    class Stray:
        def decide(self, obs):
            return [Decision(step=obs.step, actor="XX", action="sell_treasuries", amount_bn=10.0, origin="rule")]

    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=1)
    model.governments["JP"].treasury_rule = Stray()
    with pytest.raises(DecisionError, match="unknown actor 'XX'"):
        model.step()


def test_a_scripts_decisions_are_made_once_and_are_those_of_its_events():
    from scenarios import shipped_scenarios

    for scenario_id in shipped_scenarios():
        scenario = load_scenario(scenario_id).scenario
        short = TradeWarModel(scenario, seed=0, steps=3)
        assert short.scripted == [e.to_decision() for e in scenario.events if e.step <= 3]
        again = TradeWarModel(scenario, seed=1)
        assert again.scripted == [e.to_decision() for e in scenario.events]
        shared = {id(d) for d in again.scripted}
        assert all(id(d) in shared for d in short.scripted)   # frozen, shared by every run


def test_a_bank_played_by_a_person_is_read_by_the_markets_reaction_function():
    from agents.rules.monetary import TaylorRule
    from scenarios import with_players

    loaded = with_players(load_scenario("kato-2025"), ("BOJ",))
    model = TradeWarModel(loaded.scenario, seed=3)
    model.run(2)
    boj, fed = model.central_banks["BOJ"], model.central_banks["FED"]
    seen, seen_by_fed = model.observe("BOJ", 3), model.observe("FED", 3)
    assert boj.rule is None and boj.projection(seen) == TaylorRule().projection(seen)
    assert fed.projection(seen_by_fed) == fed.rule.projection(seen_by_fed)


def test_threats_and_purchases_sorted_by_economy_are_the_plain_filters():
    """Each currency's priced threat is the sum, in the inputs' order, of its economy's actors' threats (a
    central bank's count for its economy), and its official purchases keep their causes and order."""
    inputs = SimpleNamespace(
        threats_bn={"JP": 40.0, "CN": 0.1, "BOJ": 25.5, "EA": 3.0, "UK": 9.0, "PBOC": 0.2},
        home_purchases_bn={("JP", "intervention"): 20.0, ("CN", "intervention"): 5.0, ("JP", "reserves"): 1.5})
    threats_bn, purchases_bn = by_economy(inputs)
    for economy in FX_QUOTES:
        plain_threat = sum(v for a, v in inputs.threats_bn.items() if home_economy(a) == economy)
        assert sum(threats_bn.get(economy, ())) == plain_threat
        plain = {c: v for (e, c), v in inputs.home_purchases_bn.items() if e == economy}
        assert list(purchases_bn.get(economy, {}).items()) == list(plain.items())
    assert sum(threats_bn["JP"]) == 40.0 + 25.5 and list(purchases_bn["JP"]) == ["intervention", "reserves"]


def test_the_stock_effects_kept_causes_are_the_treasury_parts_of_sales_and_threats():
    """The markets keep the names of the stock effect's causes instead of looking through the Treasury's
    parts every month: they must be exactly the parts named after official sales and threats."""
    decisions = [Decision(step=2, actor="CN", action="threaten_sale", amount_bn=200),
                 Decision(step=3, actor="JP", action="sell_treasuries", amount_bn=100)]
    model = TradeWarModel(load_scenario("baseline-2025").scenario, seed=4, decisions=decisions)
    seen = []
    for _ in range(6):
        model.step()
        markets = model.markets
        named = {k for k in markets.ust_parts if k.startswith(("official sales", "threat"))}
        assert markets._stock_causes == named
        seen.append(len(named))
    assert seen[0] == 0 and seen[-1] >= 2


def _as_the_model_holds_it(model: TradeWarModel) -> tuple[np.ndarray, dict[str, dict[str, float]]]:
    """This month's economies columns and every seat's score terms, read from the model the plain way."""
    columns = np.array([value(model) for value in ECONOMY_VALUES.values()])
    return columns, {seat: model.macro.seat_parts(seat) for seat in ECONOMIES + tuple(CENTRAL_BANKS)}


def test_a_record_scored_when_asked_holds_what_the_model_held_each_month():
    """A full record keeps each month's economies columns as the model holds them and its score inputs, and
    scores every month at once when a table asks. Its tables must hold what the model held each month,
    also when objectives change during the run (the months before keep the weights they were scored with)."""
    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=5, decisions=read_decisions_file(MOVES, 24))
    seen = [_as_the_model_holds_it(model)]
    for month in range(1, 13):
        if month == 6:
            model.macro.set_objectives("JP", {"jobs": 3.0})
            model.macro.set_objectives("BOJ", {"currency": 1.0})
        model.step()
        seen.append(_as_the_model_holds_it(model))
    table = model.recorder.economy_table()
    assert table.shape == (13, len(ECONOMY_COLUMNS), len(ECONOMIES))
    for step, (columns, parts) in enumerate(seen):
        assert table[step].tobytes() == columns.tobytes()
        for seat, terms in parts.items():
            assert model.recorder.seat_parts(step, seat) == terms
    scores = model.recorder.scores_frame().query("part == 'score' and seat == 'BOJ'")["value"].to_numpy()
    assert scores[-1] == model.macro.seat_score("BOJ")
    assert seen[5][1]["JP"]["jobs"] != 0.0 and seen[5][1]["JP"] != seen[6][1]["JP"]


def test_the_score_terms_are_the_formulas_term_by_term():
    """A month's score terms (``Macro.score_terms``, which a record also applies to every month at once) are
    the documented terms, each written out on its own, and the score is 100 plus their sum."""
    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=2, decisions=read_decisions_file(MOVES, 24))
    model._set_objectives("JP")
    for bank in CENTRAL_BANKS:
        model.macro.set_objectives(bank, {"currency": 1.0, "wealth": 0.5})
    model.run(9)
    m = model.macro
    w, b, e = m.weights, m.mandate, m.bank_economy
    miss = np.abs(m.inflation_pct - m.inflation_target_pct) - m.start_inflation_miss_pct
    revenue_pct = 100.0 * 12.0 * (m.tariff_revenue_bn - m.revenue0_bn) / m.gdp0_bn
    government = {"output": w["output"] * m.gap_pct, "inflation": -w["inflation"] * miss,
                  "jobs": w["jobs"] * 100.0 * m.log_auto_jobs,
                  "wealth": w["wealth"] * 100.0 * m.reserves_change_bn / m.gdp0_bn, "revenue": w["revenue"] * revenue_pct}
    bank = {"inflation": -b["inflation"] * miss[e], "output": -b["output"] * np.abs(m.gap_pct[e]),
            "jobs": b["jobs"] * 100.0 * m.log_auto_jobs[e], "wealth": b["wealth"] * 100.0 * m.reserves_change_bn[e] / m.gdp0_bn[e],
            "currency": -b["currency"] * 100.0 * np.abs(m.fx_log[e])}
    for expected, parts, score in ((government, m.score_parts(), m.score), (bank, m.mandate_parts(), m.bank_score)):
        assert list(parts) == list(expected)
        for name, term in expected.items():
            assert parts[name].tobytes() == term.tobytes(), name
        assert score.tobytes() == (100.0 + sum(expected.values())).tobytes()
    assert all(np.ptp(term) > 0 for term in (government["output"], government["wealth"], bank["currency"], bank["wealth"]))


def test_the_steady_paths_runs_share_are_the_month_by_month_formulas():
    """Potential output and trend inflation are computed once per calibration and shared by its runs: they
    must be what the month-by-month formulas give, and no run may change them."""
    calibration = TradeWarModel(load_scenario("kato-2025").scenario, seed=1).calibration
    macro = Macro.at_start(calibration)
    target, trend = macro.inflation_target_pct, macro.start_inflation_pct
    macro.steady_path(30)   # a far month first: the months before it are filled on the way
    for month in range(1, 31):
        trend = target + macro.trend_persistence * (trend - target)
        potential, shared = macro.steady_path(month)
        assert shared.tobytes() == trend.tobytes() and potential.tobytes() == macro.potential_gdp(month).tobytes()
    assert Macro.at_start(calibration).steady_path(30)[1] is shared
    assert np.ptp(shared - macro.start_inflation_pct) > 0   # trend inflation moves, so the test can fail
    with pytest.raises(ValueError):
        shared[0] = 0.0


def test_the_month_end_values_are_the_live_reads_and_the_record_holds_them():
    """The Treasury price, reserves and carry position are computed once at each month's end (``MonthEnd``)
    and read by the valuation change, the headlines and the record: they must be what the model's live reads
    give at that moment, every month, including a month with a sale, an intervention and a repo."""
    scenario = load_scenario("kato-2025").scenario
    decisions = read_decisions_file(MOVES, 24) + [
        Decision(step=3, actor="JP", action="fima_repo", amount_bn=50.0),
        Decision(step=4, actor="BOJ", action="fx_intervention", amount_bn=20.0)]
    model = TradeWarModel(scenario, seed=5, decisions=decisions)
    carry_moves, reserves, fx_given = [], [], []
    update = model.trade.update
    model.trade.update = lambda step, fx_log, gdp: (fx_given.append(fx_log), update(step, fx_log, gdp))
    for month in range(13):
        if month:
            carry_before, fx_before, price_before = (model.investors.carry_position_bn(), model.fx_log_by_economy(),
                                                     model.ust_price)
            model.step()
            carry_moves.append(model.investors.carry_position_bn() - carry_before)
            # the month's trade and investors started from the last close: the live reads at the month's start
            assert model.investors.price == price_before and fx_given[-1].tobytes() == fx_before.tobytes()
        end = model.month_end
        assert end.month == model.month and end.ust_price == model.ust_price
        assert end.fx_log.tobytes() == model.fx_log_by_economy().tobytes()
        assert not month or model.recorder.score_inputs[-1].fx_log is end.fx_log   # the macro's, from month 1
        assert end.reserves_bn.tobytes() == model.reserves_value_bn().tobytes()
        spent = [g.reserves_spent_bn for g in model.governments.values()]
        plain = [value + s - start for value, s, start in zip(end.reserves_bn.tolist(), spent, model.reserves0_bn.tolist())]
        assert model.reserves_valuation_change_bn(end.reserves_bn).tolist() == plain   # the same floats, one by one
        assert end.carry_position_bn == model.investors.carry_position_bn()
        reserves.append(model.reserves_value_bn())
        row = model.recorder.model_rows[-1]
        assert (row[-1], row[-3]) == (end.ust_price, end.carry_position_bn)
    recorded = model.recorder.economy_table()[:, ECONOMY_COLUMNS.index("fx_reserves_bn")]
    assert recorded.tobytes() == np.array(reserves).tobytes()
    assert np.ptp([r[-1] for r in model.recorder.model_rows]) > 0 and any(carry_moves)   # the values move


def test_a_seats_fixed_facts_are_the_plain_reads():
    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=2)
    model.run(2)
    for actor in (*ECONOMIES, *CENTRAL_BANKS):
        seen, economy = model.observe(actor, 3), home_economy(actor)
        bank = next((b for b in model.central_banks.values() if b.economy == economy), None)
        assert (seen.economy, seen.neutral_real_rate_pct) == (economy, model.neutral_real_rate_pct[economy])
        assert seen.home_quote == (FX_QUOTES[economy][0] if economy in FX_QUOTES else "")
        assert seen.cash_reserves_bn == model.governments[economy].cash_reserves_bn
        assert seen.policy_rate_pct == bank.policy_rate_pct if bank else math.isnan(seen.policy_rate_pct)
        assert seen.inflation_pct == model.macro.inflation_pct[ECONOMIES.index(economy)]
    copy = model._world_copy()   # a projection's copy: its seats' facts name its own agents
    for facts in copy._seat_facts.values():
        assert facts.government is copy.governments[facts.economy] and facts.bank is copy.bank_of.get(facts.economy)
        assert facts.at == ECONOMIES.index(facts.economy)


def test_the_closes_before_last_month_are_the_two_entries_before_the_newest():
    from simulation.model import _closes_before_last

    history = [{"us_10y": 4.0 + month} for month in range(5)]
    for length in range(1, 6):
        seen = _closes_before_last(history[:length])
        assert seen == tuple(history[:length][-back] for back in (2, 3) if back <= length)
        assert not any(copy is kept for copy in seen for kept in history)   # copies: a rule may change them


def test_a_rules_parameter_table_is_its_fields_metadata():
    from agents.rules import RULES
    from agents.rules.base import _declared_parameters

    for cls in RULES.values():
        plain = [(f.name, f.metadata.get("choices"), f.metadata.get("low"), f.metadata.get("high"),
                  f.metadata.get("unit", "")) for f in dataclasses.fields(cls) if "choices" in f.metadata or "low" in f.metadata]
        assert list(_declared_parameters(cls)) == plain and plain == [
            (p["name"], p.get("choices"), p.get("low"), p.get("high"), p.get("unit", "")) for p in cls.parameters()]


def test_a_decisions_record_is_its_fields_in_use():
    for d in (Decision(step=2, actor="JP", action="sell_treasuries", amount_bn=100.0),
              Decision(step=5, actor="US", action="set_tariff", rate_pct=25.0, target="JP", sector="autos",
                       origin="rule", note="why"),
              Decision(step=1, actor="BOJ", action="set_policy_rate", rate_pct=0.0, repatriate=False)):
        plain = {f.name: getattr(d, f.name) for f in dataclasses.fields(d) if getattr(d, f.name) not in (None, "")}
        assert d.to_record() == plain and list(d.to_record()) == list(plain)


def test_the_arrays_a_record_keeps_cannot_be_changed_afterwards():
    """The record keeps the model's own arrays of each month (not copies), so a change in place would rewrite
    a recorded month: it raises instead."""
    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=2)
    model.run(3)
    kept = [*model.recorder.score_inputs[-1], *model.recorder.economy_rows[-1]]
    assert all(not a.flags.writeable for a in kept if isinstance(a, np.ndarray))
    with pytest.raises(ValueError, match="read-only"):
        model.macro.gap_pct[0] += 1.0
    model.run(2)   # the model itself replaces them: the run goes on
    assert model.month == 5


def test_each_model_row_holds_its_columns_in_order():
    """The record builds each month's ``model`` row by position: every column must hold the model's own
    value of that name, read live at the end of the month."""
    from simulation.recording import MODEL_VALUES
    from simulation.world import PRICE_COLUMNS, RATE_COLUMNS

    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=4,
                          decisions=read_decisions_file(MOVES, 24), steps=6)
    for _ in range(6):
        model.step()
        live = {**{c: model.markets.prices()[c] for c in PRICE_COLUMNS},
                **{column: model.central_banks[bank].policy_rate_pct for bank, column in RATE_COLUMNS.items()},
                "risk_off": model.markets.risk, "carry_position_bn": model.investors.carry_position_bn(),
                "world_tariff_pct": model.trade.trade_weighted_tariff_pct(), "ust_price_index": model.ust_price}
        row = model.recorder.model_rows[-1]
        assert len(row) == len(MODEL_VALUES) + 1 and row[0] == model.month
        assert dict(zip(MODEL_VALUES, row[1:])) == live


@pytest.mark.parametrize("scenario, seed", [("kato-2025", 2), ("carry-unwind-2024", 3)])
def test_the_equity_arrays_every_view_shares_are_the_markets_as_they_closed(scenario, seed):
    """A market view's equity gaps and last returns are kept from the close, read-only, and are what the
    indices' gaps and last changes give read afresh (at the start and after every month)."""
    model = TradeWarModel(load_scenario(scenario).scenario, seed=seed)
    for _ in range(5):
        markets = model.markets
        view = markets.view(model.policy_rates())
        gaps = np.array([markets.eq_gap[q] * 100.0 for q in ("sp500", "nikkei225")])
        returns = np.array([markets.last_change[q] * 100.0 for q in ("sp500", "nikkei225")])
        assert view.equity_gap_pct.tobytes() == gaps.tobytes()
        assert view.equity_last_return_pct.tobytes() == returns.tobytes()
        assert not view.equity_gap_pct.flags.writeable and not view.equity_last_return_pct.flags.writeable
        assert markets.view(model.policy_rates()).equity_gap_pct is view.equity_gap_pct   # shared until the close
        model.step()


def test_each_markets_last_change_is_its_difference_or_log_change_over_the_month():
    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=4)
    model.run(3)
    before, after = model.price_history[-2], model.price_history[-1]
    for name, change in model.markets.last_change.items():
        plain = after[name] - before[name] if name.endswith("10y") else math.log(after[name] / before[name])
        assert change == plain, name


def test_orders_of_groups_that_share_a_label_are_summed_per_label_and_index():
    """A label's total is the plain sum from 0.0 of its groups' totals (per index for equities)."""
    from agents.investors import InvestorGroup, InvestorPopulation

    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=2)
    model.run(3)
    population = model.investors
    doubled = InvestorPopulation(population.groups + [InvestorGroup(model, g.rule, 7) for g in population.groups
                                                      if g.rule.market in ("equity", "ust")], population.ledger)
    view = model.markets.view(model.policy_rates())
    for market, by_index in (("equity", True), ("ust", False)):
        plain: dict[str, object] = {}
        for g in doubled.groups:
            if g.rule.market == market:
                flow = g.rule.orders(g.members, view)
                total = np.bincount(g.members["index"], weights=flow, minlength=2) if by_index else float(flow.sum())
                plain[g.rule.label] = plain.get(g.rule.label, 0.0) + total
        got = doubled.orders(market, view, by_index=by_index)
        assert got.keys() == plain.keys() and len(got) == 2
        for label in got:
            assert np.asarray(got[label]).tobytes() == np.asarray(plain[label]).tobytes(), label


class _PlainTradeMonth:
    """The trade month written out plainly from docs/model.md section 7.1, one array per volume part and
    one sum per total: what ``TradeNetwork.update`` must give up to the order of rounding."""

    def __init__(self, trade: TradeNetwork):
        self.trade = trade
        n, s = trade.base_flows_bn.shape[1:], trade.base_flows_bn.shape
        self.lower_fast, self.lower_slow = np.zeros(s), np.zeros(s)
        self.upper_fast, self.upper_slow = np.zeros(n), np.zeros(n)

    def update(self, step: int, fx_log: np.ndarray, gdp_log_ratio: np.ndarray) -> dict[str, np.ndarray]:
        t = self.trade
        base = t.base_flows_bn
        push = np.log1p(t.tariffs_pct / 100.0) - np.log1p(t.base_tariffs_pct / 100.0)
        absorbed = t.absorbed_share(step)
        exporter_fx = t.producer_currency_share * fx_log[:, None, None]
        exporter_price = -absorbed * push - exporter_fx
        tariff_price = (1.0 - absorbed) * push
        buyer_price = tariff_price + (t.erpt * fx_log)[None, :, None] - exporter_fx
        import_price = (t.supplier_share * buyer_price).sum(axis=0)
        relative = buyer_price - import_price[None]
        targets = (-t.micro_short * relative, -t.micro_extra * relative,
                   -t.macro_short * import_price + t.income_elasticity * gdp_log_ratio[:, None],
                   -t.macro_extra * import_price)
        self.lower_fast = self.lower_fast + t.fast_speed * (targets[0] - self.lower_fast)
        self.lower_slow = self.lower_slow + t.slow_speed * (targets[1] - self.lower_slow)
        self.upper_fast = self.upper_fast + t.fast_speed * (targets[2] - self.upper_fast)
        self.upper_slow = self.upper_slow + t.slow_speed * (targets[3] - self.upper_slow)
        volume = base * np.exp(self.lower_fast + self.lower_slow + (self.upper_fast + self.upper_slow)[None])
        horizon = base * np.exp(targets[0] + self.lower_slow + (targets[2] + self.upper_slow)[None])
        flows, target_flows = volume * np.exp(exporter_price), horizon * np.exp(exporter_price)
        tariff_cost, half_passed = np.expm1(tariff_price), 0.5 * np.maximum(tariff_price, 0.0)
        by_importer = lambda x: x.sum(axis=(0, 2))  # noqa: E731
        return {
            "volume_bn": volume, "flows_bn": flows, "target_flows_bn": target_flows,
            "sector_burden_bn": (volume * tariff_cost).sum(axis=0),
            "tariff_burden_bn": by_importer(volume * tariff_cost),
            "target_burden_bn": by_importer(horizon * tariff_cost),
            "deadweight_bn": by_importer(half_passed * np.maximum(base - volume, 0.0)),
            "target_deadweight_bn": by_importer(half_passed * np.maximum(base - horizon, 0.0)),
            "tariff_revenue_bn": by_importer(flows * t.tariffs_pct) / 1200.0,
            "target_import_volume_bn": by_importer(horizon), "import_volume_bn": by_importer(volume),
            "exports_bn": flows.sum(axis=(1, 2)), "imports_bn": by_importer(flows),
            "import_price_log": by_importer(base * buyer_price) / by_importer(base),
            "tariff_import_price_log": by_importer(base * tariff_price) / by_importer(base),
            "autos_exported": volume[:, :, SECTORS.index("autos")].sum(axis=1),
            "autos_imported": volume[:, :, SECTORS.index("autos")].sum(axis=0),
        }


def test_the_trade_month_is_the_plain_formulas_up_to_rounding():
    """The trade month keeps what the tariffs give per tariff version (the absorbed share's decay factorised
    into one number a month), moves twin states as pairs and sums the month's and the horizon's volumes in
    one pass: every output must be the plain formulas' up to rounding, through tariff changes on fading
    flows (Japanese and Korean cars), a month asked before a tariff's change (the plain share's path); and
    the macro's impulses (read as a pair) and auto jobs, taken as weighted sums, must be their formulas."""
    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=1)
    trade, macro = model.trade, model.macro
    plain = _PlainTradeMonth(trade)
    rng = np.random.default_rng(7)
    changes = {2: ("JP", "autos", 25.0), 3: ("KR", "all", 15.0), 6: ("JP", "autos", 15.0)}
    moved = 0.0

    def plain_impulse(exports_bn, import_volume_bn, burden_bn, deadweight_bn):
        bn = (macro.trade_multiplier * (exports_bn - macro.base_exports_bn)
              - macro.switching_share * (import_volume_bn - macro.base_import_volume_bn)
              - deadweight_bn - macro.input_cost_share * np.maximum(burden_bn, 0.0))
        return 100.0 * bn / macro.gdp0_bn

    for step in range(1, 10):
        if step in changes:
            exporter, sector, rate = changes[step]
            trade.set_tariff("US", exporter, sector, rate, step)
        asked = step - 1 if step == 6 else step   # month 6's change is asked from month 5: age taken at zero
        fx, gap = rng.normal(0.0, 0.05, len(ECONOMIES)), rng.normal(0.0, 0.01, len(ECONOMIES))
        trade.update(asked, fx, gap)
        expected = plain.update(asked, fx, gap)
        read = {"exports_bn": trade.exports_bn, "imports_bn": trade.imports_bn,
                "import_volume_bn": trade.import_volume_bn,
                "autos_exported": lambda: trade.sector_export_volume("autos"),
                "autos_imported": lambda: trade.sector_import_volume("autos")}
        got = {name: read[name]() if name in read else getattr(trade, name) for name in expected}
        for name, value in expected.items():
            np.testing.assert_allclose(got[name], value, rtol=1e-13, atol=1e-13 * np.abs(value).max(), err_msg=name)
        impulses = macro.trade_impulses_pct(trade)
        np.testing.assert_allclose(impulses, [
            plain_impulse(expected["exports_bn"], expected["import_volume_bn"], expected["tariff_burden_bn"],
                          expected["deadweight_bn"]),
            plain_impulse(expected["target_flows_bn"].sum(axis=(1, 2)), expected["target_import_volume_bn"],
                          expected["target_burden_bn"], expected["target_deadweight_bn"])],
            rtol=1e-10, atol=1e-12)
        jobs_before = macro.log_auto_jobs
        macro._update_auto_jobs(trade)
        autos_burden = expected["sector_burden_bn"][:, SECTORS.index("autos")]
        output_change = ((expected["autos_exported"] - macro.base_auto_x)
                         + (macro.base_auto_m - expected["autos_imported"]) * macro.switching_share
                         - macro.input_cost_share * np.maximum(autos_burden, 0.0)) / macro.auto_output0
        target = macro.auto_job_elasticity * np.log1p(np.maximum(output_change, -0.95))
        np.testing.assert_allclose(macro.log_auto_jobs, jobs_before + macro.auto_job_speed * (target - jobs_before),
                                   rtol=1e-12, atol=1e-15)
        moved = max(moved, float(np.abs(expected["tariff_import_price_log"]).max()))
    assert moved > 0.001   # the tariffs moved import prices (0.6% at most here), so the test can fail


def test_the_factorised_decay_stays_finite_for_long_runs_and_short_half_lives():
    """The absorbed share's decay is kept per tariff version as two powers of one half, both at most 1: a
    240-month run with the shortest allowed half-life (0.1 months) must give the plain formulas' numbers,
    not an overflow (2 ** 2300) times an underflow."""
    calibration = load_calibration().with_overrides({"trade.absorption_half_life_months": 0.1})
    trade = TradeNetwork(calibration)
    trade.set_tariff("US", "JP", "autos", 25.0, 10)
    trade.set_tariff("US", "KR", "autos", 25.0, 229)
    plain = _PlainTradeMonth(trade)
    fx, gap = np.linspace(-0.05, 0.05, len(ECONOMIES)), np.zeros(len(ECONOMIES))
    with np.errstate(over="raise", invalid="raise"):   # underflow to zero is the plain formula's too
        trade.update(230, fx, gap)
    expected = plain.update(230, fx, gap)
    for name in ("flows_bn", "tariff_burden_bn", "deadweight_bn", "tariff_import_price_log"):
        np.testing.assert_allclose(getattr(trade, name), expected[name], rtol=1e-13,
                                   atol=1e-13 * np.abs(expected[name]).max(), err_msg=name)
    assert trade.tariff_terms().minus_fading is not None   # Korean cars still fade, so the test can fail


def test_a_records_trade_tables_are_each_months_tables_and_shared_only_while_unchanged():
    """The record keeps each month's flows as the model made them and the tariff tables as read-only copies
    shared between months with no tariff change: every month must still hold the tables of that month, and
    the month's tariff shock is measured against the tariffs at its start."""
    scenario = load_scenario("kato-2025").scenario
    model = TradeWarModel(scenario, seed=3, decisions=read_decisions_file(MOVES, 24), steps=8)
    live = [(model.trade.flows_bn.copy(), model.trade.tariffs_pct.copy(), model.trade.agreed_tariffs_pct.copy())]
    versions = [model.trade.tariff_version]
    for month in range(1, 9):
        if month == 4:   # a change between months, outside any decision, must be seen too
            model.trade.set_tariff("CN", "US", "autos", 60.0, month)
            model.trade.agree("JP", "EA")
        model.step()
        live.append((model.trade.flows_bn.copy(), model.trade.tariffs_pct.copy(), model.trade.agreed_tariffs_pct.copy()))
        versions.append(model.trade.tariff_version)
    recorder = model.recorder
    for month, (flows, tariffs, agreed) in enumerate(live):
        np.testing.assert_array_equal(recorder.flows[month], flows)
        np.testing.assert_array_equal(recorder.tariffs[month], tariffs)
        np.testing.assert_array_equal(recorder.agreed[month], agreed)
        kept = (recorder.flows[month], recorder.tariffs[month], recorder.agreed[month])
        assert not any(a.flags.writeable for a in kept)
        if month:   # shared while nothing changed, copied again after any change
            assert (recorder.tariffs[month] is recorder.tariffs[month - 1]) == (versions[month] == versions[month - 1])
    assert versions[4] != versions[3] and versions.count(versions[-1]) > 1
    assert len({id(f) for f in recorder.flows}) == len(recorder.flows)   # a new flows array every month
    with pytest.raises(ValueError, match="read-only"):
        recorder.tariffs[-1][0, 1, 0] = 1.0
    model.trade.set_tariff("US", "JP", "autos", 99.0, 9)   # the live table is the model's own, still changeable
    tariffs, _ = model.tariff_tables()
    assert tariffs[1, 0, 0] == 99.0 and recorder.tariffs[-1][1, 0, 0] != 99.0


def test_a_months_view_of_reserves_is_what_the_month_before_closed_with_and_the_live_read():
    """A seat's view of reserves as a month starts is taken from the month before's end values (what the
    record holds for that month) rather than computed again: in every month of a run with sales, a threat
    and interventions it must equal the live read, and a view of another month reads live."""
    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=5, decisions=read_decisions_file(MOVES, 24),
                          steps=10)
    from simulation.recording import _MONTHLY_NAMES

    jp = ECONOMIES.index("JP")
    for _ in range(10):
        t = model.month + 1
        live = model._reserves_bn_floats()
        assert model._reserves_at_start(t) == live == model.month_end.reserves_bn.tolist()
        recorded = model.recorder.economy_rows[-1][_MONTHLY_NAMES.index("fx_reserves_bn")]
        assert model.observe("BOJ", t).fx_reserves_bn == live[jp] == recorded[jp]
        model._view_step = -1   # the month's own view, built as its seats decide
        model.step()
        assert model._view_step == t and model._view["reserves"] == live
    model.governments["JP"].cash_reserves_bn += 10.0
    assert model._reserves_at_start(model.month + 2)[jp] == model._reserves_bn_floats()[jp]


def test_a_governments_decisions_are_its_rules_decisions_in_slot_order_skipping_empty_slots():
    """A government decides by asking its rule slots in order (trade, Treasury, negotiation) without building
    the ``rules`` list every month: what it returns must be exactly the rules' decisions in that order, with an
    empty slot (a person's, or a scenario's None) skipped wherever it is."""
    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=2, steps=3)
    model.run(2)

    class Says:
        observes = True

        def __init__(self, note):
            self.note = note

        def decide(self, obs):
            return [Decision(step=obs.step, actor=obs.actor, action="retract_threat", origin="rule", note=self.note)]

    us = model.governments["US"]
    obs = model.observe("US", 3)
    for slots in [("trade", "treasury", "negotiation"), ("trade", None, "negotiation"), (None, None, "negotiation"),
                  (None, None, None)]:
        us.trade_rule, us.treasury_rule, us.negotiation_rule = (Says(s) if s else None for s in slots)
        assert [d.note for d in us.decide(obs)] == [s for s in slots if s]
        assert us.decide(obs) == [d for rule in us.rules for d in rule.decide(obs)]


def test_the_dollar_is_not_defended_by_its_own_economy_and_other_currencies_are():
    """The FX intervention check (which reads the world's table of central banks, imported once with its
    module) refuses the Fed in a sentence and lets every other central bank intervene, either way."""
    from simulation.decisions import check
    from simulation.errors import DecisionError

    with pytest.raises(DecisionError, match="the dollar is the United States' own currency"):
        check(Decision(step=1, actor="FED", action="fx_intervention", amount_bn=10.0), 24)
    for actor in ("BOJ", "ECB", "PBOC"):
        for amount_bn in (10.0, -10.0):
            check(Decision(step=1, actor=actor, action="fx_intervention", amount_bn=amount_bn), 24)


@pytest.mark.parametrize("scenario, seed", [("carry-unwind-2024", 3), ("liberation-day-2025", 1)])
def test_the_kept_carry_total_is_the_positions_sum_and_books_each_moves_pnl(scenario, seed):
    """The carry traders' total position is kept rather than summed at every yen move: it must equal the sum
    of the positions exactly at every month's end (a book fully unwound reads 0.0, not a rounding residue),
    and within the month's cascade up to rounding; each move's P&L is that total times the move, which is
    the plain per-trader P&L summed up to rounding."""
    from agents.investors import InvestorPopulation

    model = TradeWarModel(load_scenario(scenario).scenario, seed=seed)
    population = model.investors
    plain_pnl, mark, orders = [], InvestorPopulation.carry_mark, InvestorPopulation.carry_orders

    def summed():
        return sum(float(g.members["position_bn"].sum()) for g in population.carry)

    def checked_mark(self, fx_log_change):
        assert self._carry_total_bn == pytest.approx(summed(), rel=1e-12, abs=1e-9)
        plain_pnl.append(sum(float((g.members["position_bn"] * fx_log_change).sum()) for g in self.carry))
        return mark(self, fx_log_change)

    def checked_orders(self, view):
        total = orders(self, view)
        assert self._carry_total_bn == pytest.approx(summed(), rel=1e-12, abs=1e-9)
        return total

    assert population.carry_position_bn() == summed()   # at the start
    population.carry_mark = checked_mark.__get__(population)
    population.carry_orders = checked_orders.__get__(population)
    for _ in range(12):
        plain_pnl.clear()
        model.step()
        assert population.carry_position_bn() == summed()   # exact at every month's end
        assert population._month_pnl_bn == pytest.approx(sum(plain_pnl), rel=1e-12, abs=1e-12)
    assert any(plain_pnl)


def test_the_markets_calibrated_numbers_are_read_once_per_calibration_and_are_what_it_gives():
    """Every run's markets take the numbers read once per calibration: the same values a fresh read gives,
    shared by two runs of one calibration (and untouched by a run), and a calibration's own for another."""
    import copy

    from simulation.markets import MarketCalibration

    calibration = load_calibration().with_overrides({"risk.per_deal": -0.1})
    fresh = vars(MarketCalibration(calibration))
    run_one, run_two = (Markets(calibration, np.random.default_rng(s), np.zeros(len(ECONOMIES))) for s in (0, 1))
    for name, value in fresh.items():
        assert getattr(run_one, name) == value and getattr(run_two, name) == value
    assert run_one.neutral_rate_pct is run_two.neutral_rate_pct and run_one.currencies is run_two.currencies
    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=1)
    kept = {name: copy.deepcopy(getattr(model.markets, name)) for name in fresh}
    model.run(6)
    assert all(getattr(model.markets, name) == kept[name] for name in fresh)   # no run changes them
    other = Markets(load_calibration().with_overrides({"risk.per_deal": -0.2}), np.random.default_rng(0),
                    np.zeros(len(ECONOMIES)))
    assert other.risk_per_deal == -0.2 and run_one.risk_per_deal == -0.1


def _observes_as_computed(government) -> bool:
    """Whether a government observes, worked out from its slots the plain way (what it kept must equal)."""
    return any(getattr(rule, "observes", True) for rule in (government.trade_rule, government.treasury_rule,
                                                             government.negotiation_rule) if rule is not None)


def test_a_governments_kept_observes_is_always_what_its_slots_give():
    """Whether a government observes is kept as a plain value, worked out again whenever a rule slot is set:
    it must equal what its slots give at the start (rules, none, a person's seat), and after each slot is set
    to a rule that reads its observation, to one that does not, and emptied, in any order."""
    from agents.rules.trade_policy import NoRetaliation
    from agents.rules.treasury_policy import Hold
    from scenarios import with_players

    loaded = load_scenario("kato-2025")
    for scenario in (loaded.scenario, with_players(loaded, ("JP", "US")).scenario):
        model = TradeWarModel(scenario, seed=0, steps=2)
        seen = {government.observes for government in model.governments.values()}
        assert seen == {True, False}   # both kinds at the start, so the comparison below can fail either way
        for government in model.governments.values():
            assert government.observes == _observes_as_computed(government)
    assert not TradeWarModel(with_players(loaded, ("JP",)).scenario, seed=0, steps=2).governments["JP"].observes

    class Looks:
        def decide(self, obs):
            return []

    us = model.governments["US"]
    for slot in ("trade_rule", "treasury_rule", "negotiation_rule"):
        for rule in (Looks(), NoRetaliation(), Hold(), None, Looks(), None):
            setattr(us, slot, rule)
            assert us.observes == _observes_as_computed(us)
            assert us.rule_slots() == (us.trade_rule, us.treasury_rule, us.negotiation_rule)
        for others in (None, Hold()):
            us.trade_rule = us.treasury_rule = us.negotiation_rule = others
            assert us.observes is False
            setattr(us, slot, Looks())
            assert us.observes is True


def test_the_kept_macro_state_is_already_started_on_the_start_of_trade():
    """A run's macro state comes started on the 2024 trade network (``Macro.start``), made once per calibration:
    every number ``start`` sets must be what starting it again on a freshly built network gives."""
    calibration = TradeWarModel(load_scenario("kato-2025").scenario, seed=1).calibration
    plain = Macro(calibration)
    plain.start(TradeNetwork(calibration))
    kept = Macro.at_start(calibration)
    started = ("base_exports_bn", "base_imports_bn", "base_auto_x", "base_auto_m", "auto_output0",
               "base_import_volume_bn", "import_share", "_import_share_pct", "revenue0_bn", "tariff_revenue_bn")
    for name in started:
        assert np.array_equal(getattr(kept, name), getattr(plain, name)), name
    assert kept.base_exports_bn.min() > 0 and kept.auto_output0.max() > 0   # the start's trade, not zeros
    assert Macro.at_start(calibration).revenue0_bn is kept.revenue0_bn   # made once, shared read-only
    with pytest.raises(ValueError):
        kept.revenue0_bn[0] = 0.0


def _given_as_scanned(model, t: int) -> list[Decision]:
    """A month's scripted and given decisions found the plain way: every one read, the script's first."""
    return [d for d in model.scripted if d.step == t] + [d for d in model.external if d.step == t]


def _assert_given_by_month_as_scanned(model) -> None:
    for t in range(model.steps_total + 2):
        assert model._given_by_step.get(t, []) == _given_as_scanned(model, t), t


def test_a_months_scripted_and_given_decisions_by_month_are_those_a_scan_finds():
    """Each month takes its scripted and given decisions from an index by month, worked out again whenever
    either list is set: it must give what reading every decision gives, at the start (a script and a decisions
    file), after a session adds a player's decisions and an instructor's shock month by month, after either is
    set anew (a projection's copy, the replayed base), and each month's breaking news must be the script's."""
    given = read_decisions_file(MOVES, 24)
    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=1, decisions=given)
    assert model.scripted and model.external   # both kinds, so a month that mixes them can be wrong
    _assert_given_by_month_as_scanned(model)
    assert any(_given_as_scanned(model, t)[0] in model.scripted and _given_as_scanned(model, t)[-1] in model.external
               for t in range(25) if _given_as_scanned(model, t))

    session = PlaySession("kato-2025", seats=("JP",), seed=3, steps=6)
    threat = Decision(step=0, actor="JP", action="threaten_sale", amount_bn=300)
    shock = Decision(step=0, actor="CN", action="threaten_sale", amount_bn=100.0, note="China warns")
    for month_moves, shocks in (([threat], []), ([], [shock]), ([], [])):
        session.step(month_moves, shocks)
        _assert_given_by_month_as_scanned(session.model)
    assert len(session.model.external) == 2
    with pytest.raises(AttributeError):
        session.model.external.append(threat)   # added to by setting it anew, so never out of its index

    model.scripted = [d for d in model.scripted if d.step >= 5]
    _assert_given_by_month_as_scanned(model)
    model.external = [dataclasses.replace(d, step=7) for d in given[:2]]
    _assert_given_by_month_as_scanned(model)
    model.scripted = []
    _assert_given_by_month_as_scanned(model)

    news_model = TradeWarModel(load_scenario("carry-unwind-2024").scenario, seed=0)
    news_model.run()
    news = [(e.step, e.headline) for e in news_model.events if e.action == "breaking_news" and e.actor == "news"]
    assert news and news == [(n.step, n.headline) for n in news_model.scenario.news]


# -- Ninth round, the markets' month: each market's causes booked straight into its own dict -----------------

def _log_the_writers(monkeypatch, log: list) -> None:
    """Wrap the markets' four writers so that each call also logs (market, cause, change in bp or percent),
    whether or not the change is zero: what the plain booking, one call at a time, would be given."""
    def market_of(markets, causes):
        return next(m for m, c in markets.moves.by_market.items() if c is causes)

    set_part, add_part, add_gap, add_scalar_gap = (Markets._set_part, Markets._add_part, Markets._add_gap,
                                                   Markets._add_scalar_gap)

    def logged_set_part(self, causes, parts, cause, level, unit):
        log.append((market_of(self, causes), cause, (level - parts.get(cause, 0.0)) * unit))
        set_part(self, causes, parts, cause, level, unit)

    def logged_add_part(self, causes, parts, cause, change, unit):
        log.append((market_of(self, causes), cause, change * unit))
        add_part(self, causes, parts, cause, change, unit)

    def logged_add_gap(self, causes, gaps, key, cause, change, unit):
        log.append((market_of(self, causes), cause, change * unit))
        add_gap(self, causes, gaps, key, cause, change, unit)

    def logged_add_scalar_gap(self, causes, cause, change):
        log.append((market_of(self, causes), cause, change * 100.0))
        add_scalar_gap(self, causes, cause, change)

    for name, writer in (("_set_part", logged_set_part), ("_add_part", logged_add_part),
                         ("_add_gap", logged_add_gap), ("_add_scalar_gap", logged_add_scalar_gap)):
        monkeypatch.setattr(Markets, name, writer)


def _booked_one_by_one(log: list) -> dict[str, dict[str, float]]:
    """The month's moves booked the plain way: call by call, zero changes skipped, a market and a cause
    entered when they first move."""
    by_market: dict[str, dict[str, float]] = {}
    for market, cause, change in log:
        if change != 0.0:
            causes = by_market.setdefault(market, {})
            causes[cause] = causes.get(cause, 0.0) + change
    return by_market


def test_the_months_moves_are_what_booking_each_change_one_by_one_gives(monkeypatch):
    """The writers book straight into each market's dict of causes, opened for every market at the start of
    the month and dropped at the close if the market did not move. Each month's moves must be, bit for bit
    and in the same order of markets and causes, what booking every nonzero change one call at a time gives:
    in runs with official sales and threats (the Treasury's stock effect, named causes shared by a part and
    the flow gap), interventions, and a carry crash (the currencies' risk part set twice in a month)."""
    log: list = []
    _log_the_writers(monkeypatch, log)
    crash_months = 0
    for name, seed in (("liberation-day-2025", 1), ("carry-unwind-2024", 0), ("kato-2025", 2)):
        model = TradeWarModel(load_scenario(name).scenario, seed=seed)
        for _ in range(min(12, model.steps_total)):
            log.clear()
            model.step()
            plain = _booked_one_by_one(log)
            moves = model.markets.moves.by_market
            assert list(moves) == list(plain)
            for market, causes in moves.items():
                assert list(causes.items()) == list(plain[market].items()), (name, market)
            fx_risk = [m for m, cause, _ in log if cause == "risk sentiment" and m == "usd_jpy"]
            crash_months += len(fx_risk) > 1
            assert sum(change == 0.0 for _, _, change in log) > 0   # some calls had nothing to book
    assert crash_months > 0   # the carry crash's second booking of the same cause was met


def test_a_months_moves_keep_only_the_markets_that_moved():
    """The month opens a dict of causes for every market, in the order the month trades them; at the close
    only the markets something moved are kept (in a run every market usually moves, so this is checked here)."""
    moves = Moves.opening()
    assert list(moves.by_market) == ["usd_jpy", "eur_usd", "usd_cny", "us_10y", "jgb_10y", "sp500", "nikkei225"]
    moves.by_market["jgb_10y"]["market news"] = -1.5
    moves.by_market["usd_jpy"]["trade flows"] = 0.25
    moves.drop_unmoved()
    assert list(moves.by_market.items()) == [("usd_jpy", {"trade flows": 0.25}), ("jgb_10y", {"market news": -1.5})]


# -- A run's set-up and its record (ninth round): what every run of a scenario and calibration starts from is
#    worked out once and shared (simulation/setup.py); run.json is written out when first read. ---------------

def _plain_start(scenario, calibration):
    """What the set-up read before it was shared, the plain way, for one scenario and calibration."""
    from agents.rules import make_rule
    from simulation.setup import CALIBRATED_INVESTOR_DEFAULTS, set_objectives
    from agents.investors import split_counts

    p = calibration.param
    macro = Macro.at_start(calibration)
    for seat in scenario.roles:
        set_objectives(macro, scenario, seat)
    official = {e: calibration.economy(e, "ust_holdings_bn") for e in ECONOMIES}
    governments = {}
    for code in ECONOMIES:
        setup = scenario.government(code)
        choices = (setup.trade, setup.treasury, setup.negotiation)
        governments[code] = (max(calibration.economy(code, "fx_reserves_bn") - official[code], 0.0),
                             setup.credibility if setup.credibility is not None else p("credibility.initial"),
                             [None if c is None else (c.rule, dict(c.params)) for c in choices])
    counts = split_counts(scenario.investors.count, scenario.investors.mix)
    investors = []
    for name in sorted(counts):
        params = dict(scenario.investors.params.get(name, {}))
        for parameter, calibrated in CALIBRATED_INVESTOR_DEFAULTS.get(name, {}).items():
            params.setdefault(parameter, p(calibrated))
        investors.append((name, counts[name], vars(make_rule(name, "investor", params))))
    return macro, official, governments, investors


@pytest.mark.parametrize("name", ["kato-2025", "deal-2025", "history-2025"])
def test_a_runs_set_up_is_what_its_scenario_and_calibration_give_and_runs_share_it_read_only(name):
    from simulation.setup import set_up_for

    scenario = load_scenario(name).scenario
    first, second = TradeWarModel(scenario, seed=1), TradeWarModel(scenario, seed=2)
    assert first.set_up is second.set_up is set_up_for(scenario, first.calibration)
    macro, official, governments, investors = _plain_start(scenario, first.calibration)
    p = first.calibration.param
    for model in (first, second):
        for seat in (*ECONOMIES, *CENTRAL_BANKS):
            assert model.seat_weights(seat) == macro.seat_weights(seat)
        assert model.macro.score_inputs().scaled_weights.tobytes() == macro.score_inputs().scaled_weights.tobytes()
        assert model.macro.score_inputs().scaled_mandate.tobytes() == macro.score_inputs().scaled_mandate.tobytes()
        assert model.ust_duration_years == p("bonds.ust_duration_years")
        assert model.neutral_real_rate_pct == {e: p("bonds.neutral_real_rate_pct", e) for e in ECONOMIES}
        assert (model.threat_deadline_months, model.threat_decay_per_month, model.fima_spread_pp,
                model.global_rate_weight) == (p("credibility.deadline_months"), p("credibility.decay_per_month"),
                                              p("repo.fima_spread_pp"), p("macro.global_rate_weight"))
        for code, (cash, credibility, choices) in governments.items():
            government = model.governments[code]
            assert (government.cash_reserves_bn, government.credibility) == (cash, credibility)
            made = [None if r is None else (r.name, vars(r)) for r in government.rule_slots()]
            assert made == [None if c is None else (c[0], vars(_made(c[0], c[1], r)))
                            for c, r in zip(choices, government.rule_slots())]
        for bank_id, bank in model.central_banks.items():
            assert bank.policy_rate_pct == model.calibration.markets[f"{bank_id.lower()}_rate"]
        assert [(g.rule.name, g.count, vars(g.rule)) for g in model.investors.groups] == investors
        assert model.ledger.holdings_bn["JP"] == official["JP"]
        np.testing.assert_array_equal(model.base_net_exports_bn, macro.base_exports_bn - macro.base_imports_bn)
    # Each run has its own agents, rules and weights; the shared ones cannot be changed in place.
    assert first.governments["JP"] is not second.governments["JP"]
    ruled = [bank for bank in CENTRAL_BANKS if first.central_banks[bank].rule is not None]
    assert ruled and all(first.central_banks[b].rule is not second.central_banks[b].rule for b in ruled)
    shared = first.set_up.macro
    assert not shared.weights["output"].flags.writeable and not first.base_net_exports_bn.flags.writeable
    first._set_objectives("JP")
    first.macro.set_objectives("JP", {"output": 3.0})
    assert first.seat_weights("JP")["output"] == 3.0 and second.seat_weights("JP")["output"] != 3.0
    assert shared.seat_weights("JP") == macro.seat_weights("JP")
    assert first._world_copy().set_up is first.set_up   # a projection's copy shares it too (not a deep copy)


def _made(rule, params, like):
    from agents.rules import make_rule

    return make_rule(rule, like.kind, params)


def test_a_scenarios_wrong_objectives_are_refused_in_a_sentence_at_every_run():
    from simulation.errors import UserError

    loaded = load_scenario("kato-2025")
    bad = loaded.scenario.model_copy(update={"roles": {**loaded.scenario.roles,
                                                       "BOJ": loaded.scenario.roles["US"]}})
    for _ in range(2):   # nothing is kept from a set-up that failed
        with pytest.raises(UserError, match=r"scenario kato-2025, roles\.BOJ\.objectives: BOJ's score has no part"):
            TradeWarModel(bad, seed=0)


@pytest.mark.parametrize("name", ["kato-2025", "carry-unwind-2024", "liberation-day-2025"])
def test_the_start_expectations_runs_share_are_the_ones_the_banks_project(name, monkeypatch):
    """The first run of a scenario asks each bank for its projection of the start; the runs after it take
    the same expectations (their own copy) when every bank's projection is built in."""
    import simulation.model as model_module
    from simulation.setup import RunSetUp

    scenario = load_scenario(name).scenario
    TradeWarModel(scenario, seed=0)
    shared = TradeWarModel(scenario, seed=3)
    monkeypatch.setattr(model_module, "set_up_for", lambda s, c: RunSetUp(s, c))   # nothing kept: asked afresh
    asked = TradeWarModel(scenario, seed=3)
    assert shared.markets.start_expectations == asked.markets.start_expectations
    assert shared.markets.start_expectations is not shared.set_up.start_expectations
    from scenarios import with_players

    with_people = with_players(load_scenario(name), ("FED", "BOJ")).scenario   # projected by the built-in function
    TradeWarModel(with_people, seed=0)
    assert TradeWarModel(with_people, seed=1).markets.start_expectations == \
        TradeWarModel(with_people, seed=1).markets.start_expectations


def test_a_users_monetary_rule_is_asked_for_its_projection_of_the_start_in_every_run(monkeypatch):
    from agents.rules.monetary import TaylorRule

    asked = []
    projection = TaylorRule.projection
    monkeypatch.setattr(TaylorRule, "source_file", "my_rules.py", raising=False)   # as a user's file's class
    monkeypatch.setattr(TaylorRule, "projection", lambda rule, obs: asked.append(obs.step) or projection(rule, obs))
    scenario = load_scenario("kato-2025").scenario
    for seed in (0, 1):
        before = len(asked)
        TradeWarModel(scenario, seed=seed)
        assert asked[before:] == [0] * len(CENTRAL_BANKS)   # every bank's rule is a TaylorRule here


def test_a_runs_record_is_written_when_read_and_is_what_the_run_ended_with():
    decisions = read_decisions_file(MOVES, 24)
    result = run("kato-2025", seed=4, decisions=decisions, seats=("JP",), steps=12)
    model = result.world
    expected_decisions = [d.to_record() for d in model.external]
    expected_applied = [d.to_record() for d in model.decision_log]
    model.steps_total = 24
    model.run(6)   # a model run on after its run does not change the run's record
    assert len(model.decision_log) > len(expected_applied)
    record = result.record
    assert list(record) == ["model_version", "scenario", "scenario_sha256", "rule_changes", "rule_settings",
                            "rule_files", "seats", "calibration_preset", "seed", "steps", "decisions", "applied"]
    assert (record["scenario"], record["seed"], record["steps"], record["seats"], record["calibration_preset"]) == \
        ("kato-2025", 4, 12, ["JP"], "central")
    assert record["decisions"] == expected_decisions and record["applied"] == expected_applied
    assert record["rule_files"] == [] and expected_applied
    assert result.record is record
    record["rule_files"].append({"path": "x"})   # the kept rule-file records are not the record's own
    assert run("kato-2025", seed=4, steps=2).record["rule_files"] == []


@pytest.mark.parametrize("count, us_share", [(80, 0.7), (7, 0.5), (5, 1.0), (5, 0.0)])
def test_equity_investors_weights_sum_to_one_within_each_index_as_the_masked_division_gives(count, us_share):
    from agents.rules.investors import ValueEquityInvestor

    for seed in range(20):
        members = ValueEquityInvestor(us_share=us_share).traits(np.random.default_rng(seed), count)
        rng = np.random.default_rng(seed)   # the plain way: the same draws, each index divided in place
        index = (rng.random(count) >= us_share).astype(np.int64)
        w = rng.lognormal(0.0, 1.0, count)
        for k in (0, 1):
            if (index == k).any():
                w[index == k] /= w[index == k].sum()
        assert members["index"].tobytes() == index.tobytes() and members["weight"].tobytes() == w.tobytes()


def test_a_runs_rules_are_new_objects_with_the_values_making_them_gives():
    """A built-in rule holding plain values is made and checked by a scenario's first run; the runs after it
    take new objects with those values. A rule holding a dict, or a user's rule, is made in every run."""
    from agents.rules import make_rule
    from scenarios import with_rule

    loaded = with_rule(load_scenario("kato-2025"), "CN", "trade", "escalate_then_negotiate")
    runs = [TradeWarModel(loaded.scenario, seed=seed) for seed in range(3)]
    for model in runs:
        for code, government in model.governments.items():
            setup = loaded.scenario.government(code)
            for rule, choice in zip(government.rule_slots(), (setup.trade, setup.treasury, setup.negotiation)):
                assert (rule is None) == (choice is None)
                if rule is not None:
                    fresh = make_rule(choice.rule, rule.kind, choice.params)
                    assert type(rule) is type(fresh) and repr(vars(rule)) == repr(vars(fresh))   # (nan too)
        for bank in model.central_banks.values():
            fresh = make_rule(bank.rule.name, "monetary", loaded.scenario.central_bank(bank.bank_id).params)
            assert type(bank.rule) is type(fresh) and repr(vars(bank.rule)) == repr(vars(fresh))
    first, later = runs[0], runs[2]
    assert all(a.rule is not b.rule and vars(a.rule) is not vars(b.rule)
               for a, b in zip(first.investors.groups, later.investors.groups))
    first.central_banks["FED"].rule.smoothing = 0.5            # a run's rule is its own
    assert later.central_banks["FED"].rule.smoothing != 0.5
    assert TradeWarModel(loaded.scenario, seed=4).central_banks["FED"].rule.smoothing != 0.5
    angry = [m.governments["CN"].trade_rule for m in runs]
    assert angry[0]._provoked_since is not angry[1]._provoked_since   # a dict: made anew every run


def test_a_users_rule_is_made_in_every_run(monkeypatch):
    from agents.rules import base
    from agents.rules.monetary import TaylorRule

    made = []
    make_rule = base.make_rule
    monkeypatch.setattr(TaylorRule, "source_file", "my_rules.py", raising=False)   # as a user's file's class
    monkeypatch.setattr("simulation.setup.make_rule", lambda *a, **k: made.append(a[0]) or make_rule(*a, **k))
    scenario = load_scenario("kato-2025").scenario
    for seed in (0, 1):
        del made[:]
        TradeWarModel(scenario, seed=seed)
        assert sorted(name for name in made if name.startswith("taylor")) == \
            sorted(scenario.central_bank(bank).rule for bank in CENTRAL_BANKS)


# -- Ninth round, the month's decisions: observations start from each seat's fixed fields -------------------

def test_every_observation_field_is_set_from_a_seats_fixed_fields_in_every_month():
    """``observe`` copies a seat's fixed fields (every other field ``TO_BE_SET``), sets the rest and checks
    only the dict's length: every field must be set, in field order, for every seat, through a threat, a
    sale, an offer, a deal's pledge and a projection, and each value must be what the world holds."""
    from copy import deepcopy

    from agents.rules.observation import FIELD_ORDER
    from simulation.model import TO_BE_SET

    moves = [Decision(step=2, actor="JP", action="threaten_sale", amount_bn=300.0),
             Decision(step=3, actor="JP", action="propose_deal", target="US", rate_pct=15.0, hold_months=6),
             Decision(step=5, actor="JP", action="sell_treasuries", amount_bn=100.0)]
    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=2, decisions=moves)
    seen_offers = seen_pledge = seen_threat = False
    for t in range(1, 9):
        for actor in (*ECONOMIES, *CENTRAL_BANKS):
            seen = model.observe(actor, t)
            economy, government = home_economy(actor), model.governments[home_economy(actor)]
            assert tuple(vars(seen)) == FIELD_ORDER and all(v is not TO_BE_SET for v in vars(seen).values())
            offers = model.negotiation.open_offers(economy)
            assert seen.offers_to_me == tuple(o for o in offers if o.target == economy)
            assert seen.offers_from_me == tuple(o for o in offers if o.proposer == economy)
            pledge = model.negotiation.active_pledge(economy, t)
            assert seen.pledged_until_step == (pledge.until_step if pledge else 0)
            assert seen.threat_age_months == (t - government.threat_step if government.threat_bn else 0)
            assert seen.ust_holdings_bn == model.ledger.holdings_bn[economy] and seen.step == t
            assert seen.project.actor == actor and seen.project.model is model
            seen_offers |= bool(seen.offers_to_me or seen.offers_from_me)
            seen_pledge |= seen.pledged_until_step > 0
            seen_threat |= seen.threat_age_months > 0
        model.step()
    assert seen_offers and seen_pledge and seen_threat   # the months covered every kind of field
    twin = deepcopy(model)   # a copy's look-ahead projects the copy, not the world it was copied from
    assert twin.observe("US", 9).project.model is twin
    model.projecting = True
    assert model.observe("US", 9).project is None and model.observe("JP", 9).project is None


def test_copying_an_observation_does_not_copy_the_world_and_pickling_it_is_refused():
    """A rule may copy what it sees (``dataclasses.asdict``, ``deepcopy``): its look-ahead then still looks
    ahead from the live world, and the copy holds no copy of the model; pickling would hold the whole model,
    so it is refused in a sentence."""
    import dataclasses
    import gc
    import pickle
    from copy import deepcopy

    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=3)
    model.run(3)
    seen = model.observe("JP", 3)
    models_before = sum(isinstance(o, TradeWarModel) for o in gc.get_objects())
    as_dict, copied = dataclasses.asdict(seen), deepcopy(seen)
    assert sum(isinstance(o, TradeWarModel) for o in gc.get_objects()) == models_before
    assert as_dict["project"].model is model and copied.project.model is model and copied == seen
    assert as_dict["project"]([], 2) == seen.project([], 2)
    with pytest.raises(TypeError, match="look-ahead .* cannot be pickled"):
        pickle.dumps(seen)


def test_an_observation_from_fields_refuses_a_dict_that_gained_a_key():
    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=1)
    values = dict(vars(model.observe("JP", 1)))
    assert Observation._from_fields(dict(values)) == Observation.from_model(dict(values))
    values["stpe"] = 1
    with pytest.raises(TypeError, match="exactly the fields"):
        Observation._from_fields(values)


def test_a_played_games_seeds_share_one_scenario_and_set_up():
    """The Play page's fan runs one played game over many seeds: ``with_players`` is worked out once per
    scenario and seats, so every seed's run shares one set-up; the kept set-ups stay within their limit."""
    from simulation.runner import _played, run_series
    from simulation.setup import set_up_for

    loaded = load_scenario("kato-2025")
    assert _played(loaded, ("JP",)) is _played(loaded, ("JP",)) and _played(loaded, ()) is loaded
    assert _played(loaded, ("JP", "US")) is not _played(loaded, ("JP",))
    wanted = (("model", (), "us_10y"),)
    run_series(loaded, wanted, steps=2, seed=0, seats=("JP",))
    kept = len(set_up_for._kept)
    for seed in range(1, 6):
        run_series(loaded, wanted, steps=2, seed=seed, seats=("JP",))
    assert len(set_up_for._kept) == kept <= set_up_for.limit


def test_every_built_in_rule_copied_for_a_later_run_is_what_making_it_gives():
    """Later runs copy a built-in rule's values (``RuleSlot.make``), skipping its ``__init__`` and
    ``__post_init__``: right only while those just set attributes. Checked over every built-in rule, so a
    new one that does more is caught here."""
    from agents.rules import RULES, make_rule
    from simulation.setup import RuleSlot, built_in

    checked = 0
    for name, cls in sorted(RULES.items()):
        if not built_in(cls):
            continue
        slot = RuleSlot(name, cls.kind, {}, "test")
        first, later, fresh = slot.make(), slot.make(), make_rule(name, cls.kind, {})
        assert type(later) is type(fresh) and repr(vars(later)) == repr(vars(fresh)), name
        assert later is not first
        checked += slot._made is not None
    assert checked >= 15   # all but the rules holding a list or a dict


def test_a_built_in_central_banks_projection_depends_on_what_it_sees_alone():
    """Runs share the start's expected rates when every bank's projection is built in: a built-in monetary
    rule's projection must not depend on its own state (what deciding changes)."""
    from agents.rules import RULES, make_rule
    from simulation.setup import built_in

    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=5)
    model.run(4)
    seen = model.observe("BOJ", 4)
    for name, cls in sorted(RULES.items()):
        if cls.kind != "monetary" or not built_in(cls):
            continue
        rule = make_rule(name, "monetary", {})
        before = rule.projection(seen)
        for _ in range(3):
            rule.decide(seen)
        assert rule.projection(seen) == before, name
