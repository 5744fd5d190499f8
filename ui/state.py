"""What a browser tab is playing, and how it travels in the page's URL.

The URL holds the whole game: ``/play?scenario=kato-2025&seed=2025&steps=24&v=..&sha=..&seats=JP&d=..&month=3``
(the saved-run query of ``simulation/savestate.py`` plus how many months have been played). Opening the
link rebuilds the same game, because a run is data. ``Game`` is one tab's game: a ``PlaySession``, a lock
(auto-play runs in a thread) and the moves queued for the next month. Nothing here is shared between tabs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qs

from simulation.actions import TABLE, family
from simulation.decisions import Decision
from simulation.errors import UserError
from simulation.savestate import SavedRun, from_query, to_query
from simulation.session import PlaySession
from simulation.version import MODEL_VERSION


@dataclass(frozen=True)
class GameLink:
    """A game as its link describes it."""

    saved: SavedRun
    month: int

    @property
    def seat(self) -> str | None:
        return self.saved.seats[0] if self.saved.seats else None


def parse_link(search: str | None) -> tuple[GameLink | None, list[str]]:
    """The game in a URL query, and warnings worth showing. ``None`` when the query names no scenario.

    A short link (``?scenario=kato-2025&seats=JP``) starts a new game with the scenario's own seed and
    length; a full link restores one. Any problem is a ``UserError`` naming the part of the link at fault.
    """
    fields = parse_qs((search or "").lstrip("?"), keep_blank_values=True)
    if not fields.get("scenario", [""])[-1]:
        return None, []
    warnings = []
    from scenarios import linkable

    linkable(fields["scenario"][-1])
    if "v" not in fields:
        from scenarios import load_scenario

        loaded = load_scenario(fields["scenario"][-1])
        query = f"scenario={loaded.id}&seed={fields.get('seed', [loaded.seed])[-1]}" \
                f"&steps={fields.get('steps', [loaded.steps])[-1]}&v={MODEL_VERSION}"
        if fields.get("seats", [""])[-1]:
            query += f"&seats={fields['seats'][-1]}"
        saved = from_query(query)
    else:
        from scenarios import load_scenario

        saved = from_query(search)
        if saved.scenario_sha256 and not load_scenario(saved.scenario).sha256.startswith(saved.scenario_sha256):
            warnings.append(f"Scenario '{saved.scenario}' has changed since this link was made, so the numbers "
                            "may differ from when it was shared.")
        if saved.model_version != MODEL_VERSION:
            warnings.append(f"This link was made with model version {saved.model_version}; this is "
                            f"{MODEL_VERSION}, so the numbers may differ from when it was shared.")
    if len(saved.seats) > 1:
        raise UserError(f"saved link: a single-player game has one seat, got {len(saved.seats)} "
                        f"({', '.join(saved.seats)}); class games are played from the Class page")
    last = max((d.step for d in saved.decisions), default=0)
    month = _month(fields.get("month", [str(last)])[-1], last, saved.steps)
    return GameLink(saved, month), warnings


def _month(text: str, last: int, steps: int) -> int:
    try:
        month = int(text)
    except ValueError:
        raise UserError(f"saved link: 'month' must be a whole number, got '{text}'") from None
    if not last <= month <= steps:
        raise UserError(f"saved link: 'month' must be from {last} (the last decision) to {steps}, got {month}")
    return month


def link_for(session: PlaySession) -> str:
    """The query string that restores ``session`` exactly."""
    return f"{to_query(session.saved())}&month={session.month}"


@dataclass
class Game:
    """One tab's game: its session, a lock, and the moves the player has queued for the next month."""

    session: PlaySession
    queued: list[Decision] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)   # re-entrant: auto-play holds it around a step

    @classmethod
    def from_link(cls, link: GameLink) -> "Game":
        saved = link.saved
        return cls(PlaySession(saved.scenario, seats=saved.seats, seed=saved.seed, steps=saved.steps,
                               decisions=saved.decisions, months_played=link.month))

    @property
    def seat(self) -> str | None:
        return self.session.seats[0] if self.session.seats else None

    def queue(self, decision: Decision) -> None:
        """Check a move now (so a mistake is reported next to the control) and keep it for the next month."""
        decision = replace(decision, step=self.session.month + 1, origin="player")
        if self.session.finished:
            raise UserError(f"the game is over: all {self.session.steps} months have been played")
        self.session.check_decision(decision)
        self.queued = [d for d in self.queued if not _replaces(decision, d)] + [decision]

    def unqueue(self, index: int) -> None:
        self.queued = [d for i, d in enumerate(self.queued) if i != index]

    def step(self) -> None:
        """Play the next month with the queued moves; a refused move keeps them queued for correction."""
        with self.lock:
            self.session.step(self.queued)
            self.queued = []

    def undo(self) -> None:
        with self.lock:
            self.session.undo()

    def reset(self) -> None:
        with self.lock:
            self.session.restart()
            self.queued = []

    def link(self) -> str:
        return link_for(self.session)


def _replaces(new: Decision, old: Decision) -> bool:
    """A new move replaces a queued one of the same kind on the same target (one tariff per line), any
    other Treasury move (one Treasury move a month) and any other move at the table with the same
    partner (one offer or answer per partner a month)."""
    return (new.action, new.target, new.sector) == (old.action, old.target, old.sector) or (
        family(new.action) == family(old.action) == "treasuries") or (
        family(new.action) == family(old.action) == "negotiation" and new.target == old.target)


def describe_move(d: Decision) -> str:
    """Plain words for a queued move, for the list under the decision panel (from the action table)."""
    return TABLE[d.action].describe(d)
