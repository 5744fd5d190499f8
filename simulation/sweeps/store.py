"""The results folder: what a sweep writes, how it survives being killed, and how it is read back.

    DIR/manifest.json     what this sweep is (spec hash, model version, code and calibration hashes,
                          seeds, units, the resolved decisions and targets, start time, total_runs, ...)
    DIR/spec.toml         a copy of the spec file, byte for byte
    DIR/points.csv        the design: one row per point with its parameter values
    DIR/runs/part-*.parquet   finished runs (tidy long format), written about once a second
    DIR/errors.csv        one row per run that raised
    DIR/summary.csv, DIR/heatmap.png, DIR/sobol.csv, DIR/sobol.png   written at the end

Every file is written under a temporary name (starting with '.', which Parquet readers skip) and then
renamed with ``os.replace``: a kill leaves either the whole file or none of it. A run is done when its
run_id is in a Parquet part or in errors.csv, which is what ``--resume`` reads.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from simulation.errors import UserError
from simulation.version import MODEL_VERSION

MANIFEST, POINTS, ERRORS, RUNS, SPEC_COPY = "manifest.json", "points.csv", "errors.csv", "runs", "spec.toml"
WRITE_AFTER_S = 1.0   # finished runs wait in memory at most about this long before they are written


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def atomic_write(path: Path, write: Callable) -> None:
    """Write through ``write(binary_file)`` to a hidden temporary file, then rename it into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def write_json(path: Path, data: dict) -> None:
    atomic_write(path, lambda f: f.write((json.dumps(data, indent=2) + "\n").encode("utf-8")))


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    atomic_write(path, lambda f: f.write(frame.to_csv(index=False, lineterminator="\n").encode("utf-8")))


class ResultsFolder:
    """One sweep's output folder, opened for a new sweep or to resume one."""

    def __init__(self, out: str | Path):
        self.out = Path(out)
        self.runs_dir = self.out / RUNS
        self.errors: list[dict] = []
        self.manifest: dict = {}
        self.units: dict = {}
        self._waiting: list[pd.DataFrame] = []   # finished runs not yet written (see ``add_chunk``)
        self._waiting_since = 0.0

    # -- opening ------------------------------------------------------------------------------------
    def start(self, spec, design: pd.DataFrame, resume: bool) -> set[int]:
        """Create or reopen the folder; return the run_ids already done (empty for a new sweep)."""
        if resume and (self.out / MANIFEST).exists():
            return self._reopen(spec)
        if self.out.exists() and not self.out.is_dir():
            raise UserError(f"output folder '{self.out}' is a file; choose another --out")
        if self.out.exists() and any(self.out.iterdir()):
            hint = ("it has no manifest.json, so it is not a sweep that can be resumed"
                    if resume else "add --resume to finish the sweep in it")
            raise UserError(f"output folder '{self.out}' is not empty: {hint}, or choose another --out")
        try:
            self.runs_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UserError(f"cannot create output folder '{self.out}': {error.strerror or error}") from None
        self.manifest = new_manifest(spec, len(design))
        self.units = self.manifest["units"]
        write_json(self.out / MANIFEST, self.manifest)
        atomic_write(self.out / SPEC_COPY, lambda f: f.write(spec.path.read_bytes()))
        write_csv(self.out / POINTS, design.reset_index())
        return set()

    def _reopen(self, spec) -> set[int]:
        from simulation.sweeps.plan import fingerprint

        manifest = read_manifest(self.out)
        calibration, source = fingerprint()
        for key, now_value, what in (("spec_sha256", spec.sha256, "the sweep spec"),
                                     ("model_version", MODEL_VERSION, "the model version"),
                                     ("scenario_sha256", spec.scenario.sha256, "the scenario file"),
                                     ("calibration_sha256", calibration, "the calibration files"),
                                     ("source_sha256", source, "the model's source code"),
                                     ("rule_files", rule_file_records(spec), "your rule files (--rules)")):
            if manifest.get(key) != now_value:
                raise UserError(f"cannot resume in '{self.out}': {what} changed since the sweep started "
                                f"({key} {manifest.get(key)!r} in manifest.json, now {now_value!r}); "
                                "results would mix two experiments, so start a new sweep with another --out")
        self.runs_dir.mkdir(exist_ok=True)
        for stale in self.runs_dir.glob(".*.tmp"):  # a write interrupted by a kill
            stale.unlink()
        if (self.out / ERRORS).exists():
            self.errors = pd.read_csv(self.out / ERRORS).to_dict("records")
        manifest.setdefault("resumed", []).append(now())
        manifest["finished"] = None
        self.manifest = manifest
        self.units = manifest["units"]
        write_json(self.out / MANIFEST, manifest)
        return set(done_in_parts(self.runs_dir)) | {int(e["run_id"]) for e in self.errors}

    # -- streaming ----------------------------------------------------------------------------------
    # Finished runs are written together, once the first of them has waited ``WRITE_AFTER_S``, rather
    # than one file per chunk: this process shares the cores with the workers, and each file costs it
    # about 2 ms of work (a fifth of a chunk's runs on a worker); a folder of a few large files is also
    # quicker to read. A kill loses at most that second of finished runs, which --resume runs again
    # with the same results; Ctrl-C, SIGTERM and errors write them first (``_stream``'s ``finally``).
    def add_chunk(self, frame: pd.DataFrame | None, errors: list[dict]) -> None:
        """Keep one finished chunk. Errors are written at once, runs wait for ``write_waiting``. Errors
        go first: if a kill falls before the runs are written, they are simply run again on resume, and
        none is ever counted twice."""
        if errors:
            self.errors.extend(errors)
            write_csv(self.out / ERRORS, pd.DataFrame(self.errors).sort_values("run_id"))
        if frame is not None:
            if not self._waiting:
                self._waiting_since = time.monotonic()
            self._waiting.append(frame)

    def seconds_until_due(self) -> float | None:
        """How much longer the waiting runs may wait before they are written (None: none is waiting)."""
        if not self._waiting:
            return None
        return max(0.0, self._waiting_since + WRITE_AFTER_S - time.monotonic())

    def write_waiting(self) -> None:
        """Write the waiting runs as one Parquet part named by their lowest and highest run_id (a run is
        in one part only, so no two parts get the same name), sorted by run and step."""
        if not self._waiting:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        frame = pd.concat(self._waiting, ignore_index=True) if len(self._waiting) > 1 else self._waiting[0]
        frame = frame.sort_values(["run_id", "step"], kind="stable", ignore_index=True)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               b"treasury_card.units": json.dumps(self.units).encode()})
        first, last = int(frame["run_id"].iat[0]), int(frame["run_id"].iat[-1])
        atomic_write(self.runs_dir / f"part-{first:09d}-{last:09d}.parquet", lambda f: pq.write_table(table, f))
        self._waiting = []

    def finish(self, **facts) -> None:
        self.manifest.update(facts, finished=now())
        write_json(self.out / MANIFEST, self.manifest)


def rule_file_records(spec) -> list[dict]:
    import hashlib

    return [{"path": path, "sha256": hashlib.sha256(source).hexdigest()} for path, source in spec.rule_files]


def units(spec) -> dict[str, str]:
    """The unit of every parameter and metric column (and of the identity columns)."""
    from simulation.sweeps.targets import target_unit
    from simulation.units import unit_of

    table = {"run_id": "run number", "point": "design point number", "replicate": "replicate number",
             "seed": "random seed", "step": unit_of("model", "step")}
    table.update({p.name: target_unit(p.target, spec.scenario.scenario) for p in spec.parameters})
    table.update({m.name: unit_of(m.table, m.column) for m in spec.metrics})
    return table


def new_manifest(spec, points: int) -> dict:
    """What the sweep is: enough to check a resume and to read the results without the spec."""
    from simulation.sweeps.design import SEED_RULES
    from simulation.sweeps.plan import fingerprint

    calibration, source = fingerprint()
    return {
        "kind": "treasury-card sweep",
        "spec": str(spec.path),
        "spec_sha256": spec.sha256,
        "model_version": MODEL_VERSION,
        "scenario": spec.scenario.id,
        "scenario_sha256": spec.scenario.sha256,
        "started": now(),
        "finished": None,
        "total_runs": points * spec.replicates,
        "points": points,
        "replicates": spec.replicates,
        "steps": spec.steps,
        "base_seed": spec.base_seed,
        "seeds": spec.seeds,
        "seed_rule": SEED_RULES[spec.seeds],
        "reference": dict(spec.reference),
        "sampler": spec.sampler,
        "samples": spec.samples,
        "levels": spec.levels,
        "parameters": {p.name: p.target.text for p in spec.parameters},
        "metrics": {m.name: m.record for m in spec.metrics},
        "better": {m.name: m.better for m in spec.metrics},
        "heatmap": spec.heatmap,
        "units": units(spec),
        "decisions": [{"index": i, **d.to_record()} for i, d in enumerate(spec.decisions)],
        "calibration_sha256": calibration,
        "source_sha256": source,
        "rule_files": rule_file_records(spec),
    }


def read_manifest(out: Path) -> dict:
    path = Path(out) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"'{out}' is not a sweep results folder: it has no {MANIFEST}") from None
    except (OSError, ValueError) as error:
        raise UserError(f"'{path}' cannot be read: {error}") from None


def part_files(runs_dir: Path) -> list[Path]:
    return sorted(runs_dir.glob("part-*.parquet"))


def done_in_parts(runs_dir: Path) -> np.ndarray:
    """run_ids present in the Parquet parts (reading only that column)."""
    import pyarrow.parquet as pq

    ids = [pq.read_table(f, columns=["run_id"]).column("run_id").to_numpy() for f in part_files(runs_dir)]
    return np.unique(np.concatenate(ids)) if ids else np.array([], dtype=np.int64)


def read_runs(out: str | Path, columns: list[str] | None = None, step: int | None = None) -> pd.DataFrame:
    """Saved rows (all, or only those of one ``step``), sorted by run_id and step; an empty frame if
    no chunk has finished yet."""
    files = part_files(Path(out) / RUNS)
    if not files:
        return pd.DataFrame(columns=columns or ["run_id", "point", "replicate", "seed", "step"])
    keep = None if columns is None else list(dict.fromkeys(["run_id", "step", *columns]))
    filters = None if step is None else [("step", "==", step)]
    frame = pd.read_parquet(Path(out) / RUNS, columns=keep, filters=filters)
    return frame.sort_values(["run_id", "step"], kind="stable").reset_index(drop=True)


@dataclass
class SweepResults:
    """A results folder as DataFrames, for notebooks and the app.

    runs: the tidy rows of runs/ (run_id, point, replicate, seed, parameters, step, metrics);
    summary: per point and metric, mean and 95% t-interval over replicates (summary.csv, or computed
    now if the sweep has not finished); manifest: manifest.json as a dict; errors: failed runs;
    points: the design; sobol: Sobol indices (sobol samplers only); pictures: name -> PNG path;
    contrasts: differences from the reference point (specs with a reference); morris: Morris
    screening (morris sampler); per_step: per-step quantiles of per_step metrics; units: column -> unit.
    """

    runs: pd.DataFrame
    summary: pd.DataFrame
    manifest: dict
    errors: pd.DataFrame
    points: pd.DataFrame
    sobol: pd.DataFrame | None
    pictures: dict[str, Path]
    contrasts: pd.DataFrame | None = None
    morris: pd.DataFrame | None = None
    per_step: pd.DataFrame | None = None
    units: dict | None = None


def load_results(out: str | Path) -> SweepResults:
    """Open a results folder (finished or not)."""
    from simulation.sweeps.report import summarise

    out = Path(out)
    manifest = read_manifest(out)
    runs = read_runs(out)
    points = pd.read_csv(out / POINTS) if (out / POINTS).exists() else pd.DataFrame()
    errors = pd.read_csv(out / ERRORS) if (out / ERRORS).exists() else pd.DataFrame(columns=["run_id", "error"])
    if (out / "summary.csv").exists():
        summary = pd.read_csv(out / "summary.csv")
    else:
        summary = summarise(runs, list(manifest["parameters"]), list(manifest["metrics"]), manifest["steps"],
                            manifest.get("units"))
    optional = {name: pd.read_csv(out / f"{name}.csv") if (out / f"{name}.csv").exists() else None
                for name in ("sobol", "contrasts", "morris", "per_step")}
    pictures = {p.stem: p for p in sorted(out.glob("*.png"))}
    return SweepResults(runs, summary, manifest, errors, points, optional["sobol"], pictures,
                        optional["contrasts"], optional["morris"], optional["per_step"], manifest.get("units"))
