"""The class game's log: one SQLite row per event, appended as it happens and never changed.

A room is nothing but its log (scenario, seed, model version, every join, submission, resolution and
instructor action, each with its time), so a restarted server rebuilds every room exactly by replaying
it. Only SHA-256 hashes of tokens are written here, never the tokens themselves.

Durability: the file is in WAL mode with ``synchronous=FULL``, so a commit returns only after the WAL
is synced to disk. NORMAL would already survive a killed process (the WAL is in the OS cache), but not a
power cut; a class writes a few rows a second at most, so an fsync per event costs nothing noticeable
and a game survives both.

One server per file: the store holds an exclusive lock on the file (``flock``) for as long as it is
open. Two servers on one file would both hand out person ``p1`` and mix up seats; the second is refused
with one sentence instead.

Rooms that are finished or idle are *archived*: their rows stay in the file (restorable, exportable),
but the ``rooms`` table marks them, so start-up reads the live rooms' events only and its time does not
grow with the archive.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classroom.errors import StorageFailed
from simulation.errors import UserError

LIVE, ARCHIVED = "live", "archived"

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq  INTEGER PRIMARY KEY AUTOINCREMENT,
    room TEXT NOT NULL,
    at   REAL NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_room ON events (room, seq);
CREATE TABLE IF NOT EXISTS rooms (
    code    TEXT PRIMARY KEY,
    state   TEXT NOT NULL DEFAULT 'live',
    last_at REAL NOT NULL,
    events  INTEGER NOT NULL DEFAULT 0
);
"""


@dataclass(frozen=True)
class Event:
    """One line of a room's log: what happened (``kind``), when (epoch seconds) and its details."""

    room: str
    at: float
    kind: str
    data: dict[str, Any]


class DamagedLog(UserError):
    """A room's rows cannot be read back (a garbled row): that room is set aside, the others load."""


class EventStore:
    """An append-only event log in one SQLite file, shared by all threads through one lock, and held
    by this process alone."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._check_file()
        self._holder = self._take_file()
        try:
            self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
            self._index_old_rooms()
        except sqlite3.Error as error:
            self._release()
            raise UserError(f"class-game file '{self.path}' cannot be used: {_words(error)}; "
                            "restore it from a backup, or start the server with another --class-db") from None

    # -- opening ---------------------------------------------------------------------------------
    def _check_file(self) -> None:
        """Refuse, with one sentence, a file that would otherwise start silently empty or fail later."""
        if self.path.is_dir():
            raise UserError(f"class-game file '{self.path}' is a folder; name a file (--class-db)")
        if self.path.exists():
            if self.path.stat().st_size == 0:
                raise UserError(f"class-game file '{self.path}' is empty (0 bytes), so any games it held are "
                                "gone; restore it from a backup, or delete it to start a new one")
            if not os.access(self.path, os.R_OK | os.W_OK):
                raise UserError(f"class-game file '{self.path}' is read-only for this user, so no class could "
                                "be saved; make it writable or start the server with another --class-db")
        folder = self.path.parent if str(self.path.parent) else Path(".")
        if not folder.exists():
            folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK):
            raise UserError(f"the folder of class-game file '{self.path}' is not writable (SQLite keeps its "
                            "journal beside the file); choose another --class-db")

    def _take_file(self):
        """An exclusive lock on the file for this process's lifetime (released by ``close`` or exit)."""
        holder = open(self.path, "ab")
        try:
            fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder.close()
            raise UserError(f"class-game file '{self.path}' is in use by another server; stop that server "
                            "first, or start this one with another --class-db") from None
        return holder

    def _release(self) -> None:
        if self._holder is not None:
            self._holder.close()
            self._holder = None

    def _index_old_rooms(self) -> None:
        """A file written before rooms were indexed: index every room as live, once."""
        with self._lock:
            self._db.execute("""INSERT OR IGNORE INTO rooms (code, state, last_at, events)
                                SELECT room, 'live', MAX(at), COUNT(*) FROM events GROUP BY room""")

    # -- writing ---------------------------------------------------------------------------------
    def append(self, room: str, kind: str, data: dict[str, Any], at: float | None = None) -> Event:
        """Write one event and return it once it is safely on disk."""
        event = Event(room, time.time() if at is None else float(at), kind, data)
        text = json.dumps(data, sort_keys=True, allow_nan=False)
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute("INSERT INTO events (room, at, kind, data) VALUES (?, ?, ?, ?)",
                                 (event.room, event.at, event.kind, text))
                self._db.execute("""INSERT INTO rooms (code, state, last_at, events) VALUES (?, 'live', ?, 1)
                                    ON CONFLICT(code) DO UPDATE SET last_at = excluded.last_at,
                                    events = events + 1""", (event.room, event.at))
                self._db.execute("COMMIT")
            except sqlite3.Error as error:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise StorageFailed(f"the class game could not be saved ({_words(error)}): nothing was changed; "
                                f"check the disk and the file '{self.path}'") from None
        return event

    def set_state(self, room: str, state: str) -> None:
        """Mark a room live or archived (its events stay as they are)."""
        with self._lock:
            self._db.execute("UPDATE rooms SET state = ? WHERE code = ?", (state, room))

    # -- reading ---------------------------------------------------------------------------------
    def events(self, room: str) -> list[Event]:
        """One room's events in the order they were written; ``DamagedLog`` if a row is garbled."""
        with self._lock:
            rows = self._query("SELECT room, at, kind, data FROM events WHERE room = ? ORDER BY seq", (room,))
        return _decoded(room, rows)

    def rooms(self, state: str = LIVE) -> dict[str, list[Event] | DamagedLog]:
        """The events of every room in ``state``, by room in the order the rooms were created; a room
        whose rows cannot be read maps to the ``DamagedLog`` that says why."""
        with self._lock:
            rows = self._query("""SELECT e.room, e.at, e.kind, e.data FROM events e JOIN rooms r ON r.code = e.room
                                  WHERE r.state = ? ORDER BY e.seq""", (state,))
        grouped: dict[str, list] = {}
        for row in rows:
            grouped.setdefault(row[0], []).append(row)
        out: dict[str, list[Event] | DamagedLog] = {}
        for code, room_rows in grouped.items():
            try:
                out[code] = _decoded(code, room_rows)
            except DamagedLog as damaged:
                out[code] = damaged
        return out

    def index(self) -> dict[str, dict]:
        """Every room's state, time of its last event and number of events."""
        with self._lock:
            rows = self._query("SELECT code, state, last_at, events FROM rooms ORDER BY code", ())
        return {code: {"state": state, "last_at": last_at, "events": events} for code, state, last_at, events in rows}

    def _query(self, sql: str, args: tuple) -> list[tuple]:
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as error:
            raise UserError(f"class-game file '{self.path}' is damaged ({_words(error)}); restore it from a "
                            "backup (the file is left untouched)") from None

    def close(self) -> None:
        with self._lock:
            self._db.close()
            self._release()


def _decoded(room: str, rows: list[tuple]) -> list[Event]:
    events = []
    for number, (code, at, kind, data) in enumerate(rows, start=1):
        try:
            details = json.loads(data)
            if not isinstance(details, dict) or not isinstance(kind, str):
                raise ValueError("not an event")
            events.append(Event(code, float(at), kind, details))
        except (TypeError, ValueError) as error:
            raise DamagedLog(f"row {number} of room {room}'s log is damaged ({error}); the log is kept "
                             "untouched in the file") from None
    return events


def _words(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    return text[:1].lower() + text[1:]
