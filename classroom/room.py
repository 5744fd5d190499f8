"""A class-game room: the shared world on the server, a ``PlaySession`` played one round per month.

Everything that changes a room goes through one door: a live method checks the request, writes an
event to the log (``classroom.store``), then applies it with ``_apply``. ``Room.from_log`` applies the
same events in the same order, so a restarted server gets back the very same room: people, tokens
(as hashes), submissions waiting, timer, broadcasts and the model itself. Decisions the model refused
when a round resolved are written in the resolution event, so the replay never has to guess.

Every method a person calls takes their token first: a seat token acts only for its seat, the
instructor token for the instructor. One lock per room serialises the pages' callbacks, the HTTP
requests and the ticker that closes rounds whose time is up.
"""

from __future__ import annotations

import copy
import hashlib
import math
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field

import pandas as pd

from classroom.errors import Forbidden, NotFound, RateLimited, Stale, Unauthorized
from classroom.limits import window
from classroom.store import Event, EventStore
from scenarios import LoadedScenario, load_scenario
from simulation.decisions import FIELDS, Decision, check, from_mapping
from simulation.errors import DecisionError, UserError
from simulation.session import PlaySession, actions_for, seat_kind
from simulation.version import MODEL_VERSION

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
CAPPED_KINDS = ("joined", "submitted", "broadcast", "shock")
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


def encode(decision: Decision) -> dict:
    """A decision as a JSON-ready dict with every field (what the log and the API hold)."""
    return asdict(decision)


def decode(record: dict) -> Decision:
    return Decision(**record)


def public_decision(decision: Decision) -> dict:
    """A decision as shown to people: the fields in use, without the step and origin bookkeeping."""
    return {k: v for k, v in asdict(decision).items() if v not in (None, "") and k not in ("step", "origin")}


@dataclass
class Room:
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
    shocks: list[Decision] = field(default_factory=list)
    timer: Timer = field(default_factory=Timer)
    broadcasts: list[dict] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    seated: dict[str, list[str]] = field(default_factory=dict)     # seat -> everyone who ever sat there
    version: int = 0

    def __post_init__(self):
        self.session = PlaySession(self.loaded, seats=self.seats, seed=self.seed, steps=self.steps)
        self._lock = threading.RLock()
        self._by_hash: dict[str, str] = {}
        self._removed: set[str] = set()
        self._public: tuple[int, dict] | None = None
        self._tables: Tables | None = None
        self._view = None
        self._events = 0
        self._submits_by_person = window("submissions_per_person")
        self._submits_by_seat = window("submissions_per_seat")

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

    # -- who is asking ---------------------------------------------------------------------------
    def identify(self, token: str | None) -> Person | str:
        """The person holding ``token``, or ``INSTRUCTOR``; anyone else is refused."""
        if not token or not isinstance(token, str):
            raise Unauthorized(f"room {self.code}: this needs your token (from your join or instructor link)")
        digest = token_hash(token)
        if secrets.compare_digest(digest, self.instructor_sha256):
            return INSTRUCTOR
        person_id = self._by_hash.get(digest)
        if person_id is None and digest in self._removed:
            raise Unauthorized(f"room {self.code}: the instructor removed you from this room; "
                               "ask them if you should join again")
        if person_id is None:
            raise Unauthorized(f"room {self.code}: this token belongs to nobody in the room; "
                               "use the link you were given when you joined")
        return self.people[person_id]

    def _instructor(self, token) -> None:
        if self.identify(token) != INSTRUCTOR:
            raise Forbidden(f"room {self.code}: only the instructor may do this")

    def _seated(self, token) -> Person:
        who = self.identify(token)
        if who == INSTRUCTOR:
            raise Forbidden(f"room {self.code}: the instructor has no seat; join as a student to play one")
        if who.seat is None:
            raise Forbidden(f"room {self.code}: you have no seat yet; wait for the instructor to give you one")
        return who

    # -- people ----------------------------------------------------------------------------------
    def join(self, name: str, seat: str | None = None) -> tuple[Person, str]:
        """Seat a new person (on ``seat``, or the emptiest open seat); returns them and their token."""
        with self._lock:
            name = _clean_text(name, "name", MAX_NAME)
            if self.status == FINISHED:
                raise UserError(f"room {self.code}: the game is over; there is nothing left to join")
            seat = self._open_seat(seat) if seat not in (None, "") else self._emptiest_seat()
            token = new_token()
            person = f"p{len(self.people) + 1}"
            self._record("joined", {"person": person, "name": name, "seat": seat, "token_sha256": token_hash(token)})
            self._resolve_if_ready()
            return self.people[person], token

    def assign(self, token, person: str, seat: str) -> None:
        """Instructor: put a person on a seat (or move them), making or joining a team."""
        with self._lock:
            self._instructor(token)
            self._person(person)
            self._record("assigned", {"person": person, "seat": self._open_seat(seat)})
            self._resolve_if_ready()

    def remove(self, token, person: str) -> None:
        """Instructor: remove a person; their token stops working."""
        with self._lock:
            self._instructor(token)
            self._person(person)
            self._record("removed", {"person": person})
            self._resolve_if_ready()

    def vacate(self, token, seat: str) -> None:
        """Instructor: empty a seat; its people wait without a seat until given one."""
        with self._lock:
            self._instructor(token)
            self._record("vacated", {"seat": self._open_seat(seat)})
            self._resolve_if_ready()

    def _person(self, person_id: str) -> Person:
        person = self.people.get(person_id) if isinstance(person_id, str) else None
        if person is None or person.removed:
            raise NotFound(f"room {self.code}: there is no person '{person_id}'; "
                           f"people here: {', '.join(self._active_ids()) or 'none'}")
        return person

    def _active_ids(self) -> list[str]:
        return [p.id for p in self.people.values() if not p.removed]

    def _open_seat(self, seat) -> str:
        if seat not in self.seats:
            raise NotFound(f"room {self.code}: '{seat}' is not a seat open to people here; "
                           f"open seats: {', '.join(self.seats)}")
        return seat

    def _emptiest_seat(self) -> str:
        counts = {s: len(self.players(s)) for s in self.seats}
        return min(self.seats, key=lambda s: (counts[s], self.seats.index(s)))

    def players(self, seat: str) -> list[Person]:
        return [p for p in self.people.values() if p.seat == seat and not p.removed]

    def occupied_seats(self) -> list[str]:
        return [s for s in self.seats if self.players(s)]

    # -- rounds ----------------------------------------------------------------------------------
    @property
    def round(self) -> int:
        """The round open now (round r resolves month r); the last round once the game is over."""
        return min(self.session.month + 1, self.steps)

    def start(self, token) -> None:
        """Instructor: open round 1 and start its timer."""
        with self._lock:
            self._instructor(token)
            if self.status != LOBBY:
                raise UserError(f"room {self.code}: the game has already started")
            self._record("started", {})
            self._resolve_if_ready()

    def submit(self, token, decisions, round_number: int | None = None) -> list[dict]:
        """A seat's decisions for this round (a list of dicts or Decisions; empty = do nothing new).

        Any member of the seat's team may submit; a later submission replaces the earlier one. A page
        passes the ``round_number`` it showed, so that a click that arrives just after the round
        resolved is refused instead of landing silently in the next round.
        """
        with self._lock:
            person = self._seated(token)
            self._require_playing()
            if round_number is not None and round_number != self.round:
                raise Stale(f"round {round_number!r} is over; round {self.round} is open now: "
                            "check the new situation and submit again")
            parsed = self._parse_decisions(decisions, person.seat)
            self._count_submission(person)
            self._record("submitted", {"person": person.id, "seat": person.seat, "round": self.round,
                                       "decisions": [encode(d) for d in parsed]})
            self._resolve_if_ready()
            return [public_decision(d) for d in parsed]

    def _count_submission(self, person: Person) -> None:
        now = self.clock()
        if not self._submits_by_person.allow(person.id, now):
            raise RateLimited(f"room {self.code}: you have submitted too often in the last minute; your last "
                              "submission stands, wait a moment before changing it again")
        if not self._submits_by_seat.allow(person.seat, now):
            raise RateLimited(f"room {self.code}: your team has submitted too often in the last minute; the "
                              "last submission stands, wait a moment before changing it again")

    def mark_restored(self) -> None:
        """Write that the room came back from the archive (so it is not archived again at once)."""
        with self._lock:
            self._record("restored", {})

    def _require_playing(self) -> None:
        if self.status == LOBBY:
            raise UserError(f"room {self.code}: the game has not started yet; wait for the instructor")
        if self.status == FINISHED:
            raise UserError(f"room {self.code}: the game is over; all {self.steps} rounds have been played")

    def _parse_decisions(self, decisions, seat: str) -> list[Decision]:
        if not isinstance(decisions, (list, tuple)):
            raise UserError(f"decisions must be a list (one entry per decision), got {type(decisions).__name__}")
        if len(decisions) > MAX_DECISIONS:
            raise UserError(f"at most {MAX_DECISIONS} decisions a round, got {len(decisions)}")
        return [self._parse_decision(d, seat, number) for number, d in enumerate(decisions, start=1)]

    def _parse_decision(self, given, seat: str, number: int) -> Decision:
        where = f"decision {number} of round {self.round}"
        if isinstance(given, Decision):
            given = {k: v for k, v in asdict(given).items() if k in FIELDS and v is not None}
            given.pop("step", None)
        if not isinstance(given, dict):
            raise UserError(f"{where}: expected an object with an action and its fields, got {type(given).__name__}")
        _check_numbers(given, where)
        actor = given.get("actor", seat)
        if actor != seat:
            raise Forbidden(f"{where}: your seat is {seat}; you cannot decide for '{actor}'")
        if given.get("step", self.round) != self.round:
            raise UserError(f"{where}: decisions are for the round open now ({self.round}), not {given['step']!r}")
        decision = from_mapping({**given, "step": self.round, "actor": seat}, where, origin="player")
        self.session.check_decision(decision)
        return decision

    def pause(self, token) -> None:
        with self._lock:
            self._instructor(token)
            self._require_playing()
            if self.timer.paused:
                raise UserError(f"room {self.code}: the game is already paused")
            self._record("paused", {})

    def resume(self, token) -> None:
        with self._lock:
            self._instructor(token)
            self._require_playing()
            if not self.timer.paused:
                raise UserError(f"room {self.code}: the game is not paused")
            self._record("resumed", {})
            self._resolve_if_ready()

    def extend(self, token, seconds) -> None:
        """Instructor: give the open round ``seconds`` more (1 to 3600)."""
        with self._lock:
            self._instructor(token)
            self._require_playing()
            self._record("extended", {"seconds": _whole_number(seconds, "seconds", 1, 3600)})

    def advance(self, token) -> None:
        """Instructor: resolve the open round now; seats that have not submitted take their default move."""
        with self._lock:
            self._instructor(token)
            self._require_playing()
            self._resolve("instructor")

    def broadcast(self, token, message: str) -> None:
        with self._lock:
            self._instructor(token)
            self._record("broadcast", {"message": _clean_text(message, "message", MAX_MESSAGE)})

    def shock(self, token, decision) -> dict:
        """Instructor: breaking news, a decision for any actor with a headline, applied when this round
        resolves (``{"actor": "CN", "action": "sell_treasuries", "amount_bn": 200, "headline": "..."}``)."""
        with self._lock:
            self._instructor(token)
            if self.status == FINISHED:
                raise UserError(f"room {self.code}: the game is over; there is no round left for news")
            parsed = self._parse_shock(decision)
            self._record("shock", {"round": self.round, "decision": encode(parsed)})
            return public_decision(parsed)

    def _parse_shock(self, given) -> Decision:
        where = f"breaking news for round {self.round}"
        if isinstance(given, Decision):
            given = {k: v for k, v in asdict(given).items() if k in FIELDS + ("note",) and v not in (None, "")}
        if not isinstance(given, dict):
            raise UserError(f"{where}: expected an object with actor, action, its fields and a headline")
        _check_numbers(given, where)
        headline = given.get("headline", given.get("note", ""))
        headline = _clean_text(headline, "headline", MAX_HEADLINE)
        fields = {k: v for k, v in given.items() if k not in ("headline", "note", "step")}
        decision = from_mapping({**fields, "step": self.round, "headline": headline}, where, origin="scenario")
        try:
            check(decision, self.steps)
        except DecisionError as error:
            raise UserError(str(error)) from None
        return decision

    def tick(self, now: float | None = None) -> bool:
        """Resolve the open round if its time is up or every occupied seat has submitted (the ticker
        calls this; it also finishes a round whose deadline passed while the server was down)."""
        with self._lock:
            if self.status != PLAYING or self.timer.paused:
                return False
            now = self.clock() if now is None else now
            if self.timer.deadline is not None and now >= self.timer.deadline:
                self._resolve("timer")
                return True
            return self._resolve_if_ready()

    def _all_submitted(self) -> bool:
        occupied = self.occupied_seats()
        return bool(occupied) and all(seat in self.submissions for seat in occupied)

    def _resolve_if_ready(self) -> bool:
        if self.status == PLAYING and not self.timer.paused and self._all_submitted():
            self._resolve("all submitted")
            return True
        return False

    def _resolve(self, reason: str) -> None:
        """Play the month: every submission and shock the model accepts; the rest are refused with the
        model's reason, written in the log so that a replay applies exactly the same decisions."""
        round_number = self.round
        parts = [(s, list(self.submissions[s].decisions)) for s in self.seats if s in self.submissions]
        kept, refused, kept_shocks, refused_shocks = step_with_refusals(self.session, parts, list(self.shocks))
        data = {"round": round_number, "reason": reason,
                "decisions": {seat: [encode(d) for d in ds] for seat, ds in kept},
                "submitted_by": {s: self.submissions[s].person for s, _ in parts},
                "refused": {seat: {"reason": why, "decisions": [encode(d) for d in dict(parts)[seat]]}
                            for seat, why in refused.items()},
                "shocks": [encode(d) for d in kept_shocks],
                "refused_shocks": [{"decision": encode(d), "reason": why} for d, why in refused_shocks]}
        try:
            self._record("resolved", data, stepped=True)
        except BaseException:
            self.session.undo()
            raise

    # -- applying events (live and replay) -------------------------------------------------------
    def _record(self, kind: str, data: dict, stepped: bool = False) -> None:
        """Write the event to the log first, then apply it: nothing counts until it is on disk."""
        if self.store is None:
            raise UserError(f"room {self.code} is a read-only copy and cannot be changed")
        if kind in CAPPED_KINDS and self._events >= MAX_EVENTS:
            raise UserError(f"room {self.code} has reached its limit of {MAX_EVENTS} logged events; the "
                            "instructor can still end the rounds and export the game, but nothing new is added")
        event = self.store.append(self.code, kind, data, at=self.clock())
        self._apply(event, stepped)

    def _apply(self, event: Event, stepped: bool = False) -> None:
        handler = getattr(self, f"_on_{event.kind}", None)
        if handler is None:
            raise UserError(f"room {self.code}: the log holds an unknown event '{event.kind}'")
        if event.kind == "resolved":
            handler(event, stepped)
        else:
            handler(event)
        self.version += 1
        self._events += 1

    def _on_joined(self, event: Event) -> None:
        d = event.data
        self.people[d["person"]] = Person(d["person"], d["name"], d["seat"], d["token_sha256"], event.at)
        self._by_hash[d["token_sha256"]] = d["person"]
        self._remember_seat(d["person"], d["seat"])

    def _remember_seat(self, person: str, seat: str) -> None:
        sitters = self.seated.setdefault(seat, [])
        if person not in sitters:
            sitters.append(person)

    def _on_assigned(self, event: Event) -> None:
        self.people[event.data["person"]].seat = event.data["seat"]
        self._remember_seat(event.data["person"], event.data["seat"])

    def _on_removed(self, event: Event) -> None:
        person = self.people[event.data["person"]]
        person.removed, person.seat = True, None
        self._by_hash.pop(person.token_sha256, None)
        self._removed.add(person.token_sha256)

    def _on_vacated(self, event: Event) -> None:
        for person in self.players(event.data["seat"]):
            person.seat = None

    def _on_started(self, event: Event) -> None:
        self.status = PLAYING
        self._open_round(event.at)

    def _on_submitted(self, event: Event) -> None:
        d = event.data
        decisions = tuple(decode(r) for r in d["decisions"])
        self.submissions[d["seat"]] = Submission(d["seat"], d["person"], decisions, event.at)

    def _on_restored(self, event: Event) -> None:
        """Back from the archive: nothing in the game changes."""

    def _on_paused(self, event: Event) -> None:
        self.timer = Timer(None, True, self.timer.seconds_left(event.at))

    def _on_resumed(self, event: Event) -> None:
        self.timer = Timer(event.at + (self.timer.paused_left or 0.0), False, None)

    def _on_extended(self, event: Event) -> None:
        seconds = event.data["seconds"]
        if self.timer.paused:
            self.timer.paused_left = (self.timer.paused_left or 0.0) + seconds
        elif self.timer.deadline is not None:
            self.timer.deadline = max(self.timer.deadline, event.at) + seconds

    def _on_broadcast(self, event: Event) -> None:
        self.broadcasts.append({"at": event.at, "message": event.data["message"]})

    def _on_shock(self, event: Event) -> None:
        self.shocks.append(decode(event.data["decision"]))

    def _on_resolved(self, event: Event, stepped: bool) -> None:
        d = event.data
        if not stepped:
            decisions = [decode(r) for seat in self.seats for r in d["decisions"].get(seat, [])]
            self.session.step(decisions, [decode(r) for r in d["shocks"]])
        self.history.append({**d, "at": event.at})
        self.submissions.clear()
        self.shocks = []
        if self.session.finished:
            self.status, self.timer = FINISHED, Timer()
        else:
            self._open_round(event.at)

    def _open_round(self, at: float) -> None:
        if self.timer.paused:
            self.timer = Timer(None, True, float(self.round_seconds))
        else:
            self.timer = Timer(at + self.round_seconds, False, None)

    # -- reading ---------------------------------------------------------------------------------
    def state(self, token: str | None = None) -> dict:
        """What a page shows: the public state, plus a seat's private part for a seat token, or the
        instructor's view for the instructor token. Without a token: the public state only."""
        with self._lock:
            who = None if token is None else self.identify(token)
            state = copy.deepcopy(self._public_state())
            state["seconds_left"] = self.timer.seconds_left(self.clock())
            if who == INSTRUCTOR:
                state["instructor"] = self._instructor_view()
            elif isinstance(who, Person):
                state["you"] = self._seat_view(who)
            return state

    def _public_state(self) -> dict:
        """Everything anyone in the room may see, rebuilt only when the room's version changes."""
        if self._public is None or self._public[0] != self.version:
            self._public = (self.version, self._build_public_state())
        return self._public[1]

    def _build_public_state(self) -> dict:
        latest = self.session.result.model.iloc[-1]
        return {
            "code": self.code, "scenario": self.loaded.id, "title": self.loaded.title,
            "status": self.status, "round": self.round, "rounds": self.steps, "month": self.session.month,
            "date": str(latest["date"]), "paused": self.timer.paused, "deadline": self.timer.deadline,
            "round_seconds": self.round_seconds, "version": self.version,
            "seats": [{"seat": s, "kind": seat_kind(s), "players": [p.name for p in self.players(s)],
                       "submitted": s in self.submissions} for s in self.seats],
            "waiting": [p.name for p in self.people.values() if p.seat is None and not p.removed],
            "broadcasts": list(self.broadcasts),
            "headlines": [{"month": m, "headline": h} for m, h in self.session.headlines()[:SHOWN_HEADLINES]],
            "markets": {k: _plain(v) for k, v in latest.items()},
        }

    def _seat_view(self, person: Person) -> dict:
        view = {"id": person.id, "name": person.name, "seat": person.seat}
        if person.seat is None:
            return view
        seat, role = person.seat, self.loaded.roles.get(person.seat)
        mine = self.submissions.get(seat)
        last = self.history[-1] if self.history else {}
        return {**view, "kind": seat_kind(seat), "actions": actions_for(seat),
                "team": [p.name for p in self.players(seat)],
                "brief": role.brief if role else "",
                "objectives": self.session.model.seat_weights(seat),
                "submission": None if mine is None else [public_decision(d) for d in mine.decisions],
                "submitted_by": None if mine is None else self.people[mine.person].name,
                "score": self.session.score(seat), "score_parts": self.session.score_parts(seat),
                "refused": last.get("refused", {}).get(seat, {}).get("reason")}

    def _instructor_view(self) -> dict:
        return {
            "people": [{"id": p.id, "name": p.name, "seat": p.seat, "joined_at": p.joined_at}
                       for p in self.people.values() if not p.removed],
            "submissions": {s: {"by": self.people[sub.person].name, "at": sub.at,
                                "decisions": [public_decision(d) for d in sub.decisions]}
                            for s, sub in self.submissions.items()},
            "pending_shocks": [public_decision(d) for d in self.shocks],
            "refused": {s: r["reason"] for s, r in (self.history[-1]["refused"] if self.history else {}).items()},
        }

    def result(self) -> "Tables":
        """The game so far as tables (model, economies, trade, events, drivers): public market data.

        The tables are built under the room's lock and never change afterwards, so a page may read
        them while the ticker plays the next month (the session's own result reads the live model).
        """
        with self._lock:
            if self._tables is None or self._tables.month != self.session.month:
                live = self.session.result
                self._tables = Tables(self.session.month, live.model.copy(), live.economies.copy(),
                                      live.trade.copy(), live.events.copy(), live.drivers.copy())
            return self._tables

    def view(self):
        """A read-only snapshot of the game for the pages (``classroom.view.RoomView``), made under the
        lock once per month: the panels draw from it while the ticker plays the next month."""
        from classroom.view import room_view

        with self._lock:
            if self._view is None or self._view.month != self.session.month:
                self._view = room_view(self)
            return self._view

    def why(self, month: int, market: str):
        """A market's move in ``month`` split by cause (the "why" panel)."""
        with self._lock:
            return self.session.why(month, market)

    # -- debrief (instructor) ---------------------------------------------------------------------
    def at_round(self, token, k: int) -> PlaySession:
        """Instructor: the game as it stood after round ``k`` (0 = before the first round)."""
        from classroom.debrief import session_at

        with self._lock:
            self._instructor(token)
            return session_at(self, k)

    def branch(self, token, from_round: int, drop=(), replace=None) -> PlaySession:
        """Instructor: the counterfactual in which the seats in ``drop`` took no decisions from
        ``from_round`` on, and the seats in ``replace`` took the given ones instead, played to the
        same month as the real game."""
        from classroom.debrief import counterfactual

        with self._lock:
            self._instructor(token)
            return counterfactual(self, from_round, drop, replace or {})

    def scoreboard(self, token):
        """Instructor: a DataFrame of seats, who played them, score and its four parts."""
        from classroom.debrief import scoreboard

        with self._lock:
            self._instructor(token)
            return scoreboard(self)

    def export(self, token) -> bytes:
        """Instructor: a zip of decisions and outcomes, CSV and Parquet, for grading."""
        from classroom.debrief import export_zip

        with self._lock:
            self._instructor(token)
            return export_zip(self)

    def log(self) -> list[Decision]:
        """Every decision applied so far (players' and instructor shocks), in order."""
        with self._lock:
            return list(self.session.log)


def step_with_refusals(session: PlaySession, parts: list[tuple[str, list[Decision]]], shocks: list[Decision]):
    """Play one month with as much as the model accepts.

    First everything together; if the model refuses something, shocks and then seats (in seat order)
    are added one at a time, and each that makes the month impossible is left out with the model's
    reason. Returns (kept parts, {seat: reason}, kept shocks, [(shock, reason)]); the session has
    played the month with what was kept.
    """
    flat = [d for _, ds in parts for d in ds]
    if _attempt(session, flat, shocks, keep=True) is None:
        return parts, {}, shocks, []
    kept_shocks, refused_shocks = [], []
    for shock in shocks:
        problem = _attempt(session, [], kept_shocks + [shock], keep=False)
        if problem:
            refused_shocks.append((shock, problem))
        else:
            kept_shocks.append(shock)
    kept, refused = [], {}
    for seat, decisions in parts:
        problem = _attempt(session, [d for _, ds in kept for d in ds] + decisions, kept_shocks, keep=False)
        if problem:
            refused[seat] = problem
        else:
            kept.append((seat, decisions))
    session.step([d for _, ds in kept for d in ds], kept_shocks)
    return kept, refused, kept_shocks, refused_shocks


def _attempt(session: PlaySession, decisions, shocks, keep: bool) -> str | None:
    """Try the month; None if it played (undone unless ``keep``), else the model's reason."""
    try:
        session.step(decisions, shocks)
    except UserError as error:
        return str(error)
    if not keep:
        session.undo()
    return None


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


__all__ = ["Room", "Person", "Submission", "INSTRUCTOR", "LOBBY", "PLAYING", "FINISHED", "step_with_refusals"]
