"""What a round applies: every seat's decisions and the instructor's news that the model accepts.

A decision can be impossible in the state the month starts from (selling more Treasuries than are
held, retracting no threat). ``resolve_month`` finds those by checking each seat's decisions, and each
piece of news, against the start-of-month state with the model's own rule (``simulation.policy.problem``,
amounts of one kind added up within a seat), and leaves them out with the model's reason. The month
is then played once. Only when the model still refuses something (a computer rule sold first in the
same month) does it fall back to trying shocks and seats one at a time, which replays the month once
per trial.
"""

from __future__ import annotations

from dataclasses import replace

from simulation.decisions import Decision, check
from simulation.errors import DecisionError, UserError
from simulation.policy import problem
from simulation.session import PlaySession

Parts = list[tuple[str, list[Decision]]]


def resolve_month(session: PlaySession, parts: Parts, shocks: list[Decision]):
    """Play one month with as much as the model accepts; the session has played it afterwards.

    Returns (kept parts, {seat: reason}, kept shocks, [(shock, reason)]).
    """
    kept_shocks, refused_shocks = [], []
    for shock in shocks:
        why = start_of_month_problem(session, [shock], scripted=True)
        (refused_shocks.append((shock, why)) if why else kept_shocks.append(shock))
    kept, refused = [], {}
    for seat, decisions in parts:
        why = start_of_month_problem(session, decisions)
        if why:
            refused[seat] = why
        else:
            kept.append((seat, decisions))
    try:
        play_month(session, kept, kept_shocks)
        return kept, refused, kept_shocks, refused_shocks
    except UserError:
        pass   # refused by something the start-of-month check cannot foresee: find it one at a time
    more_kept, more_refused, kept_shocks, late_shocks = one_at_a_time(session, kept, kept_shocks)
    return more_kept, {**refused, **more_refused}, kept_shocks, refused_shocks + late_shocks


def play_month(session: PlaySession, parts: Parts, shocks: list[Decision]) -> None:
    """Play the month with these seats' decisions (in seat order) and news. This is the one place a
    class game moves its model forward: a live round, once ``resolve_month`` knows what the model
    accepts, and the replay of a logged round both come here, so a replayed game cannot drift from
    the one that was played."""
    session.step([d for _, ds in parts for d in ds], shocks)


def start_of_month_problem(session: PlaySession, decisions: list[Decision], scripted: bool = False) -> str | None:
    """Why one seat's decisions (or one piece of news) cannot all be applied to the state the month
    starts from, or None. Amounts of the same action are added up, so two sales of $600bn from a
    $1,000bn holding are refused together."""
    model, totals = session.model, {}
    for d in decisions:
        if scripted:
            try:
                check(d, session.steps)
            except DecisionError as error:
                return str(error)
        if d.amount_bn is not None:
            totals[d.action] = totals.get(d.action, 0.0) + d.amount_bn
            d = replace(d, amount_bn=totals[d.action])
        why = problem(model, d)
        if why:
            return f"decision ({d.label()}): {why}"
    return None


def one_at_a_time(session: PlaySession, parts: Parts, shocks: list[Decision]):
    """The exact search: shocks, then seats in seat order, added one at a time; each that makes the
    month impossible is left out with the model's reason. Each trial replays the month."""
    kept_shocks, refused_shocks = [], []
    for shock in shocks:
        why = _attempt(session, [], kept_shocks + [shock])
        (refused_shocks.append((shock, why)) if why else kept_shocks.append(shock))
    kept, refused = [], {}
    for seat, decisions in parts:
        why = _attempt(session, [d for _, ds in kept for d in ds] + decisions, kept_shocks)
        if why:
            refused[seat] = why
        else:
            kept.append((seat, decisions))
    play_month(session, kept, kept_shocks)
    return kept, refused, kept_shocks, refused_shocks


def _attempt(session: PlaySession, decisions, shocks) -> str | None:
    """Try the month and undo it: None if the model accepts it, else the model's reason."""
    try:
        session.step(decisions, shocks)
    except UserError as error:
        return str(error)
    session.undo()
    return None
