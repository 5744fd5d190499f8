"""A government: sets tariffs, holds Treasuries and reserves, threatens, sells, buys, strikes deals.

What it does each month comes from its rules (trade policy, Treasury policy and, optionally, negotiation) or, when a person
plays it, from that person's decisions. Its state here is what decisions change: cash reserves and the
standing threat with its credibility. Its Treasuries are in the model's ledger.
"""

from __future__ import annotations

import mesa

from agents.rules.base import Rule
from agents.rules.observation import Observation
from simulation.decisions import Decision


def _rule_slot(name: str) -> property:
    """A government's rule slot ``name``: read as a plain attribute, and when set it also works out again
    the slots' order and ``observes`` (``Government._slots_changed``), which the model asks for every
    government every month."""
    private = "_" + name

    def get(government: "Government") -> Rule | None:
        return getattr(government, private)

    def set_rule(government: "Government", rule: Rule | None) -> None:
        setattr(government, private, rule)
        government._slots_changed()

    return property(get, set_rule, doc=f"The government's {name.replace('_', ' ')} (None: an empty slot).")


class Government(mesa.Agent):
    def __init__(self, model: mesa.Model, code: str, cash_reserves_bn: float, credibility: float,
                 trade_rule: Rule | None, treasury_rule: Rule | None, negotiation_rule: Rule | None = None):
        super().__init__(model)
        self.code = code
        self.cash_reserves_bn = cash_reserves_bn   # reserves not in Treasuries (deposits, other assets)
        self.reserves_spent_bn = 0.0               # reserves turned into home currency (sales brought home, interventions)
        self.repo_bn = 0.0                         # dollars owed to the Fed's FIMA repo facility
        self.credibility = credibility             # 0..1: its record, how far markets believe its word
        self.threat_bn = 0.0                       # standing threat to sell Treasuries (0 = none)
        self.threat_step = 0                       # when it was made
        self.threat_credibility = 0.0              # 0..1: this threat's credibility (record x its own cost)
        self.threat_cost = None                    # the SaleCost estimated when the threat was made
        self.threats_kept = 0                      # the record: threats carried out, walked back,
        self.threats_dropped = 0                   # and deal pledges broken
        self.pledges_broken = 0
        self._trade_rule = trade_rule
        self._treasury_rule = treasury_rule
        self._negotiation_rule = negotiation_rule
        self._slots_changed()

    # The three rule slots (``_rule_slot``): setting one works out again what depends on them.
    trade_rule = _rule_slot("trade_rule")
    treasury_rule = _rule_slot("treasury_rule")
    negotiation_rule = _rule_slot("negotiation_rule")

    def _slots_changed(self) -> None:
        """Keeps the slots in deciding order and ``observes``: whether any of its rules reads an observation.
        If none does (or a person plays it, with no rules), the model need not build one, because ``decide``
        would return nothing whatever it saw."""
        self._slots = (self._trade_rule, self._treasury_rule, self._negotiation_rule)
        self.observes = any(rule is not None and getattr(rule, "observes", True) for rule in self._slots)

    def rule_slots(self) -> tuple[Rule | None, ...]:
        """Its rule slots in the order they decide (trade, Treasury, negotiation), None where a slot is
        empty: the one place that lists them, so ``rules``, ``observes`` and ``decide`` see the same ones."""
        return self._slots

    @property
    def rules(self) -> list[Rule]:
        return [r for r in self._slots if r is not None]

    def decide(self, obs: Observation) -> list[Decision]:
        decisions: list[Decision] = []
        for rule in self._slots:   # asked every month: the slots, without building ``rules``'s list
            if rule is not None:
                decisions.extend(rule.decide(obs))
        return decisions

    def priced_threat_bn(self) -> float:
        """The part of the standing threat that markets price: the threat's credibility x amount."""
        return self.threat_credibility * self.threat_bn
