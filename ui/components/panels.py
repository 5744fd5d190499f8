"""Read-only panels of a game: market numbers, news ticker, "why did it move", report card, briefing.

A panel's ``version`` argument is the game's move counter: the session object itself stays the same as
the game moves, so the counter is what tells Solara the panel must be drawn again.

Each panel takes a ``PlaySession`` (and the month to show) and draws what the model recorded; none of
them computes economics of its own. What a panel says is made by a plain function (``market_numbers_text``,
``news_items``, ``why_tables``, ``report``): the Play page draws it with these components, and the class
game turns the same text into one block of HTML per room and month that all its pages share
(``ui/components/class_world.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import solara

from ui.components.plotly_view import PlotlyView

from ui.components.prose import Prose, plain

from simulation.policy import actor_name
from simulation.recording import month_label
from simulation.decisions import CENTRAL_BANK, GOVERNMENT
from simulation.session import KEY_SERIES, PlaySession, seat_kind
from simulation.world import ECONOMY_NAMES

# The model records yields' moves in basis points and prices' moves as log changes in percent (which add up
# across causes, as the news headlines quote them); every panel here shows them the same way.
UNIT_WORDS = {"bp": "bp", "pct": "%"}
SCORE_PART_WORDS = {"output": "output (GDP against its path without the dispute)",
                    "inflation": "inflation (distance from the target, against the start)",
                    "jobs": "auto jobs", "wealth": "wealth (value of reserves)",
                    "revenue": "tariff revenue", "currency": "currency (its move against the dollar)"}
SEAT_SCORE_WORDS = {GOVERNMENT: "output, inflation, auto jobs, wealth and tariff revenue",
                    CENTRAL_BANK: "its mandate: inflation against target, a small output gap and, if asked, "
                                  "a steady currency"}


@lru_cache(maxsize=None)
def score_scale(seat: str) -> str:
    """What one score point is worth in each of the seat's terms, at the standard weights of the calibration
    (``welfare.weight.*`` for governments, ``mandate.weight.*`` for central banks; a scenario's role may
    weigh them differently). Cached per seat: it reads the calibration file, and every report card of a
    class asks at every round."""
    from simulation.calibration import load_calibration

    table = parameter_table()
    prefix = "mandate.weight." if seat_kind(seat) == CENTRAL_BANK else "welfare.weight."
    worth = []
    for row in table[table.name.str.startswith(prefix)].itertuples():
        weight = load_calibration().param(row.name)
        if weight > 0:
            unit = row.unit.removeprefix("score points per ").split(" (")[0]
            worth.append(f"{1 / weight:g} {unit}")
    if not worth:
        return ""
    return (f"At the standard weights one point is worth {', or '.join(worth)}: a gap of 0.4 points is "
            f"0.4 times that.")


def parameter_table():
    """The calibrated parameters (name, value, unit, source) as the calibration file lists them."""
    from pathlib import Path

    import pandas as pd

    import simulation.calibration as package

    return pd.read_csv(Path(package.__file__).with_name("parameters.csv"))


def month_change(session, column: str, month: int) -> tuple[float, str]:
    """``column``'s change in ``month`` as the model recorded it (the sum of its causes) and its unit: the
    same figure the headlines and the "why" table give."""
    causes = session.why(month, column)
    unit = UNIT_WORDS[causes.unit.iloc[0]] if not causes.empty else ("bp" if KEY_SERIES[column][1] == "%" else "%")
    return float(causes.change.sum()), unit


def market_numbers_text(session) -> str:
    """The latest value of each key series and its change this month, as a Markdown table."""
    last = session.result.model.iloc[-1]
    rows = ["| Series | Now | This month |", "|---|---:|---:|"]
    for column, (label, unit) in KEY_SERIES.items():
        shown = "—"
        if session.month >= 1:
            change, change_unit = month_change(session, column, session.month)
            shown = f"{change:+.1f} {change_unit}" if change_unit == "bp" else f"{change:+.2f}%"
        rows.append(f"| {label} ({unit}) | {last[column]:,.2f} | {shown} |")
    return "\n".join(rows)


@solara.component
def MarketNumbers(session: PlaySession, version: int = 0):
    """The latest value of each key series and its change this month, as a small table."""
    Prose(market_numbers_text(session), classes=["market-numbers"])


NO_NEWS = "No news yet: play a month."


def news_items(session, limit: int = 8) -> list[str]:
    """The latest plain-language headlines, newest first, each a line of Markdown (typed headlines as text)."""
    return [f"**{month_label(session.loaded.start, step)}** — {plain(text)}" for step, text in session.headlines()[:limit]]


@solara.component
def NewsTicker(session: PlaySession, version: int = 0, limit: int = 8):
    """The latest plain-language headlines, newest first."""
    items = news_items(session, limit)
    with solara.Card("News", margin=0, classes=["news-ticker"]):
        if not items:
            solara.Text(NO_NEWS)
        for item in items:
            Prose(item, classes=["news-item"])


WHY_EMPTY = "Play a month to see what moved the markets and why."
WHY_UNITS = "Prices' changes are log changes in %, which add up across causes; yields' in basis points."
WHY_UNITS_STYLE = {"font-size": "0.8em", "color": "#666"}


def why_title(session, month: int) -> str:
    return f"Why did it move? ({month_label(session.loaded.start, month)})"


def why_tables(session, month: int) -> list[tuple[str, str]]:
    """(market, Markdown) for every series on the page: ``month``'s change split into the causes the model
    recorded, the six largest and the rest summed."""
    tables = []
    for market, (label, _) in KEY_SERIES.items():
        causes = session.why(month, market)
        total, unit = month_change(session, market, month)
        lines = [f"**{label}: {total:+.2f} {unit}** this month", "", "| Cause | Contribution |", "|---|---:|"]
        lines += [f"| {row.label} | {row.change:+.2f} {unit} |" for row in causes.head(6).itertuples()]
        if len(causes) > 6:
            lines.append(f"| {len(causes) - 6} smaller causes | {causes.change.iloc[6:].sum():+.2f} {unit} |")
        tables.append((market, "\n".join(lines)))
    return tables


@solara.component
def WhyPanel(session: PlaySession, month: int, version: int = 0):
    """This month's change in every series on the page, split into the causes the model recorded (the
    total is the sum of the causes, the figure the headlines quote, in the same unit)."""
    with solara.Card(why_title(session, month), margin=0, classes=["why-panel"]):
        if month < 1:
            solara.Text(WHY_EMPTY)
            return
        with solara.Div(classes=["why-grid"]):
            for market, text in why_tables(session, month):
                Prose(text, classes=[f"why-{market}"])
        solara.Text(WHY_UNITS, style=WHY_UNITS_STYLE)


@dataclass(frozen=True)
class Report:
    """A seat's report card: its title, the score against the baseline in words (with what a point is
    worth), the table of the score's parts, what cost and helped most, and the parts as a chart."""

    title: str
    scale: str
    table: str
    notes: str
    figure: dict = field(compare=False)


def report(session, seat: str) -> Report:
    """The seat's own score against the baseline, and which of its terms made the difference."""
    from ui.charts import score_figure

    economy = _home(seat)
    month = session.month
    parts = session.score_parts(seat)
    base_parts = session.baseline_score_parts(seat, month)
    mine, theirs = session.score(seat), 100.0 + sum(base_parts.values())
    title = "Report card" if session.finished else f"Report card so far (month {month} of {session.steps})"
    verdict = "better than" if mine > theirs + 0.05 else "worse than" if mine < theirs - 0.05 else "level with"
    scale = (f"**{actor_name(seat)[:1].upper() + actor_name(seat)[1:]}** scores **{mine:.1f}** "
             f"against **{theirs:.1f}** in the baseline — {verdict} leaving it to the rules. "
             f"(100 is the starting point; the score weighs {SEAT_SCORE_WORDS[seat_kind(seat)]} "
             f"for {ECONOMY_NAMES[economy]} with this role's objectives.) " + score_scale(seat))
    rows = ["| Part of the score | Your game | Baseline | Difference |", "|---|---:|---:|---:|"]
    for name, value in parts.items():
        rows.append(f"| {SCORE_PART_WORDS[name]} | {value:+.2f} | {base_parts[name]:+.2f} | "
                    f"{value - base_parts[name]:+.2f} |")
    gaps = sorted(parts, key=lambda n: parts[n] - base_parts[n])
    worst, best = gaps[0], gaps[-1]
    notes = []
    if parts[worst] - base_parts[worst] < -0.05:
        notes.append(f"What cost you most: **{SCORE_PART_WORDS[worst]}** ({parts[worst] - base_parts[worst]:+.2f}).")
    if parts[best] - base_parts[best] > 0.05:
        notes.append(f"What helped most: **{SCORE_PART_WORDS[best]}** ({parts[best] - base_parts[best]:+.2f}).")
    return Report(title, scale, "\n".join(rows), " ".join(notes),
                  score_figure(parts, base_parts, actor_name(seat)))


@solara.component
def ReportCard(session: PlaySession, seat: str, version: int = 0):
    """The seat's own score against the baseline, and which of its terms made the difference."""
    card = solara.use_memo(lambda: report(session, seat),
                           dependencies=[id(session), seat, version, session.month, session.score(seat)])
    with solara.Card(card.title, margin=0, classes=["report-card"]):
        Prose(card.scale, classes=["score-scale"])
        Prose(card.table)
        if card.notes:
            Prose(card.notes)
        PlotlyView(card.figure)


def _home(seat: str) -> str:
    from simulation.decisions import home_economy

    return home_economy(seat)


@solara.component
def Briefing(loaded, seat: str | None):
    """The scenario's (``loaded``) briefing and, for a seat, its private brief."""
    with solara.Details(f"Briefing: {loaded.title}", expand=False):
        BriefingText(loaded)
    if seat and seat in loaded.roles and loaded.roles[seat].brief:
        with solara.Card(f"Your brief: {actor_name(seat)}", margin=0, classes=["private-brief"]):
            Prose(loaded.roles[seat].brief)


@solara.component
def BriefingText(loaded):
    """Learning objectives and the briefing written for the browser; its command-line instructions in a
    collapsed part of their own (``ui/briefing.py``). Each part is one block of text (a class page has
    the briefing open all game: one element to skip at each redraw rather than one per section)."""
    from ui.briefing import split_briefing

    browser, command_line = split_briefing(loaded.briefing.sections())
    objectives = ["**You will learn to**\n\n" + "\n".join(f"- {o}" for o in loaded.learning_objectives)] \
        if loaded.learning_objectives else []
    Prose("\n\n".join([*objectives, *(f"**{title}**\n\n{text}" for title, text in browser)]))
    if command_line:
        with solara.Div(classes=["briefing-command-line"]):
            with solara.Details("From the command line", expand=False):
                Prose("\n\n".join(f"**{title}**\n\n{text}" for title, text in command_line))
