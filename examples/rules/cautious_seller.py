"""A Japanese Treasury policy a student might write: sell only when it helps, a little at a time.

Japan's dilemma in 2025: selling Treasuries is a threat to the US, but a sale pushes up US yields
(cutting the value of what Japan keeps) and brings dollars home (strengthening the yen, squeezing
Japanese exporters already hit by the car tariff). This rule sells only when both

  * the US tariff on Japanese goods is high (above ``trigger_tariff_pct`` on average), and
  * the yen is weak (USD/JPY more than ``weak_yen_pct`` above where it started; by default, any amount
    weaker than at the start),

because then a sale also props up the yen, the one time bringing dollars home helps. It sells in small
tranches (``tranche_bn`` a month) and never lets its holdings fall below ``keep_share`` of what it held
when it started selling.

In kato-2025 the yen mostly strengthens (as it did in spring 2025, from about 150 to about 143 per
dollar), so the rule sells only in the months the yen is weaker than at the start: from none to about
ten sales in a run, depending on the seed. A stricter ``weak_yen_pct`` (say 2) makes it sell rarely or never;
``check-rule`` says how many decisions it made on each seed.

Check it:   python run.py check-rule examples/rules/cautious_seller.py:CautiousSeller
Play it:    python run.py simulate --scenario kato-2025 --rules examples/rules/cautious_seller.py \\
                --use-rule JP.treasury=cautious_seller
"""

import dataclasses

from agents.rules import Observation, Rule, choice, param, register
from simulation.decisions import Decision
from simulation.world import ECONOMIES


@register
@dataclasses.dataclass
class CautiousSeller(Rule):
    """Sells small tranches of Treasuries only while tariffs are high and the home currency is weak."""

    name = "cautious_seller"
    kind = "treasury"
    summary = "Sells small tranches only while tariffs are high and the yen is weak; keeps most holdings."
    partner: str = choice("US", ECONOMIES, "whose tariffs we watch")
    trigger_tariff_pct: float = param(10.0, 0.0, 1000.0, "percent", "average tariff on our goods that provokes us")
    weak_yen_pct: float = param(0.0, 0.0, 100.0, "percent above the starting USD/JPY", "how weak the yen must be")
    tranche_bn: float = param(25.0, 1.0, 500.0, "USD bn a month", "size of each sale")
    keep_share: float = param(0.8, 0.0, 1.0, "share of holdings", "never sell below this share of the holding")

    def __post_init__(self) -> None:
        super().__post_init__()
        self._start_holdings = None  # remembered the first time we look

    def decide(self, obs: Observation) -> list[Decision]:
        if self._start_holdings is None:
            self._start_holdings = obs.ust_holdings_bn
        rates = obs.tariffs_on_me.get(self.partner, ())
        average_tariff = sum(rates) / len(rates) if rates else 0.0
        yen_weakness = (obs.prices["usd_jpy"] / obs.prices["usd_jpy_start"] - 1.0) * 100.0
        room = obs.ust_holdings_bn - self.keep_share * self._start_holdings
        if average_tariff <= self.trigger_tariff_pct or yen_weakness <= self.weak_yen_pct or room <= 0:
            return []
        amount = min(self.tranche_bn, room)
        return [Decision(step=obs.step, actor=obs.actor, action="sell_treasuries", amount_bn=round(amount, 3),
                         origin="rule",
                         note=f"{self.name}: tariff {average_tariff:.1f}% and yen {yen_weakness:+.1f}% from start")]
