"""PlotlyView: a Plotly chart drawn in the browser by plotly.js, updated in place with ``Plotly.react``.

Why not ``solara.FigurePlotly``: its widget ships the whole 4.8 MB plotly bundle inside every chart and
evaluates it once per chart (about a second each on a classroom laptop), and it re-sends every trace on
each update. Here plotly.js is one static file served by this app (``/app-assets/plotly.min.js``: the
1.2 MB partial bundle with the trace types the app draws, vendored in ``ui/assets``; no CDN), loaded once
per page and cached by the browser, and each update sends only the figure's JSON, which ``Plotly.react``
redraws by difference. Figures are plain dicts built in ``ui/charts.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import ipyvue
import numpy as np
import solara
import traitlets

PLOTLY_JS_URL = "/app-assets/plotly.min.js"

# How every chart of the app is drawn from its figure's JSON text (``ChartSpec.spec``), by difference with
# what the element shows (``Plotly.react``); a template's script defines it with DRAW_CHART.
DRAW_CHART = """
async function drawChart(element, spec) {
  const Plotly = await LOAD_PLOTLY;
  const figure = JSON.parse(spec);
  await Plotly.react(element, figure.data, figure.layout,
                     {displaylogo: false, responsive: true, modeBarButtonsToRemove: ["sendDataToCloud"]});
}
"""

# PlotlyView's template: draws ``spec`` when it arrives and again whenever it changes.
TEMPLATE = """
<template>
  <div class="plotly-view" role="img" :aria-label="label" :data-draws="draws" style="width: 100%">
    <div ref="plot" style="width: 100%"></div>
  </div>
</template>
<script>
DRAW_CHART
module.exports = {
  data() { return { draws: 0 }; },
  mounted() { this.draw(); },
  watch: { spec() { this.draw(); } },
  methods: {
    async draw() {
      await drawChart(this.$refs.plot, this.spec);
      this.draws += 1;
    }
  }
}
</script>
"""

# One promise per page: the first chart (or the warm-up below) loads plotly.js for all of them.
LOAD_PLOTLY = """(window.Plotly ? Promise.resolve(window.Plotly) : (window.tradewarPlotly = window.tradewarPlotly ||
  new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "PLOTLY_JS_URL";
    script.onload = () => resolve(window.Plotly);
    script.onerror = reject;
    document.head.appendChild(script);
  })))""".replace("PLOTLY_JS_URL", PLOTLY_JS_URL)
DRAW_CHART = DRAW_CHART.replace("LOAD_PLOTLY", LOAD_PLOTLY)
TEMPLATE = TEMPLATE.replace("DRAW_CHART", DRAW_CHART)

# Loads plotly.js when the browser is idle a moment after a page without charts (the Scenarios page) has
# been drawn, so that the charts are ready when the student goes on to play: a page change inside the app
# keeps the loaded script. Loading it up front instead delayed every page's first drawing by ~1.5 s.
WARMUP_TEMPLATE = """
<template><span class="plotly-warmup" style="display: none"></span></template>
<script>
module.exports = {
  mounted() {
    const load = () => LOAD_PLOTLY;
    setTimeout(() => (window.requestIdleCallback ? window.requestIdleCallback(load) : load()), 1500);
  }
}
</script>
""".replace("LOAD_PLOTLY", LOAD_PLOTLY)


class _PlotlyWarmup(ipyvue.VueTemplate):
    template = traitlets.Unicode(WARMUP_TEMPLATE).tag(sync=True)


@solara.component
def PlotlyWarmup():
    """Put on pages without charts: plotly.js is loaded in the browser's idle time (see WARMUP_TEMPLATE)."""
    _PlotlyWarmup.element()


class _PlotlyWidget(ipyvue.VueTemplate):
    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    spec = traitlets.Unicode("{}").tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)


def to_json(figure: dict) -> str:
    return json.dumps(figure, default=_plain, separators=(",", ":"))


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot put {type(value).__name__} in a chart")


@dataclass(frozen=True)
class ChartSpec:
    """A figure already turned into the JSON plotly.js draws, with its title: a chart many pages show
    (a class room's) is serialised once and every page's widget is handed the same text."""

    spec: str
    label: str
    height_px: int = 0       # the figure's own height, kept free for a chart drawn only when scrolled to


def chart_spec(figure: dict) -> ChartSpec:
    layout = figure.get("layout", {})
    return ChartSpec(to_json(figure), layout.get("title", {}).get("text", "chart"), int(layout.get("height") or 0))


@solara.component
def PlotlyView(figure: dict | ChartSpec, classes: list[str] = []):
    """Draw ``figure`` (``{"data": [...], "layout": {...}}``, or a ``ChartSpec`` made from one); its title is
    also the chart's accessible label."""
    chart = figure if isinstance(figure, ChartSpec) else chart_spec(figure)
    with solara.Div(classes=classes):
        _PlotlyWidget.element(spec=chart.spec, label=chart.label)
