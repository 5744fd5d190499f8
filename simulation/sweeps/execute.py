"""Running a sweep: chunks of runs go to local worker processes or to a Dask cluster, and each finished
chunk is written to disk at once.

Both backends run the same function (``plan.run_chunk``) on the same chunks of runs, and every run's
inputs and seed are fixed by the spec, so the numbers do not depend on the backend, the number of
workers or the order in which chunks finish. Only a bounded number of chunks is in flight at a time,
so memory stays flat however many runs the design has.
"""

from __future__ import annotations

import math
import os
import signal
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simulation.errors import UserError
from simulation.sweeps import design as designs
from simulation.sweeps.plan import EnvironmentMismatch, error_record, fingerprint, make_plan, run_chunk
from simulation.sweeps.store import ResultsFolder, atomic_write, read_runs, write_csv
from simulation.workers import process_pool, start_all, stop

STOP_AFTER_TIMEOUTS = 10  # a sweep whose first this many runs all overran a rule's time budget stops
MAX_CHUNK = 10        # runs per task: ~0.08 s of work for kato-2025, small enough to balance two workers
CHUNKS_PER_SLOT = 10  # aim for at least this many chunks per worker, for an even finish


@dataclass
class SweepOutcome:
    """What a call to ``run_sweep`` did."""

    out: Path
    total_runs: int
    done_before: int
    ran: int
    failed: int
    seconds: float
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def run_sweep(spec, out: str | Path, workers: int | None = None, scheduler: str | None = None,
              resume: bool = False, progress: bool = True, rules: list[str] | tuple[str, ...] = ()) -> SweepOutcome:
    """Run (or finish, with ``resume``) the sweep ``spec`` (a path or a loaded SweepSpec) into ``out``;
    ``rules`` are the user's rule files (``sweep --rules``), loaded before the spec is read."""
    from simulation.sweeps.spec import SweepSpec, load_spec

    with _stop_on_sigterm():
        backend = DaskBackend(scheduler) if scheduler else LocalBackend(_workers(workers))
        try:
            spec = spec if isinstance(spec, SweepSpec) else load_spec(spec, rules=rules)
            design = designs.points(spec)
            folder = ResultsFolder(out)
            done = folder.start(spec, design, resume)
            total = len(design) * spec.replicates
            errors_before = len(folder.errors)
            todo = total - len(done)
            size = spec.chunk_size or max(1, min(MAX_CHUNK, math.ceil(todo / (backend.slots * CHUNKS_PER_SLOT))))
            started = time.perf_counter()
            batches = designs.chunks(designs.tasks(spec, design, done), size)
            _import_report_libraries()
            backend.warm_up()
            with _progress_bar(total, len(done), progress) as bar:
                _stream(backend, make_plan(spec), batches, folder, bar)
        except BaseException:
            backend.close(abandon=True)
            raise
        backend.close()
    seconds = time.perf_counter() - started
    outcome = SweepOutcome(folder.out, total, len(done), todo, len(folder.errors) - errors_before, seconds)
    outcome.notes += backend.notes
    _finish(spec, design, folder, outcome)
    return outcome


def _import_report_libraries() -> None:
    """Read the drawing and statistics libraries the report needs (about 0.35 s of CPU) while the local
    backend's fork server is still reading the model, on the other core, so the time is not added at
    the end of the sweep. (Not in a second thread: two threads importing Matplotlib at once can
    deadlock on its module locks.)"""
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401
    import scipy.special  # noqa: F401


def _workers(workers: int | None) -> int:
    if workers is None:
        return os.cpu_count() or 1
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= 512:
        raise UserError(f"--workers must be a whole number from 1 to 512, got {workers!r}")
    return workers


def _progress_bar(total: int, initial: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="run", desc="sweep", file=sys.stderr,
                disable=not enabled, dynamic_ncols=True, smoothing=0.1)


def _stream(backend, plan, batches, folder: ResultsFolder, bar) -> None:
    """Keep every worker busy with at most two chunks each; keep each chunk as soon as it is back, and
    write the finished runs about once a second (``ResultsFolder.add_chunk``) and whatever stops the sweep."""
    shared = backend.share(plan)
    pending: dict = {}
    batches = iter(batches)
    exhausted = False
    watch = _TimeoutWatch()
    try:
        while True:
            while not exhausted and len(pending) < 2 * backend.slots:
                batch = next(batches, None)
                if batch is None:
                    exhausted = True
                else:
                    pending[backend.submit(run_chunk, shared, batch)] = batch
            if not pending:
                break
            for future in backend.wait_any(list(pending), timeout=folder.seconds_until_due()):
                batch = pending.pop(future)
                frame, errors = backend.outcome(future, plan, batch)
                folder.add_chunk(frame, errors)
                bar.update(len(batch))
                watch.add(len(batch), errors)
            if folder.seconds_until_due() == 0.0:
                folder.write_waiting()
    except BaseException:
        try:
            folder.write_waiting()   # keep what finished before the stop
        except OSError:
            pass   # the stop's own message matters more; those runs are run again on resume
        raise
    folder.write_waiting()


class _TimeoutWatch:
    """A rule that loops does so in nearly every run, and each run then costs the rule's whole time
    budget (2 s instead of ~25 ms): if the first runs to come back all overran it, stop the sweep
    with one sentence rather than spend an hour recording the same failure."""

    def __init__(self):
        self.finished = self.timed_out = 0
        self.first_error = ""

    def add(self, runs: int, errors: list[dict]) -> None:
        overran = [e for e in errors if e.get("timed_out")]
        self.first_error = self.first_error or (overran[0]["error"] if overran else "")
        self.finished += runs
        self.timed_out += len(overran)
        if self.timed_out == self.finished >= STOP_AFTER_TIMEOUTS:
            raise UserError(f"the sweep stopped: its first {self.finished} runs all ran past a rule's time budget "
                            f"(first: {self.first_error}); they are in errors.csv. Fix the rule, then start the "
                            "sweep again in a new output folder")


def _finish(spec, design, folder: ResultsFolder, outcome: SweepOutcome) -> None:
    """summary.csv and the heatmap; contrasts (with a reference), per-step fans, Sobol or Morris indices
    with their pictures; then close the manifest."""
    from simulation.sweeps import report

    params, metrics, units = spec.parameter_names, spec.metric_names, folder.units
    per_step_metrics = [m.name for m in spec.metrics if m.record == "per_step"]
    runs = read_runs(folder.out, columns=["point", "replicate", *params, *metrics],
                     step=None if per_step_metrics else spec.steps)
    summary = report.summarise(runs, params, metrics, spec.steps, units)
    _table(folder, outcome, "summary.csv", summary)
    _add_picture(outcome, folder.out / "heatmap.png",
                 lambda f: report.heatmap(summary, params, spec.heatmap, spec.sampler == "grid", f))
    if spec.reference:
        reference = designs.reference_points(spec, design)
        table = report.contrasts(runs, params, metrics, spec.steps, reference,
                                 {m.name: m.better for m in spec.metrics}, units)
        _table(folder, outcome, "contrasts.csv", table)
        _add_picture(outcome, folder.out / "contrast.png",
                     lambda f: report.contrast_heatmap(table, params, spec.heatmap, dict(spec.reference), f))
        _discover(spec, folder, outcome, runs, design)
    if per_step_metrics:
        fans = report.per_step(runs, params, per_step_metrics)
        _table(folder, outcome, "per_step.csv", fans)
        _add_picture(outcome, folder.out / "fan.png", lambda f: report.fan_chart(fans, params, f))
    if spec.sampler == "sobol":
        _sobol(spec, design, folder, outcome, summary, runs)
    if spec.sampler == "morris":
        indices, skipped = report.morris_indices(designs.salib_problem(spec), design, summary, metrics,
                                                 spec.levels, spec.base_seed)
        _table(folder, outcome, "morris.csv", indices)
        _add_picture(outcome, folder.out / "morris.png", lambda f: report.morris_chart(indices, f))
        _note_skipped(outcome, "Morris indices", skipped)
    outcome.notes += list(spec.notes)
    finished = runs[runs["step"] == spec.steps]
    folder.finish(completed_runs=int(finished["point"].size), failed_runs=len(folder.errors),
                  last_session_seconds=round(outcome.seconds, 2))


def _discover(spec, folder, outcome, runs, design) -> None:
    """PRIM on "beats the reference in the same replicate" for the heatmap metric: prim.csv holds the
    peeling trajectory, and a note states the chosen box in words."""
    from simulation.sweeps import discovery, report
    from simulation.sweeps.store import SweepResults

    view = SweepResults(runs, None, {**folder.manifest}, None, design.reset_index(), None, {})
    cases, better = discovery.card_pays(view, spec.heatmap)
    if not len(cases) or not cases.shape[1]:
        return
    if not better.any() or better.all():
        outcome.notes.append(f"Scenario discovery (PRIM): {spec.heatmap} beats the reference in "
                             f"{'every' if better.all() else 'none'} of the {len(better)} runs outside it, "
                             "so there is no range to find")
        return
    trajectory = discovery.prim(cases, better)
    _table(folder, outcome, "prim.csv", trajectory)
    _add_picture(outcome, folder.out / "prim.png", lambda f: report.prim_chart(trajectory, f))
    box = discovery.choose(trajectory)
    ranges = "; ".join(f"{name} {box[name]}" for name in cases.columns)
    outcome.notes.append(f"Scenario discovery (PRIM, prim.csv): {spec.heatmap} beats the reference in "
                         f"{np.mean(better):.0%} of runs; in the box {ranges} it does in {box['density']:.0%} "
                         f"of runs, covering {box['coverage']:.0%} of the runs where it does.")


def _sobol(spec, design, folder, outcome, summary, runs) -> None:
    from simulation.sweeps import report

    metrics = spec.metric_names
    indices, skipped = report.sobol_indices(designs.salib_problem(spec), summary, metrics, len(design),
                                            spec.base_seed)
    _table(folder, outcome, "sobol.csv", indices)
    diagnostics = report.sobol_diagnostics(indices, runs, metrics, spec.steps, spec.seeds)
    _table(folder, outcome, "sobol_diagnostics.csv", diagnostics)
    _add_picture(outcome, folder.out / "sobol.png", lambda f: report.sobol_chart(indices, f))
    _note_skipped(outcome, "Sobol indices", skipped)
    outcome.notes += [f"Sobol, {row.metric}: {row.verdict}" for row in diagnostics.itertuples() if row.verdict != "settled"]


def _note_skipped(outcome: SweepOutcome, what: str, skipped: list[str]) -> None:
    if skipped:
        outcome.notes.append(f"no {what} for " + ", ".join(skipped)
                             + ": some points have no finished run (see errors.csv)")


def _table(folder: ResultsFolder, outcome: SweepOutcome, name: str, frame) -> None:
    write_csv(folder.out / name, frame)
    outcome.files.append(folder.out / name)


def _add_picture(outcome: SweepOutcome, path: Path, draw) -> None:
    picture = _picture(path, draw)
    if picture:
        outcome.files.append(picture)


def _picture(path: Path, draw) -> Path | None:
    """Draw into a temporary file and rename it into place, like every other output."""
    drawn = []
    atomic_write(path, lambda handle: drawn.append(draw(handle)))
    if drawn[0] is None:
        path.unlink()
        return None
    return path


class _Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: stop the workers, keep the finished chunks, say how to resume."""


class _stop_on_sigterm:
    """While a sweep streams, SIGTERM (``kill PID``, a scheduler's time limit) stops it as Ctrl-C does, so
    the workers are stopped too instead of being left behind. Only the main thread can set a handler."""

    def __enter__(self):
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGTERM, self._raise)
        return self

    @staticmethod
    def _raise(signum, frame):
        raise _Terminated

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)
        return False


# -- backends --------------------------------------------------------------------------------------------
class LocalBackend:
    """Worker processes on this machine (``simulation.workers``: forked by a fork server that reads the
    model once for all of them, Ctrl-C left to this process, gone when it is gone). The server starts
    reading the model as the backend is made, while this process reads and checks the spec."""

    def __init__(self, workers: int):
        self.slots = workers
        self.notes: list[str] = []
        self.pool = process_pool(workers, warm=fingerprint)

    def warm_up(self) -> None:
        """Start every worker before the first chunk is sent (``simulation.workers``: they start with
        Ctrl-C held back, so a Ctrl-C meanwhile reaches only this process, which stops the sweep cleanly)."""
        start_all(self.pool, self.slots)

    def share(self, plan):
        return plan

    def submit(self, fn, *args):
        return self.pool.submit(fn, *args)

    def wait_any(self, futures, timeout: float | None = None):
        """The futures done so far, waiting for at least one (or until ``timeout`` seconds: maybe none)."""
        return wait(futures, timeout=timeout, return_when=FIRST_COMPLETED).done

    def outcome(self, future, plan, batch):
        try:
            return future.result()
        except EnvironmentMismatch:
            raise
        except BrokenProcessPool:
            raise UserError("a worker process died (out of memory, or killed); the finished runs are saved: "
                            "run the same command with --resume to finish the sweep") from None
        except Exception as error:  # noqa: BLE001 -- e.g. a result that cannot be sent back
            return None, [error_record(plan, task, error) for task in batch]

    def close(self, abandon: bool = False) -> None:
        """Stop the workers; ``abandon`` (on an error, Ctrl-C or SIGTERM) stops running chunks too, since
        their results would not be written anyway."""
        if not abandon:
            self.pool.shutdown(wait=True)
            return
        stop(self.pool)


class DaskBackend:
    """A running dask.distributed cluster. The plan is sent to every worker once; chunks are tasks."""

    def __init__(self, address: str):
        from distributed import Client

        if "://" not in address:
            raise UserError(f"--scheduler wants an address such as tcp://127.0.0.1:8786, got '{address}'")
        self.notes = [] if _on_loopback(address) else [
            f"the Dask scheduler {address} is not on this machine's loopback: Dask's ports have no authentication "
            "and workers run the code they are sent, so keep them off open networks (SSH tunnel or TLS; "
            "docs/sweeps.md, 'On a Dask cluster')"]
        try:
            self.client = Client(address, timeout="15s")
        except (OSError, TimeoutError) as error:
            raise UserError(f"cannot reach the Dask scheduler at {address} ({error}); start one with "
                            "'dask scheduler --host 127.0.0.1' and workers with 'dask worker ADDRESS'") from None
        try:
            self.slots = self._check_workers(address)
        except BaseException:
            self.client.close()
            raise

    def _check_workers(self, address: str) -> int:
        """Workers must exist and run this model version, or their numbers would not match ours."""
        from simulation.version import MODEL_VERSION

        try:
            self.client.wait_for_workers(1, timeout=30)
        except TimeoutError:
            raise UserError(f"the Dask scheduler at {address} has no workers; start some with "
                            f"'dask worker {address} --nthreads 1'") from None
        try:
            versions = self.client.run(_model_version)
        except Exception as error:  # noqa: BLE001 -- a worker that cannot import the model
            raise UserError(f"the Dask workers at {address} cannot load the model ({error}); start them "
                            "with this project's Python, from its folder") from None
        wrong = {w: v for w, v in versions.items() if v != MODEL_VERSION}
        if wrong:
            worker, version = next(iter(wrong.items()))
            raise UserError(f"Dask worker {worker} runs model version {version}, this sweep {MODEL_VERSION}; "
                            "restart the workers from this project")
        prints = self.client.run(_fingerprint)
        other = {w: f for w, f in prints.items() if tuple(f) != fingerprint()}
        if other:
            worker = sorted(other)[0]
            raise UserError(f"Dask worker {worker} has other calibration files or model source code than this "
                            "sweep (their SHA-256 differ), so its numbers would not match; start the workers "
                            "from the same copy of the project")
        return len(versions)

    def warm_up(self) -> None:
        """Dask workers are already running."""

    def share(self, plan):
        return self.client.scatter(plan, broadcast=True)

    def submit(self, fn, *args):
        return self.client.submit(fn, *args, pure=False)

    def wait_any(self, futures, timeout: float | None = None):
        from distributed import wait as dask_wait

        try:
            return dask_wait(futures, timeout=timeout, return_when="FIRST_COMPLETED").done
        except TimeoutError:   # none was done in time
            return set()

    def outcome(self, future, plan, batch):
        try:
            return future.result()
        except EnvironmentMismatch:
            raise
        except Exception as error:  # noqa: BLE001 -- e.g. a worker lost too many times
            return None, [error_record(plan, task, error) for task in batch]

    def close(self, abandon: bool = False) -> None:
        self.client.close()


def _on_loopback(address: str) -> bool:
    from urllib.parse import urlsplit

    return (urlsplit(address).hostname or "") in ("127.0.0.1", "localhost", "::1")


def _fingerprint() -> tuple[str, str]:
    return fingerprint()


def _model_version() -> str:
    from simulation.version import MODEL_VERSION

    return MODEL_VERSION
