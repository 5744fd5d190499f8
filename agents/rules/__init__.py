"""The catalogue of behaviour rules. Importing this package registers every built-in rule."""

from agents.rules import investors, monetary, negotiation, trade_policy, treasury_policy  # noqa: F401  (registration)
from agents.rules.base import RULES, Rule, choice, make_rule, param, register
from agents.rules.observation import Observation

__all__ = ["RULES", "Rule", "Observation", "choice", "make_rule", "param", "register"]
