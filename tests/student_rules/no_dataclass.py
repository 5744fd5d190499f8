"""A rule without @dataclasses.dataclass (so its parameters are never set or checked)."""

from agents.rules import Rule, param, register


@register
class NoDataclass(Rule):
    """Forgot the dataclass decorator."""

    name = "no_dataclass_rule"
    kind = "treasury"
    tranche_bn: float = param(25.0, 1.0, 500.0, "USD bn", "size of each sale")

    def decide(self, obs):
        return []
