"""A class-game room: the shared world on the server, a ``PlaySession`` played one round per month.

``Room`` is put together from its jobs, one module each: who is in it (``classroom.roster``), its
rounds and clock (``classroom.rounds``), its log and replay (``classroom.replay``), what people read
(``classroom.reads``); what a round applies is worked out in ``classroom.resolution``. Everything that
changes a room goes through one door: a live method checks the request, writes an event to the log
(``classroom.store``), then applies it with ``_apply``. ``Room.from_log`` applies the same events in the
same order, so a restarted server gets back the very same room. One lock per room serialises the
pages' callbacks, the HTTP requests and the ticker that closes rounds whose time is up; reads take it
too.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from classroom.limits import window
from classroom.reads import Reads
from classroom.records import (Draft, FINISHED, INSTRUCTOR, LOBBY, new_token, Person, PLAYING, ROUND_SECONDS,
                               Submission, Tables, Timer, token_hash, _checked_seats, _whole_number)
from classroom.replay import EventLog
from classroom.roster import Roster
from classroom.rounds import Rounds
from classroom.store import Event, EventStore
from scenarios import LoadedScenario, load_scenario
from simulation.decisions import Decision
from simulation.errors import UserError
from simulation.session import PlaySession
from simulation.version import MODEL_VERSION


@dataclass
class Room(Roster, Rounds, EventLog, Reads):
    """One class game. Build it with ``Room.open`` (new) or ``Room.from_log`` (after a restart)."""

    code: str
    loaded: LoadedScenario
    seats: tuple[str, ...]
    seed: int
    steps: int
    round_seconds: int
    instructor_sha256: str
    created_at: float
    store: EventStore | None = None
    clock: object = time.time
    session: PlaySession = None
    status: str = LOBBY
    people: dict[str, Person] = field(default_factory=dict)
    submissions: dict[str, Submission] = field(default_factory=dict)
    drafts: dict[str, Draft] = field(default_factory=dict)
    shocks: list[Decision] = field(default_factory=list)
    timer: Timer = field(default_factory=Timer)
    broadcasts: list[dict] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    round_scores: list[dict] = field(default_factory=list)       # after each round: seat -> score and parts
    seated: dict[str, list[str]] = field(default_factory=dict)     # seat -> everyone who ever sat there
    version: int = 0

    def __post_init__(self):
        self.session = PlaySession(self.loaded, seats=self.seats, seed=self.seed, steps=self.steps)
        self._lock = threading.RLock()
        self._changed = threading.Condition()     # notified at every change of ``version``
        self._by_hash: dict[str, str] = {}
        self._removed: set[str] = set()
        self._public: tuple[int, dict] | None = None
        self._tables: Tables | None = None
        self._view = None
        self._events = 0
        self._submits_by_person = window("submissions_per_person")
        self._submits_by_seat = window("submissions_per_seat")
        self._drafts_by_person = window("drafts_per_person")

    # -- making a room ---------------------------------------------------------------------------
    @classmethod
    def open(cls, store: EventStore, code: str, scenario, seats=None, seed: int | None = None,
             steps: int | None = None, round_seconds: int = 180, clock=time.time) -> tuple["Room", str]:
        """A new room, written to the log; returns it with the instructor's token (shown only now)."""
        loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
        seats = _checked_seats(loaded, seats)
        round_seconds = _whole_number(round_seconds, "round_seconds", *ROUND_SECONDS)
        probe = PlaySession(loaded, seats=seats, seed=seed, steps=steps)
        token = new_token()
        data = {"code": code, "scenario": probe.saved().scenario, "scenario_sha256": loaded.sha256,
                "seed": probe.seed, "steps": probe.steps, "model_version": MODEL_VERSION, "seats": list(seats),
                "round_seconds": round_seconds, "instructor_token_sha256": token_hash(token)}
        event = store.append(code, "created", data, at=clock())
        return cls._from_created(event, loaded, store, clock), token

    @classmethod
    def from_log(cls, events: list[Event], store: EventStore | None = None, clock=time.time) -> "Room":
        """The room its log describes, rebuilt event by event exactly as it was played."""
        created = events[0]
        data = created.data
        if created.kind != "created":
            raise UserError(f"the log of room {created.room} does not start with its creation")
        if data["model_version"] != MODEL_VERSION:
            raise UserError(f"room {created.room} was played with model version {data['model_version']}; "
                            f"this server runs {MODEL_VERSION}, so it cannot be replayed exactly")
        loaded = load_scenario(data["scenario"])
        if loaded.sha256 != data["scenario_sha256"]:
            raise UserError(f"room {created.room}: scenario '{data['scenario']}' has changed since the room "
                            "was created, so it cannot be replayed exactly")
        room = cls._from_created(created, loaded, store, clock)
        for event in events[1:]:
            room._apply(event)
        return room

    @classmethod
    def _from_created(cls, event: Event, loaded, store, clock) -> "Room":
        d = event.data
        room = cls(d["code"], loaded, tuple(d["seats"]), d["seed"], d["steps"], d["round_seconds"],
                   d["instructor_token_sha256"], event.at, store, clock)
        room.version, room._events = 1, 1
        return room


__all__ = ["Room", "Person", "Submission", "Draft", "INSTRUCTOR", "LOBBY", "PLAYING", "FINISHED"]
