"""Treasury policy rules: what a holder of US Treasuries does with them."""

from __future__ import annotations

import dataclasses

from agents.rules.base import Rule, param, register
from agents.rules.observation import Observation
from simulation.decisions import Decision


def average_tariff_on_me(obs: Observation, partner: str) -> float:
    """Simple average over sectors of the tariff ``partner`` charges on our goods, in percent."""
    rates = obs.tariffs_on_me.get(partner, ())
    return sum(rates) / len(rates) if rates else 0.0


@register
@dataclasses.dataclass
class Hold(Rule):
    """Keeps its Treasuries: neither threatens nor sells.

    Finance Minister Kato's final word in May 2025: selling is not a negotiating tool.
    """

    name = "hold"
    kind = "treasury"
    summary = "Holds its Treasuries; never threatens or sells."

    def decide(self, obs: Observation) -> list[Decision]:
        return []


@register
@dataclasses.dataclass
class ThreatenThenSell(Rule):
    """Threatens to sell when a partner's tariffs pass a threshold, and sells if they stay there.

    The "card on the table" played hard: a threat first (markets price part of it at once), then, if the
    partner's average tariff on our goods is still above ``trigger_tariff_pct`` after ``wait_months``, a
    sale of the threatened amount. If the tariff falls back first, the threat is retracted.
    """

    name = "threaten_then_sell"
    kind = "treasury"
    summary = "Threatens a sale when a partner's tariffs pass a threshold; sells if they stay high."
    partner: str = "US"
    trigger_tariff_pct: float = param(20.0, 0.0, 1000.0, "percent", "average tariff on our goods that provokes us")
    amount_bn: float = param(100.0, 1.0, 5000.0, "USD bn", "size of the threatened sale")
    wait_months: float = param(3, 0, 24, "months", "how long the partner has to back down")

    def decide(self, obs: Observation) -> list[Decision]:
        provoked = average_tariff_on_me(obs, self.partner) > self.trigger_tariff_pct
        amount = min(self.amount_bn, obs.ust_holdings_bn)
        if obs.threat_bn == 0.0:
            if provoked and amount > 0:
                return [Decision(step=obs.step, actor=obs.actor, action="threaten_sale", amount_bn=amount,
                                 origin="rule", note=f"{self.name}: {self.partner}'s tariffs passed the trigger")]
            return []
        if not provoked:
            return [Decision(step=obs.step, actor=obs.actor, action="retract_threat", origin="rule",
                             note=f"{self.name}: {self.partner} backed down")]
        if obs.threat_age_months >= self.wait_months and amount > 0:
            return [Decision(step=obs.step, actor=obs.actor, action="sell_treasuries",
                             amount_bn=min(obs.threat_bn, amount), origin="rule",
                             note=f"{self.name}: the threat was ignored for {obs.threat_age_months} months")]
        return []
