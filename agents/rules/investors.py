"""Investor rules: how each kind of investor trades, for all members of a group at once.

Investors are many (10 to 100,000; 400 by default), so a rule works on arrays: ``traits`` draws each member's
heterogeneous characteristics once, and ``orders`` returns one order per member for this month
(USD bn; positive = buy the asset, or for carry traders, add to the carry position). Aggregate
strengths are calibrated (``simulation/calibration/parameters.csv``) and split among members by
random weights, so the market's response does not depend on how many investors there are; what the
population size changes is how finely heterogeneity (beliefs, stop-losses) is resolved.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from agents.rules.base import Rule, param, register


@dataclass(frozen=True)
class MarketView:
    """What investors see when they trade (end of last month, plus this month's policy rates)."""

    ust_gap_bp: float             # 10-year yield minus its fundamental value (bp); positive = cheap bonds
    ust_last_change_bp: float     # last month's change in the 10-year yield (bp)
    ust_impact_bp_per_bn: float   # price impact of net selling (bp per USD bn)
    rate_gap_pp: float            # Fed rate minus BOJ rate (pp): the carry
    usd_jpy_vol_pct: float        # recent USD/JPY volatility (percent a year)
    equity_gap_pct: np.ndarray    # [S&P 500, Nikkei] log price minus fundamental (percent)
    equity_last_return_pct: np.ndarray
    equity_impact_pct_per_bn: float


def weights(rng: np.random.Generator, n: int) -> np.ndarray:
    """Heterogeneous sizes (log-normal), normalised to sum to one."""
    w = rng.lognormal(mean=0.0, sigma=1.0, size=n)
    return w / w.sum()


@dataclasses.dataclass
class InvestorRule(Rule):
    kind = "investor"
    market: ClassVar[str] = ""  # "ust", "usd_jpy" or "equity": where the group's orders go
    label: ClassVar[str] = ""   # how the "why did it move" panel names this group

    def traits(self, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
        return {"weight": weights(rng, n)}

    def orders(self, members: dict[str, np.ndarray], view: MarketView) -> np.ndarray:
        raise NotImplementedError


@register
@dataclasses.dataclass
class FundamentalistBondFund(InvestorRule):
    """Buys Treasuries when the yield is above what it thinks fair, sells when below.

    Each fund has its own view of the fair yield (a persistent bias around the model's fundamental).
    Together they remove ``reversion_per_month`` of any mispricing each month, the channel by which
    private investors absorb official sales (Beltran et al. 2013); heterogeneous expectations after
    Brock and Hommes (1998).
    """

    name = "fundamentalist_bond_fund"
    market = "ust"
    label = "bond funds (fundamentalist)"
    summary = "Buys Treasuries when yields are above fair value; sells when below."
    reversion_per_month: float = param(0.5, 0.0, 1.0, "share of the gap per month", "strength of the group")
    belief_spread_bp: float = param(10.0, 0.0, 100.0, "bp", "spread of funds' views of the fair yield")

    def traits(self, rng, n):
        w = weights(rng, n)
        bias = rng.normal(0.0, self.belief_spread_bp, n)
        bias -= (w * bias).sum()  # views differ, but the group's average view is the fundamental
        return {"weight": w, "bias_bp": bias}

    def orders(self, members, view):
        bn_per_bp = self.reversion_per_month / view.ust_impact_bp_per_bn
        return bn_per_bp * members["weight"] * (view.ust_gap_bp - members["bias_bp"])


@register
@dataclasses.dataclass
class ChartistBondFund(InvestorRule):
    """Extrapolates: sells Treasuries after yields rose, buys after they fell.

    Trend-following amplifies moves; ``feedback`` is the share of last month's yield change the group's
    selling adds to this month's (Brock and Hommes 1998; De Long et al. 1990 positive-feedback traders).
    """

    name = "chartist_bond_fund"
    market = "ust"
    label = "bond funds (chartist)"
    summary = "Sells Treasuries after yields rose and buys after they fell (trend following)."
    feedback: float = param(0.2, 0.0, 0.9, "share of last month's change", "strength of the group")

    def orders(self, members, view):
        bn_per_bp = self.feedback / view.ust_impact_bp_per_bn
        return -bn_per_bp * members["weight"] * view.ust_last_change_bp


@register
@dataclasses.dataclass
class YenCarryTrader(InvestorRule):
    """Borrows yen to hold dollar assets, sized by the rate gap, cut by volatility and by losses.

    Each trader holds ``capital x leverage x min(1, (rate gap - hurdle) / full_size_gap)``, scaled down
    when USD/JPY volatility exceeds its tolerance. A trader whose losses exceed its stop-loss closes its
    position and waits its own cooldown (``cooldown_months`` on average): closing means buying yen,
    which strengthens the yen, which stops out more traders. That cascade is how carry unwinds amplify yen rallies (Brunnermeier, Nagel
    and Pedersen 2008; BIS Bulletin 90 on August 2024). ``size_bn`` is the group's total position at the
    start (BIS: about $250bn).

    ``start`` sets the members' columns the other methods read (capital, positions, equity, peak, cooldown
    and each trader's stop as a share of its peak equity): a subclass that overrides ``start`` must call
    ``super().start``.
    """

    name = "yen_carry_trader"
    market = "usd_jpy"
    label = "yen carry traders"
    summary = "Borrows yen to buy dollar assets while the rate gap pays; unwinds on losses and volatility."
    size_bn: float = param(250.0, 0.0, 2000.0, "USD bn", "total position at the start")
    hurdle_low_pp: float = param(1.0, 0.0, 10.0, "pp", "lowest rate gap a trader needs")
    hurdle_high_pp: float = param(3.0, 0.0, 10.0, "pp", "highest rate gap a trader needs")
    full_size_gap_pp: float = param(2.0, 0.1, 10.0, "pp", "gap above the hurdle for a full position")
    vol_low_pct: float = param(8.0, 1.0, 50.0, "percent a year", "lowest volatility tolerance")
    vol_high_pct: float = param(16.0, 1.0, 50.0, "percent a year", "highest volatility tolerance")
    stop_low_pct: float = param(6.0, 0.5, 50.0, "percent adverse USD/JPY move", "tightest stop-loss")
    stop_high_pct: float = param(25.0, 0.5, 50.0, "percent adverse USD/JPY move", "loosest stop-loss")
    leverage_low: float = param(3.0, 1.0, 50.0, "times capital", "lowest leverage")
    leverage_high: float = param(10.0, 1.0, 50.0, "times capital", "highest leverage")
    cooldown_months: float = param(3, 0, 24, "months", "average wait after a stop-out before re-entering")

    def traits(self, rng, n):
        u = lambda low, high: rng.uniform(min(low, high), max(low, high), n)  # noqa: E731
        return {
            "weight": weights(rng, n),
            "leverage": u(self.leverage_low, self.leverage_high),
            "hurdle_pp": u(self.hurdle_low_pp, self.hurdle_high_pp),
            "vol_tolerance_pct": u(self.vol_low_pct, self.vol_high_pct),
            "stop_pct": u(self.stop_low_pct, self.stop_high_pct),
            # Each trader waits its own while after a stop-out, so they do not all come back at once.
            "cooldown_length": rng.integers(1, max(2, int(2 * self.cooldown_months)), n).astype(float)
            if self.cooldown_months >= 1 else np.zeros(n),
        }

    def target_position_bn(self, members, view) -> np.ndarray:
        """Each trader's wanted position (USD bn), before any stop-out."""
        size = ((view.rate_gap_pp - members["hurdle_pp"]) / self.full_size_gap_pp).clip(0.0, 1.0)
        vol_scale = np.minimum(1.0, members["vol_tolerance_pct"] / max(view.usd_jpy_vol_pct, 1e-6))
        return members["capital_bn"] * members["leverage"] * size * vol_scale

    def start(self, members, view) -> None:
        """Scale capital so the group's starting position is ``size_bn``, and open the positions."""
        members["stop_share_of_peak"] = 1.0 - members["stop_pct"] * members["leverage"] / 100.0   # fixed (see ``mark``)
        members["capital_bn"] = members["weight"].copy()
        raw = self.target_position_bn(members, view).sum()
        members["capital_bn"] *= self.size_bn / raw if raw > 0 else 0.0
        members["position_bn"] = self.target_position_bn(members, view)
        members["equity_bn"] = members["capital_bn"].copy()
        members["peak_bn"] = members["capital_bn"].copy()
        members["cooldown"] = np.zeros_like(members["capital_bn"])

    def orders(self, members, view):
        target = np.where(members["cooldown"] > 0.0, 0.0, self.target_position_bn(members, view))
        return target - members["position_bn"]

    def mark(self, members, fx_log_change: float) -> np.ndarray | None:
        """Book an FX move on the positions; return the orders of traders stopped out by it, or None when
        none is (most months: the population then has no orders to book)."""
        members["equity_bn"] += members["position_bn"] * fx_log_change
        np.maximum(members["peak_bn"], members["equity_bn"], out=members["peak_bn"])   # the peak so far, in place
        # A stop is an adverse move of the exchange rate: the capital lost divided by the leverage. So a
        # trader stops out when its equity has fallen from its peak by more than its stop times its leverage,
        # that is, below its peak times ``stop_share_of_peak`` (1 - stop x leverage / 100).
        stop_level_bn = members["peak_bn"] * members["stop_share_of_peak"]
        stopped = (members["position_bn"] > 0.0) & (members["equity_bn"] < stop_level_bn)
        if not np.count_nonzero(stopped):   # most months: nobody is stopped out, so no orders at all
            return None
        members["cooldown"][stopped] = members["cooldown_length"][stopped]
        return np.where(stopped, -members["position_bn"], 0.0)

    def end_month(self, members, rate_gap_pp: float) -> None:
        """Earn the month's carry; stopped-out traders recapitalise and count down to re-entry."""
        members["equity_bn"] += members["position_bn"] * rate_gap_pp / 1200.0
        if not np.count_nonzero(members["cooldown"]):   # most months: nobody is waiting to re-enter
            return
        waiting = members["cooldown"] > 0.0
        members["cooldown"][waiting] -= 1.0
        reset = waiting & (members["cooldown"] <= 0.0)
        members["equity_bn"][reset] = members["capital_bn"][reset]
        members["peak_bn"][reset] = members["capital_bn"][reset]


@dataclasses.dataclass
class EquityRule(InvestorRule):
    """Shared set-up of equity investors: each member trades one index (0 = S&P 500, 1 = Nikkei 225)."""

    market = "equity"
    us_share: float = param(0.7, 0.0, 1.0, "share", "share of members trading the S&P 500")

    def traits(self, rng, n):
        index = (rng.random(n) >= self.us_share).astype(np.int64)
        w = rng.lognormal(0.0, 1.0, n)
        # Weights sum to one within each index, so each market gets the full strength.
        totals = np.array([w[index == k].sum() for k in (0, 1)])
        return {"weight": w / totals[index], "index": index}


@register
@dataclasses.dataclass
class ValueEquityInvestor(EquityRule):
    """Buys stocks below fair value and sells above it (a value investor).

    Together the group removes ``reversion_per_month`` of any mispricing each month.
    """

    name = "value_equity_investor"
    label = "equity investors (value)"
    summary = "Buys stocks priced below fair value and sells those above it."
    reversion_per_month: float = param(0.3, 0.0, 1.0, "share of the gap per month", "strength of the group")

    def orders(self, members, view):
        gap = view.equity_gap_pct[members["index"]]
        return -self.reversion_per_month / view.equity_impact_pct_per_bn * members["weight"] * gap


@register
@dataclasses.dataclass
class MomentumEquityInvestor(EquityRule):
    """Buys after the index rose and sells after it fell (time-series momentum, Moskowitz-Ooi-Pedersen 2012)."""

    name = "momentum_equity_investor"
    label = "equity investors (momentum)"
    summary = "Buys after stocks rose and sells after they fell."
    feedback: float = param(0.15, 0.0, 0.9, "share of last month's return", "strength of the group")

    def orders(self, members, view):
        last = view.equity_last_return_pct[members["index"]]
        return self.feedback / view.equity_impact_pct_per_bn * members["weight"] * last
