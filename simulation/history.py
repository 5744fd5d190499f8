"""What actually happened: month-end market values from December 2024 to November 2025, with the source
(or approximation tag) of every value, and the comparison of a scenario's runs with them.

``actual_history(scenario)`` gives the actual values for the months a scenario covers (an empty table
when its start month has no data), so any chart can draw "what happened" beside the model; the
``history-2025`` scenario scripts the year's tariffs and policy rates and ``python run.py history``
reports, per series and month, where the actual value falls in the model's 5-95% band.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.errors import UserError
from simulation.recording import month_label

ACTUAL_FILE = Path(__file__).resolve().parents[1] / "scenarios" / "history-2025-actual.csv"
SERIES = ("us_10y", "jgb_10y", "usd_jpy", "eur_usd", "usd_cny", "sp500", "nikkei225", "fed_rate", "boj_rate")
SCRIPTED = ("fed_rate", "boj_rate")     # set by the history scenario's script, not formed by the markets
LOG_SERIES = ("usd_jpy", "eur_usd", "usd_cny", "sp500", "nikkei225")   # changes in percent, not points
# Moves the model does not try to explain: named in the report, not fitted away.
OUTSIDE_THE_MODEL = {
    "sp500": "the 2025 rally in AI-related shares (the S&P 500 rose 22% from March to October 2025)",
    "nikkei225": "the 2025 rally in AI- and chip-related shares and the October 2025 change of Japan's prime "
                 "minister (the Nikkei 225 rose 47% from March to October 2025)",
    "eur_usd": "the euro's 2025 rise on Germany's fiscal expansion (March 2025) and a broad move out of dollar "
               "assets beyond the model's US policy-uncertainty premium (EUR/USD 1.08 to 1.17)",
    "jgb_10y": "the BOJ's retreat from bond buying and Japan's fiscal outlook, which pushed JGB yields to "
               "their highest since 2008",
}


@lru_cache(maxsize=1)
def _table() -> pd.DataFrame:
    return pd.read_csv(ACTUAL_FILE, comment="#")


def actual_history(scenario, steps: int | None = None) -> pd.DataFrame:
    """Actual month-end values for the months a scenario covers: columns step, date, series, value, tag,
    source (step 0 = the scenario's start month). ``scenario`` is a loaded scenario, a Scenario, or a
    start month "YYYY-MM"; ``steps`` defaults to the scenario's. Empty unless the start month has data
    (so a line of what happened always starts where the model starts)."""
    start = scenario if isinstance(scenario, str) else scenario.start
    if steps is None:
        steps = 240 if isinstance(scenario, str) else scenario.steps
    table = _table()
    if start not in set(table.date):
        return table.iloc[:0].assign(step=0)[["step", *table.columns]]
    dates = {month_label(start, step): step for step in range(steps + 1)}
    chosen = table[table.date.isin(dates)].copy()
    chosen.insert(0, "step", chosen.date.map(dates).astype(int))
    return chosen.sort_values(["series", "step"], kind="stable").reset_index(drop=True)


def actual_path(scenario, series: str, steps: int | None = None) -> pd.Series:
    """One series' actual values indexed by step (empty when there is no data)."""
    if series not in SERIES:
        raise UserError(f"no actual data for '{series}'; expected one of: {', '.join(SERIES)}")
    frame = actual_history(scenario, steps)
    return frame[frame.series == series].set_index("step").value


@dataclass(frozen=True)
class HistoryCheck:
    """The comparison of many runs with what happened."""

    table: pd.DataFrame          # step, date, series, actual, median, low, high, inside, tag
    coverage: dict[str, float]   # series -> share of months where the actual lies in the band
    april: dict[str, float]      # series -> median change from March to April (percent or bp)
    seeds: int
    preset: str

    def market_coverage(self) -> float:
        """Share of all points of the series the markets form (policy rates excluded: they are scripted)."""
        rows = self.table[~self.table.series.isin(SCRIPTED)]
        return float(rows.inside.mean())


def check_history(loaded, seeds: int = 20, preset: str | None = None, band=(5, 95)) -> HistoryCheck:
    """Run ``loaded`` over seeds 1..``seeds`` and compare each month's model band with the actual value."""
    from scenarios import with_preset
    from simulation.runner import run

    loaded = with_preset(loaded, preset)
    actual = actual_history(loaded)
    if actual.empty:
        raise UserError(f"scenario '{loaded.id}' starts in {loaded.start}, a month with no actual data; "
                        "expected a scenario starting between 2024-12 and 2025-11")
    runs = np.array([run(loaded, seed=seed).model[list(SERIES)].to_numpy() for seed in range(1, seeds + 1)])
    rows = []
    for row in actual[actual.step > 0].itertuples(index=False):
        values = runs[:, row.step, SERIES.index(row.series)]
        low, median, high = np.percentile(values, [band[0], 50, band[1]])
        inside = bool(low - 1e-9 <= row.value <= high + 1e-9)
        rows.append((row.step, row.date, row.series, row.value, median, low, high, inside, row.tag))
    table = pd.DataFrame(rows, columns=["step", "date", "series", "actual", "median", "low", "high", "inside", "tag"])
    coverage = {s: float(table[table.series == s].inside.mean()) for s in SERIES if (table.series == s).any()}
    april = {}
    if loaded.start == "2025-03" and loaded.steps >= 1:
        for series in SERIES:
            before, after = runs[:, 0, SERIES.index(series)], runs[:, 1, SERIES.index(series)]
            change = 100 * np.log(after / before) if series in LOG_SERIES else 100 * (after - before)
            april[series] = float(np.median(change))
    return HistoryCheck(table, coverage, april, seeds, loaded.calibration_preset)


def report_text(check: HistoryCheck, actual_april: dict[str, float] | None = None) -> str:
    """The history report as Markdown (printed by ``run.py history`` and written to docs/validation.md)."""
    lines = [
        "# Validation: the model against 2025",
        "",
        "Generated by `python run.py history --seeds "
        f"{check.seeds}{'' if check.preset == 'central' else ' --calibration-preset ' + check.preset}"
        " --doc docs/validation.md`; do not edit by hand.",
        "",
        "The `history-2025` scenario starts from the markets at the end of March 2025 and scripts what "
        "happened after: the US tariff actions on every partner with their effective months, China's "
        "retaliation and the Geneva truce, the August reciprocal rates, the US-Japan deal, and the four "
        "central banks' policy rates. Everything else (yields, exchange rates, stock indices) is formed by "
        f"the model. It runs over seeds 1-{check.seeds} with the {check.preset} calibration preset; for every "
        "series and month the table gives the actual month-end value, the model's median and its 5-95% band, "
        "and whether the actual value lies inside. Actual values carry their tag from "
        "`scenarios/history-2025-actual.csv` (S sourced, S~ approximately sourced, C computed, M+-x "
        "approximate, no source found).",
        "",
        "## Coverage: share of months where the actual value lies inside the model's 5-95% band",
        "",
        "| Series | Inside | Note |",
        "|---|---|---|",
    ]
    for series, share in check.coverage.items():
        note = "scripted policy rate (inside by construction)" if series in SCRIPTED else OUTSIDE_THE_MODEL.get(series, "")
        if series in OUTSIDE_THE_MODEL:
            note = "outside the model: " + note
        lines.append(f"| {series} | {share:.0%} | {note} |")
    lines += ["", f"All market series (policy rates excluded): **{check.market_coverage():.0%}** of points inside "
              f"the band; all series: {float(check.table.inside.mean()):.0%}.", ""]
    if check.april:
        lines += ["## April 2025: the month of 'Liberation Day'", "",
                  "Median over seeds of the change from the end of March to the end of April (percent; "
                  "bp for yields), against the actual change.", "",
                  "| Series | Model median | Actual |", "|---|---|---|"]
        for series in ("us_10y", "usd_jpy", "eur_usd", "sp500", "nikkei225"):
            actual = (actual_april or {}).get(series, float("nan"))
            unit = " bp" if series.endswith("10y") else "%"
            lines.append(f"| {series} | {check.april[series]:+.1f}{unit} | {actual:+.1f}{unit} |")
        lines.append("")
    lines += ["## Month by month", "", "| Month | Series | Actual | Tag | Model median | 5% | 95% | Inside |",
              "|---|---|---|---|---|---|---|---|"]
    for row in check.table.sort_values(["series", "step"], kind="stable").itertuples(index=False):
        digits = 0 if row.series in ("sp500", "nikkei225") else 3
        lines.append(f"| {row.date} | {row.series} | {row.actual:,.{digits}f} | {row.tag} | {row.median:,.{digits}f} | "
                     f"{row.low:,.{digits}f} | {row.high:,.{digits}f} | {'yes' if row.inside else 'no'} |")
    lines += ["", "## Read with care", "",
              "- Many actual values are approximate (tag M): they are bands, not points.",
              "- The April moves of the dollar are partly in-sample: the dollar's risk premium per unit of US "
              "policy uncertainty was set with April 2025 in view (simulation/calibration/parameters.csv).",
              "- Moves driven by things outside the model are named above, not fitted away: the model has no "
              "AI boom, no change of government in Japan and no JGB supply story.",
              "- The month-end convention hides what happened within months (the +50 bp week in the 10-year, "
              "the -12% four days in the S&P 500 of early April 2025).", ""]
    return "\n".join(lines)


def actual_changes(loaded, step: int = 1) -> dict[str, float]:
    """Actual change from the start month to ``step`` per series (percent, or bp for yields and rates)."""
    out = {}
    for series in SERIES:
        path = actual_path(loaded, series)
        if 0 in path.index and step in path.index:
            a, b = path[0], path[step]
            out[series] = 100 * np.log(b / a) if series in LOG_SERIES else 100 * (b - a)
    return out
