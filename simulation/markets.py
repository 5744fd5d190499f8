"""Markets: Treasury and JGB yields, three exchange rates and two stock indices, each move split by cause.

Every price is a *fundamental* part plus a *flow* part:

- The fundamental part is a sum of named components (policy-rate expectations, the stock effect of
  official sales, priced-in threats, risk sentiment, ...). When a component changes, the price moves by
  exactly that change, and the move is booked to that component.
- The flow part (the "gap") moves with order flow: official sales and purchases, investors' orders,
  carry trades and trade-balance conversion, each converted to a price change by a price-impact
  coefficient. Fundamentalist investors trade the gap away over time; chartists extend it.

Fundamental news arrives every month as a random walk: a common global risk factor that moves every
market at once (stocks down, yields down, the yen up in a risk-off month) plus each market's own news,
sized to the volatility of monthly changes in the data; stocks also drift up at their expected return.
Official sales move the 10-year by an impact per dollar scaled to today's privately held marketable
Treasury supply. Expected policy rates follow each central bank's projected path, and a US
policy-uncertainty index adds a term premium to Treasuries and a risk premium against the dollar.

So the month's change of every price is the sum of its booked causes, and ``Moves`` holds them: yields
in basis points, exchange rates and indices in percent (log points, in the direction of the quote).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from agents.rules.investors import MarketView
from simulation.calibration import Calibration
from simulation.decisions import home_economy
from simulation.world import FX_QUOTES, index_of

FX_ECONOMIES = tuple(FX_QUOTES)                   # JP, EA, CN
EQUITY_INDICES = (("sp500", "US"), ("nikkei225", "JP"))
YIELDS = ("us_10y", "jgb_10y")                    # prices whose changes are differences (the rest: log changes)
QUOTED = (*(quote for quote, _ in FX_QUOTES.values()), *(name for name, _ in EQUITY_INDICES))
MARKETS = (*(quote for quote, _ in FX_QUOTES.values()), *YIELDS, *(name for name, _ in EQUITY_INDICES))  # as traded
POLICY_ECONOMIES = ("US", "JP", "EA", "CN")       # economies with a modelled central bank
# The month's random draws, always the same number in the same order, so that two runs with the same seed
# see the same news whatever their decisions: global factor, FX (JP, EA, CN), US 10y, JGB, S&P, Nikkei.
DRAWS = 1 + len(FX_ECONOMIES) + 2 + len(EQUITY_INDICES)


@dataclass
class Moves:
    """The causes of this month's price changes: market -> cause -> change (bp or percent), each cause in
    the order it first moved its market, and only markets that moved."""

    by_market: dict[str, dict[str, float]] = field(default_factory=dict)

    @classmethod
    def opening(cls) -> "Moves":
        """A month's moves before any trading: one empty dict of causes per market, in the order the month
        trades them, so that the writers book straight into a market's causes (about sixty bookings a
        month) rather than looking the market up for each one."""
        return cls({market: {} for market in MARKETS})

    def drop_unmoved(self) -> None:
        """At the close: keep only the markets that moved (a market's causes are its nonzero changes)."""
        self.by_market = {market: causes for market, causes in self.by_market.items() if causes}


@dataclass
class MarketInputs:
    """What the rest of the model tells the markets at the start of the month's trading."""

    policy_rates: dict[str, float]                    # economy -> policy rate (percent)
    policy_paths: dict[str, tuple[float, float]]      # economy -> (rate the bank steers toward, its smoothing)
    inflation_pct: np.ndarray                         # per economy, last month
    official_sales_bn: dict[str, float]               # actor -> net Treasury sales this month (market value)
    home_purchases_bn: dict[tuple[str, str], float]   # (economy, cause) -> home currency bought with dollars
    threats_bn: dict[str, float]                      # actor -> credibility x threatened amount
    tariff_shock: float                               # sum of tariff changes (log points x 100) x 2024 flows (USD tn)
    us_tariff_rise: float                             # the same for rises of US tariffs only (>= 0)
    deals: int                                        # trade deals struck this month
    net_exports_change_bn: np.ndarray                 # per economy, vs 2024 (annualised)
    expected_gap_pct: dict[str, float]                # "US", "JP" -> output gap implied by current trade policy


def expected_average_rate(rate: float, target: float, neutral: float, smoothing: float, persistence: float,
                          months: int) -> float:
    """Average policy rate expected over ``months`` when the rate closes ``1 - smoothing`` of its gap to a
    target each month and the target's own distance from neutral fades by ``persistence`` a month.

    With x = rate - neutral and d = target - neutral: x[k+1] = s x[k] + (1 - s) d p^k, whose solution is
    x[k] = A s^k + B p^k with B = (1 - s) d / (p - s) and A = x[0] - B; the average of a geometric series
    is closed-form, so this costs a few operations, not a loop over ten years of months.
    """
    x0, d = rate - neutral, target - neutral
    s, p = smoothing, persistence
    if abs(p - s) < 1e-9:
        p = s + 1e-9  # the repeated-root case, as a limit
    b = (1.0 - s) * d / (p - s)
    return neutral + (x0 - b) * mean_of_powers(s, months) + b * mean_of_powers(p, months)


@functools.lru_cache(maxsize=256, typed=True)
def mean_of_powers(q: float, months: int) -> float:
    """The average of q**k over k = 0 .. months - 1. Kept per (q, months) and their types: the markets ask
    it for the same smoothing and persistence every month."""
    return 1.0 if abs(1.0 - q) < 1e-12 else (1.0 - q ** months) / (months * (1.0 - q))


def by_economy(inputs: MarketInputs) -> tuple[dict[str, list[float]], dict[str, dict[str, float]]]:
    """The month's priced threats (economy -> amounts, in the inputs' order) and official purchases of home
    currency (economy -> cause -> amount), sorted out by economy once rather than once per currency."""
    threats_bn: dict[str, list[float]] = {}
    for actor, amount in inputs.threats_bn.items():
        threats_bn.setdefault(home_economy(actor), []).append(amount)
    purchases_bn: dict[str, dict[str, float]] = {}
    for (economy, cause), amount in inputs.home_purchases_bn.items():
        purchases_bn.setdefault(economy, {})[cause] = amount
    return threats_bn, purchases_bn


def clip(x: float, low: float, high: float) -> float:
    """``x`` held within [low, high] (a plain-float ``np.clip``, which costs microseconds on one number)."""
    return float(min(max(x, low), high))


def concave(x: float, scale: float) -> float:
    """Factor f with f(x)*x = scale*asinh(x/scale): 1 for small x, shrinking for very large orders."""
    if scale <= 0 or x == 0:
        return 1.0
    z = x / scale
    return math.asinh(z) / z


@dataclass(frozen=True)
class Currency:
    """A floating currency against the dollar: its quote and its calibrated sensitivities."""

    economy: str
    index: int                                 # its position in ECONOMIES (per-economy arrays)
    quote: str                                 # the market quote, e.g. "usd_jpy"
    pct_per_log_point: float                   # log points -> percent of the quote (-100 if quoted in dollars)
    safe_haven_pct_per_risk: float             # move of the quote per unit of risk-off
    dollar_premium_pct_per_uncertainty: float  # fall of the dollar per unit of US policy uncertainty
    global_factor_pct: float                   # move per standard deviation of the global risk factor
    news_pct: float                            # standard deviation of the month's own news

    @classmethod
    def calibrated(cls, economy: str, p) -> "Currency":
        quote, per_dollar = FX_QUOTES[economy]
        return cls(economy, index_of(economy), quote, 100.0 if per_dollar else -100.0,
                   p("fx.safe_haven_pct_per_risk", economy), p("fx.dollar_premium_pct_per_uncertainty", economy),
                   p("global_factor.fx_pct", economy), p("fx.news_pct", economy))


@dataclass(frozen=True)
class StockIndex:
    """A stock index and its home economy, with its calibrated sensitivities."""

    name: str
    economy: str
    drift_pct_per_year: float                  # expected price return
    global_factor_pct: float                   # move per standard deviation of the global risk factor
    news_pct: float                            # standard deviation of the month's own news
    risk_pct_per_unit: float                   # move per unit of risk-off
    carry_share: float                         # share of carry traders' stock holdings in this index

    @classmethod
    def calibrated(cls, name: str, economy: str, p) -> "StockIndex":
        us_share = p("carry.equity_us_share")
        return cls(name, economy, p("equity.drift_pct_per_year", economy), p("global_factor.equity_pct", economy),
                   p("equity.news_pct", economy), p("equity.risk_pct_per_unit", economy),
                   us_share if economy == "US" else 1.0 - us_share)


class MarketCalibration:
    """The markets' calibrated numbers, named as in parameters.csv (with its units). They depend on the
    calibration alone, so they are read once per calibration (``Calibration.kept``) and every run's
    ``Markets`` takes them as its own attributes (shared: nothing changes them during a run; the two
    tables by economy are only read)."""

    def __init__(self, calibration: Calibration):
        p = calibration.param
        m = calibration.markets
        self.inflation_target = {e: calibration.economy(e, "inflation_target_pct") for e in POLICY_ECONOMIES}
        # Price impact per dollar, scaled by the privately held marketable supply (debt minus the Fed's).
        self.private_supply_bn = calibration.economy("ALL", "treasury_debt_outstanding_bn") - m["fed_treasury_holdings_bn"]
        pct_per_bn = 100.0 / self.private_supply_bn
        self.flow_bp_per_bn = p("bonds.flow_impact_bp_per_pct_supply") * pct_per_bn
        self.stock_bp_per_bn = p("bonds.stock_impact_bp_per_pct_supply") * pct_per_bn
        self.currencies = tuple(Currency.calibrated(e, p) for e in FX_ECONOMIES)
        self.stock_indices = tuple(StockIndex.calibrated(q, e, p) for q, e in EQUITY_INDICES)
        # Expectations
        self.horizon_months = int(p("bonds.expectations_horizon_months"))
        self.target_persistence_monthly = p("bonds.target_persistence_monthly")
        self.neutral_rate_pct = {e: p("bonds.neutral_real_rate_pct", e) + self.inflation_target[e]
                                 for e in POLICY_ECONOMIES}
        # Risk sentiment and US policy uncertainty
        self.risk_per_tariff_pp_tn, self.risk_per_deal = p("risk.per_tariff_pp_tn"), p("risk.per_deal")
        self.risk_per_threat_100bn, self.risk_persistence = p("risk.per_threat_100bn"), p("risk.persistence_monthly")
        self.carry_loss_threshold_pct, self.risk_per_carry_loss_pct = (p("risk.carry_loss_threshold_pct"),
                                                                       p("risk.per_carry_loss_pct"))
        self.uncertainty_per_us_tariff_pp_tn = p("uncertainty.per_us_tariff_pp_tn")
        self.uncertainty_per_threat_100bn = p("uncertainty.per_threat_100bn")
        self.uncertainty_persistence = p("uncertainty.persistence_monthly")
        # FX
        self.fx_flow_impact_log_per_bn = p("fx.flow_impact_pct_per_bn") / 100.0   # log points per USD bn
        self.fx_flow_decay_monthly = 0.5 ** (1.0 / p("fx.flow_half_life_months"))
        self.fx_uip_pct_per_pp, self.fx_threat_weight = p("fx.uip_pct_per_pp"), p("fx.threat_weight")
        self.fx_flow_scale_bn, self.fx_trade_conversion_share = p("fx.flow_scale_bn"), p("fx.trade_conversion_share")
        self.fx_vol_memory = p("fx.vol_memory")
        # Yen carry traders
        self.carry_fx_impact_log_per_bn = p("carry.fx_impact_pct_per_bn") / 100.0   # log points per USD bn
        self.carry_cascade_rounds = int(p("carry.cascade_rounds"))
        self.carry_ust_share, self.carry_equity_share = p("carry.ust_share"), p("carry.equity_share")
        # Bonds
        self.bond_flow_scale_bn, self.bond_stock_scale_bn = p("bonds.flow_scale_bn"), p("bonds.stock_scale_bn")
        self.bond_threat_weight = p("bonds.threat_weight")
        self.inflation_risk_bp_per_pp = p("bonds.inflation_risk_bp_per_pp")
        self.ust_safe_haven_bp_per_risk = p("bonds.safe_haven_bp_per_risk")
        self.term_premium_bp_per_uncertainty = p("bonds.term_premium_bp_per_uncertainty")
        self.ust_global_factor_bp, self.ust_news_bp = p("global_factor.us_10y_bp"), p("bonds.news_bp")
        self.jgb_spillover_from_ust = p("bonds.jgb_spillover_from_ust")
        self.jgb_safe_haven_bp_per_risk = p("bonds.jgb_safe_haven_bp_per_risk")
        self.jgb_global_factor_bp, self.jgb_news_bp = p("global_factor.jgb_10y_bp"), p("bonds.jgb_news_bp")
        # Equities
        self.equity_flow_impact_pct_per_bn = p("equity.flow_impact_pct_per_bn")
        self.equity_rate_pct_per_pp = p("equity.rate_pct_per_pp")
        self.earnings_pct_per_pct_gdp = p("equity.earnings_pct_per_pct_gdp")
        self.nikkei_fx_pct_per_pct = p("equity.nikkei_fx_pct_per_pct")


class Markets:
    """State and monthly update of all prices. Prices are read from attributes (``prices()``).

    Every calibrated number the month uses is a named attribute, taken from the calibration's
    ``MarketCalibration`` (read once per calibration: a calibration never changes once made), rather than
    looked up about a hundred times a month."""

    def __init__(self, calibration: Calibration, rng: np.random.Generator, inflation_pct: np.ndarray):
        self.rng = rng
        m = calibration.markets
        self.start = {q: m[q] for q in ("us_10y", "jgb_10y", "usd_jpy", "eur_usd", "usd_cny", "sp500", "nikkei225")}
        self.start_inflation_us = float(inflation_pct[index_of("US")])
        self.start_expectations: dict[str, float] = {}  # set by the model once it can project policy paths
        vars(self).update(vars(calibration.kept("the markets' calibrated numbers", MarketCalibration)))
        self.risk = 0.0
        self.uncertainty = 0.0                 # US policy uncertainty (units; 0 = calm)
        # Fundamental components (levels) and flow gaps. Yields in percent, others in log points.
        self.ust_parts: dict[str, float] = {}
        self.ust_gap = 0.0
        self.jgb_parts: dict[str, float] = {}
        self.jgb_gap = 0.0
        self.fx_parts: dict[str, dict[str, float]] = {e: {} for e in FX_ECONOMIES}
        self.fx_gap = {e: 0.0 for e in FX_ECONOMIES}
        self.eq_parts: dict[str, dict[str, float]] = {q: {} for q, _ in EQUITY_INDICES}
        self.eq_gap = {q: 0.0 for q, _ in EQUITY_INDICES}
        self.last_change = {q: 0.0 for q in self.start}
        self.usd_jpy_vol_pct = m["usd_jpy_vol_pct"]
        self.moves = Moves()
        self._last_threats_bn = 0.0            # priced threats last month (a new threat is a risk shock)
        self._cumulative_sales: dict[str, float] = {}
        self._stock_causes: set[str] = set()   # the stock effect's causes booked so far (see _set_stock_effect)
        self._fx_start_of_month = 0.0
        self._closing: dict[str, float] | None = None   # the prices since the last step (see prices)
        self._closing_levels: dict[str, float] | None = None   # the 10-year and log FX behind them (see _close)
        self._keep_equity_seen()

    # -- prices -----------------------------------------------------------------------------------
    @property
    def us_10y(self) -> float:
        levels = self._closing_levels
        if levels is not None:
            return levels["us_10y"]
        return self.start["us_10y"] + sum(self.ust_parts.values()) + self.ust_gap

    @property
    def jgb_10y(self) -> float:
        return self.start["jgb_10y"] + sum(self.jgb_parts.values()) + self.jgb_gap

    def fx_log(self, economy: str) -> float:
        """Log change since the start of the economy's currency per dollar (positive = weaker)."""
        levels = self._closing_levels
        if levels is not None:
            return levels[economy]
        return sum(self.fx_parts[economy].values()) + self.fx_gap[economy]

    def quote(self, economy: str) -> float:
        name, per_dollar = FX_QUOTES[economy]
        return self._quote_at(name, per_dollar, self.fx_log(economy))

    def _quote_at(self, name: str, per_dollar: bool, fx_log: float) -> float:
        """The market quote of a currency whose units per dollar have moved by ``fx_log`` log points."""
        return self.start[name] * math.exp(fx_log if per_dollar else -fx_log)

    def equity(self, name: str) -> float:
        return self.start[name] * math.exp(sum(self.eq_parts[name].values()) + self.eq_gap[name])

    def prices(self) -> dict[str, float]:
        """Every price now. Prices change only inside ``step``, so between steps this is the last closing
        prices (kept, and given out as a copy): the model and every seat's view read them several times a
        month."""
        if self._closing is None:
            self._close()
        return dict(self._closing)

    def _close(self) -> None:
        """Keep the closing prices, and the levels behind them that the model reads between steps (the
        10-year and each currency's log change, asked for about twenty times a month)."""
        self._closing_levels = None   # summed afresh from the parts, once
        levels = {"us_10y": self.us_10y, **{e: self.fx_log(e) for e in FX_ECONOMIES}}
        closing = {"us_10y": levels["us_10y"], "jgb_10y": self.jgb_10y}
        for e, (name, per_dollar) in FX_QUOTES.items():
            closing[name] = self._quote_at(name, per_dollar, levels[e])
        for q, _ in EQUITY_INDICES:
            closing[q] = self.equity(q)
        self._closing_levels, self._closing = levels, closing

    def _open(self) -> None:
        """The prices are about to move: forget the kept closing prices and levels."""
        self._closing = self._closing_levels = None

    # -- expectations -----------------------------------------------------------------------------
    def expected_rates(self, policy_rates: dict[str, float], paths: dict[str, tuple[float, float]]) -> dict[str, float]:
        """Average policy rate expected over the 10-year bond's life, from each bank's projected path:
        today's rate moving toward the rate its reaction function targets, that target fading to neutral.
        An expected cut therefore lowers yields (and the currency) before it happens."""
        out = {}
        for e in POLICY_ECONOMIES:
            target, smoothing = paths[e]
            out[e] = expected_average_rate(policy_rates[e], target, self.neutral_rate_pct[e], smoothing,
                                           self.target_persistence_monthly, self.horizon_months)
        return out

    def own_impact_bp(self, sold_before_bn: float, amount_bn: float) -> float:
        """The rise in the 10-year that a seller's own order causes this month (flow and lasting parts), on
        top of what it already sold this month: the concession the seller pays to place the block."""
        def impact(x: float) -> float:
            return x * (self.flow_bp_per_bn * concave(x, self.bond_flow_scale_bn)
                        + self.stock_bp_per_bn * concave(x, self.bond_stock_scale_bn))

        return impact(sold_before_bn + amount_bn) - impact(sold_before_bn)

    # -- the month --------------------------------------------------------------------------------
    def step(self, inputs: MarketInputs, investors) -> dict[str, float]:
        """Update every price for one month; ``investors`` is the InvestorPopulation. Returns the closing
        prices (as ``prices()`` gives them)."""
        self.moves = Moves.opening()
        if self._closing is None:
            self._close()
        before = self._closing   # (not copied: closing prices are replaced, never changed)
        self._open()
        expectations = self.expected_rates(inputs.policy_rates, inputs.policy_paths)
        draws = self.rng.standard_normal(DRAWS).tolist()   # as plain floats: each is used in float arithmetic
        self._global, self._fx_news = draws[0], draws[1:1 + len(FX_ECONOMIES)]
        self._ust_news, self._jgb_news = draws[1 + len(FX_ECONOMIES)], draws[2 + len(FX_ECONOMIES)]
        self._equity_news = draws[3 + len(FX_ECONOMIES):]
        self._update_risk(inputs)
        # What carry traders and bond funds see: nothing it reads moves before both have traded. Equity
        # investors trade after them and see the markets as they then stand (the Treasury gap after this
        # month's bond trading), whatever part of the view their rule reads.
        view = self.view(inputs.policy_rates)
        carry_bn = self._step_fx(inputs, expectations, investors, view)
        self._carry_crash(investors.last_carry_loss_pct)
        self._step_bonds(inputs, expectations, investors, carry_bn, view)
        self._step_equities(inputs, investors, carry_bn, self.view(inputs.policy_rates))
        self.moves.drop_unmoved()
        self._close()
        after = dict(self._closing)
        for q in YIELDS:
            self.last_change[q] = after[q] - before[q]
        for q in QUOTED:
            self.last_change[q] = math.log(after[q] / before[q])
        self._keep_equity_seen()
        realised = abs(self.last_change["usd_jpy"]) * math.sqrt(12) * 100
        memory = self.fx_vol_memory
        self.usd_jpy_vol_pct = memory * self.usd_jpy_vol_pct + (1 - memory) * realised
        return after

    def _update_risk(self, inputs: MarketInputs) -> None:
        """Risk-off sentiment (0 = calm), persistent, pushed by tariff shocks, deals and threats; and US
        policy uncertainty, pushed by rises in US tariffs and by threats against Treasuries."""
        threats_bn = sum(inputs.threats_bn.values())
        new_threats_100bn = (threats_bn - self._last_threats_bn) / 100.0
        self._last_threats_bn = threats_bn
        shock = (self.risk_per_tariff_pp_tn * inputs.tariff_shock + self.risk_per_deal * inputs.deals
                 + self.risk_per_threat_100bn * new_threats_100bn)
        self.risk = clip(self.risk_persistence * self.risk + shock, -2.0, 10.0)
        pushed = (self.uncertainty_per_us_tariff_pp_tn * inputs.us_tariff_rise
                  + self.uncertainty_per_threat_100bn * max(new_threats_100bn, 0.0))
        self.uncertainty = clip(self.uncertainty_persistence * self.uncertainty + pushed, 0.0, 10.0)

    def _carry_crash(self, carry_loss_pct: float) -> None:
        """A carry crash spreads in the same month: losses beyond the threshold add to risk-off at once,
        and the currencies' safe-haven parts follow (stocks and bonds read the updated risk next)."""
        crash_pct = max(carry_loss_pct - self.carry_loss_threshold_pct, 0.0)
        if crash_pct > 0:
            self.risk = clip(self.risk + self.risk_per_carry_loss_pct * crash_pct, -2.0, 10.0)
            for currency in self.currencies:
                self._set_fx_risk(currency)

    def _set_fx_risk(self, currency: Currency) -> None:
        self._set_part(self.moves.by_market[currency.quote], self.fx_parts[currency.economy], "risk sentiment",
                       currency.safe_haven_pct_per_risk * self.risk / 100.0, currency.pct_per_log_point)

    # FX ------------------------------------------------------------------------------------------
    def _step_fx(self, inputs: MarketInputs, expectations: dict[str, float], investors, view: MarketView) -> float:
        """Exchange rates; returns the carry traders' net orders (USD bn) for the other markets."""
        impact = self.fx_flow_impact_log_per_bn
        threats_bn, purchases_bn = by_economy(inputs)
        for n, currency in enumerate(self.currencies):
            e, quote, unit, parts = currency.economy, currency.quote, currency.pct_per_log_point, self.fx_parts[currency.economy]
            causes = self.moves.by_market[quote]
            differential = (expectations["US"] - expectations[e]) - (self.start_expectations["US"] - self.start_expectations[e])
            self._set_part(causes, parts, "interest-rate differential", self.fx_uip_pct_per_pp * differential / 100.0, unit)
            self._set_fx_risk(currency)
            # A risk premium on dollar assets when US policy is uncertain: the dollar weakens ("sell America").
            self._set_part(causes, parts, "US policy uncertainty",
                           -currency.dollar_premium_pct_per_uncertainty * self.uncertainty / 100.0, unit)
            self._add_part(causes, parts, "global risk factor", currency.global_factor_pct * self._global / 100.0, unit)
            self._add_part(causes, parts, "market news", currency.news_pct * self._fx_news[n] / 100.0, unit)
            priced_threat = sum(threats_bn.get(e, ()))
            self._set_part(causes, parts, f"threat: {e}", -impact * self.fx_threat_weight * priced_threat, unit)
            self._add_gap(causes, self.fx_gap, e, "mean reversion", self.fx_gap[e] * (self.fx_flow_decay_monthly - 1.0), unit)
            official = purchases_bn.get(e, {})
            factor = concave(sum(official.values()), self.fx_flow_scale_bn)
            for cause, amount in official.items():
                self._add_gap(causes, self.fx_gap, e, cause, -impact * factor * amount, unit)
            conversion = self.fx_trade_conversion_share * float(inputs.net_exports_change_bn[currency.index]) / 12.0
            self._add_gap(causes, self.fx_gap, e, "trade flows", -impact * conversion, unit)
        return self._carry_cascade(investors, self.carry_fx_impact_log_per_bn, view)

    def _carry_cascade(self, investors, impact: float, view: MarketView) -> float:
        """Carry traders take the month's other yen moves, close what hits their stops, resize to the new
        rate gap, and then their own orders move the yen, which can stop out more (a few rounds)."""
        if not investors.has_carry:
            return 0.0
        causes = self.moves.by_market[FX_QUOTES["JP"][0]]
        investors.carry_start_month()
        orders = investors.carry_mark(self.fx_log("JP") - self._fx_start_of_month)
        orders += investors.carry_orders(view)
        total = orders
        for _ in range(self.carry_cascade_rounds):
            move = impact * orders
            self._add_gap(causes, self.fx_gap, "JP", "yen carry traders", move, 100.0)
            orders = investors.carry_mark(move)
            if orders == 0.0:
                break
            total += orders
        investors.carry_end_month(view.rate_gap_pp)
        return total

    # Bonds ---------------------------------------------------------------------------------------
    def _step_bonds(self, inputs: MarketInputs, expectations: dict[str, float], investors, carry_bn: float,
                    view: MarketView) -> None:
        causes = self.moves.by_market["us_10y"]
        self._set_part(causes, self.ust_parts, "Fed policy expectations",
                       expectations["US"] - self.start_expectations["US"], 100.0)
        inflation_gap = float(inputs.inflation_pct[index_of("US")]) - self.start_inflation_us
        self._set_part(causes, self.ust_parts, "inflation risk",
                       self.inflation_risk_bp_per_pp * inflation_gap / 100.0, 100.0)
        self._set_part(causes, self.ust_parts, "risk sentiment",
                       self.ust_safe_haven_bp_per_risk * self.risk / 100.0, 100.0)
        self._set_part(causes, self.ust_parts, "US policy uncertainty",
                       self.term_premium_bp_per_uncertainty * self.uncertainty / 100.0, 100.0)
        self._add_part(causes, self.ust_parts, "global risk factor", self.ust_global_factor_bp * self._global / 100.0, 100.0)
        self._add_part(causes, self.ust_parts, "market news", self.ust_news_bp * self._ust_news / 100.0, 100.0)
        self._set_stock_effect(inputs)
        # Flow gap: official net sales and investors' orders, with concave price impact.
        impact = self.flow_bp_per_bn
        fund_orders = investors.orders("ust", view)          # label -> USD bn bought
        flows = {f"official sales: {a}": v for a, v in inputs.official_sales_bn.items() if v}
        flows.update({label: -v for label, v in fund_orders.items()})
        flows["yen carry traders"] = -self.carry_ust_share * carry_bn
        net = sum(flows.values())
        factor = concave(net, self.bond_flow_scale_bn)
        for cause, bn in flows.items():
            self._add_scalar_gap(causes, cause, impact * factor * bn / 100.0)
        investors.settle_bond_trades(fund_orders, inputs.official_sales_bn, self.carry_ust_share * carry_bn)
        self._step_jgb(inputs, expectations)

    def _set_stock_effect(self, inputs: MarketInputs) -> None:
        """Term premium from official holdings sold so far, and from credible threats to sell."""
        weight = self.bond_threat_weight
        parts = {f"official sales: {a}": v for a, v in self._cumulative_sales.items()}
        for actor, amount in inputs.threats_bn.items():
            parts[f"threat: {actor}"] = parts.get(f"threat: {actor}", 0.0) + weight * amount
        # A cause stays among the parts once booked (at zero when its sale or threat is gone).
        self._stock_causes.update(parts)
        if not self._stock_causes:   # most runs: nothing sold or threatened yet
            return
        factor = concave(sum(parts.values()), self.bond_stock_scale_bn)
        causes = self.moves.by_market["us_10y"]
        # Sorted, so the order in which the causes are booked (and summed) never depends on the hash seed.
        for name in sorted(self._stock_causes):
            level = self.stock_bp_per_bn * factor * parts.get(name, 0.0) / 100.0
            self._set_part(causes, self.ust_parts, name, level, 100.0)

    def _step_jgb(self, inputs: MarketInputs, expectations: dict[str, float]) -> None:
        causes = self.moves.by_market["jgb_10y"]
        self._set_part(causes, self.jgb_parts, "BOJ policy expectations",
                       expectations["JP"] - self.start_expectations["JP"], 100.0)
        self._set_part(causes, self.jgb_parts, "US yields",
                       self.jgb_spillover_from_ust * (self.us_10y - self.start["us_10y"]), 100.0)
        self._set_part(causes, self.jgb_parts, "risk sentiment",
                       self.jgb_safe_haven_bp_per_risk * self.risk / 100.0, 100.0)
        self._add_part(causes, self.jgb_parts, "global risk factor", self.jgb_global_factor_bp * self._global / 100.0, 100.0)
        self._add_part(causes, self.jgb_parts, "market news", self.jgb_news_bp * self._jgb_news / 100.0, 100.0)

    # Equities ------------------------------------------------------------------------------------
    def _step_equities(self, inputs: MarketInputs, investors, carry_bn: float, view: MarketView) -> None:
        impact = self.equity_flow_impact_pct_per_bn / 100.0
        orders = investors.orders("equity", view, by_index=True)  # label -> [US bn, JP bn]
        for n, index in enumerate(self.stock_indices):
            name, economy, parts = index.name, index.economy, self.eq_parts[index.name]
            causes = self.moves.by_market[name]
            self._add_part(causes, parts, "expected return", index.drift_pct_per_year / 1200.0, 100.0)
            self._add_part(causes, parts, "global risk factor", index.global_factor_pct * self._global / 100.0, 100.0)
            self._add_part(causes, parts, "market news", index.news_pct * self._equity_news[n] / 100.0, 100.0)
            home_yield = self.us_10y - self.start["us_10y"] if economy == "US" else self.jgb_10y - self.start["jgb_10y"]
            self._set_part(causes, parts, "interest rates", self.equity_rate_pct_per_pp * home_yield / 100.0, 100.0)
            self._set_part(causes, parts, "growth outlook",
                           self.earnings_pct_per_pct_gdp * inputs.expected_gap_pct[economy] / 100.0, 100.0)
            self._set_part(causes, parts, "risk sentiment", index.risk_pct_per_unit * self.risk / 100.0, 100.0)
            if economy == "JP":
                self._set_part(causes, parts, "weaker or stronger yen", self.nikkei_fx_pct_per_pct * self.fx_log("JP"), 100.0)
            for label, by_index in orders.items():
                self._add_gap(causes, self.eq_gap, name, label, impact * float(by_index[n]), 100.0)
            self._add_gap(causes, self.eq_gap, name, "yen carry traders",
                          impact * index.carry_share * self.carry_equity_share * carry_bn, 100.0)

    # -- helpers ----------------------------------------------------------------------------------
    def view(self, policy_rates: dict[str, float]) -> MarketView:
        """What investors see when they trade: the markets as they stand and this month's policy rates. Its
        arrays are read-only: groups that trade on the same view cannot change what the next one sees."""
        equity_gap_pct, equity_last_return_pct = self._equity_seen
        return MarketView(
            ust_gap_bp=self.ust_gap * 100.0,
            ust_last_change_bp=self.last_change["us_10y"] * 100.0,
            ust_impact_bp_per_bn=self.flow_bp_per_bn,
            rate_gap_pp=policy_rates["US"] - policy_rates["JP"],
            usd_jpy_vol_pct=self.usd_jpy_vol_pct,
            equity_gap_pct=equity_gap_pct,
            equity_last_return_pct=equity_last_return_pct,
            equity_impact_pct_per_bn=self.equity_flow_impact_pct_per_bn,
        )

    def _keep_equity_seen(self) -> None:
        """Keep the stock indices' gaps and last returns as investors see them, as read-only arrays. Both move
        only in ``step`` (the gaps in the equities' trading, the returns at the close) and this is called at
        its end, so every view until the next close shares these two arrays rather than making its own."""
        seen = np.array([[self.eq_gap[q] * 100.0 for q, _ in EQUITY_INDICES],
                         [self.last_change[q] * 100.0 for q, _ in EQUITY_INDICES]])
        seen.setflags(write=False)
        self._equity_seen = (seen[0], seen[1])   # gaps, last returns (read-only rows)

    def begin_month(self, cumulative_sales: dict[str, float]) -> None:
        """Note what the month starts from: official sales so far, and the yen (for carry traders' losses)."""
        self._cumulative_sales = dict(cumulative_sales)
        self._fx_start_of_month = self.fx_log("JP")

    # The four writers below change the parts and gaps behind the prices, and book each nonzero change (times
    # ``unit``) to its cause among ``causes``, the month's causes of the market's move (``Moves.by_market``).
    # They run only inside ``step``, between ``_open`` and ``_close``: between steps ``us_10y`` and ``fx_log``
    # read the levels kept at the close, so anything that moved a price from outside ``step`` would not be
    # seen by them.
    def _set_part(self, causes: dict[str, float], parts: dict[str, float], cause: str, level: float,
                  unit: float) -> None:
        """Set a fundamental component to ``level`` and book the change."""
        change = level - parts.get(cause, 0.0)
        parts[cause] = level
        if change != 0.0:
            causes[cause] = causes.get(cause, 0.0) + change * unit

    def _add_part(self, causes: dict[str, float], parts: dict[str, float], cause: str, change: float,
                  unit: float) -> None:
        """Add ``change`` to a fundamental component that accumulates (news, drift) and book it."""
        parts[cause] = parts.get(cause, 0.0) + change
        if change != 0.0:
            causes[cause] = causes.get(cause, 0.0) + change * unit

    def _add_gap(self, causes: dict[str, float], gaps: dict, key: str, cause: str, change: float, unit: float) -> None:
        """Add ``change`` to a flow gap and book it."""
        gaps[key] += change
        if change != 0.0:
            causes[cause] = causes.get(cause, 0.0) + change * unit

    def _add_scalar_gap(self, causes: dict[str, float], cause: str, change: float) -> None:
        """Add ``change`` to the Treasury yield's flow gap and book it (in basis points)."""
        self.ust_gap += change
        if change != 0.0:
            causes[cause] = causes.get(cause, 0.0) + change * 100.0
