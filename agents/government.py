"""A government: sets tariffs, holds Treasuries and reserves, threatens, sells, buys, strikes deals.

What it does each month comes from two rules (trade policy and Treasury policy) or, when a person
plays it, from that person's decisions. Its state here is what decisions change: cash reserves and the
standing threat with its credibility. Its Treasuries are in the model's ledger.
"""

from __future__ import annotations

import mesa

from agents.rules.base import Rule
from agents.rules.observation import Observation
from simulation.decisions import Decision


class Government(mesa.Agent):
    def __init__(self, model: mesa.Model, code: str, cash_reserves_bn: float, credibility: float,
                 trade_rule: Rule | None, treasury_rule: Rule | None):
        super().__init__(model)
        self.code = code
        self.cash_reserves_bn = cash_reserves_bn   # reserves not in Treasuries (deposits, other assets)
        self.reserves_spent_bn = 0.0               # reserves turned into home currency (sales brought home, interventions)
        self.repo_bn = 0.0                         # dollars owed to the Fed's FIMA repo facility
        self.credibility = credibility             # 0..1: how much markets believe this government's threats
        self.threat_bn = 0.0                       # standing threat to sell Treasuries (0 = none)
        self.threat_step = 0                       # when it was made
        self.trade_rule = trade_rule
        self.treasury_rule = treasury_rule

    @property
    def rules(self) -> list[Rule]:
        return [r for r in (self.trade_rule, self.treasury_rule) if r is not None]

    def decide(self, obs: Observation) -> list[Decision]:
        decisions: list[Decision] = []
        for rule in self.rules:
            decisions.extend(rule.decide(obs))
        return decisions

    def priced_threat_bn(self) -> float:
        """The part of the standing threat that markets price: credibility x amount."""
        return self.credibility * self.threat_bn
