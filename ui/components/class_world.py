"""What every page of a class room shows alike, made once per room and month and shared by its pages.

When a round is played, thirty pages redraw at once, each in its own widget tree: the server's cost is
Solara's work per element of each page (finding what changed, updating the widgets, sending the
messages), paid thirty times. So the parts that are the same on every page are made once, by the first
page that asks, and kept with the room's snapshot (``classroom.view.RoomView``):

- the world: the heading, the market numbers and headlines, the three charts and the "why did it move"
  tables (``SharedWorld``). The text comes from the panels' own functions (``ui.components.panels``),
  turned into HTML once; the charts are serialised once (``ChartSpec``). A page draws it with one
  widget (``ClassWorld``) whose content is that same shared text: a round sends each page one message
  for the world, and Solara has one element to compare instead of dozens;
- a seat's report card (``SharedReport``), the same for every member of a team.

Typed text stays text: headlines go through ``plain`` into the Markdown, which ``to_html`` escapes and
which makes no links or images (``ui/components/prose.py``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

import ipyvue
import solara
import traitlets

from simulation.recording import month_label
from ui.components.panels import (NO_NEWS, WHY_EMPTY, WHY_UNITS, market_numbers_text, news_items, report, why_tables,
                                  why_title)
from ui.components.plotly_view import DRAW_CHART, ChartSpec, chart_spec
from ui.components.prose import block_html, card_html, to_html
from ui.components.svg_chart import figure_html


@dataclass(frozen=True)
class SharedWorld:
    """The world after a room's last round, ready to draw: HTML blocks and serialised charts."""

    heading: str
    numbers_and_news: str
    charts: tuple[ChartSpec, ChartSpec, ChartSpec]       # markets, economies, network
    why: str
    markets_html: str = ""         # the markets chart drawn on the server (``svg_chart``), for students' pages


@dataclass(frozen=True)
class SharedReport:
    """A seat's report card, ready to draw: its title, its text as one HTML block and its chart."""

    title: str
    html: str
    chart_html: str                # drawn on the server (``svg_chart``)


_KEPT: dict[tuple, tuple] = {}
_LOCK = threading.RLock()     # a build may ask for another shared part (the world asks for the figures)
_KEEP_AT_MOST = 256


def once_per_view(view, key: tuple, build: Callable[[], object]):
    """``build()`` for ``view`` (one month of one room) and ``key``, made by the first page that asks and
    handed to every other page. The pages of a round all ask at the same moment: the lock makes the
    first one build it while the others wait, instead of each building its own."""
    with _LOCK:
        kept = _KEPT.get((id(view), *key))
        if kept is not None and kept[0] is view:
            return kept[1]
        value = build()
        if len(_KEPT) >= _KEEP_AT_MOST:
            _KEPT.pop(next(iter(_KEPT)))
        _KEPT[(id(view), *key)] = (view, value)    # the view is kept with it, so its id is not reused meanwhile
        return value


def shared_figures(view, seat: str | None) -> tuple[dict, dict, dict]:
    """The room's three charts (markets, economies for ``seat``'s focus, network) as figures. Only the
    economies chart depends on the seat; the other two are built once for the whole room."""
    from ui import charts
    from ui.components.figures import focus_economies

    def build():
        markets, network = _room_figures(view)
        baseline, result = view.baseline(), view.result
        return (markets, charts.economy_figure(result.economies, baseline.economies, focus_economies(seat), view.steps),
                network)

    return once_per_view(view, ("figures", focus_economies(seat)), build)


def _room_figures(view) -> tuple[dict, dict]:
    """The markets and network charts, the same for every seat of the room."""
    from ui import charts

    return once_per_view(view, ("room figures",), lambda: (
        charts.markets_figure(view.result.model, view.baseline().model, None, view.steps),
        charts.network_figure(view.result.trade, view.month)))


def shared_world(view, seat: str | None = None) -> SharedWorld:
    """The world after ``view``'s month for pages of ``seat`` (the economies chart is drawn for the seat's
    economy; every other part is made once for the whole room)."""
    from ui.components.figures import focus_economies

    def build():
        room = once_per_view(view, ("room world",), lambda: _room_world(view))
        economies = shared_figures(view, seat)[1]
        return SharedWorld(heading=room.heading, numbers_and_news=room.numbers_and_news, why=room.why,
                           charts=(room.charts[0], chart_spec(economies), room.charts[2]), markets_html=room.markets_html)

    return once_per_view(view, ("world", focus_economies(seat)), build)


def _room_world(view) -> SharedWorld:
    """The parts of the world that are the same for every seat (the economies chart is left empty)."""
    month = view.month
    heading = (f"### The world after round {month} ({month_label(view.loaded.start, month)})" if month
               else "### The world before round 1")
    items = news_items(view)
    news = "".join(block_html(item, ["news-item"]) for item in items) or f"<p>{NO_NEWS}</p>"
    if month < 1:
        why = f"<p>{WHY_EMPTY}</p>"
    else:
        tables = "".join(block_html(text, [f"why-{market}"]) for market, text in why_tables(view, month))
        why = f'<div class="why-grid">{tables}</div><p class="why-units">{WHY_UNITS}</p>'
    markets, network = _room_figures(view)
    return SharedWorld(
        heading=to_html(heading),
        numbers_and_news=block_html(market_numbers_text(view), ["market-numbers"]) + card_html("News", news,
                                                                                                ["news-ticker"]),
        charts=(chart_spec(markets), ChartSpec("", ""), chart_spec(network)),
        why=card_html(why_title(view, month), why, ["why-panel"]), markets_html=figure_html(markets))


def shared_report(view, seat: str) -> SharedReport:
    """``seat``'s report card at ``view``'s month, the same for every member of its team."""
    def build():
        card = report(view, seat)
        parts = [block_html(card.scale, ["score-scale"]), block_html(card.table)]
        if card.notes:
            parts.append(block_html(card.notes))
        return SharedReport(card.title, "".join(parts), figure_html(card.figure))

    return once_per_view(view, ("report", seat), build)


WORLD_TEMPLATE = """
<template>
  <div class="class-world">
    <div class="prose world-heading" v-html="heading"></div>
    <div class="class-world-columns">
      <div class="world-numbers" v-html="numbers"></div>
      <div class="world-charts">
        <div class="chart-markets"><div v-if="markets_picture" class="svg-view" v-html="markets_picture"></div>
             <div v-else class="plotly-view" role="img" :aria-label="labels[0]" :data-draws="draws[0]"
             style="width: 100%"><div ref="chart0" style="width: 100%"></div></div></div>
        <div class="world-chart-pair">
          <div class="chart-economies"><div class="plotly-view" role="img" :aria-label="labels[1]"
               :data-draws="draws[1]" :style="{width: '100%', minHeight: heights[1] + 'px'}"
               ><div ref="chart1" style="width: 100%"></div></div></div>
          <div class="chart-network"><div class="plotly-view" role="img" :aria-label="labels[2]"
               :data-draws="draws[2]" :style="{width: '100%', minHeight: heights[2] + 'px'}"
               ><div ref="chart2" style="width: 100%"></div></div></div>
        </div>
        <div class="world-why" v-html="why"></div>
      </div>
    </div>
  </div>
</template>
<script>
DRAW_CHART
// The markets chart is drawn as soon as a round arrives (on a student's page it comes drawn, as
// markets_picture, and charts[0] is empty). The economies and network charts are drawn only
// while they are on screen (or within NEAR_PX of it) and the page is visible: scrolling to them, or
// coming back to the tab, draws the month they have not shown yet at once. Their boxes keep the charts'
// heights meanwhile, so the page does not jump when they are drawn.
const NEAR_PX = 400;
const LAZY = [false, true, true];
// The app scrolls inside its layout, not the window: "near" is measured in the box that scrolls (the
// margin of an observer on the window would be clipped away by that box).
function scroller(element) {
  for (let e = element.parentElement; e; e = e.parentElement) {
    if (/(auto|scroll)/.test(getComputedStyle(e).overflowY)) return e;
  }
  return null;
}
module.exports = {
  data() { return { draws: [0, 0, 0] }; },
  created() { this.drawn = ["", "", ""]; this.near = [true, false, false]; },
  mounted() {
    this.observer = new IntersectionObserver((entries) => {
      for (const entry of entries) this.near[+entry.target.dataset.chart] = entry.isIntersecting;
      this.draw();
    }, { root: scroller(this.$el), rootMargin: NEAR_PX + "px 0px" });
    for (let i = 0; i < 3; i++) {
      if (!LAZY[i]) continue;
      this.$refs["chart" + i].dataset.chart = i;
      this.observer.observe(this.$refs["chart" + i]);
    }
    this.onVisibility = () => this.draw();
    document.addEventListener("visibilitychange", this.onVisibility);
    this.draw();
  },
  beforeDestroy() {
    this.observer.disconnect();
    document.removeEventListener("visibilitychange", this.onVisibility);
  },
  watch: { charts() { this.draw(); } },
  methods: {
    wanted(i) { return !LAZY[i] || (this.near[i] && document.visibilityState === "visible"); },
    async draw() {
      for (let i = 0; i < 3; i++) {
        const spec = this.charts[i];
        if (!spec || spec === this.drawn[i] || !this.wanted(i)) continue;
        this.drawn[i] = spec;
        await drawChart(this.$refs["chart" + i], spec);
        this.$set(this.draws, i, this.draws[i] + 1);
      }
    }
  }
}
</script>
""".replace("DRAW_CHART", DRAW_CHART)


class _WorldWidget(ipyvue.VueTemplate):
    """The whole shared world in one widget: a round sends each page one message with its new content."""

    template = traitlets.Unicode(WORLD_TEMPLATE).tag(sync=True)
    heading = traitlets.Unicode("").tag(sync=True)
    numbers = traitlets.Unicode("").tag(sync=True)
    why = traitlets.Unicode("").tag(sync=True)
    charts = traitlets.List(traitlets.Unicode(), default_value=["", "", ""]).tag(sync=True)
    labels = traitlets.List(traitlets.Unicode(), default_value=["chart", "chart", "chart"]).tag(sync=True)
    heights = traitlets.List(traitlets.Int(), default_value=[0, 0, 0]).tag(sync=True)
    markets_picture = traitlets.Unicode("").tag(sync=True)


@solara.component
def ClassWorld(view, seat: str | None = None, drawn_on_server: bool = False):
    """The shared world after the last resolved round: market numbers and headlines, the three charts
    (markets, economies, network) and why, drawn from ``SharedWorld`` by one widget. The markets chart is
    drawn when a round arrives; the economies and network charts when they are on (or near) the screen of
    a visible page (``WORLD_TEMPLATE``): thirty pages on one machine, or a phone, skip drawing charts nobody
    is looking at, and a chart scrolled to shows the latest month at once.

    ``drawn_on_server`` (the students' pages): the markets chart comes as SVG made once for the room
    (``svg_chart``) instead of being drawn by plotly.js on every page, which was most of a student page's
    work when a round is played."""
    world = shared_world(view, seat)
    charts = [chart.spec for chart in world.charts]
    if drawn_on_server:
        charts[0] = ""
    _WorldWidget.element(heading=world.heading, numbers=world.numbers_and_news, why=world.why, charts=charts,
                         labels=[chart.label for chart in world.charts],
                         heights=[chart.height_px for chart in world.charts],
                         markets_picture=world.markets_html if drawn_on_server else "")


REPORT_TEMPLATE = """
<template>
  <div class="v-card v-sheet theme--light elevation-2 ma-0 report-card">
    <div class="v-card__title">{{ title }}</div>
    <div class="v-card__text">
      <div v-html="body"></div>
      <div class="svg-view" v-html="picture"></div>
    </div>
  </div>
</template>
"""


class _ReportWidget(ipyvue.VueTemplate):
    """A seat's report card in one widget (as ``solara.Card`` draws a card), its chart drawn on the server:
    a round sends each page one message for it, and the page only parses and paints it."""

    template = traitlets.Unicode(REPORT_TEMPLATE).tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)
    body = traitlets.Unicode("").tag(sync=True)
    picture = traitlets.Unicode("").tag(sync=True)


@solara.component
def SeatReport(view, seat: str):
    """The seat's report card (``SharedReport``): its title, one block of text and its chart, in one widget."""
    card = shared_report(view, seat)
    _ReportWidget.element(title=card.title, body=card.html, picture=card.chart_html)
