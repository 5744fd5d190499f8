"""How credible a threat to sell Treasuries is: its record, discounted by what carrying it out would cost.

Markets ask two questions of a threat. Has this government kept its word before (its record: threats
carried out raise it, threats walked back and pledges broken lower it; ``Government.credibility``)?
And would it really hurt itself this much? Carrying out a sale of ``amount_bn`` costs the seller

- a mark-to-market loss: the sale lifts the 10-year yield (the model's own impact of a seller's block,
  ``Markets.own_impact_bp``), which lowers the price of the Treasuries it keeps and of those it sells
  into the falling market (on average half the fall), and
- a currency hit: a threat to sell is heard as a threat to bring the money home (Kato's "card" was
  read that way), which strengthens its currency (the model's own FX impact) and lowers the
  home-currency value of the dollar reserves it keeps and of the proceeds converted on the way.

A threat's credibility is ``record x exp(-cost / (credibility.cost_scale_pct_gdp % of GDP))``: a threat
that would cost its maker nothing is believed as far as its record goes; one that would cost several
percent of GDP much less. Markets price credibility x amount (``Government.priced_threat_bn``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simulation.markets import concave
from simulation.world import FLOATING_CURRENCY


@dataclass(frozen=True)
class SaleCost:
    """The seller's own estimated loss from selling ``amount_bn`` at once, USD bn."""

    amount_bn: float
    yield_rise_bp: float
    currency_rise_pct: float
    mark_to_market_bn: float
    currency_bn: float
    share_of_gdp_pct: float

    @property
    def total_bn(self) -> float:
        return self.mark_to_market_bn + self.currency_bn


def sale_cost(model, economy: str, amount_bn: float) -> SaleCost:
    """What selling ``amount_bn`` of its Treasuries at once, and bringing the proceeds home, would cost
    ``economy`` now, from the model's own price impacts: the bond market's ``Markets.own_impact_bp``
    (the concession a seller pays to place a block) and the currency market's impact of official
    purchases of the home currency (``fx.flow_impact_pct_per_bn``, concave beyond ``fx.flow_scale_bn``)."""
    p = model.calibration.param
    amount = max(float(amount_bn), 0.0)
    holdings_bn = model.ledger.holdings_bn[economy]
    reserves_bn = float(model.reserves_value_bn()[model.idx(economy)])
    rise_bp = model.markets.own_impact_bp(0.0, amount * model.ust_price)
    price_fall = p("bonds.ust_duration_years") * rise_bp / 10_000.0
    kept_bn = max(holdings_bn - amount, 0.0)
    mark_to_market = price_fall * (kept_bn + amount / 2.0)
    currency_pct = 0.0
    if economy in FLOATING_CURRENCY:
        currency_pct = p("fx.flow_impact_pct_per_bn") * concave(amount, p("fx.flow_scale_bn")) * amount
    dollars_kept = max(reserves_bn - amount, 0.0)
    currency = currency_pct / 100.0 * (dollars_kept + amount / 2.0)
    share = 100.0 * (mark_to_market + currency) / model.calibration.economy(economy, "gdp_bn")
    return SaleCost(amount, rise_bp, currency_pct, mark_to_market, currency, share)


def threat_credibility(calibration, record: float, cost: SaleCost) -> float:
    """The record, discounted by the share of GDP that carrying the threat out would cost."""
    return float(record * math.exp(-cost.share_of_gdp_pct / calibration.param("credibility.cost_scale_pct_gdp")))
