"""Debrief of a class game: any round replayed, counterfactual branches, the scoreboard, the export.

All of it follows from "a run is data": the room's decision log, cut at a round or with some seats'
decisions dropped or replaced, is replayed by a fresh ``PlaySession``. The functions here read a room
whose lock the caller holds (``Room.at_round``, ``Room.branch``, ...).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import asdict

import pandas as pd

from simulation import network
from simulation.decisions import FIELDS, Decision, check, from_mapping
from simulation.errors import DecisionError, UserError
from simulation.session import PlaySession, seat_kind
from simulation.world import ACTORS

DECISION_COLUMNS = ["round", "seat", "submitted_by", "actor", "action", "amount_bn", "rate_pct", "target",
                    "sector", "origin", "note", "refused"]


def session_at(room, k) -> PlaySession:
    """The game replayed to the end of round ``k`` (0 = the start)."""
    k = _round_number(room, k, "round", low=0)
    log = [d for d in room.session.log if d.step <= k]
    return PlaySession(room.loaded, seats=room.seats, seed=room.seed, steps=room.steps, decisions=log,
                       months_played=k)


def counterfactual(room, from_round, drop, replace: dict) -> PlaySession:
    """The game replayed with some seats' decisions from ``from_round`` on dropped or replaced."""
    from_round = _round_number(room, from_round, "from_round", low=1)
    if isinstance(drop, str):
        drop = (drop,)
    if not isinstance(replace, dict):
        raise UserError("replace must map seats to lists of decisions, e.g. {\"JP\": []}")
    changed = {_seat(room, s) for s in drop} | {_seat(room, s) for s in replace}
    if not changed:
        raise UserError("a branch needs at least one seat to drop or replace")
    kept = [d for d in room.session.log
            if not (d.origin == "player" and d.actor in changed and d.step >= from_round)]
    added = [_replacement(room, seat, given, from_round, n)
             for seat, decisions in replace.items() for n, given in enumerate(_as_list(decisions, seat), start=1)]
    log = sorted(kept + added, key=lambda d: d.step)
    try:
        return PlaySession(room.loaded, seats=room.seats, seed=room.seed, steps=room.steps, decisions=log,
                           months_played=room.session.month)
    except UserError as error:
        raise UserError(f"the branch from round {from_round} cannot be played: {error}") from None


def _round_number(room, value, name: str, low: int) -> int:
    played = room.session.month
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= played:
        raise UserError(f"{name} must be a round already played, from {low} to {played}, got {value!r}")
    return value


def _seat(room, seat) -> str:
    if seat not in room.seats:
        raise UserError(f"'{seat}' is not a seat played by people in room {room.code}; "
                        f"seats: {', '.join(room.seats)}")
    return seat


def _as_list(decisions, seat: str) -> list:
    if not isinstance(decisions, (list, tuple)):
        raise UserError(f"replace[{seat}] must be a list of decisions, got {type(decisions).__name__}")
    return list(decisions)


def _replacement(room, seat: str, given, from_round: int, number: int) -> Decision:
    """One decision of a replaced seat; its step defaults to ``from_round``."""
    where = f"replacement decision {number} for {seat}"
    if isinstance(given, Decision):
        given = {k: v for k, v in asdict(given).items() if k in FIELDS and v is not None}
    if not isinstance(given, dict):
        raise UserError(f"{where}: expected an object with an action and its fields")
    from classroom.records import _check_numbers

    _check_numbers(given, where)
    if given.get("actor", seat) != seat:
        raise UserError(f"{where}: a replacement for {seat} must be {seat}'s own decision, not {given['actor']!r}")
    step = given.get("step") or from_round
    if isinstance(step, bool) or not isinstance(step, int) or not from_round <= step <= room.session.month:
        raise UserError(f"{where}: step must be a round from {from_round} to {room.session.month}, got {step!r}")
    decision = from_mapping({**given, "step": step, "actor": seat}, where, origin="player")
    try:
        check(decision, room.steps)
    except DecisionError as error:
        raise UserError(str(error)) from None
    return decision


def seat_scores(session, seats) -> dict[str, dict[str, float]]:
    """Each seat's own score and its parts in ``session`` now: the one place the class game asks the
    model for scores (the scoreboard, the per-round record and the export all read it)."""
    return {seat: {"score": session.score(seat), **session.score_parts(seat)} for seat in seats}


def scoreboard(room) -> pd.DataFrame:
    """One row per seat: who played it, its own score and the score's parts (a government's output,
    inflation, jobs, wealth and revenue; a central bank's mandate terms), best score first."""
    rows = []
    for seat, scores in seat_scores(room.session, room.seats).items():
        rows.append({"seat": seat, "kind": seat_kind(seat), "players": ", ".join(_who_played(room, seat)),
                     **scores})
    return pd.DataFrame(rows).sort_values("score", ascending=False, kind="stable").reset_index(drop=True)


def most_exposed(network_frame: pd.DataFrame, count: int = 3) -> pd.DataFrame:
    """Who is most exposed at the latest month of a ``network.csv``-shaped table: the economies whose
    exports face the most raised tariffs, with the share and the economy's tariff-target centrality
    (simulation/network.py says what each measure is)."""
    last = network_frame[network_frame.step == network_frame.step.max()]
    table = {economy: dict(zip(rows.measure, rows.value)) for economy, rows in last.groupby("economy", sort=False)}
    return pd.DataFrame([{"economy": economy, "exports_facing_raised_tariffs_share": share,
                          "tariff_target_centrality": table[economy]["tariff_target_centrality"]}
                         for economy, share in network.most_exposed(table, count=count)])


def _who_played(room, seat: str) -> list[str]:
    """Everyone who sat on the seat at some point (removed people included), in the order they joined."""
    ids = set(room.seated.get(seat, []))
    return [p.name for p in room.people.values() if p.id in ids]


def decisions_table(room) -> pd.DataFrame:
    """Every round's decisions by seat (and instructor shocks), with who submitted them and, for the
    ones the model refused, why; a seat that submitted nothing gets a 'default' row."""
    rows = []
    for resolved in room.history:
        rows += _round_rows(room, resolved)
    return pd.DataFrame(rows, columns=DECISION_COLUMNS).astype({"amount_bn": float, "rate_pct": float})


def _round_rows(room, resolved: dict) -> list[dict]:
    r, by = resolved["round"], resolved["submitted_by"]
    shocks = [(d, "") for d in resolved["shocks"]] + [(d["decision"], d["reason"]) for d in resolved["refused_shocks"]]
    rows = [{**_row(r, d["actor"], "instructor", d, why), "origin": "instructor"} for d, why in shocks]
    for seat in room.seats:
        name = room.people[by[seat]].name if seat in by else ""
        refusal = resolved["refused"].get(seat)
        decisions = refusal["decisions"] if refusal else resolved["decisions"].get(seat, [])
        rows += [_row(r, seat, name, d, refusal["reason"] if refusal else "") for d in decisions]
        if seat not in by:
            rows.append({**_row(r, seat, "", {"actor": seat, "origin": "default"}, ""), "action": ""})
        elif not decisions:
            rows.append({**_row(r, seat, name, {"actor": seat, "origin": "player"}, ""), "action": ""})
    return rows


def _row(round_number: int, seat: str, who: str, record: dict, refused: str) -> dict:
    return {"round": round_number, "seat": seat, "submitted_by": who, "actor": record.get("actor", seat),
            "action": record.get("action", ""), "amount_bn": record.get("amount_bn"),
            "rate_pct": record.get("rate_pct"), "target": record.get("target") or "",
            "sector": record.get("sector") or "", "origin": record.get("origin", ""),
            "note": record.get("note") or "", "refused": refused}


def outcomes_table(room) -> pd.DataFrame:
    """Per month: the market series, then every seat's score (``score_US``, ..., ``score_FED``, ...)."""
    result = room.session.result
    totals = result.scores[result.scores.part == "score"]
    scores = totals.pivot(index="step", columns="seat", values="value")
    scores = scores[[s for s in ACTORS if s in scores.columns]].add_prefix("score_").reset_index()
    return result.model.merge(scores, on="step", how="left")


# A cell a spreadsheet would run as a formula starts with one of these (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_safe(table: pd.DataFrame) -> pd.DataFrame:
    """The table with every text cell that a spreadsheet would execute (``=HYPERLINK(...)``, ``+1``,
    ``@SUM``) prefixed by an apostrophe, so it is shown as the text it is. Numbers are left alone."""
    safe = table.copy()
    for column in safe.columns:
        if safe[column].dtype == object:
            safe[column] = safe[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v)
    return safe


def scores_table(room) -> pd.DataFrame:
    """Per round and seat: who played it, the seat's own score and its parts after that round (a part
    the seat's score does not have is empty)."""
    rows = [{"round": number, "seat": seat, "kind": seat_kind(seat), "players": ", ".join(_who_played(room, seat)),
             **scores}
            for number, by_seat in enumerate(room.round_scores, start=1) for seat, scores in by_seat.items()]
    parts = list(dict.fromkeys(name for row in rows for name in row if name not in SCORE_ROW_START))
    return pd.DataFrame(rows, columns=[*SCORE_ROW_START, *parts])


SCORE_ROW_START = ("round", "seat", "kind", "players", "score")


def export_zip(room) -> bytes:
    """decisions, outcomes, per-seat scores by round and offers (every offer with its fate), each as .csv
    and .parquet, in one zip. The CSV files are made safe to open in a spreadsheet (``spreadsheet_safe``);
    the Parquet files keep the text exactly as typed."""
    from classroom.negotiation import offers_table

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, table in (("decisions", decisions_table(room)), ("outcomes", outcomes_table(room)),
                            ("scores", scores_table(room)), ("offers", offers_table(room))):
            archive.writestr(f"{name}.csv", spreadsheet_safe(table).to_csv(index=False))
            parquet = io.BytesIO()
            table.to_parquet(parquet, index=False)
            archive.writestr(f"{name}.parquet", parquet.getvalue())
    return buffer.getvalue()
