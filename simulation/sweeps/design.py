"""The experimental design: which points to run, how many times, and with which seeds.

Everything here is a pure function of the spec, so a resumed sweep, a Dask cluster and a laptop all
agree on what run 417 is: its point, its replicate, its parameter values and its seed.

- ``grid``: every combination of the listed values, the first parameter varying slowest.
- ``lhs``: Latin hypercube of ``samples`` points in the ranges (SALib, seeded with ``base_seed``).
- ``sobol``: Saltelli's scheme for Sobol indices (SALib ``sample.sobol`` with
  ``calc_second_order=False``): ``samples * (parameters + 2)`` points, in SALib's order, which the
  analysis needs.

Run ``run_id = point * replicates + replicate``; its seed comes from ``numpy.random.SeedSequence``
with entropy ``base_seed`` and spawn key ``(point, replicate)``: independent streams, no repeats, and
no dependence on the order in which runs happen to execute.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pandas as pd

from simulation.sweeps.plan import RunTask


def derive_seed(base_seed: int, point: int, replicate: int) -> int:
    """The seed of one run (a whole number from 0 to 2**32 - 1)."""
    sequence = np.random.SeedSequence(base_seed, spawn_key=(point, replicate))
    return int(sequence.generate_state(1, dtype=np.uint32)[0])


def salib_problem(spec) -> dict:
    """The parameter ranges in the form SALib wants."""
    return {"num_vars": len(spec.parameters), "names": spec.parameter_names,
            "bounds": [[p.low, p.high] for p in spec.parameters]}


def point_count(spec) -> int:
    if spec.sampler == "grid":
        return int(np.prod([len(p.values) for p in spec.parameters]))
    if spec.sampler == "lhs":
        return spec.samples
    return spec.samples * (len(spec.parameters) + 2)


def points(spec) -> pd.DataFrame:
    """One row per point (index = point number), one column per parameter; whole-number targets rounded."""
    if spec.sampler == "grid":
        rows = list(itertools.product(*[p.values for p in spec.parameters]))
        frame = pd.DataFrame(rows, columns=spec.parameter_names, dtype=float)
    else:
        frame = pd.DataFrame(_sample(spec), columns=spec.parameter_names)
    for p in spec.parameters:
        frame[p.name] = frame[p.name].round().astype(np.int64) if p.target.integer else frame[p.name].astype(float)
    frame.index.name = "point"
    return frame


def _sample(spec) -> np.ndarray:
    problem = salib_problem(spec)
    if spec.sampler == "lhs":
        from SALib.sample import latin

        return latin.sample(problem, spec.samples, seed=spec.base_seed)
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
                yield RunTask(run_id, int(point), replicate, derive_seed(spec.base_seed, int(point), replicate), values)


def chunks(items: Iterator[RunTask], size: int) -> Iterator[list[RunTask]]:
    """Batches of ``size`` runs, so that one task amortises the cost of sending work to a process."""
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
