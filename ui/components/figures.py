"""The game's charts as Solara components, rebuilt only when the game moves (not when a control is typed in)."""

from __future__ import annotations

import pandas as pd
import solara

from ui.components.plotly_view import PlotlyView

from simulation.decisions import home_economy
from simulation.session import PlaySession
from ui import charts


def focus_economies(seat: str | None) -> tuple[str, ...]:
    """Whose growth and inflation to draw: the player's economy and the US (or Japan, for the US)."""
    home = home_economy(seat) if seat else "JP"
    return (home, "US") if home != "US" else ("US", "JP")


@solara.component
def GameCharts(session: PlaySession, version: int, fan: pd.DataFrame | None = None, seat: str | None = None):
    """Markets and economies (with the baseline and, once computed, the fan) and the trade network."""
    baseline = session.baseline()
    result = session.result

    markets = solara.use_memo(lambda: charts.markets_figure(result.model, baseline.model, fan, session.steps),
                              dependencies=[version, id(fan)])
    economies = solara.use_memo(lambda: charts.economy_figure(result.economies, baseline.economies,
                                                              focus_economies(seat), session.steps),
                                dependencies=[version])
    choices = charts.network_measure_choices()
    measure, set_measure = solara.use_state(charts.IMPORT_TARIFF)
    network = solara.use_memo(lambda: charts.network_figure(result.trade, session.month, measures=result.network,
                                                            measure=measure),
                              dependencies=[version, measure])
    with solara.Div(classes=["chart-markets"]):
        PlotlyView(markets)
    with solara.Columns([3, 2]):
        with solara.Div(classes=["chart-economies"]):
            PlotlyView(economies)
        with solara.Div(classes=["chart-network"]):
            solara.Select("Colour economies by", values=list(choices.values()), value=choices[measure],
                          on_value=lambda label: set_measure(next(k for k, v in choices.items() if v == label)))
            PlotlyView(network)
