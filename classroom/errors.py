"""Errors of the class game: each is a ``UserError`` (one clear sentence) that also says which HTTP
status it deserves, so the pages show the sentence and the API answers with the right code."""

from __future__ import annotations

from simulation.errors import UserError


class NotFound(UserError):
    """An unknown room, person or round."""

    status = 404


class Unauthorized(UserError):
    """A missing token, or one that belongs to nobody in the room."""

    status = 401


class Forbidden(UserError):
    """A valid token used for something its holder may not do (a student acting as instructor)."""

    status = 403


class Stale(UserError):
    """A submission for a round that has already resolved."""

    status = 409


class RateLimited(UserError):
    """Too many attempts from one address or for one room in a short time."""

    status = 429


class TooLarge(UserError):
    """A request body over the size limit."""

    status = 413


class StorageFailed(UserError):
    """The class-game file refused a write (read-only, disk full): nothing was changed; try later."""

    status = 503


def http_status(error: UserError) -> int:
    """The HTTP status for a user error: its own, or 400 for a plain ``UserError``."""
    return getattr(error, "status", 400)
