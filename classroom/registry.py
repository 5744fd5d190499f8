"""Every room of one server process, kept in one SQLite log and replayed from it on start-up.

The registry makes rooms (with short join codes), finds them, seats people with a rate limit per
client address and per room, and runs the ticker: a daemon thread that closes rounds whose time is
up, so a room moves on even when nobody is looking at it.
"""

from __future__ import annotations

import os
import secrets
import sys
import threading
import time
from collections import defaultdict, deque

from classroom.errors import NotFound, RateLimited
from classroom.room import Room
from classroom.store import EventStore
from simulation.errors import UserError

# No 0/O, 1/I/L: codes are read aloud and copied from a projector.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
TICK_SECONDS = 0.25


class SlidingWindow:
    """At most ``limit`` hits per key in any ``seconds``-long window."""

    def __init__(self, limit: int, seconds: float = 60.0):
        self.limit, self.seconds = limit, seconds
        self._hits: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str, now: float) -> bool:
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - self.seconds:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True


def _limit_from_env(name: str, default: int) -> int:
    text = os.environ.get(name, "")
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise UserError(f"environment variable {name} must be a whole number of at least 1, got {text!r}")
    return int(text)


class ClassRegistry:
    """The rooms of this server. Limits (attempts a minute): joins per client address (default 20,
    env ``TRADEWAR_CLASS_JOINS_PER_ADDRESS``), joins per room (default 120,
    ``TRADEWAR_CLASS_JOINS_PER_ROOM``), rooms created per address (default 10)."""

    def __init__(self, path, clock=time.time, ticker: bool = True, joins_per_address: int | None = None,
                 joins_per_room: int | None = None, creates_per_address: int = 10):
        self.store = EventStore(path)
        self.clock = clock
        self._lock = threading.RLock()
        self.rooms: dict[str, Room] = {}
        self.broken: dict[str, str] = {}
        self._joins_by_address = SlidingWindow(joins_per_address or _limit_from_env("TRADEWAR_CLASS_JOINS_PER_ADDRESS", 20))
        self._joins_by_room = SlidingWindow(joins_per_room or _limit_from_env("TRADEWAR_CLASS_JOINS_PER_ROOM", 120))
        self._creates_by_address = SlidingWindow(creates_per_address)
        self._lookups_by_address = SlidingWindow(3 * (joins_per_address or _limit_from_env("TRADEWAR_CLASS_JOINS_PER_ADDRESS", 20)))
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._replay_all()
        if ticker:
            self.start_ticker()

    def _replay_all(self) -> None:
        """Rebuild every room from the log; a room that cannot be replayed exactly (its scenario file
        changed, another model version) is kept aside with the reason, its log untouched."""
        for code, events in self.store.rooms().items():
            try:
                self.rooms[code] = Room.from_log(events, self.store, self.clock)
            except UserError as error:
                self.broken[code] = str(error)
            except Exception as error:      # a damaged log must not stop the server or the other rooms
                self.broken[code] = f"its log could not be replayed ({type(error).__name__}: {error})"

    # -- rooms -----------------------------------------------------------------------------------
    def create(self, scenario, seats=None, seed: int | None = None, round_seconds: int = 180,
               steps: int | None = None, start: bool = False, client: str = "local") -> tuple[Room, str]:
        """A new room and its instructor token; ``start=True`` opens round 1 at once."""
        if not self._creates_by_address.allow(str(client), self.clock()):
            raise RateLimited("too many rooms created from your address; wait a minute and try again")
        with self._lock:
            room, token = Room.open(self.store, self._new_code(), scenario, seats=seats, seed=seed,
                                    steps=steps, round_seconds=round_seconds, clock=self.clock)
            self.rooms[room.code] = room
        if start:
            room.start(token)
        return room, token

    def _new_code(self) -> str:
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in self.rooms and code not in self.broken:
                return code

    def get(self, code) -> Room:
        """The room with this join code (case and spaces ignored)."""
        key = "".join(str(code).split()).upper()
        with self._lock:
            if key in self.broken:
                raise UserError(f"room {key} cannot be opened: {self.broken[key]}")
            room = self.rooms.get(key)
        if room is None:
            raise NotFound(f"there is no room with code '{str(code)[:20]}'; check the code you were given")
        return room

    def join(self, code, name: str, seat: str | None = None, client: str = "local") -> tuple[Room, str, str]:
        """Seat a student in a room: returns (room, seat, token). Rate-limited per address and room."""
        now = self.clock()
        if not self._joins_by_address.allow(str(client), now):
            raise RateLimited("too many join attempts from your address; wait a minute and try again")
        room = self.get(code)
        if not self._joins_by_room.allow(room.code, now):
            raise RateLimited(f"too many join attempts for room {room.code}; wait a minute and try again")
        person, token = room.join(name, seat)
        return room, person.seat, token

    def lookup(self, code, client: str = "local") -> Room:
        """The room with this code for someone about to join (the join page lists its seats).
        Rate-limited per address like joins, so the page cannot be used to try codes one after another."""
        if not self._lookups_by_address.allow(str(client), self.clock()):
            raise RateLimited("too many room codes tried from your address; wait a minute and try again")
        return self.get(code)

    def codes(self) -> list[str]:
        with self._lock:
            return list(self.rooms)

    # -- the ticker ------------------------------------------------------------------------------
    def tick_all(self, now: float | None = None) -> int:
        """Give every room a chance to close its round; returns how many rounds were resolved."""
        resolved = 0
        for code in self.codes():
            try:
                resolved += self.rooms[code].tick(now)
            except Exception as error:      # one broken room must not stop the others' clocks
                print(f"class game: room {code} could not close its round: {error}", file=sys.stderr)
        return resolved

    def start_ticker(self) -> None:
        with self._lock:
            if self._ticker is None:
                self._ticker = threading.Thread(target=self._tick_forever, name="class-game-ticker", daemon=True)
                self._ticker.start()

    def _tick_forever(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            self.tick_all()

    def close(self) -> None:
        """Stop the ticker and close the file (tests; a server simply exits)."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=2)
        self.store.close()
