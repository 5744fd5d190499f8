"""Treasury policy rules: what a holder of US Treasuries does with them."""

from __future__ import annotations

import dataclasses

from agents.rules.base import Rule, choice, param, register
from agents.rules.observation import Observation
from simulation.decisions import Decision
from simulation.world import ECONOMIES


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
    observes = False   # decides nothing, whatever it sees

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
    partner: str = choice("US", ECONOMIES, "whose tariffs we watch")
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


@register
@dataclasses.dataclass
class GradualDiversification(Rule):
    """Sells a small share of its Treasuries every month, whatever happens.

    China's holdings fell from $1.3tn (2011) to $0.76tn (end-2024), by $50-170bn a year in 2022-24
    (TIC Major Foreign Holders; Reuters 19 Mar 2025): a slow, announced diversification that markets absorb.
    """

    name = "gradual_diversification"
    kind = "treasury"
    summary = "Sells a small, steady share of its Treasuries every month."
    monthly_share_pct: float = param(0.5, 0.0, 10.0, "percent of holdings a month", "pace of the sales")
    floor_bn: float = param(0.0, 0.0, 5000.0, "USD bn", "never sell below this holding")

    def decide(self, obs: Observation) -> list[Decision]:
        amount = min(obs.ust_holdings_bn * self.monthly_share_pct / 100.0, obs.ust_holdings_bn - self.floor_bn)
        if amount < 0.01:
            return []
        return [Decision(step=obs.step, actor=obs.actor, action="sell_treasuries", amount_bn=round(amount, 3),
                         origin="rule", note=f"{self.name}: {self.monthly_share_pct}% a month")]


@register
@dataclasses.dataclass
class SellAboveTariff(Rule):
    """Sells without warning, once, when a partner's average tariff on our goods passes a threshold.

    The card played as a surprise: no threat, so nothing is priced in beforehand and the whole sale
    hits the market at once (the 40-60 bp short-run effect of Beltran et al. 2013 per $100bn).
    """

    name = "sell_above_tariff"
    kind = "treasury"
    summary = "Sells a block of Treasuries, once and without warning, when a partner's tariffs pass a threshold."
    partner: str = choice("US", ECONOMIES, "whose tariffs we watch")
    trigger_tariff_pct: float = param(20.0, 0.0, 1000.0, "percent", "average tariff on our goods that provokes us")
    amount_bn: float = param(100.0, 1.0, 5000.0, "USD bn", "size of the sale")

    def __post_init__(self) -> None:
        super().__post_init__()
        self._done = False

    def decide(self, obs: Observation) -> list[Decision]:
        if self._done or average_tariff_on_me(obs, self.partner) <= self.trigger_tariff_pct:
            return []
        amount = min(self.amount_bn, obs.ust_holdings_bn)
        if amount <= 0:
            return []
        self._done = True
        return [Decision(step=obs.step, actor=obs.actor, action="sell_treasuries", amount_bn=amount, origin="rule",
                         note=f"{self.name}: {self.partner}'s tariffs passed {self.trigger_tariff_pct}%")]


@register
@dataclasses.dataclass
class DefendCurrency(Rule):
    """Sells Treasuries and brings the dollars home when the home currency is too weak.

    Japan's Treasuries fund its yen interventions: $62bn in 2022 and about $100bn in 2024 (MOF), at
    145.9, 151.9, 160.2 and 161.8 yen per dollar. A government's version of the central bank's FX band.
    """

    name = "defend_currency"
    kind = "treasury"
    summary = "Sells Treasuries to buy the home currency when it is more than a set percent weaker than at the start."
    weaker_than_pct: float = param(6.0, 0.0, 100.0, "percent weaker than the start", "when to act")
    amount_bn: float = param(40.0, 1.0, 1000.0, "USD bn a month", "size of each sale")

    def decide(self, obs: Observation) -> list[Decision]:
        from agents.rules.monetary import currency_weakness_pct

        weakness = currency_weakness_pct(obs)
        if weakness is None or weakness <= self.weaker_than_pct:
            return []
        amount = min(self.amount_bn, obs.ust_holdings_bn)
        if amount <= 0:
            return []
        return [Decision(step=obs.step, actor=obs.actor, action="sell_treasuries", amount_bn=amount, origin="rule",
                         note=f"{self.name}: currency {weakness:.1f}% weaker than at the start")]
