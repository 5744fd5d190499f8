"""Mesa agents: governments, central banks and the investor population, and the rules they follow."""

from agents.central_bank import CentralBank
from agents.government import Government
from agents.investors import InvestorGroup, InvestorPopulation

__all__ = ["CentralBank", "Government", "InvestorGroup", "InvestorPopulation"]
