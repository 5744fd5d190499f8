"""User-facing errors: anything a user can get wrong ends in one of these, never in a traceback."""

from __future__ import annotations

from pathlib import Path



class UserError(Exception):
    """A mistake in something the user gave us (a scenario, a decision, a command-line value).

    The message is one sentence that says what was wrong, where, and what is expected; the command line
    prints it and exits with status 2.
    """


class DecisionError(UserError):
    """A decision that cannot be applied: unknown actor, impossible amount, step outside the run, ..."""


def read_user_text(path: Path, what: str) -> str:
    """The text of a file the user named (``what`` says which kind, e.g. "decisions file"), or one
    clear ``UserError`` if it is missing or unreadable."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{what} '{path}' does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"{what} '{path}' cannot be read: {error}") from None
