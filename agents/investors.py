"""The investor population: groups of investors, each group a Mesa agent whose members are array rows.

A group holds every member's traits and state in numpy arrays and asks its rule for all members'
orders at once. That keeps 100,000 investors fast while each still has its own size, beliefs,
leverage and stop-loss. ``InvestorPopulation`` sums the groups' orders per market for the price
formation in ``simulation/markets.py`` and books the resulting trades in the Treasury ledger.
"""

from __future__ import annotations

import mesa
import numpy as np

from agents.rules.investors import InvestorRule, MarketView, YenCarryTrader
from simulation.treasuries import CARRY, FUNDS, RESIDUAL, TreasuryLedger


class InvestorGroup(mesa.Agent):
    """All investors that follow one rule."""

    def __init__(self, model: mesa.Model, rule: InvestorRule, count: int):
        super().__init__(model)
        self.rule = rule
        self.count = count
        self.members: dict[str, np.ndarray] = rule.traits(model.rng, count)

    def orders(self, view: MarketView) -> np.ndarray:
        return self.rule.orders(self.members, view)


def split_counts(total: int, shares: dict[str, float]) -> dict[str, int]:
    """Divide ``total`` investors among rules by share (largest remainder; at least one each)."""
    names = [n for n, s in shares.items() if s > 0]
    weight = sum(shares[n] for n in names)
    exact = {n: total * shares[n] / weight for n in names}
    counts = {n: max(1, int(exact[n])) for n in names}
    leftover = total - sum(counts.values())
    for n in sorted(names, key=lambda n: exact[n] - int(exact[n]), reverse=True)[: max(leftover, 0)]:
        counts[n] += 1
    return counts


class InvestorPopulation:
    def __init__(self, groups: list[InvestorGroup], ledger: TreasuryLedger):
        self.groups = groups
        self.ledger = ledger
        self.by_market: dict[str, list[InvestorGroup]] = {}   # where each group's orders go (in group order)
        for g in groups:
            self.by_market.setdefault(g.rule.market, []).append(g)
        self.carry = [g for g in groups if isinstance(g.rule, YenCarryTrader)]
        self.has_carry = bool(self.carry)
        self.last_carry_loss_pct = 0.0
        self._month_pnl_bn = 0.0
        self._carry_capital_bn = 0.0   # set by start
        self._carry_total_bn = 0.0     # the traders' total position, kept (see ``carry_mark``); set by start
        self.price = 1.0  # Treasury price index, set by the model each month

    def __len__(self) -> int:
        return sum(g.count for g in self.groups)

    def start(self, view: MarketView) -> None:
        for g in self.carry:
            g.rule.start(g.members, view)
        # Carry traders' capital is set here once (losses move their equity, not their capital), so its
        # total, which scales each month's loss, is summed once.
        self._carry_capital_bn = sum(float(g.members["capital_bn"].sum()) for g in self.carry)
        self._carry_total_bn = self._summed_carry_position_bn()

    # -- orders -----------------------------------------------------------------------------------
    def orders(self, market: str, view: MarketView, by_index: bool = False) -> dict[str, object]:
        """Net orders per group label (USD bn), or per label and index ([S&P 500, Nikkei]) for equities."""
        out: dict[str, object] = {}
        for g in self.by_market.get(market, ()):
            flow, label = g.orders(view), g.rule.label
            if by_index:   # (a bincount's sums start from 0.0, as a label's total does)
                total = np.bincount(g.members["index"], weights=flow, minlength=2)
                out[label] = out[label] + total if label in out else total
            else:
                out[label] = out.get(label, 0.0) + float(flow.sum())   # groups may share a label
        return out

    def settle_bond_trades(self, fund_orders: dict[str, float], official_sales_bn: dict[str, float],
                           carry_ust_bn: float) -> None:
        """Funds and carry traders buy from (or sell to) the residual holders; face = value / price."""
        funds_bn = sum(fund_orders.values())
        self.ledger.transfer(RESIDUAL, FUNDS, funds_bn / self.price)
        self.ledger.transfer(RESIDUAL, CARRY, carry_ust_bn / self.price)

    # -- carry traders ----------------------------------------------------------------------------
    # The traders' total position is kept: summed exactly at the start and at each month's end, and moved
    # in between by the totals of the orders the population applies (it applies every order, so nothing
    # else moves a position). A yen move's P&L is then that total times the move, one multiplication
    # instead of a product and a sum over every trader (equal up to rounding).
    def carry_start_month(self) -> None:
        self._month_pnl_bn = 0.0

    def carry_orders(self, view: MarketView) -> float:
        """Resize every active trader toward its target for the new rate gap and volatility."""
        total = 0.0
        for g in self.carry:
            flow = g.orders(view)
            g.members["position_bn"] += flow
            total += float(flow.sum())
        self._carry_total_bn += total
        return total

    def carry_mark(self, fx_log_change: float) -> float:
        """Book a yen move on carry positions; close stopped-out positions and return their orders."""
        self._month_pnl_bn += self._carry_total_bn * fx_log_change
        total = 0.0
        for g in self.carry:
            flow = g.rule.mark(g.members, fx_log_change)
            if flow is None:   # nobody stopped out: adding and summing zero orders would change nothing
                continue
            g.members["position_bn"] += flow
            total += float(flow.sum())
        self._carry_total_bn += total
        return total

    def carry_end_month(self, rate_gap_pp: float) -> None:
        for g in self.carry:
            g.rule.end_month(g.members, rate_gap_pp)
        capital = self._carry_capital_bn
        self.last_carry_loss_pct = max(-self._month_pnl_bn / capital * 100.0, 0.0) if capital > 0 else 0.0
        # Summed afresh once a month, so the kept total never drifts: a book fully unwound reads 0.0.
        self._carry_total_bn = self._summed_carry_position_bn()

    def carry_position_bn(self) -> float:
        """The traders' total position (USD bn) as of the last month's end (or the start)."""
        return self._carry_total_bn

    def _summed_carry_position_bn(self) -> float:
        return sum(float(g.members["position_bn"].sum()) for g in self.carry)
