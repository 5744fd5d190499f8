"""Plotly figures for the app, built from a run's tables: pure functions, no Solara, easy to test.

Every figure has a title, axis titles with units and a legend, so a projected chart reads on its own.
The player's path is a solid line, the baseline (the scenario as written, rules in every seat) a dashed
grey line over the whole game, the fan (5th-95th percentile across seeds) a shaded band, and what
actually happened in 2025 (where a scenario has the data) a dotted black line. Given the scenario's first
month, the x axis shows calendar months (2025-04) rather than step numbers; the months of the player's
moves and of scripted events carry markers whose hover text says what happened.
"""

from __future__ import annotations

import html
import math
from functools import lru_cache
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from plotly.colors import sample_colorscale

from simulation.recording import month_label
from simulation.network import DEPENDENCE, MEASURES
from simulation.session import KEY_SERIES
from simulation.world import ECONOMIES, ECONOMY_NAMES, SECTORS

PLAYER_COLOUR, BASELINE_COLOUR, FAN_COLOUR = "#1f5fa8", "#8a8a8a", "rgba(31, 95, 168, 0.18)"
ACTUAL_COLOUR, EVENT_COLOUR, BASELINE_FAN_COLOUR = "#1c1c1c", "#b9770e", "rgba(120, 120, 120, 0.16)"
# Each economy keeps its colour on every chart whichever seat is played; the seat's own economy is drawn in
# the player's colour (as "Your game" is in the markets chart).
ECONOMY_COLOURS = {"US": "#c0392b", "JP": "#27ae60", "CN": "#d35400", "EA": "#8e44ad", "UK": "#16a085",
                   "CA": "#7f8c8d", "MX": "#a04000", "KR": "#2c3e50", "ROW": "#95a5a6"}
# Low tariffs pale, high tariffs dark red (plotly's named "YlOrRd" runs the other way round).
TARIFF_SCALE = [[0.0, "#dfe6ee"], [0.1, "#fed976"], [0.3, "#fd8d3c"], [0.6, "#e31a1c"], [1.0, "#800026"]]
TARIFF_SCALE_MAX_PCT = 50.0     # tariffs at or above this share the darkest colour
MAX_EDGE_WIDTH_PX = 14.0


def _figure(traces: list[dict], layout: dict, title: str, height: int) -> dict:
    """A figure as the plain dict plotly.js draws (``ui/components/plotly_view.py``). Building dicts and
    skipping plotly's Python-side validation keeps a step well inside the app's time budget; the tests
    validate every figure with ``plotly.graph_objects.Figure``."""
    base = {"title": {"text": title, "x": 0.01}, "height": height, "margin": {"l": 55, "r": 15, "t": 60, "b": 40},
            "legend": {"orientation": "h", "y": -0.14}, "template": _template(), "hovermode": "x unified"}
    return {"data": traces, "layout": {**base, **layout}}


@lru_cache(maxsize=1)
def _template() -> dict:
    """Plotly's white theme as plotly.js takes it (a template name only means something in Python)."""
    import plotly.io as pio

    return pio.templates["plotly_white"].to_plotly_json()


def _grid(rows: int, cols: int, titles: list[str], x_title: str, x_range, gap_x=0.09, gap_y=0.17) -> dict:
    """Axes and panel titles for a ``rows`` x ``cols`` grid of charts (what make_subplots does, cheaply)."""
    layout, notes = {}, []
    width, height = (1 - gap_x * (cols - 1)) / cols, (1 - gap_y * (rows - 1)) / rows
    for i, text in enumerate(titles):
        row, col = divmod(i, cols)
        x0, y1 = col * (width + gap_x), 1 - row * (height + gap_y)
        suffix = "" if i == 0 else str(i + 1)
        layout[f"xaxis{suffix}"] = {"domain": [x0, x0 + width], "anchor": f"y{suffix}", "range": x_range,
                                    "title": {"text": x_title}}
        layout[f"yaxis{suffix}"] = {"domain": [y1 - height, y1], "anchor": f"x{suffix}"}
        notes.append({"text": f"<b>{text}</b>", "x": x0 + width / 2, "y": y1, "xref": "paper", "yref": "paper",
                      "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 13}})
    layout["annotations"] = notes
    return layout


def _axes(i: int) -> dict:
    suffix = "" if i == 0 else str(i + 1)
    return {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}


def months(steps, start: str | None) -> list:
    """Calendar months ("2025-04") for step numbers, given the scenario's first month; else the steps."""
    return [month_label(start, int(k)) for k in steps] if start else [int(k) for k in steps]


def markets_figure(model: pd.DataFrame, baseline: pd.DataFrame | None = None, fan: pd.DataFrame | None = None,
                   steps: int | None = None, names: tuple[str, str] = ("Your game", "Baseline (rules only)"),
                   start: str | None = None, moves: Sequence[tuple[int, str]] = (),
                   events: Sequence[tuple[int, str]] = (), actual: Mapping[str, Mapping[str, float]] | None = None,
                   baseline_fan: pd.DataFrame | None = None, fan_name: str = "Your moves, 5-95% across seeds") -> dict:
    """The four key market series (10-year yield, USD/JPY, S&P 500, Nikkei 225), one panel each.

    ``start`` (the scenario's month 0, "2025-03") puts calendar months on the x axis. ``moves`` and
    ``events`` are (month, words) pairs marked on the player's path. ``actual`` maps a series to its
    observed values by calendar month ({"us_10y": {"2025-04": 4.28, ...}}), drawn dotted where given.
    ``baseline_fan`` is the baseline's own spread across seeds (the Lab compares two bands).
    """
    titles = [f"{label} ({unit})" for label, unit in KEY_SERIES.values()]
    traces = []
    for i, column in enumerate(KEY_SERIES):
        first = i == 0
        for spread, colour, name, group in ((baseline_fan, BASELINE_FAN_COLOUR, f"{names[1]}, 5-95% across seeds",
                                             "baseline-fan"), (fan, FAN_COLOUR, fan_name, "fan")):
            if spread is not None and not spread.empty:
                band = spread[spread.column == column]
                traces.append({"type": "scatter", "x": months(list(band.step) + list(band.step[::-1]), start),
                               "y": list(band.p95) + list(band.p5[::-1]), "mode": "lines", "fill": "toself", "fillcolor": colour,
                               "line": {"width": 0}, "hoverinfo": "skip", "name": name,
                               "legendgroup": group, "showlegend": first, **_axes(i)})
        if baseline is not None:
            traces.append({"type": "scatter", "x": months(baseline.step, start), "y": list(baseline[column]),
                           "mode": "lines", "name": names[1], "line": {"color": BASELINE_COLOUR, "dash": "dash", "width": 1.5},
                           "legendgroup": "baseline", "showlegend": first, **_axes(i)})
        observed = (actual or {}).get(column)
        if observed:
            dates = sorted(observed)
            traces.append({"type": "scatter", "x": dates, "y": [observed[d] for d in dates], "mode": "lines",
                           "name": "What happened (2025)", "line": {"color": ACTUAL_COLOUR, "dash": "dot", "width": 1.8},
                           "legendgroup": "actual", "showlegend": not any(t.get("legendgroup") == "actual" for t in traces),
                           **_axes(i)})
        traces.append({"type": "scatter", "x": months(model.step, start), "y": list(model[column]), "mode": "lines+markers",
                       "name": names[0], "line": {"color": PLAYER_COLOUR, "width": 2.5}, "marker": {"size": 4},
                       "legendgroup": "player", "showlegend": first, **_axes(i)})
        values = dict(zip(model.step.astype(int), model[column]))
        # scripted events first, as a larger star, so a move in the same month shows on top of it
        for marks, name, symbol, colour, size in ((events, "Scripted events", "star", EVENT_COLOUR, 15),
                                                  (moves, "Your moves", "diamond", PLAYER_COLOUR, 9)):
            traces.extend(_marks(marks, values, start, name, symbol, colour, size, first, i))
    month = int(model.step.iloc[-1])
    layout = _grid(2, 2, titles, "" if start else "month", _x_range(steps, start))
    if start:
        for key in [k for k in layout if k.startswith("xaxis")]:
            layout[key].update({"type": "date", "tickformat": "%Y-%m"})
    when = f"to {month_label(start, month)}, month {month}: " if start else f"to month {month}: "
    title = f"Markets {when}{names[0].lower()} against the {names[1].split(' (')[0].lower()}"
    if names[1].startswith("As written"):
        title = f"Markets {when}the experiment against the scenario as written"
    layout["legend"] = {"orientation": "h", "y": -0.16}
    return _figure(traces, layout, title, 560)


def _marks(marks: Sequence[tuple[int, str]], values: dict, start: str | None, name: str, symbol: str, colour: str,
           size: int, legend: bool, panel: int) -> list[dict]:
    """One marker per month named in ``marks``, on the path ``values`` (month -> value), with the words of
    everything that happened that month as hover text (escaped: a headline may have been typed by a person)."""
    by_month: dict[int, list[str]] = {}
    for month, words in marks:
        if month in values:
            by_month.setdefault(int(month), []).append(html.escape(words))
    if not by_month:
        return []
    ordered = sorted(by_month)
    return [{"type": "scatter", "x": months(ordered, start), "y": [values[m] for m in ordered], "mode": "markers",
             "name": name, "legendgroup": name, "showlegend": legend, "hoverinfo": "text",
             "hovertext": ["<br>".join(by_month[m]) for m in ordered],
             "marker": {"symbol": symbol, "size": size, "color": colour, "line": {"color": "white", "width": 1}},
             **_axes(panel)}]


def _x_range(steps: int | None, start: str | None):
    if not steps:
        return None
    return [month_label(start, 0), month_label(start, steps)] if start else [0, steps]


def economy_figure(economies: pd.DataFrame, baseline: pd.DataFrame | None, focus: tuple[str, ...],
                   steps: int | None = None, baseline_name: str = "baseline", start: str | None = None) -> dict:
    """GDP growth and inflation (% a year) of the economies in ``focus`` (the first is the seat's own, in
    the player's colour; the others keep their own colours), with their baselines."""
    traces = []
    for i, column in enumerate(("gdp_growth_pct", "inflation_pct")):
        for k, code in enumerate(focus):
            colour, name = PLAYER_COLOUR if k == 0 else ECONOMY_COLOURS[code], ECONOMY_NAMES[code]
            if baseline is not None:
                base = baseline[baseline.economy == code]
                traces.append({"type": "scatter", "x": months(base.step, start), "y": list(base[column]), "mode": "lines",
                               "name": f"{name}, {baseline_name}", "line": {"color": colour, "dash": "dash", "width": 1.2},
                               "opacity": 0.6, "legendgroup": f"{code}-base", "showlegend": i == 0, **_axes(i)})
            mine = economies[economies.economy == code]
            traces.append({"type": "scatter", "x": months(mine.step, start), "y": list(mine[column]), "mode": "lines+markers",
                           "name": name, "line": {"color": colour, "width": 2.5}, "marker": {"size": 4},
                           "legendgroup": code, "showlegend": i == 0, **_axes(i)})
    layout = _grid(1, 2, ["GDP growth (% a year)", "Inflation (% a year)"], "" if start else "month",
                   _x_range(steps, start))
    if start:
        for key in ("xaxis", "xaxis2"):
            layout[key].update({"type": "date", "tickformat": "%Y-%m"})
    layout["yaxis"]["title"] = {"text": "% a year"}
    layout["legend"] = {"orientation": "h", "y": -0.3}
    layout["margin"] = {"l": 55, "r": 15, "t": 60, "b": 90}
    month = int(economies.step.iloc[-1])
    when = f"{month_label(start, month)}, month {month}" if start else f"month {month}"
    return _figure(traces, layout, f"Economies to {when}: growth and inflation", 400)


IMPORT_TARIFF = "average_import_tariff"
MEASURE_SCALE = [[0.0, "#f1f4f8"], [0.25, "#9ecae1"], [0.6, "#3182bd"], [1.0, "#08306b"]]


def network_measure_choices() -> dict[str, str]:
    """What the network view can colour its nodes by: measure name -> label for a selector."""
    choices = {IMPORT_TARIFF: "Average tariff on its imports", **MEASURES}
    choices.update({f"{DEPENDENCE}{e}": f"Share of exports going to {ECONOMY_NAMES[e]}" for e in ("US", "CN", "EA")})
    return choices


def network_figure(trade: pd.DataFrame, month: int, top_edges: int = 30, measures: pd.DataFrame | None = None,
                   measure: str = IMPORT_TARIFF) -> dict:
    """The trade network in ``month``: economies on a circle, the largest flows as curved arrows whose
    width follows the flow (USD bn a year) and whose colour follows its trade-weighted tariff (%). Each
    economy's colour is the trade-weighted tariff it charges on its imports, or, given the run's network
    measures (``network.csv``), the chosen ``measure``; the legend and title say which, and who ranks highest."""
    flows_bn, tariffs_pct = _month_arrays(trade, month)
    pair_flow = flows_bn.sum(axis=2)
    pair_tariff = np.divide((flows_bn * tariffs_pct).sum(axis=2), pair_flow, out=np.zeros_like(pair_flow),
                            where=pair_flow > 0)
    np.fill_diagonal(pair_flow, 0.0)
    order = np.argsort(pair_flow, axis=None)[::-1][:top_edges]
    pairs = [divmod(int(k), len(ECONOMIES)) for k in order if pair_flow.flat[k] > 0]
    widest = float(pair_flow.max()) or 1.0
    colours = sample_colorscale(TARIFF_SCALE, [min(pair_tariff[i, j], TARIFF_SCALE_MAX_PCT) / TARIFF_SCALE_MAX_PCT
                                               for i, j in pairs])
    position = _circle_positions()
    traces, arrows = [], {"x": [], "y": [], "angle": [], "color": []}
    for (i, j), colour in zip(pairs, colours):
        exporter, importer = ECONOMIES[i], ECONOMIES[j]
        xs, ys = _curve(position[exporter], position[importer])
        text = (f"{ECONOMY_NAMES[exporter]} → {ECONOMY_NAMES[importer]}: "
                f"${pair_flow[i, j]:,.0f}bn a year, tariff {pair_tariff[i, j]:.1f}%")
        traces.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines", "showlegend": False, "hoverinfo": "text",
                       "text": text, "line": {"width": max(0.8, MAX_EDGE_WIDTH_PX * pair_flow[i, j] / widest),
                                              "color": colour}})
        arrows["x"].append(xs[-1])
        arrows["y"].append(ys[-1])
        arrows["angle"].append(math.degrees(math.atan2(xs[-1] - xs[-2], ys[-1] - ys[-2])))
        arrows["color"].append(colour)
    traces.append({"type": "scatter", "x": arrows["x"], "y": arrows["y"], "mode": "markers", "showlegend": False,
                   "hoverinfo": "skip", "marker": {"symbol": "arrow", "size": 10, "angle": arrows["angle"],
                                                   "color": arrows["color"]}})
    node = _node_colours(flows_bn, tariffs_pct, measures, measure, month)
    traces.append({"type": "scatter", "x": [position[e][0] for e in ECONOMIES], "y": [position[e][1] for e in ECONOMIES],
                   "mode": "markers+text", "text": list(ECONOMIES), "textposition": "middle center",
                   "textfont": {"color": ["white" if v > 0.45 * node["max"] else "#1c2833" for v in node["values"]]},
                   "hovertext": [f"{ECONOMY_NAMES[e]}: {node['label'].lower()} {node['format'](v)}"
                                 for e, v in zip(ECONOMIES, node["values"])], "hoverinfo": "text", "showlegend": False,
                   "marker": {"size": 36, "color": list(node["values"]), "colorscale": node["scale"], "cmin": 0,
                              "cmax": node["max"], "line": {"color": "#34495e", "width": 1.5},
                              "colorbar": {"title": {"text": node["unit"]}, "thickness": 12, "len": 0.8}}})
    traces.append({"type": "scatter", "x": [None], "y": [None], "mode": "lines", "line": {"color": "#999", "width": 6},
                   "name": f"flow: width ∝ USD bn a year (widest ${widest:,.0f}bn)"})
    traces.append({"type": "scatter", "x": [None], "y": [None], "mode": "markers",
                   "marker": {"size": 12, "color": node["scale"][2][1]}, "name": f"node colour: {node['label']}"})
    layout = {"xaxis": {"visible": False, "range": [-1.3, 1.3]},
              "yaxis": {"visible": False, "range": [-1.2, 1.2], "scaleanchor": "x"}, "hovermode": "closest",
              "legend": {"orientation": "h", "y": -0.02}, "margin": {"l": 10, "r": 10, "t": 60, "b": 10}}
    top = ECONOMIES[int(np.argmax(node["values"]))]
    title = (f"Trade network, month {month}: the {len(pairs)} largest flows; nodes: {node['label'].lower()} "
             f"(highest: {ECONOMY_NAMES[top]}, {node['format'](max(node['values']))})")
    return _figure(traces, layout, title, 440)


def _node_colours(flows_bn: np.ndarray, tariffs_pct: np.ndarray, measures: pd.DataFrame | None, measure: str,
                  month: int) -> dict:
    """Node values, colour scale, label and number format for the network view's chosen measure."""
    if measure == IMPORT_TARIFF or measures is None:
        imports = flows_bn.sum(axis=(0, 2))
        charged_pct = np.divide((flows_bn * tariffs_pct).sum(axis=(0, 2)), imports, out=np.zeros_like(imports),
                                where=imports > 0)
        return {"values": [float(c) for c in charged_pct], "scale": TARIFF_SCALE, "max": TARIFF_SCALE_MAX_PCT,
                "label": "Average tariff on its imports", "unit": "tariff (%)", "format": lambda v: f"{v:.1f}%"}
    now = measures[(measures.step == month) & (measures.measure == measure)].set_index("economy").value
    values = [float(now.get(e, 0.0)) for e in ECONOMIES]
    label = network_measure_choices().get(measure, measure)
    if measure == "tariff_target_centrality":
        return {"values": values, "scale": MEASURE_SCALE, "max": max(max(values), 0.25), "label": label,
                "unit": "PageRank", "format": lambda v: f"{v:.2f}"}
    return {"values": values, "scale": MEASURE_SCALE, "max": 1.0, "label": label, "unit": "share",
            "format": lambda v: f"{100 * v:.0f}%"}


def _month_arrays(trade: pd.DataFrame, month: int) -> tuple[np.ndarray, np.ndarray]:
    """Flows (USD bn a year) and tariffs (%) of one month as ``[exporter, importer, sector]`` arrays."""
    now = trade[trade.step == month]
    shape = (len(ECONOMIES), len(ECONOMIES), len(SECTORS))
    index = {code: k for k, code in enumerate(ECONOMIES)}
    sector = {name: k for k, name in enumerate(SECTORS)}
    flows, tariffs = np.zeros(shape), np.zeros(shape)
    i = now.exporter.map(index).to_numpy()
    j = now.importer.map(index).to_numpy()
    s = now.sector.map(sector).to_numpy()
    flows[i, j, s] = now.flow_bn.to_numpy()
    tariffs[i, j, s] = now.tariff_pct.to_numpy()
    return flows, tariffs


def _circle_positions() -> dict[str, tuple[float, float]]:
    angles = {code: math.pi / 2 - 2 * math.pi * i / len(ECONOMIES) for i, code in enumerate(ECONOMIES)}
    return {code: (math.cos(a), math.sin(a)) for code, a in angles.items()}


def _curve(start: tuple[float, float], end: tuple[float, float], bend: float = 0.18, points: int = 12):
    """A quadratic curve bending to the right of the direction of travel, so A→B and B→A do not overlap."""
    (x0, y0), (x1, y1) = start, end
    mid_x, mid_y = (x0 + x1) / 2, (y0 + y1) / 2
    ctrl_x, ctrl_y = mid_x + bend * (y1 - y0), mid_y - bend * (x1 - x0)
    t = np.linspace(0.08, 0.86, points)   # stop short of the node circles
    xs = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * ctrl_x + t ** 2 * x1
    ys = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * ctrl_y + t ** 2 * y1
    return list(xs), list(ys)


def score_figure(parts: dict[str, float], baseline_parts: dict[str, float], seat_name: str) -> dict:
    """The score's four terms, the player's against the baseline's (points)."""
    names = list(parts)
    traces = [{"type": "bar", "x": names, "y": [baseline_parts[n] for n in names], "name": "Baseline (rules only)",
               "marker": {"color": BASELINE_COLOUR}},
              {"type": "bar", "x": names, "y": [parts[n] for n in names], "name": "Your game",
               "marker": {"color": PLAYER_COLOUR}}]
    layout = {"yaxis": {"title": {"text": "points"}}, "barmode": "group", "hovermode": "closest"}
    return _figure(traces, layout, f"{seat_name}: what made the score", 320)
