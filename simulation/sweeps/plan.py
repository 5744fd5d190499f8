"""Turning one point of a sweep into a run, running it, and keeping the metrics (this is what workers do).

A ``RunPlan`` holds everything a worker needs as plain, picklable data: the scenario as a dict, the
spec's decisions, the targets and the metrics. It is sent with each chunk of runs, so a worker on
another machine needs the project's code but none of the user's files.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from simulation.errors import UserError

# A Dask worker may run several tasks at once in threads. The model was written for one run per
# process, so runs in one process take turns: correctness first (threads would not speed up
# pure-Python runs anyway).
_RUN_LOCK = threading.Lock()


@dataclass(frozen=True)
class RunPlan:
    """What every run of a sweep shares."""

    scenario: dict             # Scenario.model_dump(by_alias=True), with containers for the targets
    scenario_path: str
    scenario_sha256: str
    steps: int
    decisions: tuple           # the spec's [[decision]] tables as Decision records
    parameters: tuple          # ((name, Target), ...) in spec order
    metrics: tuple             # Metric records
    rule_files: tuple = ()     # ((path, bytes), ...): the user's rule files, loaded by each worker
    fingerprint: tuple = ()    # (calibration SHA-256, source SHA-256) of the machine that made the plan


class EnvironmentMismatch(UserError):
    """A worker's model code or calibration differs from the one that planned the sweep."""


PACKAGES = ("simulation", "agents", "scenarios")   # the code whose every byte can change a number


@functools.lru_cache(maxsize=1)
def fingerprint() -> tuple[str, str]:
    """SHA-256 of the calibration files and of the model's Python source, as this process sees them.
    Two machines (or a sweep and its resume) with different fingerprints would mix two experiments."""
    root = Path(__file__).resolve().parents[2]
    calibration = sorted((root / "simulation" / "calibration").glob("*.csv"))
    source = sorted(p for package in PACKAGES for p in (root / package).rglob("*.py"))
    return _digest(root, calibration), _digest(root, source)


def _digest(root: Path, files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def check_fingerprint(plan: "RunPlan") -> None:
    """Refuse to run a plan made from other code or calibration than this process has."""
    mine = fingerprint()
    for what, theirs, ours in (("calibration files", plan.fingerprint[0], mine[0]),
                               ("model source code", plan.fingerprint[1], mine[1])):
        if theirs != ours:
            raise EnvironmentMismatch(f"a worker's {what} differ from the sweep's (SHA-256 {ours[:12]}... on the "
                                      f"worker, {theirs[:12]}... in the sweep); start the workers from the same "
                                      "copy of the project, or the results would mix two models")


def prepare_worker(plan: "RunPlan") -> None:
    """What a worker does before its first run of a plan: same code and calibration, the user's rules loaded."""
    check_fingerprint(plan)
    if plan.rule_files:
        from agents.rules.user_rules import load_rule_source

        for path, source in plan.rule_files:
            try:
                load_rule_source(source, path)
            except UserError as error:
                raise EnvironmentMismatch(f"a worker cannot load the sweep's rules: {error}") from None


@dataclass(frozen=True)
class RunTask:
    """One run: its id, where it sits in the design, its seed and its parameter values."""

    run_id: int
    point: int
    replicate: int
    seed: int
    values: tuple


def make_plan(spec) -> RunPlan:
    """The RunPlan of a checked spec."""
    scenario = spec.scenario.scenario
    base = scenario.model_dump(by_alias=True)
    for _, target in ((p.name, p.target) for p in spec.parameters):
        _make_room(base, scenario, target)
    return RunPlan(base, str(spec.scenario.path), spec.scenario.sha256, spec.steps, tuple(spec.decisions),
                   tuple((p.name, p.target) for p in spec.parameters), tuple(spec.metrics),
                   tuple(spec.rule_files), fingerprint())


def _make_room(base: dict, scenario, target) -> None:
    """Seats not written in the scenario file use defaults; copy those in so a path can be set."""
    if target.kind != "scenario":
        return
    head = target.path[0]
    if head == "governments":
        base["governments"].setdefault(target.path[1], scenario.government(target.path[1]).model_dump())
    elif head == "central_banks":
        base["central_banks"].setdefault(target.path[1], scenario.central_bank(target.path[1]).model_dump())
    elif target.path[:2] == ("investors", "params"):
        base["investors"]["params"].setdefault(target.path[2], {})


def build_inputs(plan: RunPlan, values: tuple):
    """The scenario and decisions of one point. A sale, purchase or threat of 0 means "do not" and is
    left out (the model refuses amounts of 0), so a sweep can include the no-sale case."""
    from scenarios import LoadedScenario, Scenario
    from simulation.decisions import check

    data = copy.deepcopy(plan.scenario)
    decisions = list(plan.decisions)
    for (_, target), value in zip(plan.parameters, values):
        if target.rule_kind:
            _set_rule(data, target.path, value)
            continue
        if not target.categorical:
            value = int(value) if target.integer else float(value)
        if target.kind == "scenario":
            _set(data, target.path, value)
        else:
            index, field = target.path
            decisions[index] = replace(decisions[index], **{field: value})
    data["event"] = [e for e in data["event"] if e.get("amount_bn") != 0]
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(x) for x in first["loc"])
        raise UserError(f"scenario field '{field}': {first['msg'].removeprefix('Value error, ')}") from None
    for event in scenario.events:
        check(event.to_decision())
    decisions = [d for d in decisions if d.amount_bn != 0]
    for d in decisions:
        check(d, plan.steps)
    return LoadedScenario(scenario, Path(plan.scenario_path), plan.scenario_sha256), decisions


def _set_rule(data: dict, path: tuple, name: str) -> None:
    """Give a seat a rule by name: its parameters stay if the rule is the same, else its defaults."""
    node = data
    for key in path[:-1]:
        node = node[key]
    current = node.get(path[-1])
    if not (isinstance(current, dict) and current.get("rule") == name):
        node[path[-1]] = {"rule": name, "params": {}}


def _set(data: dict, path: tuple, value: Any) -> None:
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def check_values(where: str, spec) -> None:
    """Build (without running) the model at every grid value or both ends of every range, the other
    parameters at their first value, so that an impossible value is a spec error and not 1,000 failed runs."""
    from simulation.model import TradeWarModel

    plan = make_plan(spec)
    first = [p.extremes()[0] for p in spec.parameters]
    for i, parameter in enumerate(spec.parameters):
        for value in parameter.extremes():
            values = list(first)
            values[i] = value
            try:
                loaded, decisions = build_inputs(plan, tuple(values))
                release(TradeWarModel(loaded.scenario, seed=0, decisions=decisions, steps=plan.steps))
            except UserError as error:
                shown = value if isinstance(value, str) else f"{value:g}"
                raise UserError(f"{where}, field 'parameters.{parameter.name}': with {parameter.target.text} = "
                                f"{shown}: {error}") from None


def run_chunk(plan: RunPlan, tasks: list[RunTask]) -> tuple[pd.DataFrame | None, list[dict]]:
    """Run a chunk of runs; return their rows (tidy long format) and a record of each run that raised.

    A failing run never stops the others: its error is recorded and the chunk goes on.
    """
    runs, errors = [], []
    # A chunk holds consecutive runs, mostly replicates of one point: build each point's inputs once
    # (copying and validating the scenario costs about 3% of a run). The scenario is frozen, so
    # runs can share it.
    inputs = functools.lru_cache(maxsize=None)(functools.partial(build_inputs, plan))
    with _RUN_LOCK:
        prepare_worker(plan)
        for task in tasks:
            try:
                runs.append(_run_one(plan, task, inputs))
            except Exception as error:  # noqa: BLE001 -- any failure of one run is recorded, not raised
                errors.append(error_record(plan, task, error))
    if not runs:
        return None, errors
    # one table per chunk, not per run: building a DataFrame costs about as much as 5% of a run
    return pd.DataFrame({name: np.concatenate([run[name] for run in runs]) for name in runs[0]}), errors


def _run_one(plan: RunPlan, task: RunTask, inputs) -> dict[str, np.ndarray]:
    """One run's rows; ``inputs(values)`` gives the run's (scenario, decisions). The run records only the
    series its metrics read (``runner.run_series``: about 8% cheaper than recording every table)."""
    from simulation.runner import run_series

    loaded, decisions = inputs(task.values)
    wanted = (("model", (), "step"), *((m.table, tuple(m.keys), m.column) for m in plan.metrics))
    steps, *found = run_series(loaded, wanted, plan.steps, task.seed, list(decisions))
    series = {m.name: values for m, values in zip(plan.metrics, found)}
    per_step = any(m.record == "per_step" for m in plan.metrics)
    steps = steps.astype(np.int64)
    rows = len(steps) if per_step else 1
    columns = _identity(plan, task, rows)
    columns["step"] = steps if per_step else steps[-1:]
    for m in plan.metrics:
        if not per_step:
            columns[m.name] = series[m.name][-1:]
        elif m.record == "per_step":
            columns[m.name] = series[m.name]
        else:  # a final-only metric beside per-step ones: a value at the last step only
            column = np.full(rows, np.nan)
            column[-1] = series[m.name][-1]
            columns[m.name] = column
    return columns


def _identity(plan: RunPlan, task: RunTask, rows: int) -> dict[str, np.ndarray]:
    """run_id, point, replicate, seed and the parameter values, with fixed dtypes so that every chunk
    file has the same schema."""
    columns = {
        "run_id": np.full(rows, task.run_id, dtype=np.int64),
        "point": np.full(rows, task.point, dtype=np.int64),
        "replicate": np.full(rows, task.replicate, dtype=np.int64),
        "seed": np.full(rows, task.seed, dtype=np.int64),
    }
    for (name, target), value in zip(plan.parameters, task.values):
        dtype = object if target.categorical else np.int64 if target.integer else np.float64
        columns[name] = np.full(rows, value, dtype=dtype)
    return columns


def release(model) -> None:
    """Let a finished model be freed (see ``TradeWarModel.release``): keeps a worker's memory flat."""
    model.release()


def error_record(plan: RunPlan, task: RunTask, error: BaseException) -> dict:
    """What a failed run leaves behind: enough to see why, and to rerun it by hand."""
    record = {"run_id": task.run_id, "point": task.point, "replicate": task.replicate, "seed": task.seed}
    record.update({name: value for (name, _), value in zip(plan.parameters, task.values)})
    text = str(error) or repr(error)
    record["error"] = text if isinstance(error, UserError) else f"{type(error).__name__}: {text}"
    record["timed_out"] = _overran(error)
    return record


def _overran(error: BaseException) -> bool:
    """Whether a user's rule was stopped for running past its time budget (such a run costs seconds)."""
    from agents.rules.user_rules import RuleOverran

    return isinstance(error, RuleOverran)
