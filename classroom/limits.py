"""How much one person, one address or one room may do in a minute, and where an instructor changes it.

Every limit is a ``SlidingWindow`` (at most ``limit`` hits per key in any 60 s). The defaults suit a
class of thirty on one school network, where every student may reach the server from the same address
(NAT): joins are limited per room and per browser, and only loosely per address. An instructor raises
a limit with the environment variable named beside it (docs/classroom.md, "Limits").
"""

from __future__ import annotations

import os
import threading
from collections import defaultdict, deque

from simulation.errors import UserError

# name: (environment variable, default per minute, what it limits)
LIMITS = {
    "joins_per_address": ("TRADEWAR_CLASS_JOINS_PER_ADDRESS", 60, "join attempts from one network address"),
    "joins_per_room": ("TRADEWAR_CLASS_JOINS_PER_ROOM", 120, "join attempts for one room"),
    "creates_per_address": ("TRADEWAR_CLASS_ROOMS_PER_ADDRESS", 10, "rooms created from one address"),
    "misses_per_address": ("TRADEWAR_CLASS_MISSES_PER_ADDRESS", 30, "room codes tried that do not exist"),
    "submissions_per_person": ("TRADEWAR_CLASS_SUBMISSIONS_PER_PERSON", 12, "submissions by one student"),
    "submissions_per_seat": ("TRADEWAR_CLASS_SUBMISSIONS_PER_SEAT", 40, "submissions for one seat (a team)"),
    "drafts_per_person": ("TRADEWAR_CLASS_DRAFTS_PER_PERSON", 60, "changes to a team's draft by one student"),
}


class SlidingWindow:
    """At most ``limit`` hits per key in any ``seconds``-long window."""

    def __init__(self, limit: int, seconds: float = 60.0):
        self.limit, self.seconds = limit, seconds
        self._hits: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque:
        hits = self._hits[key]
        while hits and hits[0] <= now - self.seconds:
            hits.popleft()
        if not hits:
            del self._hits[key]      # keys do not pile up: an idle key costs nothing
            return deque()
        return hits

    def allow(self, key: str, now: float) -> bool:
        """Count a hit for ``key`` if it is within the limit; False (nothing counted) if not."""
        with self._lock:
            hits = self._recent(key, now)
            if len(hits) >= self.limit:
                return False
            self._hits.setdefault(key, hits).append(now)
            return True

    def exhausted(self, key: str, now: float) -> bool:
        """Whether ``key`` has used up its hits (without counting one)."""
        with self._lock:
            return len(self._recent(key, now)) >= self.limit


def limit(name: str, given: int | None = None) -> int:
    """The per-minute limit ``name``: ``given`` if set, else its environment variable, else the default."""
    variable, default, _ = LIMITS[name]
    if given is not None:
        return given
    text = os.environ.get(variable, "")
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise UserError(f"environment variable {variable} must be a whole number of at least 1, got {text!r}")
    return int(text)


def window(name: str, given: int | None = None) -> SlidingWindow:
    return SlidingWindow(limit(name, given))
