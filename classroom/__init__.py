"""The class game: rooms on the server that a whole class plays together.

``get_registry()`` is the one entry point for the pages (in-process) and the HTTP API
(``classroom/api.py``): one ``ClassRegistry`` per process, on the SQLite file named by the environment
variable ``TRADEWAR_CLASS_DB`` (default: ``class-games.sqlite3`` in the user's data folder, see
``default_class_db``), with every live room replayed from that file on first use.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from classroom.registry import ClassRegistry

CLASS_DB_NAME = "class-games.sqlite3"
_registry: ClassRegistry | None = None
_registry_lock = threading.Lock()


def default_class_db() -> Path:
    """Where class games are kept unless told otherwise: the user's data folder
    (``$XDG_DATA_HOME/tradewar``, by default ``~/.local/share/tradewar``), never the working
    directory, so a lesson's student names cannot end up in a commit of the project."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tradewar" / CLASS_DB_NAME


def class_db_path() -> Path:
    """The file this process keeps class games in: ``$TRADEWAR_CLASS_DB`` or the default."""
    return Path(os.environ.get("TRADEWAR_CLASS_DB") or default_class_db())


def get_registry() -> ClassRegistry:
    """The process's registry, made (and its rooms replayed, its ticker started) on first use."""
    global _registry
    with _registry_lock:
        if _registry is None:
            _registry = ClassRegistry(class_db_path())
        return _registry


__all__ = ["get_registry", "ClassRegistry", "default_class_db", "class_db_path"]
