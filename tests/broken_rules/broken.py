"""Deliberately broken rules: check-rule must fail each one with a clear reason."""

import dataclasses
import random

from agents.rules import Rule, register
from simulation.decisions import Decision


@register
@dataclasses.dataclass
class NanSeller(Rule):
    """Sells a NaN amount."""

    name = "broken_nan_seller"
    kind = "treasury"

    def decide(self, obs):
        return [Decision(step=obs.step, actor=obs.actor, action="sell_treasuries", amount_bn=float("nan"))]


@register
@dataclasses.dataclass
class HugeTariff(Rule):
    """Sets a tariff far beyond the allowed range."""

    name = "broken_huge_tariff"
    kind = "trade"

    def decide(self, obs):
        partner = next(iter(obs.tariffs_on_me))
        return [Decision(step=obs.step, actor=obs.actor, action="set_tariff", target=partner, rate_pct=5000.0)]


@register
@dataclasses.dataclass
class Raiser(Rule):
    """Raises an exception when the economy is in a deep slump."""

    name = "broken_raiser"
    kind = "monetary"

    def decide(self, obs):
        if obs.output_gap_pct < -5:
            raise ZeroDivisionError("slump")
        return []


@register
@dataclasses.dataclass
class CoinFlipper(Rule):
    """Decides by an unseeded coin flip."""

    name = "broken_coin_flipper"
    kind = "treasury"

    def decide(self, obs):
        if random.random() < 0.5 and obs.ust_holdings_bn > 1:
            return [Decision(step=obs.step, actor=obs.actor, action="sell_treasuries", amount_bn=1.0)]
        return []


@register
@dataclasses.dataclass
class WrongType(Rule):
    """Returns a dict instead of a list of decisions."""

    name = "broken_wrong_type"
    kind = "trade"

    def decide(self, obs):
        return {"tariff": 10}


@register
@dataclasses.dataclass
class OverSeller(Rule):
    """Sells more than it holds."""

    name = "broken_over_seller"
    kind = "treasury"

    def decide(self, obs):
        return [Decision(step=obs.step, actor=obs.actor, action="sell_treasuries", amount_bn=obs.ust_holdings_bn + 10)]
