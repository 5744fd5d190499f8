"""Counterparts that answer: the US pause under market stress, deals weighed by projected score,
the Japanese negotiator, and credibility earned from cost and record."""

import pytest

from agents.rules import Observation
from agents.rules.negotiation import DealSeeker, JapaneseNegotiator, MarketStressPause
from scenarios import load_scenario, with_rule
from simulation import run
from simulation.credibility import sale_cost, threat_credibility
from simulation.model import TradeWarModel
from simulation.negotiation import Offer
from simulation.world import ECONOMIES
from tests.conftest import D

START = {"us_10y": 4.5, "sp500": 5600.0, "usd_jpy": 150.0, "eur_usd": 1.08}


def observation(now: dict, before: dict | None = None, **fields) -> Observation:
    prices = {**START, **now}
    earlier = (({**START, **before},) if before is not None else ()) + ((dict(START),) if before is not None else ())
    defaults = dict(step=5, actor="US", economy="US", prices=prices, policy_rate_pct=4.0, inflation_pct=3.0,
                    inflation_target_pct=2.0, output_gap_pct=0.0, neutral_real_rate_pct=1.0, ust_holdings_bn=0.0,
                    fx_reserves_bn=0.0, cash_reserves_bn=0.0, prices_months_ago=earlier,
                    my_tariffs={"JP": (27.5, 11.5, 15.0, 13.1), "CN": (40.0, 40.0, 40.0, 40.0)},  # SECTORS order
                    base_my_tariffs={"JP": (2.5, 1.5, 5.0, 3.1), "CN": (10.0, 10.0, 10.0, 10.0)})
    return Observation(**{**defaults, **fields})


# -- the market-stress pause ------------------------------------------------------------------------
def test_the_pause_needs_two_signals_at_once_and_spares_china():
    rule = MarketStressPause()
    bonds_only = observation({"us_10y": 5.1}, before={})
    assert rule.decide(bonds_only) == []
    sell_off = observation({"us_10y": 5.1, "sp500": 4900.0}, before={})
    cuts = rule.decide(sell_off)
    assert {d.target for d in cuts} == {"JP"}                                   # China exempt, as on 9 April 2025
    autos = next(d for d in cuts if d.sector == "autos")
    assert autos.rate_pct == pytest.approx(2.5 + 0.5 * 25.0)                   # half the excess removed
    assert rule.decide(observation({"us_10y": 5.6, "sp500": 4500.0}, before={}, step=7)) == []  # cooling down


def test_us_pauses_after_a_bond_and_equity_sell_off_and_not_otherwise():
    """Two runs of baseline-2025 with a broad US tariff that differ only in a fire sale in month 3 (Japan
    sells $800bn and brings the dollars home, China sells $700bn): a bond and equity sell-off."""
    scenario = with_rule(load_scenario("baseline-2025"), "US", "trade", "market_stress_pause")
    broad = [D(1, "US", "set_tariff", target=e, rate_pct=20.0) for e in ECONOMIES if e != "US"]
    fire_sale = [D(3, "JP", "sell_treasuries", amount_bn=800.0, repatriate=True),
                 D(3, "CN", "sell_treasuries", amount_bn=700.0)]
    calm = TradeWarModel(scenario.scenario, seed=2, steps=8, decisions=broad)
    shocked = TradeWarModel(scenario.scenario, seed=2, steps=8, decisions=broad + fire_sale)
    calm.run(8)
    shocked.run(8)

    def pauses(model):
        return [d for d in model.decision_log if d.actor == "US" and d.origin == "rule"]

    assert pauses(calm) == []
    cuts = pauses(shocked)
    assert {d.step for d in cuts} == {4} and "CN" not in {d.target for d in cuts}   # the month after; China exempt
    assert "10-year yield up" in cuts[0].note and "S&P 500 down" in cuts[0].note
    prices = shocked.recorder.model_frame().set_index("step")
    assert prices.us_10y[3] - prices.us_10y[2] > 0.4 and prices.sp500[3] / prices.sp500[2] < 0.9


# -- weighing offers ----------------------------------------------------------------------------------
def offer_from_japan(rate_pct=15.0) -> Offer:
    return Offer(1, "JP", "US", rate_pct, "all", 6, 4, 6)


def test_deal_seeker_accepts_counters_or_rejects_by_its_projected_score():
    def projector(scores):
        def project(extra, months):
            actions = tuple(d.action for d in extra)
            return scores[actions]
        return project

    obs = lambda scores: observation({}, offers_to_me=(offer_from_japan(),), project=projector(scores))  # noqa: E731
    rule = DealSeeker()
    accept = rule.decide(obs({(): 100.0, ("accept_deal",): 100.5, ("propose_deal", "accept_deal"): 0.0}))
    assert [d.action for d in accept] == ["accept_deal"] and accept[0].target == "JP"
    counter = rule.decide(obs({(): 100.0, ("accept_deal",): 99.0, ("propose_deal", "accept_deal"): 100.2}))
    assert [d.action for d in counter] == ["counter_offer"]
    assert counter[0].rate_pct == pytest.approx(15.0 + 0.5 * (27.5 - 15.0), abs=0.1)  # rounded to 0.1
    reject = rule.decide(obs({(): 100.0, ("accept_deal",): 99.0, ("propose_deal", "accept_deal"): 99.5}))
    assert [d.action for d in reject] == ["reject_deal"]
    assert rule.decide(observation({}, offers_to_me=(offer_from_japan(),), project=None)) == []


def test_the_projection_is_the_world_itself_run_ahead():
    """A copy rebuilt from the log and run three months ahead lands exactly where the run itself does."""
    model = TradeWarModel(load_scenario("kato-2025").scenario, seed=4,
                          decisions=[D(2, "JP", "threaten_sale", amount_bn=200.0)])
    model.run(4)
    projected = model.project_score("JP", [], 3)
    model.run(3)
    assert projected == pytest.approx(float(model.macro.score[ECONOMIES.index("JP")]), abs=1e-12)


@pytest.mark.parametrize("scenario, month", [("kato-2025", 5), ("deal-2025", 3)])  # deal-2025: script at 5, 6
def test_a_rule_projects_from_the_month_it_is_deciding(scenario, month):
    """Inside a step, ``obs.project([], 4)`` covers this month and the next three: with nothing added, it
    is the score the run itself reaches three months later (the deciding rule here only looks), twice in
    a row (the second projection reuses the rebuilt world)."""
    seen = []

    class Looker:
        def decide(self, obs):
            if obs.step in (month - 1, month):
                seen.append(obs.project([], 4))
            return []

    model = TradeWarModel(load_scenario(scenario).scenario, seed=4,
                          decisions=[D(2, "JP", "threaten_sale", amount_bn=200.0)])
    model.governments["US"].negotiation_rule = Looker()
    model.run(month + 3)
    assert seen[-1] == pytest.approx(float(model.macro.score[ECONOMIES.index("US")]), abs=1e-12)


def test_the_japanese_negotiator_plays_the_card_offers_and_walks_back():
    rule = JapaneseNegotiator(threat_bn=300.0)
    tariffs = {"US": (27.5, 11.5, 15.0, 13.1)}
    first = rule.decide(Observation(step=2, actor="JP", economy="JP", prices={}, policy_rate_pct=0.5,
                                    inflation_pct=3.0, inflation_target_pct=2.0, output_gap_pct=0.0,
                                    neutral_real_rate_pct=-0.5, ust_holdings_bn=1080.0, fx_reserves_bn=1240.0,
                                    cash_reserves_bn=160.0, tariffs_on_me=tariffs))
    assert [d.action for d in first] == ["propose_deal", "threaten_sale"]
    assert first[0].rate_pct == 15.0 and first[0].hold_months == 6 and first[1].amount_bn == 300.0
    later = rule.decide(Observation(step=3, actor="JP", economy="JP", prices={}, policy_rate_pct=0.5,
                                    inflation_pct=3.0, inflation_target_pct=2.0, output_gap_pct=0.0,
                                    neutral_real_rate_pct=-0.5, ust_holdings_bn=1080.0, fx_reserves_bn=1240.0,
                                    cash_reserves_bn=160.0, tariffs_on_me=tariffs, threat_bn=300.0,
                                    threat_age_months=1, offers_from_me=(Offer(1, "JP", "US", 15.0, "all", 6, 2, 4),)))
    assert [d.action for d in later] == ["retract_threat"]                      # Kato, 4 May 2025


# -- credibility ----------------------------------------------------------------------------------------
def threat_credibility_of(amount_bn: float, seed: int = 5) -> float:
    result = run("kato-2025", seed=seed, steps=2, decisions=[D(2, "JP", "threaten_sale", amount_bn=amount_bn)])
    return result.world.governments["JP"].threat_credibility


def test_a_trillion_dollar_threat_is_less_credible_than_a_hundred_billion_one():
    big, small = threat_credibility_of(1000.0), threat_credibility_of(100.0)
    assert 0 < big < small < 0.5          # 0.5 is Japan's record: any cost to itself lowers belief


def test_the_cost_comes_from_the_models_own_impact_parameters():
    """The threatener's cost is read from the model's own price impacts: a steeper bond-market impact
    makes the same sale cost more, and a holder without a floating currency has no currency hit."""
    scenario = load_scenario("kato-2025").scenario
    base = TradeWarModel(scenario, seed=1, steps=2)
    doubled = 2 * base.calibration.param("bonds.flow_impact_bp_per_pct_supply")
    steeper = TradeWarModel(scenario.model_copy(update={"calibration": {
        **scenario.calibration, "bonds.flow_impact_bp_per_pct_supply": doubled}}), seed=1, steps=2)
    cost, steep = sale_cost(base, "JP", 300.0), sale_cost(steeper, "JP", 300.0)
    assert steep.yield_rise_bp > cost.yield_rise_bp and steep.mark_to_market_bn > cost.mark_to_market_bn
    assert steep.currency_bn == pytest.approx(cost.currency_bn) and cost.currency_bn > 0
    assert sale_cost(base, "UK", 300.0).currency_bn == 0                     # the pound does not float here
    calibration = base.calibration
    assert threat_credibility(calibration, 0.5, cost) < threat_credibility(calibration, 0.5, sale_cost(base, "JP", 50.0))


def test_a_threat_walked_back_makes_the_next_one_less_credible():
    fresh = run("kato-2025", seed=5, steps=4, decisions=[D(4, "JP", "threaten_sale", amount_bn=200.0)])
    burned = run("kato-2025", seed=5, steps=4, decisions=[D(2, "JP", "threaten_sale", amount_bn=200.0),
                                                          D(3, "JP", "retract_threat"),
                                                          D(4, "JP", "threaten_sale", amount_bn=200.0)])
    assert burned.world.governments["JP"].threat_credibility < 0.6 * fresh.world.governments["JP"].threat_credibility
    assert burned.world.governments["JP"].threats_dropped == 1


def test_kato_walks_back_in_the_news():
    headlines = " ".join(run("kato-2025", steps=2).events.headline)
    assert "exist as a card" in headlines and "not considering the sale of US Treasuries" in headlines


@pytest.mark.slow
def test_the_flagship_sweep_finds_where_the_card_buys_a_cut_and_where_it_does_not(tmp_path):
    """The shipped threat x sale spec on a smaller grid (four seeds a point): a sale of $800bn brought home
    buys a US cut in most runs; a threat alone, or a small sale, no more often than market noise does."""
    import re
    from pathlib import Path

    from simulation.sweeps import load_results, run_sweep

    text = (Path(__file__).parents[1] / "scenarios" / "sweeps" / "kato-threat-vs-sale.toml").read_text()
    text = re.sub(r"values = \[0, 300, 1000\]", "values = [0, 1000]", text)
    text = re.sub(r"values = \[0, 150, 300, 450, 600, 800, 1000\]", "values = [0, 150, 800]", text)
    text = text.replace("replicates = 20", "replicates = 4")
    spec = tmp_path / "small.toml"
    spec.write_text(text)
    run_sweep(spec, tmp_path / "out", workers=1, progress=False)
    runs = load_results(tmp_path / "out").runs
    runs["cut"] = runs["trade.JP.US.autos.tariff_pct"] < 27.5 - 1e-9
    share = runs.groupby("sale_bn").cut.mean()
    assert share[800] >= 0.6 and share[0] <= 0.4 and share[150] <= 0.4
    kept = runs[runs.sale_bn == 0]["economies.JP.fx_reserves_bn"].mean()
    sold = runs[runs.sale_bn == 800]["economies.JP.fx_reserves_bn"].mean()
    assert kept - sold > 600                     # what it cost Japan: the reserves turned into yen, and more


@pytest.mark.parametrize("seed", [1, 2])
def test_in_kato_the_us_takes_a_fifteen_percent_cap_counters_seven_and_a_large_threat_changes_that(seed):
    """kato-2025's US weighs tariff revenue heavily (its role objectives): it accepts the July 2025 terms
    (15%) and counters a 7% offer, unless a $1tn threat stands, which makes settling worth more to it."""
    def fate(decisions):
        return run("kato-2025", seed=seed, steps=4, decisions=decisions, seats=("JP",)).offers.status.tolist()

    offer = lambda rate: D(1, "JP", "propose_deal", target="US", rate_pct=rate)  # noqa: E731
    assert fate([offer(15.0)]) == ["accepted"]
    assert fate([offer(7.0)])[0] == "countered"
    assert fate([D(1, "JP", "threaten_sale", amount_bn=1000), offer(7.0)]) == ["accepted"]
