"""A figure (the plain dicts of ``ui/charts.py``) drawn as HTML and SVG on the server, for the class's student pages.

Why: when a round is played, thirty student pages redraw at once, and in a classroom where one machine
draws many pages (or on a slow laptop) plotly.js is most of each page's work: about two thirds of a
student page's main thread per round went into ``Plotly.react`` for the markets and report-card charts.
The same chart as SVG is made once per room and month on the server and shared by every page; the
browser only parses and paints it. Hovering a month shows every series' value that month (a ``<title>``
per month and panel, as Plotly's unified hover does), a bar shows its value.

What it draws is the subset of Plotly's figure the app's line and bar charts use: a grid of panels
(``xaxis``, ``xaxis2``... with their domains, titled by the layout's annotations), scatter traces
(lines, markers — circle, star, diamond —, dashes, filled bands) and grouped bars, a title and a
legend. Anything else raises ``ValueError``: a figure this cannot draw faithfully is drawn by Plotly.

Layout: the title, the panels' grid and the legend are HTML, so they wrap and fit any width (a phone);
inside a panel, horizontal positions are percentages of its width and vertical ones pixels, so a panel
stretches sideways without distorting its text or markers (its lines are drawn in a stretched box with
strokes that do not scale). Every piece of text is escaped: a headline or a name may have been typed by
a person.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field

PANEL_GAP_PX = 36            # between panels in a row and between rows (room for the x labels)
TICKS_WANTED = 5
X_TICKS_WANTED = 4
DASHES = {"dash": "6 4", "dot": "2 3", "dashdot": "6 3 2 3", "solid": ""}
SYMBOLS = {   # unit shapes (radius 1) for markers drawn with a size
    "star": "M0,-1L0.24,-0.33L0.95,-0.31L0.38,0.12L0.59,0.81L0,0.4L-0.59,0.81L-0.38,0.12L-0.95,-0.31L-0.24,-0.33Z",
    "diamond": "M0,-1L0.8,0L0,1L-0.8,0Z",
}
PLOT_WIDTH = 1000            # the stretched box's own width, in which lines are drawn


@dataclass
class _Panel:
    key: str                                   # "" for the first axes, then "2", "3"...
    x_domain: tuple[float, float]
    y_domain: tuple[float, float]
    x_axis: dict
    y_axis: dict
    title: str = ""
    traces: list[dict] = field(default_factory=list)


def figure_html(figure: dict, css_class: str = "") -> str:
    """``figure`` as one block of HTML with inline SVG panels (see the module's docstring)."""
    layout = figure.get("layout", {})
    panels = _panels(figure)
    height_px = int(layout.get("height") or 400)
    rows = sorted({p.y_domain for p in panels}, key=lambda d: -d[1])
    columns = sorted({p.x_domain for p in panels})
    title = _text(layout.get("title", {}).get("text", ""))
    legend_px = 28 * math.ceil(len(_legend_items(figure)) / 3)
    panel_px = max(120, (height_px - 40 - legend_px - PANEL_GAP_PX * len(rows)) // len(rows) - 22)
    body = "".join(_panel_html(p, panel_px, figure) for p in sorted(panels, key=lambda p: (-p.y_domain[1], p.x_domain)))
    return (f'<div class="svg-chart {css_class}" role="img" aria-label="{html.escape(title)}">'
            f'<div class="gtitle">{html.escape(title)}</div>'
            f'<div class="svg-panels" style="grid-template-columns: repeat({len(columns)}, minmax(0, 1fr))">{body}</div>'
            f'{_legend_html(figure)}</div>')


def _panels(figure: dict) -> list[_Panel]:
    layout = figure.get("layout", {})
    keys = sorted({(t.get("xaxis") or "x")[1:] for t in figure["data"]}, key=lambda k: int(k or 1))
    panels = []
    for key in keys:
        x_axis, y_axis = layout.get(f"xaxis{key}", {}), layout.get(f"yaxis{key}", {})
        panels.append(_Panel(key, tuple(x_axis.get("domain", (0, 1))), tuple(y_axis.get("domain", (0, 1))), x_axis,
                             y_axis))
    for note in layout.get("annotations", []):
        for panel in panels:
            if panel.x_domain[0] <= note.get("x", -1) <= panel.x_domain[1] and note.get("y") == panel.y_domain[1]:
                panel.title = _text(note.get("text", ""))
    for trace in figure["data"]:
        kind = trace.get("type", "scatter")
        if kind not in ("scatter", "bar"):
            raise ValueError(f"cannot draw a {kind} trace as SVG")
        key = (trace.get("xaxis") or "x")[1:]
        next(p for p in panels if p.key == key).traces.append(trace)
    return panels


def _text(markup: str) -> str:
    """A Plotly label's text without its few tags (``<b>``, ``<br>``), unescaped: escaped again where drawn."""
    return html.unescape(re.sub(r"<br\s*/?>", "\n", re.sub(r"</?b>", "", markup or "")))


# -- values to positions ---------------------------------------------------------------------------
def _x_number(value) -> float:
    """A month "2025-04" as a count of months, a number as itself."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}", value):
        year, month = value.split("-")
        return int(year) * 12 + int(month) - 1
    return float(value)


def _month_name(number: float) -> str:
    year, month = divmod(int(round(number)), 12)
    return f"{year}-{month + 1:02d}"


def _nice_step(span: float, wanted: int, multiples: tuple[float, ...] = (1, 2, 2.5, 5, 10)) -> float:
    """The smallest round step (a multiple times a power of ten) that gives at most ``wanted`` ticks."""
    raw = span / max(1, wanted)
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    return next(m * power for m in multiples if m * power >= raw)


def _month_step(span: float, wanted: int) -> int:
    """A step in whole months that people count in: 1, 2, 3, 6 months, then whole years."""
    raw = span / max(1, wanted)
    return next((m for m in (1, 2, 3, 6, 12) if m >= raw), 12 * math.ceil(raw / 12))


def _y_scale(panel: _Panel) -> tuple[float, float, list[float]]:
    values = [float(v) for t in panel.traces for v in t.get("y", []) if v is not None and math.isfinite(float(v))]
    if any(t.get("type") == "bar" for t in panel.traces):
        values.append(0.0)
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.06
    low, high = low - pad, high + pad
    step = _nice_step(high - low, TICKS_WANTED)
    ticks = [k * step for k in range(math.ceil(low / step), math.floor(high / step) + 1)]
    return low, high, ticks


def _number(value: float, step: float | None = None) -> str:
    """A value as a chart shows it: as many decimals as its tick step (or its size) calls for."""
    if step is not None:
        decimals = max(0, -math.floor(math.log10(step) + 1e-9))
        while decimals < 6 and abs(round(step, decimals) - step) > 1e-9:
            decimals += 1                      # 0.25 needs two decimals, 2.5 one
        return f"{value:,.{decimals}f}"
    size = abs(value)
    return f"{value:,.0f}" if size >= 1000 else f"{value:,.1f}" if size >= 100 else f"{value:,.2f}"


# -- one panel --------------------------------------------------------------------------------------
def _panel_html(panel: _Panel, height_px: int, figure: dict) -> str:
    bars = [t for t in panel.traces if t.get("type") == "bar"]
    low, high, ticks = _y_scale(panel)

    def y_px(value: float) -> float:
        return round(height_px * (high - float(value)) / (high - low), 1)

    parts = [f'<line x1="0" x2="100%" y1="{y_px(t)}" y2="{y_px(t)}" class="{"svg-zero" if t == 0 else "svg-grid"}"/>'
             for t in ticks]
    step = ticks[1] - ticks[0] if len(ticks) > 1 else None
    parts += [f'<text x="-6" y="{y_px(t) + 4}" text-anchor="end">{_number(t, step)}</text>' for t in ticks]
    y_title = _text(panel.y_axis.get("title", {}).get("text", ""))
    if y_title:
        parts.append(f'<text transform="translate(-50 {height_px / 2}) rotate(-90)" text-anchor="middle">'
                     f'{html.escape(y_title)}</text>')
    if bars:
        parts += _bars(bars, y_px, height_px)
    else:
        parts += _lines(panel, y_px, height_px)
    x_title = _text(panel.x_axis.get("title", {}).get("text", ""))
    title = f'<div class="svg-panel-title">{html.escape(panel.title)}</div>' if panel.title else ""
    caption = f'<div class="svg-axis-title">{html.escape(x_title)}</div>' if x_title else ""
    kind = "svg-panel svg-y-titled" if y_title else "svg-panel"
    return (f'<div class="{kind}">{title}<svg class="svg-plot" width="100%" height="{height_px}" '
            f'overflow="visible">{"".join(parts)}</svg>{caption}</div>')


def _lines(panel: _Panel, y_px, height_px: int) -> list[str]:
    xs = [_x_number(x) for t in panel.traces for x in t.get("x", [])]
    given = panel.x_axis.get("range")
    left, right = (_x_number(given[0]), _x_number(given[1])) if given else (min(xs), max(xs))
    if right - left < 1e-9:
        left, right = left - 1, right + 1
    dated = any(isinstance(x, str) for t in panel.traces for x in t.get("x", []))

    def x_pct(value) -> float:
        return round(100 * (_x_number(value) - left) / (right - left), 2)

    step = _month_step(right - left, X_TICKS_WANTED) if dated else _nice_step(right - left, X_TICKS_WANTED, (1, 2, 5, 10))
    first = math.ceil(left / step) * step
    ticks = [first + k * step for k in range(int((right - first) // step) + 1)]
    parts = [f'<text x="{x_pct(t)}%" y="{height_px + 16}" text-anchor="middle">'
             f'{_month_name(t) if dated else _number(t, step)}</text>' for t in ticks]
    lines = []
    for trace in panel.traces:
        points = [(x, y) for x, y in zip(trace.get("x", []), trace.get("y", [])) if y is not None]
        style = trace.get("line", {})
        mode = trace.get("mode", "lines")
        opacity = f' opacity="{trace["opacity"]}"' if "opacity" in trace else ""
        path = " ".join(f"{PLOT_WIDTH * x_pct(x) / 100:.1f},{y_px(y)}" for x, y in points)
        if trace.get("fill") == "toself":
            lines.append(f'<polygon points="{path}" fill="{html.escape(trace.get("fillcolor", "#ccc"))}" stroke="none"/>')
        elif "lines" in mode and style.get("width", 2) > 0:
            dash = DASHES.get(style.get("dash", "solid"), "")
            lines.append(f'<polyline points="{path}" fill="none" stroke="{html.escape(style.get("color", "#444"))}" '
                         f'stroke-width="{style.get("width", 2)}"{opacity} vector-effect="non-scaling-stroke"'
                         + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
        if "markers" in mode:
            parts += [_marker(trace, f"{x_pct(x)}%", y_px(y)) for x, y in points]
    stretched = (f'<svg width="100%" height="{height_px}" viewBox="0 0 {PLOT_WIDTH} {height_px}" '
                 f'preserveAspectRatio="none" overflow="visible">{"".join(lines)}</svg>')
    x_title = _text(panel.x_axis.get("title", {}).get("text", ""))
    return [stretched, *parts, *_hover_columns(panel, x_pct, height_px, "" if dated else x_title or "x")]


def _marker(trace: dict, x: str, y: float) -> str:
    marker = trace.get("marker", {})
    colour = html.escape(marker.get("color") or trace.get("line", {}).get("color", "#444"))
    size = float(marker.get("size", 6))
    symbol = marker.get("symbol", "circle")
    edge = marker.get("line", {})
    stroke = (f' stroke="{html.escape(edge["color"])}" stroke-width="{edge.get("width", 1)}"' if edge.get("color") else "")
    if symbol not in SYMBOLS:
        return f'<circle cx="{x}" cy="{y}" r="{size / 2}" fill="{colour}"{stroke}/>'
    scale = size / 2
    return (f'<svg x="{x}" y="{y}" overflow="visible"><path d="{SYMBOLS[symbol]}" transform="scale({scale})" '
            f'fill="{colour}"{stroke} vector-effect="non-scaling-stroke"/></svg>')


def _hover_columns(panel: _Panel, x_pct, height_px: int, x_name: str) -> list[str]:
    """One transparent column per month of the panel with every series' value (and any event's words)
    that month in its ``<title>``: a browser shows it when the pointer rests there. The column's first
    line names the month ("2025-04", or "month 3" with ``x_name`` "month" where the axis counts months)."""
    by_x: dict[float, list[str]] = {}
    label_of: dict[float, str] = {}
    for trace in panel.traces:
        if trace.get("hoverinfo") == "skip":
            continue
        texts = trace.get("hovertext") or []
        for i, (x, y) in enumerate(zip(trace.get("x", []), trace.get("y", []))):
            if y is None:
                continue
            key = _x_number(x)
            label_of[key] = f"{x_name} {x}" if x_name else str(x)
            words = _text(texts[i]) if i < len(texts) and texts[i] else _number(float(y))
            by_x.setdefault(key, []).append(f"{_text(trace.get('name', ''))}: {words}")
    keys = sorted(by_x)
    columns = []
    for i, key in enumerate(keys):
        left = x_pct(key) - 1.5 if i == 0 else (x_pct(keys[i - 1]) + x_pct(key)) / 2        # halfway to each neighbour
        right = x_pct(key) + 1.5 if i == len(keys) - 1 else (x_pct(key) + x_pct(keys[i + 1])) / 2
        title = html.escape("\n".join([label_of[key], *by_x[key]]))
        columns.append(f'<rect class="svg-hover" x="{max(0.0, left):.2f}%" y="0" width="{max(0.5, right - left):.2f}%" '
                       f'height="{height_px}"><title>{title}</title></rect>')
    return columns


def _bars(bars: list[dict], y_px, height_px: int) -> list[str]:
    categories = list(dict.fromkeys(x for t in bars for x in t.get("x", [])))
    slot = 100 / len(categories)
    width = slot * 0.8 / len(bars)
    parts = []
    for k, category in enumerate(categories):
        parts.append(f'<text x="{slot * (k + 0.5):.2f}%" y="{height_px + 16}" text-anchor="middle">'
                     f'{html.escape(_text(str(category)))}</text>')
    zero = y_px(0)
    for j, trace in enumerate(bars):
        colour = html.escape(trace.get("marker", {}).get("color", "#444"))
        for category, value in zip(trace.get("x", []), trace.get("y", [])):
            k = categories.index(category)
            top, bottom = sorted((y_px(value), zero))
            title = html.escape(f"{_text(trace.get('name', ''))}, {_text(str(category))}: {_number(float(value))}")
            parts.append(f'<rect x="{slot * k + slot * 0.1 + width * j:.2f}%" y="{top}" width="{width:.2f}%" '
                         f'height="{max(0.5, bottom - top):.1f}" fill="{colour}"><title>{title}</title></rect>')
    return parts


# -- the legend -------------------------------------------------------------------------------------
def _legend_items(figure: dict) -> list[dict]:
    seen, items = set(), []
    for trace in figure["data"]:
        group = trace.get("legendgroup") or trace.get("name")
        if trace.get("showlegend", True) is False or group in seen or not trace.get("name"):
            continue
        seen.add(group)
        items.append(trace)
    return items


def _legend_html(figure: dict) -> str:
    entries = []
    for trace in _legend_items(figure):
        style = trace.get("line", {})
        mode = trace.get("mode", "lines")
        if trace.get("type") == "bar":
            swatch = f'<rect x="6" y="1" width="16" height="10" fill="{html.escape(trace.get("marker", {}).get("color", "#444"))}"/>'
        elif trace.get("fill") == "toself":
            swatch = f'<rect x="2" y="1" width="24" height="10" fill="{html.escape(trace.get("fillcolor", "#ccc"))}"/>'
        else:
            swatch = ""
            if "lines" in mode:
                dash = DASHES.get(style.get("dash", "solid"), "")
                swatch += (f'<line x1="2" x2="26" y1="6" y2="6" stroke="{html.escape(style.get("color", "#444"))}" '
                           f'stroke-width="{min(3, style.get("width", 2))}"' + (f' stroke-dasharray="{dash}"' if dash else "")
                           + "/>")
            if "markers" in mode:
                swatch += _marker(trace, "14", 6)
        entries.append(f'<span class="svg-legend-item"><svg width="28" height="12" overflow="visible">{swatch}</svg>'
                       f'{html.escape(_text(trace["name"]))}</span>')
    return f'<div class="svg-legend">{"".join(entries)}</div>' if entries else ""
