"""A game played one month at a time: people in some seats, rules in the others.

The app's single-player game and the class game both drive a ``PlaySession``. It keeps the live model
and the log of the players' decisions, and nothing else: because a run is data, the session can always
be rebuilt from ``(scenario, seats, seed, steps, log)``, which is how undo, saved links, rollback after
a refused decision and a classroom server restart all work.

    session = PlaySession("kato-2025", seats=("JP",), seed=1)
    session.step([Decision(step=1, actor="JP", action="threaten_sale", amount_bn=300)])
    session.step()                                  # a month in which the players do nothing
    session.result.model.us_10y                     # the same tables as a finished run
    session.why(session.month, "us_10y")            # this month's change split by cause
"""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property

import numpy as np
import pandas as pd

from simulation.decisions import Decision, check, home_economy
from simulation.errors import DecisionError, UserError
from simulation.policy import describe_cause
from simulation.runner import RunResult, _positive_int, run
from simulation.savestate import SavedRun
from simulation.seat_view import SeatView, actions_for, seat_kind, seat_view  # noqa: F401  (seat_kind, actions_for: public here too)
from simulation.version import MODEL_VERSION
from simulation.world import ECONOMIES

# What the "why did it move" panel and the charts show, with units for their labels.
KEY_SERIES = {"us_10y": ("US 10-year yield", "%"), "usd_jpy": ("USD/JPY", "yen per dollar"),
              "sp500": ("S&P 500", "index"), "nikkei225": ("Nikkei 225", "index")}


class PlaySession:
    """One game: a live model, the seats people play, and the log of their decisions.

    It implements ``simulation.seat_view.GameState``, the read-only interface the app's pages draw from.
    """

    def __init__(self, scenario, seats: tuple[str, ...] = (), seed: int | None = None,
                 steps: int | None = None, decisions: tuple[Decision, ...] | list[Decision] = (),
                 months_played: int | None = None):
        from scenarios import LoadedScenario, load_scenario, with_players

        self.loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
        self.seats = tuple(seats)
        self.played = with_players(self.loaded, self.seats)
        self.seed = self.loaded.seed if seed is None else _positive_int(seed, "seed", 0, 2**32 - 1)
        self.steps = self.loaded.steps if steps is None else _positive_int(steps, "steps", 1, 240)
        last = max((d.step for d in decisions), default=0)
        months = last if months_played is None else _positive_int(months_played, "months played", 0, self.steps)
        if months < last:
            raise UserError(f"months played ({months}) is before the last decision (month {last})")
        self._rebuild([], 0)
        for month in range(1, months + 1):
            now = [d for d in decisions if d.step == month]
            self.step([d for d in now if d.origin != "scenario"], [d for d in now if d.origin == "scenario"])

    # -- playing ----------------------------------------------------------------------------------
    @property
    def month(self) -> int:
        """The last month played (0 before the first step)."""
        return self.model.month

    @property
    def finished(self) -> bool:
        return self.month >= self.steps

    def step(self, decisions: list[Decision] | tuple[Decision, ...] = (),
             shocks: list[Decision] | tuple[Decision, ...] = ()) -> None:
        """Play the next month with these decisions from the seats' players (their step is set here).

        ``shocks`` are scripted events an instructor injects ("breaking news"): any actor may be named,
        played or not, and the decision's ``note`` becomes the headline, as in a scenario's script.

        A decision that cannot be applied (selling more than is held) is refused with a ``UserError``
        and the month is not played: the session is rebuilt as it was before the call.
        """
        if self.finished:
            raise UserError(f"the game is over: all {self.steps} months have been played")
        month = self.month + 1
        given = [replace(d, step=month, origin="player") for d in decisions]
        for d in given:
            self.check_decision(d)
        scripted = [replace(d, step=month, origin="scenario") for d in shocks]
        for d in scripted:
            try:
                check(d, self.steps)
            except DecisionError as error:
                raise UserError(str(error)) from None
        given = scripted + given
        self.model.external += tuple(given)   # set anew, so the model indexes them by month
        try:
            self.model.step()
        except DecisionError as error:
            self._rebuild(self.log, month - 1)
            raise UserError(str(error)) from None
        self.log.extend(given)
        self.__dict__.pop("result", None)

    def play_month(self, decisions: list[Decision] | tuple[Decision, ...] = ()) -> list[tuple[Decision, str]]:
        """Play the next month with the players' ``decisions``, leaving out any the world no longer allows.

        A move checked when it was queued may be impossible by the time its month is played (an undo, or a
        scripted event of that month, changed the world). Such a move is dropped and the month is played
        without it; the dropped moves come back with the reason for each, in plain words, for the page
        to show. A decision that is malformed (not merely impossible now) is still refused.
        """
        month = self.month + 1
        kept, dropped = [], []
        for d in decisions:
            reason = self.seat_view(d.actor).refusal(d) if d.actor in self.seats else ""
            (dropped.append((d, reason)) if reason else kept.append(d))
        while True:
            try:
                self.step(kept)
                return dropped
            except UserError as error:
                # a refusal by the model names the decision's label ("decision (step 7, JP sell_treasuries)")
                refused = next((d for d in kept if f"({replace(d, step=month).label()})" in str(error)), None)
                if refused is None:
                    raise
                kept.remove(refused)
                dropped.append((refused, str(error).split("): ", 1)[-1].rstrip(".") + "."))

    def check_decision(self, d: Decision) -> None:
        """Refuse a decision its seat may not take, with a sentence saying why."""
        if d.actor not in self.seats:
            raise UserError(f"'{d.actor}' is not a seat played by a person in this game "
                            f"(played seats: {', '.join(self.seats) or 'none'})")
        try:
            check(d, self.steps)
        except DecisionError as error:
            raise UserError(str(error)) from None

    def undo(self) -> None:
        """Take back the last month played."""
        if self.month == 0:
            raise UserError("there is nothing to undo: no month has been played yet")
        self._rebuild([d for d in self.log if d.step < self.month], self.month - 1)

    def restart(self) -> None:
        """Back to month 0 with no decisions: the same scenario, seats and seed."""
        self._rebuild([], 0)

    def _rebuild(self, log: list[Decision], months: int) -> None:
        """A fresh model with ``log`` replayed for ``months`` months: a run is data, so this is exact."""
        from simulation.model import TradeWarModel

        model = TradeWarModel(self.played.scenario, seed=self.seed, decisions=list(log), steps=self.steps)
        model.release()
        model.run(months)
        self.model, self.log = model, list(log)
        self.__dict__.pop("result", None)

    # -- saving -----------------------------------------------------------------------------------
    def saved(self) -> SavedRun:
        from simulation.runner import _record_name

        return SavedRun(_record_name(self.loaded), self.loaded.sha256, self.seed, self.steps, tuple(self.log),
                        MODEL_VERSION, self.seats)

    # -- reading ----------------------------------------------------------------------------------
    def seat_view(self, seat: str) -> SeatView:
        """What ``seat`` sees now and the moves open to it next month (a frozen copy)."""
        return seat_view(self.model, seat, self.steps)

    @cached_property
    def result(self) -> RunResult:
        """The run so far as tables (rebuilt after every month played)."""
        return RunResult(self.model.recorder, {}, self.model)

    def why(self, month: int, market: str) -> pd.DataFrame:
        """``market``'s change in ``month`` split by cause, largest first, with plain-language labels."""
        return why_table(self.result.drivers, month, market)

    def headlines(self, month: int | None = None) -> list[tuple[int, str]]:
        """(month, headline) for every event so far, or for one month, newest first (within a month too: the
        markets' answer comes before the scripted events that opened the month)."""
        events = [(e.step, e.headline) for e in self.model.events if month is None or e.step == month]
        return sorted(reversed(events), key=lambda item: -item[0])

    def scripted_events(self) -> list[tuple[int, str]]:
        """(month, headline) of every scripted event so far: the scenario's script and news, and shocks an
        instructor injected (the charts mark their months)."""
        scripted = {(d.step, d.actor, d.action) for d in [*self.model.scripted, *self.log] if d.origin == "scenario"}
        return [(e.step, e.headline) for e in self.model.events
                if e.action == "breaking_news" or (e.step, e.actor, e.action) in scripted]

    def score(self, seat: str) -> float:
        """The seat's own score: a government's with its role's weights, a central bank's on its mandate."""
        return self.model.seat_score(seat)

    def score_parts(self, seat: str) -> dict[str, float]:
        return self.model.seat_score_parts(seat)

    def baseline(self) -> RunResult:
        """The scenario as written, same seed, every seat on its rule: what the player is compared with."""
        return baseline_run(self.loaded, self.seed, self.steps)

    def baseline_score_parts(self, seat: str, month: int) -> dict[str, float]:
        """The baseline's score terms for ``seat`` at ``month`` (the report card's comparison)."""
        return baseline_score_parts(self.loaded, self.seed, self.steps, seat, month)

    def fan(self, seeds: int = 20, columns: tuple[str, ...] = tuple(KEY_SERIES)) -> pd.DataFrame:
        """The players' decisions so far, run to the end with ``seeds`` different seeds: the 5th, 50th and
        95th percentile of each column at every step (long format: step, column, p5, p50, p95)."""
        from simulation import fan_pool

        seeds = _positive_int(seeds, "seeds", 1, 200)
        paths = fan_pool.model_series(self.loaded, columns, self.steps, [self.seed + k for k in range(seeds)],
                                      list(self.log), self.seats)
        return fan_frame(paths, columns)


def seed_fan(loaded, steps: int, seed: int, seeds: int, decisions=(), seats=(),
             columns: tuple[str, ...] = tuple(KEY_SERIES)) -> tuple[pd.DataFrame, list[RunResult]]:
    """Run ``loaded`` with seeds ``seed``, ``seed + 1``, ... and summarise each column's spread: the 5th,
    50th and 95th percentile at every step (long format: step, column, p5, p50, p95), and the runs."""
    seeds = _positive_int(seeds, "seeds", 1, 200)
    runs = [run(loaded, steps=steps, seed=seed + k, decisions=list(decisions), seats=seats) for k in range(seeds)]
    return fan_frame([{c: r.series("model", (), c) for c in columns} for r in runs], columns), runs


def fan_frame(paths: list[dict[str, np.ndarray]], columns: tuple[str, ...]) -> pd.DataFrame:
    """The 5th, 50th and 95th percentile of each column at every step over many runs' ``paths`` (one dict
    of column -> series per run), in long format: step, column, p5, p50, p95."""
    frames = []
    for column in columns:
        by_run = np.vstack([p[column] for p in paths])
        p5, p50, p95 = np.percentile(by_run, [5, 50, 95], axis=0)
        frames.append(pd.DataFrame({"step": np.arange(by_run.shape[1]), "column": column,
                                    "p5": p5, "p50": p50, "p95": p95}))
    return pd.concat(frames, ignore_index=True)


def why_table(drivers: pd.DataFrame, month: int, market: str) -> pd.DataFrame:
    """From a run's drivers table: ``market``'s change in ``month`` by cause, largest first, labelled."""
    rows = drivers[(drivers.step == month) & (drivers.market == market)]
    rows = rows[rows.change.abs() > 1e-9].copy()
    rows["label"] = [describe_cause(c) for c in rows.cause]
    return rows.reindex(rows.change.abs().sort_values(ascending=False).index)[["label", "change", "unit", "cause"]]


def baseline_run(loaded, seed: int, steps: int) -> RunResult:
    """The scenario ``loaded`` as written, every seat on its rule (cached): any game's comparison run."""
    return _baseline(loaded.path, loaded.sha256, seed, steps, loaded)


def baseline_score_parts(loaded, seed: int, steps: int, seat: str, month: int) -> dict[str, float]:
    """The baseline's score terms for ``seat`` at ``month``."""
    return baseline_run(loaded, seed, steps).world.recorder.seat_parts(month, seat)


_BASELINES: dict[tuple, RunResult] = {}


def _baseline(path, sha256: str, seed: int, steps: int, loaded) -> RunResult:
    """The baseline run (its recorder keeps every seat's score terms each month); cached per scenario
    file, seed, length and calibration preset."""
    from simulation.model import TradeWarModel

    key = (str(path), sha256, seed, steps, loaded.scenario.calibration_preset)
    if key not in _BASELINES:
        if len(_BASELINES) > 64:
            _BASELINES.pop(next(iter(_BASELINES)))
        model = TradeWarModel(loaded.scenario, seed=seed, steps=steps)
        model.release()
        model.run(steps)
        _BASELINES[key] = RunResult(model.recorder, {}, model)
    return _BASELINES[key]
