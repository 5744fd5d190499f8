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

from classroom.errors import NotFound, RateLimited
from classroom.limits import window
from classroom.room import FINISHED, Room
from classroom.store import ARCHIVED, LIVE, DamagedLog, EventStore
from simulation.errors import UserError

# No 0/O, 1/I/L: codes are read aloud and copied from a projector.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
TICK_SECONDS = 0.25
ARCHIVE_CHECK_SECONDS = 60.0
# Rooms leave memory (their log stays in the file) when finished or idle this long (env overrides).
ARCHIVE_AFTER = {"finished": ("TRADEWAR_CLASS_ARCHIVE_FINISHED_HOURS", 24.0),
                 "idle": ("TRADEWAR_CLASS_ARCHIVE_IDLE_HOURS", 14 * 24.0)}


def _hours(kind: str) -> float:
    variable, default = ARCHIVE_AFTER[kind]
    text = os.environ.get(variable, "")
    try:
        hours = float(text) if text else default
    except ValueError:
        hours = -1.0
    if not hours > 0:
        raise UserError(f"environment variable {variable} must be a number of hours above 0, got {text!r}")
    return hours


class ClassRegistry:
    """The rooms of this server (the live ones in memory, the archived ones on disk only). Limits per
    minute are in ``classroom.limits``; rooms finished for a day or idle for two weeks are archived
    (``ARCHIVE_AFTER``) and come back by themselves when someone opens them."""

    def __init__(self, path, clock=time.time, ticker: bool = True, joins_per_address: int | None = None,
                 joins_per_room: int | None = None, creates_per_address: int | None = None):
        self.store = EventStore(path)
        self.clock = clock
        self._lock = threading.RLock()
        self.rooms: dict[str, Room] = {}
        self.broken: dict[str, str] = {}
        self._joins_by_address = window("joins_per_address", joins_per_address)
        self._joins_by_room = window("joins_per_room", joins_per_room)
        self._creates_by_address = window("creates_per_address", creates_per_address)
        self._misses_by_address = window("misses_per_address")
        self._archive_after_s = {kind: 3600.0 * _hours(kind) for kind in ARCHIVE_AFTER}
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._replay_all()
        if ticker:
            self.start_ticker()

    def _replay_all(self) -> None:
        """Rebuild every live room from the log (archived rooms stay on disk); a room that cannot be
        replayed exactly (its scenario file changed, another model version, a damaged row) is kept
        aside with the reason, its log untouched."""
        for code, events in self.store.rooms(LIVE).items():
            self._replay(code, events)

    def _replay(self, code: str, events) -> Room | None:
        try:
            if isinstance(events, DamagedLog):
                raise events
            self.rooms[code] = Room.from_log(events, self.store, self.clock)
            return self.rooms[code]
        except UserError as error:
            self.broken[code] = str(error)
        except Exception as error:      # a damaged log must not stop the server or the other rooms
            self.broken[code] = f"its log could not be replayed ({type(error).__name__}: {error})"
        return None

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
        taken = self.store.index()
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in self.rooms and code not in self.broken and code not in taken:
                return code

    def get(self, code, client: str | None = None) -> Room:
        """The room with this join code (case and spaces ignored); an archived room is restored.

        With ``client`` (an address or a browser), codes that do not exist are counted: after too many
        in a minute every lookup from that client is refused for the rest of it, so codes cannot be
        tried one after another."""
        key = "".join(str(code).split()).upper()
        if client is not None and self._misses_by_address.exhausted(str(client), self.clock()):
            raise RateLimited("too many room codes tried from your address; wait a minute and try again")
        with self._lock:
            if key in self.broken:
                raise UserError(f"room {key} cannot be opened: {self.broken[key]}")
            room = self.rooms.get(key) or self._restore(key)
        if room is None:
            if client is not None:
                self._misses_by_address.allow(str(client), self.clock())
            raise NotFound(f"there is no room with code '{str(code)[:20]}'; check the code you were given")
        return room

    def join(self, code, name: str, seat: str | None = None, client: str = "local") -> tuple[Room, str, str]:
        """Seat a student in a room: returns (room, seat, token). Rate-limited per address and room."""
        now = self.clock()
        if not self._joins_by_address.allow(str(client), now):
            raise RateLimited("too many join attempts from your address; wait a minute and try again")
        room = self.get(code, client=str(client))
        if not self._joins_by_room.allow(room.code, now):
            raise RateLimited(f"too many join attempts for room {room.code}; wait a minute and try again")
        person, token = room.join(name, seat)
        return room, person.seat, token

    def lookup(self, code, client: str = "local") -> Room:
        """The room with this code for someone about to join (the join page lists its seats); codes
        that do not exist are counted per client (see ``get``)."""
        return self.get(code, client=str(client))

    # -- the archive -----------------------------------------------------------------------------
    def archive(self, code: str) -> None:
        """Take a room out of memory; its log stays in the file and ``get`` brings it back."""
        with self._lock:
            room = self.rooms.pop(code, None)
            if room is None:
                raise NotFound(f"there is no live room with code '{code}'")
            self.store.set_state(code, ARCHIVED)

    def _restore(self, code: str) -> Room | None:
        """An archived room replayed from its log and live again (None if there is no such room)."""
        entry = self.store.index().get(code)
        if entry is None or entry["state"] != ARCHIVED:
            return None
        try:
            events = self.store.events(code)
        except DamagedLog as damaged:
            events = damaged
        room = self._replay(code, events)
        if room is None:
            raise UserError(f"room {code} cannot be opened: {self.broken[code]}")
        self.store.set_state(code, LIVE)
        room.mark_restored()
        return room

    def archive_due(self, now: float | None = None) -> list[str]:
        """Archive rooms finished longer than a day or idle longer than two weeks (the defaults);
        returns their codes."""
        now = self.clock() if now is None else now
        index = self.store.index()
        due = []
        for code in self.codes():
            room, last_at = self.rooms[code], index.get(code, {}).get("last_at", now)
            kind = "finished" if room.status == FINISHED else "idle"
            if now - last_at > self._archive_after_s[kind]:
                self.archive(code)
                due.append(code)
        return due

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
        checked = self.clock()
        while not self._stop.wait(TICK_SECONDS):
            self.tick_all()
            if self.clock() - checked > ARCHIVE_CHECK_SECONDS:
                checked = self.clock()
                try:
                    self.archive_due()
                except Exception as error:   # never stop the clocks over housekeeping
                    print(f"class game: archiving failed: {error}", file=sys.stderr)

    def close(self) -> None:
        """Stop the ticker and close the file (tests; a server simply exits)."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=2)
        self.store.close()
