"""Scenario discovery: under which parameter ranges does an outcome of interest happen?

PRIM, the Patient Rule Induction Method (Friedman and Fisher 1999, "Bump hunting in high-dimensional
data", Statistics and Computing 9: 123-143; used for scenario discovery by Bryant and Lempert 2010),
looks for a box, one range per parameter, inside which the outcome is much more frequent than overall.
It starts from the box that holds every case and repeatedly "peels" a thin slice off one side of one
parameter: the slice whose removal raises the share of cases of interest inside the box the most.
Every box along the way is kept (the peeling trajectory), each with

- ``coverage``: the share of all cases of interest that fall inside the box (how much it explains);
- ``density``: the share of cases inside the box that are of interest (how pure it is);
- ``support``: the share of all cases inside the box.

Peeling trades coverage for density; ``choose`` picks the densest box that still covers at least half
of the cases of interest (a common default; the whole trajectory is in ``prim.csv`` to choose another).

A sweep's cases are its runs: the outcome "the card pays" is, for example, a sale that beats holding
in the same replicate. On a grid many runs share a value, so a peel removes at least one whole level.
A categorical parameter (a rule name) is peeled one name at a time.

Written here rather than taken from EMA Workbench: EMA Workbench 3.0 needs Python 3.12, and the earlier
2.5 pulls pandas 3, scikit-learn and statsmodels into an environment pinned to pandas 2 (docs/sweeps.md,
"Scenario discovery", gives the comparison).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

PEEL_ALPHA = 0.05     # share of the box's cases a numeric peel aims to remove (Friedman and Fisher's 0.05-0.10)
MIN_SUPPORT = 0.05    # stop when the box holds fewer than this share of all cases
MIN_COVERAGE = 0.5    # the chosen box keeps at least this share of the cases of interest


@dataclass
class Box:
    """Ranges (numeric: (low, high), inclusive) or allowed names (categorical: a tuple) per parameter."""

    limits: dict

    def contains(self, data: pd.DataFrame) -> np.ndarray:
        inside = np.ones(len(data), dtype=bool)
        for name, limit in self.limits.items():
            column = data[name].to_numpy()
            if isinstance(limit, tuple) and len(limit) == 2 and not isinstance(limit[0], str):
                inside &= (column >= limit[0]) & (column <= limit[1])
            else:
                inside &= np.isin(column, list(limit))
        return inside

    def describe(self) -> dict:
        return {name: (f"{limit[0]:g} to {limit[1]:g}" if len(limit) == 2 and not isinstance(limit[0], str)
                       else ", ".join(map(str, limit))) for name, limit in self.limits.items()}


def prim(data: pd.DataFrame, of_interest: np.ndarray, alpha: float = PEEL_ALPHA,
         min_support: float = MIN_SUPPORT) -> pd.DataFrame:
    """The peeling trajectory: one row per box (``step`` 0 = every case), with coverage, density,
    support, the number of cases and each parameter's range or names (columns named as the parameters)."""
    of_interest = np.asarray(of_interest, dtype=bool)
    total_interest = max(int(of_interest.sum()), 1)
    box = Box({name: _full_range(data[name]) for name in data.columns})
    inside = box.contains(data)
    rows = [_row(0, box, inside, of_interest, total_interest)]
    while inside.mean() >= min_support:
        best = None
        for candidate in _peels(data, box, inside, alpha):
            kept = candidate.contains(data) & inside
            if not kept.any() or kept.sum() == inside.sum() or kept.mean() < min_support:
                continue
            density = of_interest[kept].mean()
            if best is None or density > best[0] + 1e-12:
                best = (density, candidate, kept)
        if best is None or best[0] <= of_interest[inside].mean() + 1e-12:
            break  # no peel makes the box purer
        _, box, inside = best
        rows.append(_row(len(rows), box, inside, of_interest, total_interest))
    return pd.DataFrame(rows)


def choose(trajectory: pd.DataFrame, min_coverage: float = MIN_COVERAGE) -> pd.Series:
    """The densest box that still covers ``min_coverage`` of the cases of interest (ties: the earlier)."""
    eligible = trajectory[trajectory["coverage"] >= min_coverage]
    pool = eligible if len(eligible) else trajectory.iloc[:1]
    return pool.loc[pool["density"].idxmax()]


def _full_range(column: pd.Series):
    if column.dtype == object or isinstance(column.iloc[0], str):
        return tuple(sorted(column.unique()))
    return (float(column.min()), float(column.max()))


def _peels(data: pd.DataFrame, box: Box, inside: np.ndarray, alpha: float):
    """Every candidate box one peel smaller: each numeric parameter from below or above (at least one
    level, about ``alpha`` of the cases), each categorical parameter without one of its names."""
    for name, limit in box.limits.items():
        values = data[name].to_numpy()[inside]
        if isinstance(limit[0], str):
            if len(limit) > 1:
                for drop in limit:
                    yield Box({**box.limits, name: tuple(v for v in limit if v != drop)})
            continue
        levels = np.unique(values)
        if len(levels) < 2:
            continue
        low_cut = max(np.quantile(values, alpha), levels[0])
        high_cut = min(np.quantile(values, 1 - alpha), levels[-1])
        new_low = levels[levels > low_cut][0] if (levels > low_cut).any() else levels[-1]
        new_high = levels[levels < high_cut][-1] if (levels < high_cut).any() else levels[0]
        yield Box({**box.limits, name: (float(new_low), limit[1])})
        yield Box({**box.limits, name: (limit[0], float(new_high))})


def _row(step: int, box: Box, inside: np.ndarray, of_interest: np.ndarray, total_interest: int) -> dict:
    return {"step": step, "cases": int(inside.sum()), "support": float(inside.mean()),
            "coverage": float(of_interest[inside].sum() / total_interest),
            "density": float(of_interest[inside].mean()) if inside.any() else 0.0, **box.describe()}


def card_pays(results, metric: str = "economies.JP.score") -> tuple[pd.DataFrame, np.ndarray]:
    """From a sweep with a reference: one case per run outside the reference, with its parameters, and
    whether it beat its reference point in the same replicate on ``metric`` (in the metric's better
    direction). This is "the card pays" when the reference is holding."""
    manifest = results.manifest
    if not manifest.get("reference"):
        from simulation.errors import UserError

        raise UserError("scenario discovery compares each run with its reference: give the sweep a reference "
                        "point (reference = { sale_bn = 0 })")
    from simulation.sweeps.design import match_references

    runs = results.runs[results.runs["step"] == manifest["steps"]]
    params = list(manifest["parameters"])
    fixed = dict(manifest["reference"])
    reference = match_references(params, fixed, results.points.set_index("point"))
    values = runs.set_index(["point", "replicate"])[metric]
    cases = runs[runs["point"].map(reference) != runs["point"]]
    baseline = values.reindex(list(zip(cases["point"].map(reference), cases["replicate"]))).to_numpy()
    sign = -1.0 if manifest.get("better", {}).get(metric) == "lower" else 1.0
    better = sign * (cases[metric].to_numpy() - baseline) > 0
    free = [p for p in params if p not in fixed] + [p for p in fixed if cases[p].nunique() > 1]
    return cases[free].reset_index(drop=True), better
