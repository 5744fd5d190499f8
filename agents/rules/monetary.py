"""Central-bank rules: setting the policy rate, and defending the currency."""

from __future__ import annotations

import dataclasses

from agents.rules.base import Rule, param, register
from agents.rules.observation import Observation
from simulation.decisions import POLICY_RATE_RANGE_PCT, Decision


@register
@dataclasses.dataclass
class TaylorRule(Rule):
    """Moves the policy rate gradually toward a Taylor (1993) rule.

    target = neutral real rate + inflation + inflation_weight x (inflation - target)
             + output_weight x output gap
    Each month the rate closes ``1 - smoothing`` of the gap to the target (interest-rate smoothing, as in
    Clarida-Gali-Gertler 2000), and the announced rate is rounded to ``step_pct`` (central banks move in
    quarter points). Taylor (1993): weights 0.5 and 0.5; Taylor (1999): output weight 1.0.

    Inflation here excludes the one-off rise in the price level that tariffs cause, times
    ``1 - tariff_weight``: central banks "look through" a tariff's first-round effect on prices, as the
    Fed said it would in 2025 (held at 4.25-4.50% through the tariff rise, then cut from September;
    FOMC statements) and as textbook advice on supply shocks says (Bernanke, Gertler and Watson 1997).
    The rate never leaves the range a policy-rate decision may take (and never goes below ``floor_pct``).
    """

    name = "taylor_rule"
    kind = "monetary"
    summary = "Gradually follows a Taylor rule on the model's inflation and output gap."
    inflation_weight: float = param(0.5, 0.0, 3.0, "", "response to inflation above target")
    output_weight: float = param(0.5, 0.0, 3.0, "", "response to the output gap")
    smoothing: float = param(0.93, 0.0, 0.999, "per month", "share of last month's rate kept")
    step_pct: float = param(0.25, 0.0, 1.0, "percentage points", "rate moves are multiples of this (0 = any)")
    floor_pct: float = param(-0.5, -2.0, 5.0, "percent", "lowest rate the bank will set")
    tariff_weight: float = param(0.0, 0.0, 1.0, "", "share of tariffs' one-off price rise the bank reacts to")

    def __post_init__(self) -> None:
        super().__post_init__()
        self._shadow: float | None = None  # the unrounded rate the bank is steering
        self._announced = float("nan")     # the rate this rule last set

    def target_rate(self, obs: Observation) -> float:
        inflation = obs.inflation_pct - (1.0 - self.tariff_weight) * obs.tariff_inflation_pct
        gap_from_target = inflation - obs.inflation_target_pct
        return (obs.neutral_real_rate_pct + inflation + self.inflation_weight * gap_from_target
                + self.output_weight * obs.output_gap_pct)

    def projection(self, obs: Observation) -> tuple[float, float]:
        """What markets read from this rule: the rate it steers toward and how slowly (its smoothing)."""
        return self.target_rate(obs), self.smoothing

    def decide(self, obs: Observation) -> list[Decision]:
        current = obs.policy_rate_pct
        if self._shadow is None or abs(current - self._announced) > 1e-9:
            self._shadow = current  # start, or someone else set the rate: steer from where it is
        target = self.target_rate(obs)
        self._shadow = self.smoothing * self._shadow + (1 - self.smoothing) * target
        # Move in whole steps from the current rate (the Fed's 4.375% midpoint stays on its grid), and
        # never outside what a policy-rate decision may be, however extreme the world gets.
        low, high = POLICY_RATE_RANGE_PCT
        new_rate = current + round_to(self._shadow - current, self.step_pct)
        new_rate = min(max(new_rate, self.floor_pct, low), high)
        self._announced = new_rate
        if abs(new_rate - current) < 1e-9:
            return []
        return [Decision(step=obs.step, actor=obs.actor, action="set_policy_rate", rate_pct=round(new_rate, 4),
                         origin="rule", note=f"{self.name}: target {target:.2f}%")]


def market_reaction_function() -> TaylorRule:
    """What markets assume a central bank played by a person will do: a Taylor (1993) rule with the
    default smoothing that looks through tariffs (players may surprise them)."""
    return TaylorRule()


def round_to(value: float, step: float) -> float:
    return round(value / step) * step if step > 0 else value


@register
@dataclasses.dataclass
class TaylorWithFxBand(TaylorRule):
    """A Taylor rule plus FX intervention when the currency leaves a band around its starting level.

    Above ``upper_pct`` percent weaker than the starting rate, the bank sells ``amount_bn`` of dollars
    (financed from reserves: for Japan, by selling Treasuries); below ``lower_pct`` percent stronger it
    buys dollars. Japan intervened at 145.9 (Sep 2022), 151.9 (Oct 2022), 160.2 (Apr 2024) and 161.8
    (Jul 2024) yen per dollar, $20-41bn a day (MOF); the PBOC keeps the yuan within a band of its fixing.
    """

    name = "taylor_fx_band"
    kind = "monetary"
    summary = "Taylor rule, plus selling (buying) dollars when the home currency is too weak (strong)."
    upper_pct: float = param(6.0, 0.0, 100.0, "percent weaker than the start", "intervene above this")
    lower_pct: float = param(50.0, 0.0, 100.0, "percent stronger than the start", "buy dollars below this")
    amount_bn: float = param(40.0, 0.0, 1000.0, "USD bn per month", "size of each intervention")

    def decide(self, obs: Observation) -> list[Decision]:
        decisions = super().decide(obs)
        weakness = currency_weakness_pct(obs)
        if weakness is None or self.amount_bn == 0:
            return decisions
        if weakness > self.upper_pct:
            amount = min(self.amount_bn, obs.fx_reserves_bn)
        elif weakness < -self.lower_pct:
            amount = -self.amount_bn
        else:
            return decisions
        if amount != 0:
            decisions.append(Decision(step=obs.step, actor=obs.actor, action="fx_intervention", amount_bn=amount,
                                      origin="rule", note=f"{self.name}: currency {weakness:+.1f}% from start"))
        return decisions


def currency_weakness_pct(obs: Observation) -> float | None:
    """How much weaker than at the start the home currency is against the dollar, in percent."""
    if not obs.home_quote:
        return None
    now, start = obs.prices[obs.home_quote], obs.prices[obs.home_quote + "_start"]
    ratio = now / start if obs.home_quote.startswith("usd_") else start / now
    return (ratio - 1.0) * 100.0


@register
@dataclasses.dataclass
class InflationTargetingFxBand(TaylorWithFxBand):
    """Strict inflation targeting with an FX intervention band.

    Responds only to inflation (weight 1.0 above one-for-one, no output term), the way an inflation
    targeter that "looks through" growth would (Svensson 1997), and sells reserves when the currency
    leaves a band, as the TaylorWithFxBand rule does.
    """

    name = "inflation_targeting_fx_band"
    kind = "monetary"
    summary = "Targets inflation alone, gradually; intervenes when the currency leaves a band."
    inflation_weight: float = param(1.0, 0.0, 3.0, "", "response to inflation above target")
    output_weight: float = param(0.0, 0.0, 3.0, "", "response to the output gap")
