"""The debrief on the instructor's page: any round replayed, a what-if branch beside the class's own
path, the class scoreboard, and the export for grading.

A replay or a branch is a fresh ``PlaySession`` rebuilt from the room's log (``classroom.debrief``):
it belongs to this page only, so drawing it never touches the shared room.
"""

from __future__ import annotations

import solara

from simulation.policy import actor_name
from simulation.recording import month_label
from simulation.session import KEY_SERIES, actions_for
from ui import charts
from ui.components.class_common import MoveFields, attempt, move_of, new_move
from ui.components.figures import GameCharts
from ui.components.panels import NewsTicker, WhyPanel
from ui.components.plotly_view import PlotlyView
from ui.components.prose import Prose, Table

DROP = "drop the seat's moves"
REPLACE = "replace them with one move"


@solara.component
def Scoreboard(room, token: str, version: int):
    """Seats by their own score, with who played them and the parts of the score (a government's revenue,
    a central bank's currency; a part the seat's score does not have shows a dash)."""
    table = solara.use_memo(lambda: room.scoreboard(token), dependencies=[version])
    parts = ["output", "inflation", "jobs", "wealth", "revenue", "currency"]
    rows = [[f"{r['seat']} ({actor_name(r['seat'])})", r["players"] or "computer rules", f"{r['score']:.1f}"]
            + [_part(r.get(part)) for part in parts] for r in table.to_dict("records")]
    Prose("#### Class scoreboard")
    Table(["Seat", "Players", "Score", "Output", "Inflation", "Jobs", "Wealth", "Revenue", "Currency"], rows,
          classes=["scoreboard"], numeric=(2, 3, 4, 5, 6, 7, 8))


@solara.component
def MostExposed(room, version: int):
    """Who is most exposed to the tariffs at the latest month, read from the trade network's measures."""
    from classroom.debrief import most_exposed

    table = solara.use_memo(lambda: most_exposed(room.result().network), dependencies=[version])
    rows = [[actor_name(r["economy"]), f"{100 * r['exports_facing_raised_tariffs_share']:.0f}%",
             f"{r['tariff_target_centrality']:.2f}"] for r in table.to_dict("records")]
    Prose("#### Who is most exposed")
    Table(["Economy", "Exports facing raised tariffs", "Tariff-target centrality (1/9 = nobody targeted)"], rows,
          classes=["most-exposed"], numeric=(1, 2))


def _part(value) -> str:
    return "—" if value is None or value != value else f"{value:+.2f}"   # NaN: not a part of this seat's score


@solara.component
def ExportButton(room, token: str):
    """One click: every decision and outcome, CSV and Parquet, in a zip built at the moment of the click."""
    solara.FileDownload(lambda: room.export(token), filename=f"class-game-{room.code}.zip",
                        label="Export decisions and outcomes (zip: CSV and Parquet)",
                        mime_type="application/zip")


@solara.component
def ReplayView(room, token: str, played: int):
    """The world as it stood after round k: its charts, headlines and why panel."""
    k, set_k = solara.use_state(played)
    shown = min(max(k or 0, 0), played)
    session, error = solara.use_memo(lambda: _replayed(room, token, shown), dependencies=[shown, played])
    Prose("#### Replay a round")
    solara.Select("Show the world after round", values=list(range(0, played + 1)), value=shown, on_value=set_k)
    if error:
        solara.Error(error, classes=["replay-error"])
    if session is None:
        return
    with solara.Div(classes=["replay-view"]):
        Prose(f"After round {shown} ({month_label(session.loaded.start, shown)})", classes=["replay-heading"])
        GameCharts(session, shown, None, None)
        with solara.Columns([1, 1]):
            NewsTicker(session, shown)
            WhyPanel(session, shown, shown)


def _replayed(room, token: str, k: int):
    """(the game after round k, "") or (None, why not)."""
    errors = []
    session = attempt(errors.append, lambda: room.at_round(token, k))
    return session, (errors[-1] if errors else "")


@solara.component
def BranchView(room, token: str, played: int):
    """What if a seat had played differently from round r on: the branch is replayed to the same month
    and drawn over the class's path, with the final numbers side by side."""
    seats = list(room.seats)
    start, set_start = solara.use_state(1)
    seat, set_seat = solara.use_state(seats[0])
    mode, set_mode = solara.use_state(DROP)
    move, set_move = solara.use_state(new_move(actions_for(seats[0])[0]))
    branch, set_branch = solara.use_state(None)
    error, set_error = solara.use_state("")
    choices = actions_for(seat)
    if move["action"] not in choices:
        move = new_move(choices[0])

    def run() -> None:
        if mode == DROP:
            session = room.branch(token, start, drop=(seat,))
            words = f"What if {seat} had made no moves from round {start}"
        else:
            session = room.branch(token, start, replace={seat: [move_of(move)]})
            words = f"What if {seat} had played {move['action'].replace('_', ' ')} in round {start}"
        set_branch((session, words, start, seat))

    Prose("#### What if… (branch a counterfactual)")
    with solara.Row():
        solara.InputInt("Branch from round", value=start, on_value=set_start, continuous_update=True)
        solara.Select("Branch seat", values=seats, value=seat, on_value=set_seat)
        solara.Select("Branch change", values=[DROP, REPLACE], value=mode, on_value=set_mode)
    if mode == REPLACE:
        MoveFields("Branch", choices, move, set_move)
    solara.Button("Run the branch", outlined=True, classes=["run-branch"], on_click=lambda: attempt(set_error, run))
    if error:
        solara.Error(error, classes=["branch-error"])
    if branch is not None:
        BranchResult(room, *branch)


@solara.component
def BranchResult(room, session, words: str, start: int, seat: str):
    """The class path and the branch on one markets chart, and their final numbers side by side."""
    actual = room.view()
    figure = solara.use_memo(lambda: charts.markets_figure(actual.result.model, session.result.model, None,
                                                           actual.steps, names=("Class game", words)),
                             dependencies=[id(session), actual.month])
    with solara.Div(classes=["branch-view"]):
        Prose(f"**{words}?** Solid: the class's game; dashed: the branch (same seed, same other moves).")
        with solara.Div(classes=["chart-branch"]):
            PlotlyView(figure)
        month = min(actual.month, session.month)
        rows = ["| At round " + str(month) + " | Class game | What if | Difference |", "|---|---:|---:|---:|"]
        for column, (label, unit) in KEY_SERIES.items():
            a, b = float(actual.result.model[column].iloc[month]), float(session.result.model[column].iloc[month])
            rows.append(f"| {label} ({unit}) | {a:,.2f} | {b:,.2f} | {b - a:+.2f} |")
        a, b = actual.score(seat), session.score(seat)
        rows.append(f"| {seat}'s score | {a:.1f} | {b:.1f} | {b - a:+.1f} |")
        Prose("\n".join(rows), classes=["branch-table"])
