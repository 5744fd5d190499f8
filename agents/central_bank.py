"""A central bank: sets its policy rate and intervenes in the currency market with its economy's reserves."""

from __future__ import annotations

import mesa

from agents.rules.base import Rule
from agents.rules.monetary import market_reaction_function
from agents.rules.observation import Observation
from simulation.decisions import Decision


class CentralBank(mesa.Agent):
    # A central bank always observes, whoever plays it: markets read its projected path from what it sees.
    observes = True

    def __init__(self, model: mesa.Model, bank_id: str, economy: str, policy_rate_pct: float, rule: Rule | None):
        super().__init__(model)
        self.bank_id = bank_id
        self.economy = economy
        self.policy_rate_pct = policy_rate_pct
        self.rule = rule

    def decide(self, obs: Observation) -> list[Decision]:
        return self.rule.decide(obs) if self.rule is not None else []

    def projection(self, obs: Observation) -> tuple[float, float]:
        """(the rate this bank steers toward, its smoothing), as markets read it: from its rule when it has
        one that projects, otherwise from the markets' standard reaction function (a person plays it)."""
        rule = self.rule if self.rule is not None and hasattr(self.rule, "projection") else market_reaction_function()
        return rule.projection(obs)
