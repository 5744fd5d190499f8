"""The short cuts that make a run cheaper must give exactly what the plain way gives: an observation built
without the dataclass ``__init__``, a run that records the model table alone (fan charts, projections) or
a few economies' series beside it (sweeps), and the tariff tables shared between runs."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from agents.rules import Observation
from scenarios import load_scenario
from simulation import run
from simulation.decisions import read_decisions_file
from simulation.model import TradeWarModel, _tuples_by_pair
from simulation.macro import GOVERNMENT_PARTS, MANDATE_PARTS
from simulation.recording import ECONOMY_COLUMNS
from simulation.runner import model_series, run_series
from simulation.world import ECONOMIES
from simulation.session import KEY_SERIES, PlaySession, seed_fan

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
    np.testing.assert_array_equal(trade.exports_bn(), trade.flows_bn.sum(axis=(1, 2)))
    np.testing.assert_array_equal(trade.imports_bn(), trade.flows_bn.sum(axis=(0, 2)))
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


def test_kept_closing_prices_are_the_prices_now():
    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=2)
    for _ in range(3):
        model.step()
        assert model.markets.prices() == model.markets._current_prices() == model.price_history[-1]
        model.markets.prices()["us_10y"] = 99.0   # a copy: changing it changes nothing
        assert model.markets.prices()["us_10y"] != 99.0
