"""What a browser tab is playing, and how it travels in the page's URL.

The URL holds the whole game: ``/play?scenario=kato-2025&seed=2025&steps=24&v=..&sha=..&seats=JP&d=..&month=3&q=..``
(the saved-run query of ``simulation/savestate.py``, how many months have been played, and the moves
queued for the next month). Opening the link rebuilds the same game, because a run is data. ``Game`` is
one tab's game: a ``PlaySession``, a lock (auto-play runs in a thread) and the moves queued for the next
month. Nothing here is shared between tabs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qs, urlencode

from simulation.actions import TABLE, family
from simulation.decisions import Decision
from simulation.errors import UserError
from simulation.savestate import SavedRun, decisions_from_text, decisions_to_text, from_query, to_query
from simulation.session import PlaySession
from simulation.version import MODEL_VERSION


@dataclass(frozen=True)
class GameLink:
    """A game as its link describes it."""

    saved: SavedRun
    month: int
    queued: tuple[Decision, ...] = ()

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
    queued = decisions_from_text(fields.get("q", [""])[-1], saved.steps, "saved link, queued moves")
    if any(d.step != month + 1 for d in queued):
        raise UserError(f"saved link: queued moves ('q') must be for month {month + 1}, the next to be played")
    return GameLink(saved, month, tuple(queued)), warnings


def _month(text: str, last: int, steps: int) -> int:
    try:
        month = int(text)
    except ValueError:
        raise UserError(f"saved link: 'month' must be a whole number, got '{text}'") from None
    if not last <= month <= steps:
        raise UserError(f"saved link: 'month' must be from {last} (the last decision) to {steps}, got {month}")
    return month


def link_for(session: PlaySession, queued: list[Decision] | tuple[Decision, ...] = ()) -> str:
    """The query string that restores ``session`` exactly, with the moves queued for its next month."""
    link = f"{to_query(session.saved())}&month={session.month}"
    return f"{link}&{urlencode({'q': decisions_to_text(queued)})}" if queued else link


@dataclass
class Game:
    """One tab's game: its session, a lock, and the moves the player has queued for the next month."""

    session: PlaySession
    queued: list[Decision] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)     # what the last month left out, and why
    lock: threading.RLock = field(default_factory=threading.RLock)   # re-entrant: auto-play holds it around a step

    @classmethod
    def from_link(cls, link: GameLink) -> "Game":
        """The game a link describes, with its queued moves (any the world no longer allows is dropped and
        reported in ``notes``)."""
        saved = link.saved
        game = cls(PlaySession(saved.scenario, seats=saved.seats, seed=saved.seed, steps=saved.steps,
                               decisions=saved.decisions, months_played=link.month))
        for d in link.queued:
            try:
                game.queue(d)
            except UserError as problem:
                game.notes.append(f"A move in the link was left out: {describe_move(d)} ({str(problem).rstrip('.')}).")
        return game

    @property
    def seat(self) -> str | None:
        return self.session.seats[0] if self.session.seats else None

    def queue(self, decision: Decision) -> None:
        """Check a move against the world now (so a mistake is reported next to the control, in plain
        words) and keep it for the next month, in place of a queued move it supersedes."""
        decision = replace(decision, step=self.session.month + 1, origin="player")
        if decision.actor not in self.session.seats:
            raise UserError(f"'{decision.actor}' is not a seat played by a person in this game "
                            f"(played seats: {', '.join(self.session.seats) or 'none'})")
        refusal = self.session.seat_view(decision.actor).refusal(decision)
        if refusal:
            raise UserError(refusal)
        self.session.check_decision(decision)
        self.queued = [d for d in self.queued if not _replaces(decision, d)] + [decision]

    def unqueue(self, index: int) -> None:
        self.queued = [d for i, d in enumerate(self.queued) if i != index]

    def step(self, from_month: int | None = None) -> bool:
        """Play the next month with the queued moves; a move the world no longer allows is dropped, with a
        note in ``notes``, and the month is played all the same.

        ``from_month`` is the month the player saw when asking: a second request from the same view (a
        double click) finds the game already past it and plays nothing. (A page that has not yet drawn an
        Undo shows a later month than the game's; its press is played.) Returns whether a month was played.
        """
        with self.lock:
            if from_month is not None and from_month < self.session.month:
                return False
            dropped = self.session.play_month(self.queued)
            self.notes = [f"Not played in {_month_name(self.session, self.session.month)}: {describe_move(d)}. {why}"
                          for d, why in dropped]
            self.queued = []
            return True

    def undo(self) -> None:
        with self.lock:
            self.session.undo()
            self.notes = []

    def reset(self) -> None:
        with self.lock:
            self.session.restart()
            self.queued, self.notes = [], []

    def link(self) -> str:
        return link_for(self.session, self.queued)


def _month_name(session: PlaySession, month: int) -> str:
    from simulation.recording import month_label

    return f"month {month} ({month_label(session.loaded.start, month)})"


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
