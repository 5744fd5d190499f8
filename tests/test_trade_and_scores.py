"""Trade that diverts, tariffs that raise revenue, a score for every seat, the trade graph's measures and
calibration ranges (issue: trade, scores and network). Shocks are compared with the same run without
them (same seed), so market noise cancels."""

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.calibration import load_calibration, range_for
from simulation.errors import UserError
from simulation.world import CENTRAL_BANKS, ECONOMIES, SECTORS
from tests.conftest import D, simulate

ROOT = Path(__file__).resolve().parents[1]


def ten_points_on_all_but_china(step=1):
    """10 points on top of the March 2025 tariffs, on every partner but China, in every sector."""
    tariffs = load_calibration().tariffs_pct
    us = ECONOMIES.index("US")
    return tuple(D(step, "US", "set_tariff", target=e, sector=s,
                   rate_pct=float(tariffs[ECONOMIES.index(e), us, k] + 10))
                 for e in ECONOMIES if e not in ("US", "CN") for k, s in enumerate(SECTORS))


TEN = ten_points_on_all_but_china()
AUTO = (D(1, "US", "set_tariff", target="JP", sector="autos", rate_pct=27.5),)


def us(result, step, column):
    e = result.economies
    return float(e[(e.step == step) & (e.economy == "US")][column].iloc[0])


def auto_flow(result, step, exporter):
    return float(result.series("trade", (exporter, "US", "autos"), "flow_bn")[step])


# -- trade and incidence -------------------------------------------------------------------------

def test_ten_point_us_tariff_cuts_us_imports_2_to_10_percent_after_6_months():
    base, ten = simulate(seed=1), simulate(seed=1, decisions=TEN)
    fall = 1 - us(ten, 6, "imports_bn") / us(base, 6, "imports_bn")
    assert 0.02 <= fall <= 0.10   # real US goods imports in Aug 2025: about 4% below a year earlier


def test_ten_point_us_tariff_lowers_us_real_gdp_after_12_months_by_less_than_its_revenue():
    base, ten = simulate(seed=1), simulate(seed=1, decisions=TEN)
    loss_bn = us(base, 12, "gdp_bn") - us(ten, 12, "gdp_bn")
    extra_revenue_bn_a_year = 12 * (us(ten, 12, "tariff_revenue_bn") - us(base, 12, "tariff_revenue_bn"))
    assert loss_bn > 0
    # Revenue is a transfer: output loses the deadweight and input-cost parts, not the whole tariff.
    assert loss_bn < 0.5 * extra_revenue_bn_a_year


def test_ten_point_us_tariff_raises_a_plausible_monthly_revenue():
    base, ten = simulate(seed=1), simulate(seed=1, decisions=TEN)
    extra = [us(ten, m, "tariff_revenue_bn") - us(base, m, "tariff_revenue_bn") for m in (1, 6, 12)]
    # 10 points on ~$2.9tn a year of imports from everyone but China is ~$24bn a month before volumes
    # fall; real customs receipts rose from ~$7bn to ~$30bn a month in 2025 (history-2025, Table C).
    assert all(15 <= x <= 30 for x in extra)
    assert extra[2] < extra[0]            # the base erodes as volumes fall


def test_tariff_revenue_is_the_tariff_times_the_customs_value():
    ten = simulate(seed=1, decisions=TEN)
    trade = ten.trade[(ten.trade.step == 6) & (ten.trade.importer == "US")]
    expected = (trade.flow_bn * trade.tariff_pct / 100).sum() / 12
    assert us(ten, 6, "tariff_revenue_bn") == pytest.approx(expected, rel=1e-9)


def test_a_tariff_on_everyone_shifts_demand_home_slowly():
    base, ten = simulate(seed=1), simulate(seed=1, decisions=TEN)
    fall = {m: 1 - us(ten, m, "imports_bn") / us(base, m, "imports_bn") for m in (6, 12, 24)}
    assert fall[6] < fall[12] < fall[24]           # the elasticity grows with the horizon


def test_tariffs_raise_consumer_prices_by_the_passed_on_part():
    base, ten = simulate(seed=1), simulate(seed=1, decisions=TEN)
    assert us(ten, 12, "inflation_pct") > us(base, 12, "inflation_pct") + 0.3
    assert us(ten, 12, "tariff_inflation_pct") > 0.3 and us(base, 12, "tariff_inflation_pct") == pytest.approx(0)
    macro = ten.world.macro
    assert macro.inflation_ex_tariff_pct()[0] == pytest.approx(macro.inflation_pct[0] - macro.tariff_inflation_pct[0])


def test_auto_tariff_on_japan_diverts_us_car_imports_to_korea_the_euro_area_and_mexico():
    base, auto = simulate(seed=1), simulate(seed=1, decisions=AUTO)
    others = ("KR", "EA", "MX")
    gained = sum(auto_flow(auto, 12, e) for e in others) - sum(auto_flow(base, 12, e) for e in others)
    assert gained > 0
    assert 0.15 <= 1 - auto_flow(auto, 12, "JP") / auto_flow(base, 12, "JP") <= 0.35


# -- scores ----------------------------------------------------------------------------------------

def test_central_bank_scores_differ_from_their_governments_in_kato_2025(tmp_path):
    from simulation.runner import run

    out = run("kato-2025", seed=1).write(tmp_path)
    scores = pd.read_csv(out / "scores.csv")
    assert list(scores.columns) == ["step", "seat", "part", "value"]
    assert set(scores.seat) == set(ECONOMIES) | set(CENTRAL_BANKS)
    final = scores[(scores.step == scores.step.max()) & (scores.part == "score")].set_index("seat").value
    for bank, economy in CENTRAL_BANKS.items():
        assert abs(final[bank] - final[economy]) > 0.01, bank


def test_every_seats_score_is_100_plus_its_parts_and_the_session_reads_the_seats_own():
    from simulation.session import PlaySession

    session = PlaySession("kato-2025", seed=1)
    for _ in range(3):
        session.step()
    for seat in ("US", "JP", "FED", "BOJ"):
        parts = session.score_parts(seat)
        assert 100 + sum(parts.values()) == pytest.approx(session.score(seat))
    assert "revenue" in session.score_parts("US") and "currency" in session.score_parts("BOJ")
    assert session.score("FED") != session.score("US")


def test_scores_csv_matches_the_models_seat_scores():
    result = simulate("kato-2025", seed=1, steps=6)
    frame = result.world.scores_frame()
    last = frame[frame.step == 6]
    for seat in ("US", "FED", "BOJ", "ROW"):
        rows = last[last.seat == seat].set_index("part").value
        assert rows["score"] == pytest.approx(result.world.seat_score(seat))
        assert rows.drop("score").to_dict() == pytest.approx(result.world.seat_score_parts(seat))


def test_a_currency_objective_scores_the_bank_on_its_exchange_rate():
    from scenarios import load_scenario

    loaded = load_scenario("kato-2025")
    scenario = loaded.scenario
    roles = dict(scenario.roles)
    roles["BOJ"] = roles["BOJ"].model_copy(update={"objectives": type(roles["BOJ"].objectives)(currency=2.0)})
    from simulation.model import TradeWarModel

    model = TradeWarModel(scenario.model_copy(update={"roles": roles}), seed=1)
    model.run(6)
    fx_move_pct = 100 * abs(model.fx_log_by_economy()[ECONOMIES.index("JP")])
    assert model.seat_score_parts("BOJ")["currency"] == pytest.approx(-2.0 * fx_move_pct)


# -- network ---------------------------------------------------------------------------------------

def test_network_csv_is_written_and_its_measures_move_after_a_tariff_shock(tmp_path):
    from simulation.runner import run

    base = run("baseline-2025", seed=1, steps=6)
    shock = run("baseline-2025", seed=1, steps=6, decisions=list(AUTO))
    out = shock.write(tmp_path)
    network = pd.read_csv(out / "network.csv")
    assert list(network.columns) == ["step", "economy", "measure", "value"]
    value = lambda r, e, m: float(r.network[(r.network.step == 3) & (r.network.economy == e)  # noqa: E731
                                            & (r.network.measure == m)].value.iloc[0])
    share = "exports_facing_raised_tariffs_share"
    assert value(base, "JP", share) == pytest.approx(0)
    assert value(shock, "JP", share) > 0.05
    assert value(shock, "JP", "tariff_target_centrality") > value(base, "JP", "tariff_target_centrality")
    assert value(shock, "US", "imports_under_raised_tariffs_share") > 0
    dependence = network[(network.step == 0) & (network.economy == "MX") & network.measure.str.startswith("dependence.")]
    assert dependence.value.sum() == pytest.approx(1)
    assert dependence.set_index("measure").value.idxmax() == "dependence.US"


def test_the_graph_carries_deals_and_retaliation_on_its_edges():
    retaliation = AUTO + (D(2, "JP", "set_tariff", target="US", sector="all", rate_pct=25),)
    graph = simulate(seed=1, decisions=retaliation, steps=3).world.trade.graph
    assert graph.edges["JP", "US"]["retaliation"] and graph.edges["US", "JP"]["retaliation"]
    assert not graph.edges["KR", "US"]["retaliation"]
    assert graph.edges["JP", "US"]["tariff_pct"]["autos"] == 27.5


# -- calibration ranges ----------------------------------------------------------------------------

def test_every_calibrated_number_has_a_documented_range_that_holds_it():
    calibration = load_calibration()
    rows = ([("parameters.csv", k, v) for k, v in calibration.parameters.items()]
            + [("markets.csv", k, v) for k, v in calibration.markets.items()]
            + [("economies.csv", f"{e}.{q}", v) for e, qs in calibration.economies.items() for q, v in qs.items()])
    for file, key, value in rows:
        valid = range_for(file, key)
        assert valid is not None, f"{file} row {key} has no range in ranges.csv"
        assert valid.low <= value <= valid.high, (file, key)


BAD = [("markets.usd_jpy", "-150"), ("bonds.ust_duration_years", "0"), ("trade.elasticity.autos", "nan"),
       ("fx.news_pct.JP", "inf"), ("carry.size_bn", "1e12")]


@pytest.mark.parametrize("name,value", BAD)
def test_out_of_range_scenario_override_is_one_sentence_and_a_non_zero_exit(name, value, tmp_path):
    text = (ROOT / "scenarios" / "baseline-2025.toml").read_text().replace('id = "baseline-2025"', 'id = "bad-calibration"')
    path = tmp_path / "bad.toml"
    path.write_text(text + f'\n[calibration]\n"{name}" = {value}\n')
    done = subprocess.run([sys.executable, "run.py", "simulate", "--scenario", str(path), "--steps", "2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    key = name.removeprefix("markets.")
    assert f"row '{key}'" in lines[0] and "simulation/calibration/" in lines[0] and "takes a number from" in lines[0]
    assert f"scenario file '{path}', [calibration]" in lines[0]


@pytest.mark.parametrize("name,value", BAD)
def test_out_of_range_value_in_the_lab_is_one_sentence(name, value):
    from scenarios import load_scenario
    from ui.pages.lab import build_experiment

    with pytest.raises(UserError) as refused:
        build_experiment(load_scenario("baseline-2025"), {}, {}, None, {name: float(value)}, 3, 1)
    message = str(refused.value)
    assert "takes a number from" in message and "\n" not in message and name.removeprefix("markets.") in message


@pytest.mark.parametrize("name,low,high", [("markets.usd_jpy", -200, -100), ("bonds.ust_duration_years", 0, 5),
                                            ("carry.size_bn", 100, 1e12)])
def test_out_of_range_sweep_spec_is_one_sentence(name, low, high, tmp_path):
    from simulation.sweeps import load_spec

    spec = tmp_path / "spec.toml"
    spec.write_text(f'''scenario = "baseline-2025"
steps = 2
sampler = "lhs"
samples = 4
metrics = ["model.us_10y"]

[parameters.x]
target = "calibration.{name}"
low = {low}
high = {high}
''')
    with pytest.raises(UserError) as refused:
        load_spec(spec)
    message = str(refused.value)
    assert "parameters.x" in message and "takes a number from" in message and "\n" not in message


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_non_finite_sweep_values_are_refused_with_a_sentence(value, tmp_path):
    from simulation.sweeps import load_spec

    spec = tmp_path / "spec.toml"
    spec.write_text(f'''scenario = "baseline-2025"
steps = 2
metrics = ["model.us_10y"]

[parameters.x]
target = "calibration.markets.usd_jpy"
values = [150, {value}]
''')
    with pytest.raises(UserError) as refused:
        load_spec(spec)
    assert "parameters.x" in str(refused.value) and "\n" not in str(refused.value).strip()


def test_the_network_view_colours_nodes_by_the_chosen_measure_and_says_which():
    import plotly.graph_objects as go

    from ui import charts

    result = simulate(seed=1, decisions=AUTO, steps=3)
    for measure, label in charts.network_measure_choices().items():
        figure = charts.network_figure(result.trade, 3, measures=result.network, measure=measure)
        go.Figure(figure)   # valid plotly
        nodes = next(t for t in figure["data"] if t.get("mode") == "markers+text")
        legend = [t["name"] for t in figure["data"] if t.get("name", "").startswith("node colour")]
        assert legend == [f"node colour: {label}"] and label.lower() in figure["layout"]["title"]["text"]
        if measure == "exports_facing_raised_tariffs_share":
            japan = nodes["marker"]["color"][ECONOMIES.index("JP")]
            expected = result.network[(result.network.step == 3) & (result.network.economy == "JP")
                                      & (result.network.measure == measure)].value.iloc[0]
            assert japan == pytest.approx(expected) and japan > 0
            assert "highest: Japan" in figure["layout"]["title"]["text"]


def test_a_sweep_can_measure_any_seats_score_and_parts(tmp_path):
    from simulation.sweeps import load_spec
    from simulation.sweeps.plan import make_plan, run_chunk
    from simulation.sweeps.design import points, tasks

    spec = tmp_path / "spec.toml"
    spec.write_text('''scenario = "kato-2025"
steps = 3
metrics = ["scores.FED.score", "scores.BOJ.inflation", "scores.US.revenue"]

[parameters.x]
target = "calibration.welfare.weight.revenue"
values = [0.2]
''')
    loaded = load_spec(spec)
    frame, errors = run_chunk(make_plan(loaded), tasks(loaded, points(loaded)))
    assert not errors
    result = simulate("kato-2025", seed=int(frame.seed.iloc[0]), steps=3)
    assert frame["scores.FED.score"].iloc[0] == pytest.approx(result.world.seat_score("FED"))
    assert frame["scores.US.revenue"].iloc[0] == pytest.approx(result.world.seat_score_parts("US")["revenue"])
    bad = tmp_path / "bad.toml"
    bad.write_text(spec.read_text().replace("scores.US.revenue", "scores.FED.revenue"))
    with pytest.raises(UserError, match="FED's score has no part 'revenue'"):
        load_spec(bad)


def test_a_seats_weights_are_its_roles_objectives_or_the_calibrated_defaults():
    model = simulate("kato-2025", seed=1, steps=1).world
    assert model.seat_weights("FED") == {"inflation": 1.0, "output": 1.0, "jobs": 0.2, "wealth": 0.0,
                                         "currency": 0.0}   # kato-2025 sets four; currency keeps its default
    assert model.seat_weights("ECB") == {"inflation": 1.0, "output": 0.5, "jobs": 0.0, "wealth": 0.0, "currency": 0.0}
    assert model.seat_weights("KR")["revenue"] == pytest.approx(0.2)


@pytest.mark.slow
def test_the_network_view_in_the_browser_says_which_measure_it_draws(browser, server):
    from tests.support.browser import Watched, chart_title, choose

    tab = Watched(browser, server)
    try:
        tab.open("/play?scenario=kato-2025&seats=US", ".chart-network [data-draws='1']")
        page = tab.page
        assert "nodes: average tariff on its imports" in chart_title(page, "chart-network")
        choose(page, "Colour economies by", "Share of exports facing raised tariffs")
        page.wait_for_function("() => document.querySelector('.chart-network .gtitle')"
                               ".textContent.includes('nodes: share of exports facing raised tariffs')")
        assert "node colour: Share of exports facing raised tariffs" in page.locator(".chart-network").inner_text()
        assert tab.errors == []
    finally:
        tab.close()


def test_the_parameter_tables_in_the_model_docs_are_generated_from_the_calibration_files():
    """docs/model.md sections 8.1-8.2 are `python -m simulation.calibration.tables` output: a calibration
    change that forgets to regenerate them fails here."""
    from simulation.calibration.tables import DOC, END, START, tables_text

    text = DOC.read_text(encoding="utf-8")
    assert text[text.index(START):text.index(END)] == tables_text()
