"""User-facing errors: anything a user can get wrong ends in one of these, never in a traceback."""


class UserError(Exception):
    """A mistake in something the user gave us (a scenario, a decision, a command-line value).

    The message is one sentence that says what was wrong, where, and what is expected; the command line
    prints it and exits with status 2.
    """


class DecisionError(UserError):
    """A decision that cannot be applied: unknown actor, impossible amount, step outside the run, ..."""
