"""The class game's log: one SQLite row per event, appended as it happens and never changed.

A room is nothing but its log (scenario, seed, model version, every join, submission, resolution and
instructor action, each with its time), so a restarted server rebuilds every room exactly by replaying
it. Only SHA-256 hashes of tokens are written here, never the tokens themselves.

Durability: the file is in WAL mode with ``synchronous=FULL``, so a commit returns only after the WAL
is synced to disk. NORMAL would already survive a killed process (the WAL is in the OS cache), but not a
power cut; a class writes a few rows a second at most, so an fsync per event costs nothing noticeable
and a game survives both.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulation.errors import UserError

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq  INTEGER PRIMARY KEY AUTOINCREMENT,
    room TEXT NOT NULL,
    at   REAL NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_room ON events (room, seq);
"""


@dataclass(frozen=True)
class Event:
    """One line of a room's log: what happened (``kind``), when (epoch seconds) and its details."""

    room: str
    at: float
    kind: str
    data: dict[str, Any]


class EventStore:
    """An append-only event log in one SQLite file, shared by all threads through one lock."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
        except sqlite3.Error as error:
            raise UserError(f"class-game file '{self.path}' cannot be opened as SQLite: {error}") from None

    def append(self, room: str, kind: str, data: dict[str, Any], at: float | None = None) -> Event:
        """Write one event and return it once it is safely on disk."""
        event = Event(room, time.time() if at is None else float(at), kind, data)
        text = json.dumps(data, sort_keys=True, allow_nan=False)
        with self._lock:
            self._db.execute("INSERT INTO events (room, at, kind, data) VALUES (?, ?, ?, ?)",
                             (event.room, event.at, event.kind, text))
        return event

    def events(self, room: str | None = None) -> list[Event]:
        """Every event (of one room, or of all), in the order they were written."""
        query = "SELECT room, at, kind, data FROM events"
        args: tuple = ()
        if room is not None:
            query, args = query + " WHERE room = ?", (room,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY seq", args).fetchall()
        return [Event(r, at, kind, json.loads(data)) for r, at, kind, data in rows]

    def rooms(self) -> dict[str, list[Event]]:
        """Every room's events, grouped by room in the order the rooms were created."""
        grouped: dict[str, list[Event]] = {}
        for event in self.events():
            grouped.setdefault(event.room, []).append(event)
        return grouped

    def close(self) -> None:
        with self._lock:
            self._db.close()
