"""The game's charts as Solara components, rebuilt only when the game moves (not when a control is typed in)."""

from __future__ import annotations

from typing import Callable

import pandas as pd
import solara

from ui.components.plotly_view import PlotlyView

from simulation.decisions import home_economy
from simulation.session import KEY_SERIES, PlaySession
from ui import charts


def focus_economies(seat: str | None) -> tuple[str, ...]:
    """Whose growth and inflation to draw: the player's economy and the US (or Japan, for the US)."""
    home = home_economy(seat) if seat else "JP"
    return (home, "US") if home != "US" else ("US", "JP")


def chart_marks(session, seat: str | None) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(month, words) of the player's moves and of the scripted events so far, for the chart markers.

    Reads the game's log and, where the game offers it, ``scripted_events()`` (a game without it, such as a
    class room's snapshot until it has one, shows the player's moves only)."""
    from ui.state import describe_move

    moves = [(d.step, describe_move(d)) for d in session.log if d.origin == "player" and (seat is None or d.actor == seat)]
    scripted = getattr(session, "scripted_events", None)
    return moves, (scripted() if scripted else [])


def actual_paths(scenario, steps: int) -> dict[str, dict[str, float]]:
    """What actually happened for the markets chart's series ({column: {"2025-04": value}}), for the months
    the scenario covers where there is data (``simulation/history.py``); empty otherwise."""
    from simulation.history import actual_history

    frame = actual_history(scenario, steps)
    return {column: dict(zip(rows.date, rows.value)) for column, rows in frame.groupby("series")
            if column in KEY_SERIES}


@solara.component
def GameCharts(session: PlaySession, version: int, fan: pd.DataFrame | None = None, seat: str | None = None):
    """Markets and economies (with the baseline and, once computed, the fan) and the trade network."""
    baseline = session.baseline()
    result = session.result
    start = session.loaded.start

    def markets_chart():
        moves, events = chart_marks(session, seat)
        return charts.markets_figure(result.model, baseline.model, fan, session.steps, start=start, moves=moves,
                                     events=events, actual=actual_paths(session.loaded, session.steps))

    markets = solara.use_memo(markets_chart, dependencies=[version, id(fan)])
    economies = solara.use_memo(lambda: charts.economy_figure(result.economies, baseline.economies,
                                                              focus_economies(seat), session.steps, start=start),
                                dependencies=[version])
    choices = charts.network_measure_choices()
    measure, set_measure = solara.use_state(charts.IMPORT_TARIFF)
    network = solara.use_memo(lambda: charts.network_figure(result.trade, session.month, measures=result.network,
                                                            measure=measure),
                              dependencies=[version, measure])

    def measure_choice() -> None:
        solara.Select("Colour economies by", values=list(choices.values()), value=choices[measure],
                      on_value=lambda label: set_measure(next(k for k, v in choices.items() if v == label)))

    ChartTrio(markets, economies, network, measure_choice)


@solara.component
def ChartTrio(markets, economies, network, network_controls: Callable[[], None] | None = None):
    """The three charts in their places: markets across the top, economies and network below (with the
    network's controls above it, if any). The class game passes figures it shares per room and month."""
    with solara.Div(classes=["chart-markets"]):
        PlotlyView(markets)
    with solara.Columns([3, 2], classes=["stack-when-narrow"]):
        with solara.Div(classes=["chart-economies"]):
            PlotlyView(economies)
        with solara.Div(classes=["chart-network"]):
            if network_controls is not None:
                network_controls()
            PlotlyView(network)
