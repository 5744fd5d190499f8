"""Rules with the mistakes students make: each must be stopped or refused with a sentence that says
where and what to do (tests/test_rule_workflow.py)."""

import dataclasses

from agents.rules import Rule, param, register
from simulation.decisions import Decision


@register
@dataclasses.dataclass
class ForeverWaiting(Rule):
    """Waits for a yen level that never comes, in a loop that never ends."""

    name = "forever_waiting"
    kind = "treasury"

    def decide(self, obs):
        level = obs.prices["usd_jpy"]
        while level < 1e9:
            level = level * 1.0
        return []


@register
@dataclasses.dataclass
class Misspelt(Rule):
    """Reads an observation field by a misspelt name."""

    name = "misspelt_holdings"
    kind = "treasury"

    def decide(self, obs):
        held = obs.ust_holdngs_bn
        return [Decision(step=obs.step, actor=obs.actor, action="sell_treasuries", amount_bn=held / 10)]
