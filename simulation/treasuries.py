"""Who holds US Treasuries: a ledger in which every sale has a buyer and the holdings always add up.

Holders are the nine economies (official and custodial holdings, from TIC), the bond funds, the yen
carry traders, and "US investors and the Fed", who hold the rest of the marketable debt and absorb
whatever the others do not take (dealers, banks, households; the residual buyer). Amounts are face
value in USD bn; the market value is face x price, with the price from the 10-year yield through a
fixed modified duration.
"""

from __future__ import annotations

import math

from simulation.world import ECONOMIES

RESIDUAL = "US investors and the Fed"
FUNDS = "bond funds"
CARRY = "yen carry traders"


class TreasuryLedger:
    def __init__(self, official_bn: dict[str, float], funds_bn: float, carry_bn: float, total_bn: float):
        self.holdings_bn: dict[str, float] = {e: float(official_bn.get(e, 0.0)) for e in ECONOMIES}
        self.holdings_bn[FUNDS] = funds_bn
        self.holdings_bn[CARRY] = carry_bn
        self.holdings_bn[RESIDUAL] = total_bn - sum(self.holdings_bn.values())
        if self.holdings_bn[RESIDUAL] < 0:
            raise ValueError("calibrated holdings exceed the Treasury debt outstanding")
        self.total_bn = total_bn
        self.cumulative_official_sales_bn: dict[str, float] = {}  # actor -> face sold net of purchases

    def transfer(self, seller: str, buyer: str, face_bn: float) -> None:
        """Move ``face_bn`` from seller to buyer (negative moves the other way)."""
        self.holdings_bn[seller] -= face_bn
        self.holdings_bn[buyer] += face_bn

    def record_official(self, actor: str, face_bn: float) -> None:
        """Count an official sale (positive) or purchase (negative) toward the stock effect on yields."""
        self.cumulative_official_sales_bn[actor] = self.cumulative_official_sales_bn.get(actor, 0.0) + face_bn

    def imbalance_bn(self) -> float:
        """Holdings minus debt outstanding: zero, up to rounding, whatever happened."""
        return math.fsum(self.holdings_bn.values()) - self.total_bn


def price_index(yield_pct: float, start_yield_pct: float, duration_years: float) -> float:
    """Price of a representative holding relative to the start: exp(-duration x yield change).

    The exponential keeps the price positive for any yield; for small changes it is the usual
    duration approximation (a 1 pp rise costs about ``duration`` percent).
    """
    return math.exp(-duration_years * (yield_pct - start_yield_pct) / 100.0)
