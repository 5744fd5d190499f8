"""What one seat sees of a game and what it may do this month: a read-only snapshot for the pages.

The decision panel needs a few numbers (the seat's Treasury holdings, its tariffs, its policy rate, any
standing threat) and the moves open to the seat with their bounds. Reading them from the live model ties
the UI to the engine's internals, and a page that keeps a model object cannot tell when it has changed.
A ``SeatView`` is a frozen copy taken at the end of a month: a new month is a new value, so a page that
draws from it is always current, and the class game can hand out the same kind of copy made under its
lock.

Who builds one:

- ``PlaySession.seat_view(seat)`` (the single-player game),
- any other game (the class room) by calling ``seat_view(model, seat, steps)`` while it holds the model
  still, and keeping the result with the rest of its month's snapshot.

The moves and their bounds come from one function, ``allowed_moves(facts)``: the decision panel offers
exactly what it returns, and ``SeatView.refusal`` checks a move against it in plain words. When the
actions are described by one declarative table (``simulation/actions.py``), which feeds the labels, the
Treasury menu and the list of actions here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Mapping, Protocol

from simulation.actions import ANY, TABLE
from simulation.decisions import CENTRAL_BANK, GOVERNMENT, MAX_TARIFF_PCT, POLICY_RATE_RANGE_PCT, Decision, home_economy
from simulation.errors import UserError
from simulation.policy import amount_bounds_bn
from simulation.world import CENTRAL_BANKS, ECONOMIES, ECONOMY_NAMES, SECTORS

# How each action reads on a button or in a sentence ("you cannot <verb> ..."), and the Treasury menu's
# actions: both from the action table (simulation/actions.py).
MOVE_LABELS = {name: a.label for name, a in TABLE.items()}
TREASURY_MOVES = tuple(name for name, a in TABLE.items() if a.group == "treasuries")


def seat_kind(seat: str) -> str:
    """'government' or 'central bank'."""
    if seat in CENTRAL_BANKS:
        return CENTRAL_BANK
    if seat in ECONOMIES:
        return GOVERNMENT
    raise UserError(f"unknown seat '{seat}'")


def actions_for(seat: str) -> list[str]:
    """The actions a person in ``seat`` may take at all, in the order of the action table (a player
    cannot impose a ``trade_deal``: deals are proposed and accepted)."""
    kind = seat_kind(seat)
    return [name for name, a in TABLE.items() if a.who in (kind, ANY) and "player" in a.origins]


@dataclass(frozen=True)
class MoveOption:
    """One action open to a seat, with the bounds of its numbers (``None``: no bound on that side).

    ``why_not`` is empty when the move can be made now, else one sentence saying why not (no standing
    threat to withdraw); such a move is listed so the panel can say so rather than silently hide it.
    """

    action: str
    label: str
    amount_bn: tuple[float | None, float | None] | None = None
    rate_pct: tuple[float | None, float | None] | None = None
    targets: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    why_not: str = ""

    @property
    def open(self) -> bool:
        return not self.why_not


@dataclass(frozen=True)
class SeatView:
    """A seat's view of the game at the end of ``month``: its numbers and the moves open to it next."""

    seat: str
    month: int
    steps: int
    holdings_bn: float                       # US Treasuries of its economy, face value
    cash_reserves_bn: float | None           # reserves outside Treasuries (None: not known to this view)
    threat_bn: float | None                  # standing threat to sell (0: none; None: not known)
    credibility: float | None                # how far markets believe its threats, 0-1
    policy_rate_pct: float | None            # central banks only
    repo_bn: float | None = None             # owed to the Fed's FIMA repo facility (None: not known)
    tariffs_pct: Mapping[tuple[str, str], float] = field(default_factory=dict)   # (partner, sector) -> %
    moves: tuple[MoveOption, ...] = ()

    @property
    def kind(self) -> str:
        return seat_kind(self.seat)

    @property
    def home(self) -> str:
        return home_economy(self.seat)

    @property
    def finished(self) -> bool:
        return self.month >= self.steps

    def tariff_pct(self, partner: str, sector: str = "all") -> float:
        """The tariff the seat charges on ``partner``'s goods (``all``: the average over sectors)."""
        return self.tariffs_pct[(partner, sector)]

    def move(self, action: str) -> MoveOption | None:
        return next((m for m in self.moves if m.action == action), None)

    def offers(self, *actions: str) -> bool:
        """Whether any of ``actions`` is listed for this seat (open now or not)."""
        return any(self.move(a) is not None for a in actions)

    def refusal(self, d: Decision) -> str:
        """Why ``d`` cannot be played next month, in plain words; empty if it can."""
        if self.finished:
            return f"The game is over: all {self.steps} months have been played."
        option = self.move(d.action)
        if d.actor != self.seat or option is None:
            return f"{_name(self.seat)} cannot {MOVE_LABELS.get(d.action, d.action).lower()}."
        if option.why_not:
            return option.why_not
        if option.targets and d.target is not None and d.target not in option.targets:
            return f"{ECONOMY_NAMES.get(d.target, d.target)} is not a partner you can choose here."
        for name, bounds in (("amount_bn", option.amount_bn), ("rate_pct", option.rate_pct)):
            value = getattr(d, name)
            if bounds is not None and value is not None:
                problem = _outside(d.action, name, value, bounds, self)
                if problem:
                    return problem
        if d.action == "fx_intervention" and d.amount_bn == 0:
            return "An intervention of $0bn does nothing: type a positive amount to sell dollars, negative to buy."
        if d.action == "fima_repo" and d.amount_bn == 0:
            return "A repo of $0bn does nothing: type a positive amount to borrow, negative to repay."
        return ""


class GameState(Protocol):
    """The read-only interface the app's pages draw a game from (single-player session or class room).

    ``month`` is the last month played; ``result`` holds the run's tables so far (``model``, ``economies``,
    ``trade``, ``drivers``); ``log`` the decisions of the people in the game. Nothing here changes the game.
    """

    loaded: object
    seed: int
    steps: int
    month: int
    seats: tuple[str, ...]
    log: tuple[Decision, ...] | list[Decision]

    @property
    def finished(self) -> bool: ...
    @property
    def result(self): ...
    def seat_view(self, seat: str) -> SeatView: ...
    def headlines(self, month: int | None = None) -> list[tuple[int, str]]: ...
    def why(self, month: int, market: str): ...
    def score(self, seat: str) -> float: ...
    def score_parts(self, seat: str) -> dict[str, float]: ...
    def baseline(self): ...
    def baseline_score_parts(self, seat: str, month: int) -> dict[str, float]: ...


def seat_view(model, seat: str, steps: int) -> SeatView:
    """Copy what ``seat`` sees from a live model (or an object with the same ``trade``, ``ledger`` and
    ``central_banks`` attributes; without ``governments`` its cash and threat are unknown, shown as None)."""
    home = home_economy(seat)
    holdings = float(model.ledger.holdings_bn.get(home, 0.0))
    government = getattr(model, "governments", {}).get(home)
    cash = float(government.cash_reserves_bn) if government is not None else None
    threat = float(government.threat_bn) if government is not None else None
    credibility = float(government.credibility) if government is not None else None
    repo = float(getattr(government, "repo_bn", 0.0)) if government is not None else None
    bank = model.central_banks.get(seat) if seat in CENTRAL_BANKS else None
    tariffs = {}
    if seat in ECONOMIES:
        for partner in ECONOMIES:
            if partner != seat:
                rates = [float(x) for x in model.trade.tariff_on(seat, partner)]
                tariffs[(partner, "all")] = sum(rates) / len(rates)
                tariffs.update({(partner, s): r for s, r in zip(SECTORS, rates)})
    price = float(getattr(model, "ust_price", 1.0))
    facts = SeatView(seat, int(getattr(model, "month", 0)), steps, holdings, cash, threat, credibility,
                     float(bank.policy_rate_pct) if bank is not None else None, repo, MappingProxyType(tariffs))
    return replace(facts, moves=allowed_moves(facts, price))


def allowed_moves(facts: SeatView, ust_price: float = 1.0) -> tuple[MoveOption, ...]:
    """The moves open to a seat next month and their bounds, from its facts: the one place that says
    what a seat may do (the decision panel shows these; ``SeatView.refusal`` checks against them)."""
    seat, name = facts.seat, _name(facts.seat)
    partners = tuple(e for e in ECONOMIES if e != facts.home)
    moves = []
    for action in actions_for(seat):
        option = MoveOption(action, MOVE_LABELS[action])
        if action == "set_tariff":
            option = MoveOption(action, option.label, rate_pct=(0.0, MAX_TARIFF_PCT), targets=partners,
                                sectors=("all", *SECTORS))
        elif TABLE[action].group == "deals":    # offers and answers at the negotiating table
            cap = TABLE[action].spec("rate_pct")
            option = MoveOption(action, option.label, rate_pct=None if cap is None else (cap.low, cap.high),
                                targets=tuple(p for p in partners if p != "ROW"))
        elif action == "set_policy_rate":
            option = MoveOption(action, option.label, rate_pct=POLICY_RATE_RANGE_PCT)
        elif action == "fx_intervention" and seat == "FED":
            continue            # the Fed's home currency is the dollar
        elif action in TREASURY_MOVES and facts.holdings_bn <= 0:
            continue            # a seat with no Treasuries (the US, the Fed) is not offered them at all
        elif action == "retract_threat":
            none = facts.threat_bn is not None and facts.threat_bn <= 0
            option = MoveOption(action, option.label,
                                why_not="You have no standing threat to withdraw." if none else "")
        bounds = amount_bounds_bn(action, facts.holdings_bn, facts.cash_reserves_bn, facts.repo_bn, ust_price)
        if bounds is not None:  # the engine's own balance-sheet limits (simulation.policy)
            broke = action == "buy_treasuries" and bounds[1] is not None and bounds[1] <= 0
            option = replace(option, amount_bn=bounds,
                             why_not=f"{name} has no cash reserves to buy with." if broke else "")
        moves.append(option)
    return tuple(moves)


def _name(seat: str) -> str:
    from simulation.policy import actor_name

    words = actor_name(seat)
    return words[:1].upper() + words[1:]


def _outside(action: str, field_name: str, value: float, bounds, facts: SeatView) -> str:
    """A sentence if ``value`` is outside ``bounds``; the words fit the action."""
    low, high = bounds
    if field_name == "amount_bn":
        if action in ("sell_treasuries", "threaten_sale") and high is not None and value > high + 1e-9:
            verb = "sell" if action == "sell_treasuries" else "threaten to sell"
            return (f"You hold ${facts.holdings_bn:,.0f}bn of US Treasuries (face value), so you cannot {verb} "
                    f"${value:,.0f}bn.")
        if action == "buy_treasuries" and high is not None and value > high + 1e-9:
            return f"Your cash reserves pay for at most ${high:,.0f}bn of Treasuries, not ${value:,.0f}bn."
        if action == "fima_repo" and high is not None and value > high + 1e-9:
            return f"Your Treasuries can secure at most ${max(high, 0):,.0f}bn more of repo loans, not ${value:,.0f}bn."
        if action == "fima_repo" and low is not None and value < low - 1e-9:
            return f"You owe the repo facility ${-low:,.0f}bn, so you cannot repay ${-value:,.0f}bn."
        if action == "fx_intervention" and high is not None and value > high + 1e-9:
            return f"Your reserves come to ${high:,.0f}bn, so you cannot sell ${value:,.0f}bn of dollars."
        if low is not None and value <= low and action not in ("fx_intervention", "fima_repo"):
            return f"The amount must be more than ${low:,.0f}bn; you entered ${value:,.0f}bn."
        return ""
    what = {"set_tariff": "A tariff", "set_policy_rate": "The policy rate"}.get(action, "A deal's tariff cap")
    if (low is not None and value < low) or (high is not None and value > high):
        return f"{what} must be from {low:g}% to {high:g}%; you entered {value:g}%."
    return ""
