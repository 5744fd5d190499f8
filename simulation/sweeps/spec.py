"""The sweep spec: a TOML file that says which scenario to run, what to vary, how often and what to keep.

Reading a spec checks everything that can be checked before a single run starts, so a mistake costs
the user one clear sentence (naming the spec file and the field) rather than a sweep that fails an hour
in. See docs/sweeps.md for the format; ``load_spec(path)`` returns a ``SweepSpec``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulation.errors import UserError
from simulation.sweeps.targets import Target, parse_target

FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
RECORDS = ("final", "per_step")
# Columns every results file has; a parameter or metric may not take one of these names.
RESERVED = ("run_id", "point", "replicate", "seed", "step", "error")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_RUNS = 10_000_000
SEEDS = ("common", "independent")
BETTER = ("higher", "lower")
# Sobol indices from fewer base samples than this are noise (SALib's own examples use 1,024); below
# SOBOL_WARN_SAMPLES the sweep runs but says the indices are rough. See docs/sweeps.md, "Samplers".
SOBOL_MIN_SAMPLES = 16
SOBOL_WARN_SAMPLES = 128


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParameterTable(_Strict):
    """``[parameters.NAME]``: what it changes (``target``) and its values (grid) or range (lhs, sobol)."""

    target: str
    values: list[FiniteFloat | str] | None = None
    low: FiniteFloat | None = None
    high: FiniteFloat | None = None


class SpecFile(_Strict):
    """The TOML file as written; ``load_spec`` turns it into a checked ``SweepSpec``."""

    scenario: str
    steps: int | None = Field(default=None, ge=1, le=600)
    replicates: int = Field(default=1, ge=1, le=100_000)
    base_seed: int = Field(default=0, ge=0, le=2**63 - 1)
    calibration_preset: Literal["low", "central", "high"] | None = None
    sampler: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    samples: int | None = Field(default=None, ge=1, le=2**20)
    levels: int | None = Field(default=None, ge=2, le=64)
    seeds: Literal["common", "independent"] | None = None
    reference: dict[str, FiniteFloat | str] | None = None
    chunk_size: int | None = Field(default=None, ge=1, le=10_000)
    record: Literal["final", "per_step"] = "final"
    metrics: list[Any] = Field(min_length=1)
    heatmap: str | None = None
    parameters: dict[str, ParameterTable] = Field(min_length=1)
    decisions: list[dict[str, Any]] = Field(default_factory=list, alias="decision")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


@dataclass(frozen=True)
class Metric:
    """One recorded quantity: ``model.<column>``, ``economies.<ECON>.<column>`` or
    ``trade.<EXPORTER>.<IMPORTER>.<SECTOR>[.flow_bn|.tariff_pct]``, kept per step or at the end only."""

    name: str
    table: str            # model | economies | trade
    keys: tuple[str, ...]  # () for model; (economy,) ; (exporter, importer, sector)
    column: str
    record: str           # final | per_step
    better: str = "higher"  # which direction counts as better in contrasts: higher | lower


@dataclass(frozen=True)
class Parameter:
    name: str
    target: Target
    values: tuple[float | str, ...] | None   # grid (names for a categorical target)
    low: float | None                  # lhs, sobol, morris
    high: float | None

    def extremes(self) -> tuple[float, ...]:
        """The values a spec check tries: every grid value, or both ends of a range."""
        return self.values if self.values is not None else (self.low, self.high)


@dataclass(frozen=True)
class SweepSpec:
    """A checked sweep spec, with the loaded scenario and the spec file's SHA-256."""

    path: Path
    sha256: str
    scenario: Any          # scenarios.LoadedScenario
    steps: int
    replicates: int
    base_seed: int
    sampler: str
    samples: int | None
    chunk_size: int | None
    parameters: tuple[Parameter, ...]
    metrics: tuple[Metric, ...]
    heatmap: str
    decisions: tuple[Any, ...]   # simulation.decisions.Decision
    seeds: str = "independent"   # common | independent
    reference: tuple[tuple[str, Any], ...] = ()   # (parameter, value): the point each point is compared with
    levels: int | None = None    # morris: grid levels
    rule_files: tuple[tuple[str, bytes], ...] = ()  # (path, bytes) of the user's rule files (sweep --rules)
    notes: tuple[str, ...] = ()  # warnings about the design, printed at the end

    @property
    def parameter_names(self) -> list[str]:
        return [p.name for p in self.parameters]

    @property
    def metric_names(self) -> list[str]:
        return [m.name for m in self.metrics]


def load_spec(path: str | Path, rules: list[str] | tuple[str, ...] = ()) -> SweepSpec:
    """Read and check a sweep spec; any problem is one ``UserError`` naming the file and the field.

    ``rules`` are the user's rule files (``sweep --rules``): loaded first, so the scenario and the spec
    may name their rules, and kept as bytes so they travel to the workers with the run plan."""
    from agents.rules.user_rules import load_rule_file

    rule_files = []
    for file in rules:
        load_rule_file(file)
        rule_files.append((str(file), Path(file).read_bytes()))
    path = Path(path)
    raw = _read_bytes(path)
    data = _parse_toml(path, raw)
    where = f"sweep spec '{path}'"
    try:
        written = SpecFile.model_validate(data)
    except ValidationError as error:
        raise UserError(_explain(where, error)) from None
    from scenarios import with_preset

    scenario = with_preset(_load_scenario(where, path, written.scenario), written.calibration_preset)
    steps = written.steps if written.steps is not None else scenario.steps
    decisions = tuple(_read_decision(where, i, entry, steps) for i, entry in enumerate(written.decisions))
    _check_sampler_fields(where, written)
    parameters = tuple(_parameter(where, name, table, written.sampler, scenario.scenario, decisions)
                       for name, table in written.parameters.items())
    metrics = _metrics(where, written, scenario)
    _check_names(where, parameters, metrics)
    heatmap = written.heatmap or metrics[0].name
    if heatmap not in [m.name for m in metrics]:
        raise UserError(f"{where}, field 'heatmap': '{heatmap}' is not one of the metrics; "
                        f"expected one of: {', '.join(m.name for m in metrics)}")
    reference = _reference(where, written, parameters)
    seeds = written.seeds or ("common" if reference else "independent")
    spec = SweepSpec(path, hashlib.sha256(raw).hexdigest(), scenario, steps, written.replicates,
                     written.base_seed, written.sampler, written.samples, written.chunk_size, parameters,
                     metrics, heatmap, decisions, seeds, reference, _levels(where, written),
                     tuple(rule_files), _design_notes(written))
    _check_size(where, spec)
    from simulation.sweeps.plan import check_values

    check_values(where, spec)
    return spec


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"sweep spec '{path}' does not exist") from None
    except OSError as error:
        raise UserError(f"sweep spec '{path}' cannot be read: {error.strerror or error}") from None


def _parse_toml(path: Path, raw: bytes) -> dict:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"sweep spec '{path}' is not UTF-8 text; save it as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UserError(f"sweep spec '{path}' is not valid TOML: {error}") from None


def _explain(where: str, error: ValidationError) -> str:
    """The first pydantic problem as one sentence: the field's dotted name and what is expected."""
    first = error.errors()[0]
    field = ".".join(str(x) for x in first["loc"]) or "(top level)"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown field (check the spelling; docs/sweeps.md lists every field)"
    elif first["type"] == "missing":
        message = "this field is required"
    elif first["type"] == "too_short":
        message = "needs at least one entry"
    return f"{where}, field '{field}': {message}"


def _load_scenario(where: str, spec_path: Path, name: str):
    """A shipped scenario id, a path, or a path relative to the spec file's folder."""
    from scenarios import load_scenario, shipped_scenarios

    candidate = Path(name)
    if name not in shipped_scenarios() and not candidate.is_absolute() and not candidate.exists():
        beside = spec_path.parent / candidate
        if beside.exists():
            name = str(beside)
    try:
        return load_scenario(name)
    except UserError as error:
        raise UserError(f"{where}, field 'scenario': {error}") from None


def _read_decision(where: str, index: int, entry: dict, steps: int):
    """A ``[[decision]]`` table of the spec, complete and valid as written (the values a parameter
    gives it are checked again per point). An amount of 0 means "no such decision" and is allowed."""
    from simulation.decisions import check, from_mapping

    field = f"{where}, field 'decision.{index}'"
    decision = from_mapping(entry, field, origin="file")
    if decision.amount_bn != 0:
        try:
            check(decision, steps)
        except UserError as error:
            raise UserError(f"{field}: {error}") from None
    return decision


def _check_sampler_fields(where: str, written: SpecFile) -> None:
    """Grid wants ``values``; lhs, sobol and morris want ``low``/``high`` and a number of ``samples``
    (Sobol at least SOBOL_MIN_SAMPLES); a reference needs a grid, levels a Morris design."""
    if written.sampler == "grid":
        if written.samples is not None:
            raise UserError(f"{where}, field 'samples': a grid takes no samples (it runs every combination "
                            "of the values); remove it or choose sampler = \"lhs\" or \"sobol\"")
        return
    if written.samples is None:
        what = {"lhs": "points to draw", "sobol": "base samples N (a power of 2)",
                "morris": "trajectories (10 to 50 is usual)"}[written.sampler]
        raise UserError(f"{where}, field 'samples': sampler \"{written.sampler}\" needs samples = the number of {what}")
    if written.sampler == "sobol" and written.samples & (written.samples - 1):
        raise UserError(f"{where}, field 'samples': Sobol sampling needs a power of 2 (e.g. 64, 128, 256), "
                        f"got {written.samples}")
    if written.sampler == "sobol" and written.samples < SOBOL_MIN_SAMPLES:
        raise UserError(f"{where}, field 'samples': {written.samples} base samples give Sobol indices that are "
                        f"noise (intervals wider than the indices); use at least {SOBOL_MIN_SAMPLES}, and "
                        f"{SOBOL_WARN_SAMPLES} or more for numbers to report")
    if written.sampler == "morris" and written.samples < 2:
        raise UserError(f"{where}, field 'samples': Morris screening needs at least 2 trajectories (10 to 50 is usual)")
    if written.levels is not None and written.sampler != "morris":
        raise UserError(f"{where}, field 'levels': only the morris sampler takes levels")
    if written.reference is not None and written.sampler != "grid":
        raise UserError(f"{where}, field 'reference': contrasts with a reference need a grid (each point's "
                        "counterpart must be in the design); remove it or use sampler = \"grid\"")


def _levels(where: str, written: SpecFile) -> int | None:
    if written.sampler != "morris":
        return None
    levels = written.levels or 4
    if levels % 2:
        raise UserError(f"{where}, field 'levels': Morris levels must be an even number (4 is usual), got {levels}")
    return levels


def _design_notes(written: SpecFile) -> tuple[str, ...]:
    if written.sampler == "sobol" and written.samples < SOBOL_WARN_SAMPLES:
        return (f"Sobol indices from {written.samples} base samples are rough: see how they move from N/4 to N in "
                f"sobol.csv, and use {SOBOL_WARN_SAMPLES} or more for numbers to report",)
    return ()


def _reference(where: str, written: SpecFile, parameters: tuple[Parameter, ...]) -> tuple:
    """``reference = { sale_bn = 0 }``: each point is compared with the point that has these values and
    the same values of every other parameter; each value must be one of the parameter's grid values."""
    if written.reference is None:
        return ()
    if not written.reference:
        raise UserError(f"{where}, field 'reference': give at least one parameter's value, e.g. {{ sale_bn = 0 }}")
    by_name = {p.name: p for p in parameters}
    pairs = []
    for name, value in written.reference.items():
        if name not in by_name:
            raise UserError(f"{where}, field 'reference.{name}': not a parameter of this sweep; expected one of: "
                            f"{', '.join(by_name)}")
        values = by_name[name].values
        match = next((v for v in values if v == value), None)
        if match is None:
            raise UserError(f"{where}, field 'reference.{name}': {value!r} is not one of its values "
                            f"({', '.join(map(_show, values))})")
        pairs.append((name, match))
    return tuple(pairs)


def _show(value) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def _parameter(where: str, name: str, table: ParameterTable, sampler: str, scenario, decisions) -> Parameter:
    field = f"{where}, field 'parameters.{name}"
    target = parse_target(table.target, scenario, decisions, f"{field}.target'")
    if target.categorical:
        return _categorical(name, field, table, sampler, target)
    if table.values is not None and any(isinstance(v, str) for v in table.values):
        raise UserError(f"{field}.values': target '{target.text}' takes numbers, got {list(table.values)}")
    if sampler == "grid":
        if table.low is not None or table.high is not None:
            raise UserError(f"{field}': a grid takes 'values = [...]', not low/high (those are for lhs and sobol)")
        if table.values is None:
            raise UserError(f"{field}.values': this field is required for a grid (a list of numbers)")
        if not table.values:
            raise UserError(f"{field}.values': the list is empty; give at least one number")
        if target.integer and any(v != math.floor(v) for v in table.values):
            raise UserError(f"{field}.values': target '{target.text}' takes whole numbers, got {list(table.values)}")
        values = tuple(int(v) if target.integer else float(v) for v in table.values)
        return Parameter(name, target, values, None, None)
    if table.values is not None:
        raise UserError(f"{field}': sampler \"{sampler}\" draws from a range: give low and high, not values")
    for bound in ("low", "high"):
        if getattr(table, bound) is None:
            raise UserError(f"{field}.{bound}': this field is required for sampler \"{sampler}\"")
    if not table.low < table.high:
        raise UserError(f"{field}': low ({table.low:g}) must be below high ({table.high:g})")
    return Parameter(name, target, None, float(table.low), float(table.high))


def _categorical(name: str, field: str, table: ParameterTable, sampler: str, target: Target) -> Parameter:
    """A factor that takes names (rules, economies, sectors): a grid of some of its options."""
    if sampler != "grid":
        raise UserError(f"{field}': '{target.text}' takes names, which only a grid can vary (lhs, sobol and "
                        "morris draw numbers from a range)")
    if not table.values or table.low is not None or table.high is not None:
        raise UserError(f"{field}.values': give the names to run, e.g. values = [\"{target.options[0]}\", ...]")
    for value in table.values:
        if value not in target.options:
            hint = " (your own rules need sweep --rules FILE)" if target.rule_kind else ""
            raise UserError(f"{field}.values': {value!r} is not one of the names '{target.text}' takes: "
                            f"{', '.join(target.options)}{hint}")
    return Parameter(name, target, tuple(table.values), None, None)


def _metrics(where: str, written: SpecFile, scenario) -> tuple[Metric, ...]:
    """Each entry is a name, or a table ``{ name = "...", record = "final" | "per_step" }``."""
    columns = _columns(scenario)
    metrics = []
    for i, entry in enumerate(written.metrics):
        field = f"{where}, field 'metrics.{i}'"
        record = written.record
        better = "higher"
        if isinstance(entry, dict):
            extra = sorted(set(entry) - {"name", "record", "better"})
            if extra or "name" not in entry:
                raise UserError(f"{field}: a metric table has 'name' and optionally 'record' and 'better', "
                                f"got {', '.join(sorted(entry)) or 'nothing'}")
            record = entry.get("record", record)
            if record not in RECORDS:
                raise UserError(f"{field}: record must be \"final\" or \"per_step\", got {record!r}")
            better = entry.get("better", better)
            if better not in BETTER:
                raise UserError(f"{field}: better must be \"higher\" or \"lower\", got {better!r}")
            entry = entry["name"]
        if not isinstance(entry, str):
            raise UserError(f"{field}: expected a metric name such as \"model.us_10y\", got {entry!r}")
        metrics.append(dataclasses.replace(parse_metric(entry, record, columns, field), better=better))
    names = [m.name for m in metrics]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise UserError(f"{where}, field 'metrics': '{duplicate}' is listed twice")
    return tuple(metrics)


def _columns(scenario) -> dict[str, list[str]]:
    """The columns a run really records, from a one-step run: a metric is checked against the model
    itself rather than against a list here that could fall out of date."""
    from simulation.runner import run
    from simulation.sweeps.plan import release

    result = run(scenario, steps=1, seed=0, decisions=[])
    release(result.world)
    return {
        "model": [c for c in result.model.columns if c not in ("step", "date")],
        "economies": [c for c in result.economies.columns if c not in ("step", "economy")],
        "trade": [c for c in result.trade.columns if c not in ("step", "exporter", "importer", "sector")],
    }


def parse_metric(name: str, record: str, columns: dict[str, list[str]], field: str) -> Metric:
    """``model.us_10y``, ``economies.JP.score``, ``scores.FED.inflation`` (a seat's score or one of its
    parts), ``trade.JP.US.autos`` (flow_bn) or ``...autos.tariff_pct``."""
    from simulation.macro import GOVERNMENT_PARTS, MANDATE_PARTS
    from simulation.world import ACTORS, CENTRAL_BANKS, ECONOMIES, SECTORS

    parts = name.split(".")
    expected = ("expected model.<column>, economies.<ECONOMY>.<column>, scores.<SEAT>.<score|part> or "
                "trade.<EXPORTER>.<IMPORTER>.<SECTOR>[.flow_bn|.tariff_pct]")

    def fail(problem: str) -> None:
        raise UserError(f"{field}: metric '{name}': {problem}")

    if parts[0] == "model" and len(parts) == 2:
        if parts[1] not in columns["model"]:
            fail(f"unknown model column; expected one of: {', '.join(columns['model'])}")
        return Metric(name, "model", (), parts[1], record)
    if parts[0] == "economies" and len(parts) == 3:
        if parts[1] not in ECONOMIES:
            fail(f"unknown economy '{parts[1]}'; expected one of: {', '.join(ECONOMIES)}")
        if parts[2] not in columns["economies"]:
            fail(f"unknown economies column; expected one of: {', '.join(columns['economies'])}")
        return Metric(name, "economies", (parts[1],), parts[2], record)
    if parts[0] == "scores" and len(parts) == 3:
        if parts[1] not in ACTORS:
            fail(f"unknown seat '{parts[1]}'; expected one of: {', '.join(ACTORS)}")
        allowed = ("score",) + (MANDATE_PARTS if parts[1] in CENTRAL_BANKS else GOVERNMENT_PARTS)
        if parts[2] not in allowed:
            fail(f"{parts[1]}'s score has no part '{parts[2]}'; expected one of: {', '.join(allowed)}")
        return Metric(name, "scores", (parts[1],), parts[2], record)
    if parts[0] == "trade" and len(parts) in (4, 5):
        for code in parts[1:3]:
            if code not in ECONOMIES:
                fail(f"unknown economy '{code}'; expected one of: {', '.join(ECONOMIES)}")
        if parts[1] == parts[2]:
            fail("exporter and importer are the same economy")
        if parts[3] not in SECTORS:
            fail(f"unknown sector '{parts[3]}'; expected one of: {', '.join(SECTORS)}")
        column = parts[4] if len(parts) == 5 else "flow_bn"
        if column not in columns["trade"]:
            fail(f"unknown trade column '{column}'; expected one of: {', '.join(columns['trade'])}")
        return Metric(name, "trade", tuple(parts[1:4]), column, record)
    fail(expected)
    raise AssertionError  # unreachable: fail() raises


def _check_names(where: str, parameters: tuple[Parameter, ...], metrics: tuple[Metric, ...]) -> None:
    """Parameter names become Parquet columns beside the metrics: they must be plain and distinct."""
    for p in parameters:
        if not NAME.match(p.name):
            raise UserError(f"{where}, field 'parameters.{p.name}': a parameter name is letters, digits and "
                            "underscores, starting with a letter (it becomes a column name)")
        if p.name in RESERVED or p.name in [m.name for m in metrics]:
            raise UserError(f"{where}, field 'parameters.{p.name}': the name is taken by a results column; "
                            "choose another")
    targets = [p.target.text for p in parameters]
    duplicate = next((t for t in targets if targets.count(t) > 1), None)
    if duplicate:
        raise UserError(f"{where}, field 'parameters': two parameters change the same target '{duplicate}'")


def _check_size(where: str, spec: SweepSpec) -> None:
    from simulation.sweeps.design import point_count

    total = point_count(spec) * spec.replicates
    if total > MAX_RUNS:
        raise UserError(f"{where}: the design has {total:,} runs, more than the limit of {MAX_RUNS:,}; "
                        "use fewer values, samples or replicates")
