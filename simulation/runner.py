"""Running a scenario from Python or the command line, and writing its results.

    from simulation import run
    result = run("kato-2025", seed=1, decisions="my_decisions.toml")
    result.model.us_10y            # pandas DataFrames: model, economies, trade, events, drivers, scores, network, offers
    result.write("out/")
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from agents.rules import RULES
from agents.rules.user_rules import rule_file_record
from scenarios import SCENARIO_DIR, LoadedScenario, load_scenario, with_players, with_preset
from simulation.decisions import Decision, read_decisions_file
from simulation.errors import UserError
from simulation.model import TradeWarModel
from simulation.setup import KeptByIdentity
from simulation.version import MODEL_VERSION
from simulation.world import CENTRAL_BANKS, ECONOMIES


class RunResult:
    """Everything a run produced, plus the record that reproduces it.

    The tables are built from the run's recorder the first time each is read, so a caller that needs
    one table (a sweep reading two metrics) does not pay for the others.
    """

    def __init__(self, recorder, record: dict | Callable[[], dict], world=None):
        self._recorder = recorder
        self._make_record = record if callable(record) else functools.partial(dict, record)
        self.world = world        # the model object itself, for inspection

    @cached_property
    def record(self) -> dict:
        """run.json: version, scenario, seed, steps, decision log. Made when first read, like the tables,
        from what the run fixed when it finished (``run``)."""
        return self._make_record()

    def series(self, table: str, keys: tuple[str, ...], column: str):
        """One recorded value at every step as a numpy array, without building a table."""
        return self._recorder.series(table, tuple(keys), column)

    @cached_property
    def model(self) -> pd.DataFrame:
        """One row per step (step 0 = the start): prices, policy rates, summaries."""
        return self._recorder.model_frame()

    @cached_property
    def economies(self) -> pd.DataFrame:
        """One row per step and economy."""
        return self._recorder.economies_frame()

    @cached_property
    def trade(self) -> pd.DataFrame:
        """One row per step, exporter, importer and sector."""
        return self._recorder.trade_frame()

    @cached_property
    def events(self) -> pd.DataFrame:
        """Decisions applied, breaking news and market headlines."""
        return self._recorder.events_frame()

    @cached_property
    def offers(self) -> pd.DataFrame:
        """Every offer made at the negotiating table, with its fate."""
        return self._recorder.offers_frame()

    @cached_property
    def scores(self) -> pd.DataFrame:
        """Every seat's score and its parts at every step (step, seat, part, value)."""
        return self._recorder.scores_frame()

    @cached_property
    def network(self) -> pd.DataFrame:
        """Network measures of the trade graph at every step (step, economy, measure, value)."""
        return self._recorder.network_frame()

    @cached_property
    def drivers(self) -> pd.DataFrame:
        """Each price's monthly change split by cause."""
        return self._recorder.drivers_frame()

    def write(self, out_dir: str | Path) -> Path:
        out = Path(out_dir)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UserError(f"cannot create output folder '{out}': {error}") from None
        fmt = {"float_format": "%.6g", "index": False, "lineterminator": "\n"}
        self.model.to_csv(out / "model.csv", **fmt)
        self.economies.to_csv(out / "economies.csv", **fmt)
        self.trade.to_csv(out / "trade.csv", **fmt)
        self.events.to_csv(out / "events.csv", **fmt)
        self.drivers.to_csv(out / "drivers.csv", **fmt)
        self.offers.to_csv(out / "offers.csv", **fmt)
        self.scores.to_csv(out / "scores.csv", **fmt)
        self.network.to_csv(out / "network.csv", **fmt)
        (out / "run.json").write_text(json.dumps(self.record, indent=2) + "\n", encoding="utf-8")
        return out

    def summary(self) -> pd.DataFrame:
        """Start and end of the headline series, for the command line."""
        cols = ["us_10y", "jgb_10y", "usd_jpy", "eur_usd", "usd_cny", "sp500", "nikkei225", "fed_rate", "boj_rate"]
        first, last = self.model.iloc[0], self.model.iloc[-1]
        return pd.DataFrame({"start": first[cols], "end": last[cols], "change": last[cols] - first[cols]})


def run(scenario, steps: int | None = None, seed: int | None = None,
        decisions: list[Decision] | str | Path | None = None, seats: tuple[str, ...] = (),
        calibration_preset: str | None = None) -> RunResult:
    """Run a scenario (id, path or loaded scenario) and return its results.

    ``seed`` defaults to the scenario's; ``decisions`` is a list of Decision records or a TOML file;
    ``seats`` are the roles people played (they have no rules, only their decisions);
    ``calibration_preset`` (low, central, high) replaces the scenario's own preset.
    """
    loaded, steps, seed, decisions, seats = _prepared(scenario, steps, seed, decisions, seats, calibration_preset)
    model = _finished_model(loaded, steps, seed, decisions, record_model_only=False)
    header = {
        "model_version": MODEL_VERSION,
        "scenario": _record_name(loaded),
        "scenario_sha256": loaded.sha256,
        "rule_changes": list(loaded.rule_changes),
        "rule_settings": [dict(s) for s in loaded.rule_settings],
        "rule_files": rule_files(loaded.scenario),
        "seats": list(seats),
        "calibration_preset": loaded.scenario.calibration_preset,
        "seed": seed,
        "steps": steps,
    }
    # The decisions as the run ends (frozen records): written out as dicts when the record is first read.
    return RunResult(model.recorder, functools.partial(_run_record, header, model.external, tuple(model.decision_log)),
                     model)


def _run_record(header: dict, given: tuple[Decision, ...], applied: tuple[Decision, ...]) -> dict:
    """A run's record (run.json): its header, then the decisions given from outside and those applied."""
    return {**header, "decisions": [d.to_record() for d in given], "applied": [d.to_record() for d in applied]}


def model_series(scenario, columns: tuple[str, ...], steps: int | None = None, seed: int | None = None,
                 decisions: list[Decision] | str | Path | None = None,
                 seats: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """Some columns of the ``model`` table of a run (arguments as for ``run``), each as an array over the
    steps: the same numbers as ``run(...).series("model", (), column)``. A fan chart runs a hundred seeds
    and reads four series of each (see ``run_series``)."""
    found = run_series(scenario, tuple(("model", (), column) for column in columns), steps, seed, decisions, seats)
    return dict(zip(columns, found))


def run_series(scenario, wanted: tuple[tuple[str, tuple[str, ...], str], ...], steps: int | None = None,
               seed: int | None = None, decisions: list[Decision] | str | Path | None = None,
               seats: tuple[str, ...] = ()) -> list[np.ndarray]:
    """Some series of a run, given as (table, keys, column) like ``RunResult.series``, each as an array over
    the steps, with the same numbers as ``run``. The run records only these and builds no run record, which
    makes it about 8% cheaper: sweeps and fan charts read a few series from each of thousands of runs."""
    loaded, steps, seed, decisions, seats = _prepared(scenario, steps, seed, decisions, seats, None)
    picked = tuple(dict.fromkeys((table, tuple(keys), column) for table, keys, column in wanted if table != "model"))
    recorder = _finished_model(loaded, steps, seed, decisions, record_model_only=True, record_series=picked).recorder
    return [recorder.series(table, tuple(keys), column) for table, keys, column in wanted]


def _prepared(scenario, steps, seed, decisions, seats, calibration_preset):
    """A run's arguments checked and resolved: the loaded scenario (with its preset and played seats),
    steps, seed, decisions (read from their file if given one) and seats."""
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    loaded = with_preset(loaded, calibration_preset)
    seats = tuple(seats)
    loaded = _played(loaded, seats)
    steps = loaded.scenario.steps if steps is None else _positive_int(steps, "steps", 1, 240)
    seed = loaded.scenario.seed if seed is None else _positive_int(seed, "seed", 0, 2**32 - 1)
    if isinstance(decisions, (str, Path)):
        decisions = read_decisions_file(decisions, steps)
    return loaded, steps, seed, decisions, seats


def _played(loaded: LoadedScenario, seats: tuple[str, ...]) -> LoadedScenario:
    """``with_players``, kept per scenario and seats: every seed of a played game (the Play page's fan) then
    runs one scenario object, so its runs share one set-up (``simulation.setup``)."""
    if not seats:
        return loaded
    by_seats = _played_by_seats(loaded)
    played = by_seats.get(seats)
    if played is None:
        played = by_seats[seats] = with_players(loaded, seats)
    return played


_played_by_seats = KeptByIdentity(lambda loaded: {})   # seats -> the played scenario, per loaded scenario


def _finished_model(loaded, steps: int, seed: int, decisions, record_model_only: bool,
                    record_series: tuple = ()):
    """The model of a prepared run, run to its end."""
    model = TradeWarModel(loaded.scenario, seed=seed, decisions=decisions, steps=steps,
                          record_model_only=record_model_only, record_series=record_series)
    model.run()
    model.release()
    return model


def rule_files(scenario) -> list[dict]:
    """Path and SHA-256 of every user's rule file whose rules this scenario uses (none for built-in
    rules): a replay must load the same code to give the same numbers. Worked out once for each set of
    rule classes (the registry may gain or reload a user's rules between runs), as fresh dicts each time."""
    classes = tuple(RULES[name] for name in _kept_rule_names(scenario) if name in RULES)
    return [dict(r) for r in _rule_file_records(classes)]


def _rule_names_of(scenario) -> tuple[str, ...]:
    names = [choice.rule for code in ECONOMIES for choice in (scenario.government(code).trade,
                                                              scenario.government(code).treasury,
                                                              scenario.government(code).negotiation) if choice]
    names += [scenario.central_bank(bank).rule for bank in CENTRAL_BANKS if scenario.central_bank(bank)]
    names += list(scenario.investors.mix)
    return tuple(names)


_kept_rule_names = KeptByIdentity(_rule_names_of)   # the rules a scenario names, read once per scenario


@functools.lru_cache(maxsize=256)
def _rule_file_records(classes: tuple[type, ...]) -> tuple[dict, ...]:
    records = [rule_file_record(cls) for cls in classes]
    unique = {(r["path"], r["sha256"]): r for r in records if r}
    return tuple(unique[key] for key in sorted(unique))


def _record_name(loaded: LoadedScenario) -> str:
    """How a run's record names its scenario: a shipped one by id, a user's own file by its path, so a
    replay can find it."""
    return loaded.scenario.id if _shipped(loaded.path) else str(loaded.path)


@functools.lru_cache(maxsize=256)
def _shipped(path: Path) -> bool:
    return path.parent == _shipped_dir()


def _shipped_dir() -> Path:
    return SCENARIO_DIR


def _positive_int(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise UserError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    return value
