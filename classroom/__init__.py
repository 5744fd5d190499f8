"""The class game: rooms on the server that a whole class plays together.

``get_registry()`` is the one entry point for the pages (in-process) and the HTTP API
(``classroom/api.py``): one ``ClassRegistry`` per process, on the SQLite file named by the environment
variable ``TRADEWAR_CLASS_DB`` (default ``class-games.sqlite3`` in the working directory), with every
room replayed from that file on first use.
"""

from __future__ import annotations

import os
import threading

from classroom.registry import ClassRegistry

DEFAULT_CLASS_DB = "class-games.sqlite3"
_registry: ClassRegistry | None = None
_registry_lock = threading.Lock()


def get_registry() -> ClassRegistry:
    """The process's registry, made (and its rooms replayed, its ticker started) on first use."""
    global _registry
    with _registry_lock:
        if _registry is None:
            _registry = ClassRegistry(os.environ.get("TRADEWAR_CLASS_DB") or DEFAULT_CLASS_DB)
        return _registry


__all__ = ["get_registry", "ClassRegistry"]
