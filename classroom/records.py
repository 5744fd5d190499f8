"""What a class-game room is made of, and the checks on what people send it.

The value types (a person, a submission, a team's draft, the round clock, a snapshot of the tables),
how decisions travel in the log (``encode`` / ``decode``) and to people (``public_decision``), tokens,
the room's limits, and the checks every typed value passes before it reaches the log.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import asdict, dataclass

import pandas as pd

from scenarios import LoadedScenario
from simulation.decisions import Decision
from simulation.errors import UserError
from simulation.session import seat_kind


INSTRUCTOR = "instructor"
LOBBY, PLAYING, FINISHED = "lobby", "playing", "finished"
MAX_DECISIONS = 20
MAX_NAME, MAX_MESSAGE, MAX_HEADLINE = 40, 500, 200
ROUND_SECONDS = (5, 3600)
SHOWN_HEADLINES = 40
# A room's log is capped: past this many events, what people add (joins, submissions, messages, news)
# is refused with a sentence, while the instructor can still run and finish the game. A class of thirty
# playing 24 rounds writes a few thousand.
MAX_EVENTS = 20_000
CAPPED_KINDS = ("joined", "submitted", "drafted", "broadcast", "shock")
LARGEST_NUMBER = 1e15


def new_token() -> str:
    """An unguessable secret: 32 random bytes (256 bits), URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass
class Person:
    """Someone who joined: a seat (None while waiting for one) and the hash of their token."""

    id: str
    name: str
    seat: str | None
    token_sha256: str
    joined_at: float
    removed: bool = False


@dataclass
class Submission:
    """A seat's decisions for the open round; a later one from the same seat replaces it."""

    seat: str
    person: str
    decisions: tuple[Decision, ...]
    at: float


@dataclass
class Draft:
    """A seat's shared draft of the round's moves: what the team has queued so far, and who changed
    it last. Every teammate's page shows it; submitting sends it."""

    seat: str
    person: str
    decisions: tuple[Decision, ...]
    at: float


@dataclass
class Timer:
    """The round clock: a deadline while running, the seconds left while paused."""

    deadline: float | None = None
    paused: bool = False
    paused_left: float | None = None

    def seconds_left(self, now: float) -> float | None:
        if self.paused:
            return self.paused_left
        return None if self.deadline is None else max(0.0, self.deadline - now)


@dataclass(frozen=True)
class Tables:
    """A snapshot of the game's tables after ``month`` (same columns as a finished run's)."""

    month: int
    model: pd.DataFrame
    economies: pd.DataFrame
    trade: pd.DataFrame
    events: pd.DataFrame
    drivers: pd.DataFrame
    network: pd.DataFrame


def encode(decision: Decision) -> dict:
    """A decision as a JSON-ready dict with every field (what the log and the API hold)."""
    return asdict(decision)


def decode(record: dict) -> Decision:
    return Decision(**record)


def public_decision(decision: Decision) -> dict:
    """A decision as shown to people: the fields in use, without the step and origin bookkeeping."""
    return {k: v for k, v in asdict(decision).items() if v not in (None, "") and k not in ("step", "origin")}



def _check_numbers(given: dict, where: str) -> None:
    """Numbers a person sent must be finite and of a sane size (a 400-digit integer is not an amount)."""
    for name, value in given.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if (isinstance(value, float) and not math.isfinite(value)) or abs(value) > LARGEST_NUMBER:
            raise UserError(f"{where}: '{name}' must be a finite number of at most {LARGEST_NUMBER:.0e} in size, "
                            f"got {str(value)[:20]}")


def _checked_seats(loaded: LoadedScenario, seats) -> tuple[str, ...]:
    if seats is not None and (not isinstance(seats, (list, tuple)) or not all(isinstance(s, str) for s in seats)):
        raise UserError(f"seats must be a list of seat names (such as [\"US\", \"JP\"]), got {str(seats)[:40]}")
    seats = tuple(loaded.playable if seats is None else seats)
    if not seats:
        raise UserError(f"scenario '{loaded.id}' names no playable seats; choose the seats people will play")
    if len(set(seats)) != len(seats):
        raise UserError(f"each seat may be opened once; got {', '.join(seats)}")
    for seat in seats:
        seat_kind(str(seat))
    return seats


def _whole_number(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or (isinstance(value, float) and (not math.isfinite(value) or value != int(value))) \
            or not low <= value <= high:
        raise UserError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    return int(value)


def _clean_text(value, name: str, longest: int) -> str:
    if not isinstance(value, str):
        raise UserError(f"{name} must be text, got {type(value).__name__}")
    text = " ".join(value.split())
    if not text or len(text) > longest or not text.isprintable():
        raise UserError(f"{name} must be 1 to {longest} printable characters, got {len(text)}")
    return text


def _plain(value):
    """A table cell as a JSON-ready Python value."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


