"""Checking a scenario's expected outcomes ([[expect]] claims) by running it.

A claim names a metric (``model.us_10y``, ``economies.JP.score``, ``trade.JP.US.autos`` for the flow or
``trade.JP.US.autos.tariff_pct`` for the tariff), how to reduce
its path to one number (a step, ``end``, ``change``, ``min``, ``max``, ``mean``), and either a number to
compare with or a *variant*: extra decisions whose run is compared with the scenario's own. The claim is
judged on the mean over its seeds, so one lucky draw of market noise cannot make it pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from simulation.errors import UserError

OPS = {"<": np.less, ">": np.greater, "<=": np.less_equal, ">=": np.greater_equal}


@dataclass(frozen=True)
class Verdict:
    claim: str
    passed: bool
    detail: str


def metric_path(result, metric: str) -> pd.Series:
    """The metric's value at every step (index = step)."""
    kind, *rest = metric.split(".")
    if kind == "model":
        (column,) = rest
        if column not in result.model.columns:
            raise UserError(f"unknown model column '{column}' in metric '{metric}'")
        return result.model.set_index("step")[column]
    if kind == "economies":
        economy, column = rest
        frame = result.economies
        if column not in frame.columns or economy not in set(frame.economy):
            raise UserError(f"unknown economy or column in metric '{metric}'")
        return frame[frame.economy == economy].set_index("step")[column]
    exporter, importer, sector, *column = rest
    frame = result.trade[(result.trade.exporter == exporter) & (result.trade.importer == importer)]
    if sector != "all":
        frame = frame[frame.sector == sector]
    if frame.empty:
        raise UserError(f"no trade flow matches metric '{metric}'")
    if column == ["tariff_pct"]:  # trade.JP.US.autos.tariff_pct: the tariff (averaged over sectors for "all")
        return frame.groupby("step").tariff_pct.mean()
    return frame.groupby("step").flow_bn.sum()


def reduce(path: pd.Series, at) -> float:
    if isinstance(at, int):
        if at not in path.index:
            raise UserError(f"step {at} is outside the run (steps 0 to {path.index.max()})")
        return float(path.loc[at])
    return float({"end": lambda s: s.iloc[-1], "change": lambda s: s.iloc[-1] - s.iloc[0],
                  "min": lambda s: s.min(), "max": lambda s: s.max(), "mean": lambda s: s.mean()}[at](path))


def check_scenario(loaded) -> list[Verdict]:
    """Evaluate every [[expect]] of a loaded scenario."""
    return [check_expectation(loaded, e) for e in loaded.scenario.expectations]


def check_expectation(loaded, expectation) -> Verdict:
    def value_for(variant) -> float:
        return float(np.mean([reduce(metric_path(_run(loaded, seed, variant), expectation.metric), expectation.at)
                              for seed in expectation.seeds]))

    scenario_value = value_for(())
    if expectation.variant is None:
        passed = bool(OPS[expectation.op](scenario_value, expectation.value))
        detail = f"{expectation.metric} ({expectation.at}) = {scenario_value:.4g} {expectation.op} {expectation.value:g}"
        return Verdict(expectation.claim, passed, detail)
    variant = tuple(e.to_decision() for e in expectation.variant)
    variant_value = value_for(variant)
    # "variant < scenario by at least margin" means variant + margin < scenario, and so on.
    shift = expectation.margin if expectation.op in ("<", "<=") else -expectation.margin
    passed = bool(OPS[expectation.op](variant_value + shift, scenario_value))
    detail = (f"{expectation.metric} ({expectation.at}): variant {variant_value:.4g} {expectation.op} "
              f"scenario {scenario_value:.4g}" + (f" by {expectation.margin:g}" if expectation.margin else ""))
    return Verdict(expectation.claim, passed, detail)


def _run(loaded, seed: int, decisions: tuple):
    return _cached_run(loaded.path, loaded.sha256, seed, decisions)


@lru_cache(maxsize=128)
def _cached_run(path, sha256: str, seed: int, decisions: tuple):
    from scenarios import load_scenario
    from simulation.runner import run

    return run(load_scenario(path), seed=seed, decisions=list(decisions))
