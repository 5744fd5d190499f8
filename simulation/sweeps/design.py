"""The experimental design: which points to run, how many times, and with which seeds.

Everything here is a pure function of the spec, so a resumed sweep, a Dask cluster and a laptop all
agree on what run 417 is: its point, its replicate, its parameter values and its seed.

- ``grid``: every combination of the listed values, the first parameter varying slowest.
- ``lhs``: Latin hypercube of ``samples`` points in the ranges (SALib, seeded with ``base_seed``).
- ``sobol``: Saltelli's scheme for Sobol indices (SALib ``sample.sobol`` with
  ``calc_second_order=False``): ``samples * (parameters + 2)`` points, in SALib's order, which the
  analysis needs.

- ``morris``: Morris elementary-effects trajectories (SALib ``sample.morris``): ``samples * (parameters
  + 1)`` points on a grid of ``levels`` levels, for screening many parameters cheaply.

Run ``run_id = point * replicates + replicate``. Its seed comes from ``numpy.random.SeedSequence``
with entropy ``base_seed`` and a spawn key that depends on the ``seeds`` rule:

- ``common`` (common random numbers): spawn key ``(replicate,)``. Replicate r of every point sees the
  same random shocks, so the difference between two points is the effect of the parameters, not of
  luck. This is the default when the spec has a ``reference``: contrasts are then paired.
- ``independent``: spawn key ``(point, replicate)``: every run has its own stream.

Either way the seed is fixed by the spec alone, not by the order in which runs happen to execute.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pandas as pd

from simulation.sweeps.plan import RunTask


def derive_seed(base_seed: int, point: int | None, replicate: int) -> int:
    """The seed of one run (a whole number from 0 to 2**32 - 1); ``point`` None = common random numbers."""
    key = (replicate,) if point is None else (point, replicate)
    sequence = np.random.SeedSequence(base_seed, spawn_key=key)
    return int(sequence.generate_state(1, dtype=np.uint32)[0])


def run_seed(spec, point: int, replicate: int) -> int:
    """The seed of run (point, replicate) under the spec's ``seeds`` rule."""
    return derive_seed(spec.base_seed, None if spec.seeds == "common" else point, replicate)


SEED_RULES = {
    "common": "numpy SeedSequence(base_seed, spawn_key=(replicate,)).generate_state(1, uint32): common random "
              "numbers, the same seed for replicate r of every point",
    "independent": "numpy SeedSequence(base_seed, spawn_key=(point, replicate)).generate_state(1, uint32)",
}


def salib_problem(spec) -> dict:
    """The parameter ranges in the form SALib wants."""
    return {"num_vars": len(spec.parameters), "names": spec.parameter_names,
            "bounds": [[p.low, p.high] for p in spec.parameters]}


def point_count(spec) -> int:
    if spec.sampler == "grid":
        return int(np.prod([len(p.values) for p in spec.parameters]))
    if spec.sampler == "lhs":
        return spec.samples
    if spec.sampler == "morris":
        return spec.samples * (len(spec.parameters) + 1)
    return spec.samples * (len(spec.parameters) + 2)


def points(spec) -> pd.DataFrame:
    """One row per point (index = point number), one column per parameter; whole-number targets rounded."""
    if spec.sampler == "grid":
        rows = list(itertools.product(*[p.values for p in spec.parameters]))
        frame = pd.DataFrame(rows, columns=spec.parameter_names, dtype=object)
    else:
        frame = pd.DataFrame(_sample(spec), columns=spec.parameter_names)
    for p in spec.parameters:
        if p.target.categorical:
            frame[p.name] = frame[p.name].astype(str)
        elif p.target.integer:
            frame[p.name] = frame[p.name].astype(float).round().astype(np.int64)
        else:
            frame[p.name] = frame[p.name].astype(float)
    frame.index.name = "point"
    return frame


def _sample(spec) -> np.ndarray:
    problem = salib_problem(spec)
    if spec.sampler == "lhs":
        from SALib.sample import latin

        return latin.sample(problem, spec.samples, seed=spec.base_seed)
    if spec.sampler == "morris":
        from SALib.sample import morris

        return morris.sample(problem, spec.samples, num_levels=spec.levels, seed=spec.base_seed % 2**32)
    from SALib.sample import sobol

    return sobol.sample(problem, spec.samples, calc_second_order=False, seed=spec.base_seed)


def tasks(spec, design: pd.DataFrame, done: set[int] | frozenset = frozenset()) -> Iterator[RunTask]:
    """Every run not in ``done``, in run_id order (generated lazily: a big design costs no memory)."""
    names = spec.parameter_names
    for point, row in zip(design.index, design[names].itertuples(index=False, name=None)):
        values = tuple(v.item() if hasattr(v, "item") else v for v in row)
        for replicate in range(spec.replicates):
            run_id = int(point) * spec.replicates + replicate
            if run_id not in done:
                yield RunTask(run_id, int(point), replicate, run_seed(spec, int(point), replicate), values)


def chunks(items: Iterator[RunTask], size: int) -> Iterator[list[RunTask]]:
    """Batches of ``size`` runs, so that one task amortises the cost of sending work to a process."""
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def reference_points(spec, design: pd.DataFrame) -> pd.Series:
    """For each point, the point it is compared with: the same values, except the ``reference`` ones
    (index = point; a reference point maps to itself). Empty without a reference."""
    if not spec.reference:
        return pd.Series(dtype=np.int64)
    return match_references(spec.parameter_names, dict(spec.reference), design)


def match_references(names: list[str], fixed: dict, design: pd.DataFrame) -> pd.Series:
    """``reference_points`` from the parameter names, the reference values and the design (points.csv)."""
    rows = list(zip(design.index, design[names].itertuples(index=False, name=None)))
    lookup = {tuple(row): point for point, row in rows}
    counterpart = {point: lookup[tuple(fixed.get(n, v) for n, v in zip(names, row))] for point, row in rows}
    return pd.Series(counterpart, name="reference_point").rename_axis("point")
