"""A read-only snapshot of a room's world, for the pages.

The room's ``PlaySession`` is stepped by the ticker thread while pages draw. The app's panels and charts
(``ui/components``) read a ``PlaySession``; ``RoomView`` has the attributes they use, all copied under
the room's lock at one month, so a page can draw from it while the next month is being played. The
decision panel also peeks at the live model (tariffs, holdings, policy rate): ``ModelFacts`` holds
exactly those numbers.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pandas as pd

from simulation.decisions import Decision
from simulation.world import CENTRAL_BANKS, ECONOMIES


class TariffBook:
    """The tariff matrix at one month, answering ``tariff_on`` like ``TradeNetwork`` does."""

    def __init__(self, trade):
        self._pairs = {(importer, exporter): np.array(trade.tariff_on(importer, exporter), copy=True)
                       for importer in ECONOMIES for exporter in ECONOMIES if importer != exporter}

    def tariff_on(self, importer: str, exporter: str) -> np.ndarray:
        return self._pairs[(importer, exporter)]


def model_facts(model) -> SimpleNamespace:
    """What the decision and negotiation panels read from a live model (``model.trade.tariff_on``,
    ``model.ledger.holdings_bn``, ``model.central_banks[seat].policy_rate_pct``, the offers made and
    each government's standing), copied."""
    banks = {bank: SimpleNamespace(policy_rate_pct=float(model.central_banks[bank].policy_rate_pct))
             for bank in CENTRAL_BANKS if bank in model.central_banks}
    from simulation.negotiation import standings

    return SimpleNamespace(trade=TariffBook(model.trade),
                           ledger=SimpleNamespace(holdings_bn=dict(model.ledger.holdings_bn)),
                           central_banks=banks,
                           offers=tuple(model.negotiation.offers), standings=standings(model))


@dataclass(frozen=True)
class RoomView:
    """The room's game at the end of ``month``: the read-only game interface the pages draw from
    (``simulation.seat_view.GameState``), as ``PlaySession`` gives it for a single player."""

    loaded: object
    seed: int
    steps: int
    month: int
    seats: tuple[str, ...]
    result: object                         # classroom.records.Tables
    log: tuple[Decision, ...]
    model: SimpleNamespace                 # model_facts(...)
    _headlines: tuple[tuple[int, str], ...]
    _scores: dict = field(default_factory=dict)
    _parts: dict = field(default_factory=dict)
    _seat_views: dict = field(default_factory=dict)   # seat -> SeatView: what each seat sees and may do
    _why: dict = field(default_factory=dict, compare=False, repr=False)   # (month, market) -> table, shared by pages
    _shared_lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    @property
    def finished(self) -> bool:
        return self.month >= self.steps

    def headlines(self, month: int | None = None) -> list[tuple[int, str]]:
        return [(m, h) for m, h in self._headlines if month is None or m == month]

    def score(self, seat: str) -> float:
        return self._scores[seat]

    def score_parts(self, seat: str) -> dict[str, float]:
        return dict(self._parts[seat])

    def seat_view(self, seat: str):
        """What ``seat`` saw at the end of the month and the moves open to it (``simulation.seat_view``),
        copied from the live game with the rest of the snapshot."""
        return self._seat_views[seat]

    def why(self, month: int, market: str) -> pd.DataFrame:
        """As ``PlaySession.why``, from the copied drivers table; worked out once per view (every page
        of the room reads the same view in a month) and shared. Thirty pages ask at the same moment after
        a round: the lock makes the first build it and the others wait for it instead of each building it."""
        from simulation.session import why_table

        key = (month, market)
        with self._shared_lock:
            if key not in self._why:
                self._why[key] = why_table(self.result.drivers, month, market)
            return self._why[key]

    def baseline(self):
        """The scenario with every seat on its rule (shared, cached per scenario and seed)."""
        from simulation.session import baseline_run

        return baseline_run(self.loaded, self.seed, self.steps)

    def baseline_score_parts(self, seat: str, month: int) -> dict[str, float]:
        """The baseline's score terms for ``seat`` at ``month`` (the report card's comparison)."""
        from simulation.session import baseline_score_parts

        return baseline_score_parts(self.loaded, self.seed, self.steps, seat, month)


def room_view(room) -> RoomView:
    """A snapshot of ``room``'s game; the caller holds the room's lock."""
    session = room.session
    scorers = sorted(set(room.seats) | set(ECONOMIES[:-1]) | set(CENTRAL_BANKS))
    return RoomView(room.loaded, session.seed, session.steps, session.month, room.seats, room.result(),
                    tuple(session.log), model_facts(session.model), tuple(session.headlines()),
                    {s: session.score(s) for s in scorers}, {s: session.score_parts(s) for s in scorers},
                    {s: session.seat_view(s) for s in room.seats})
