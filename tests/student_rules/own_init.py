"""A rule that writes its own __init__ (so its parameters are never checked)."""

import dataclasses

from agents.rules import Rule, param, register


@register
@dataclasses.dataclass
class OwnInit(Rule):
    """Keeps its own state in __init__."""

    name = "own_init_rule"
    kind = "treasury"
    tranche_bn: float = param(25.0, 1.0, 500.0, "USD bn", "size of each sale")

    def __init__(self, tranche_bn=25.0):
        self.tranche_bn = tranche_bn
        self.sold = 0

    def decide(self, obs):
        return []
