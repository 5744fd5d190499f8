"""Policy sweeps: many points and seeds of one scenario, in parallel, resumable, locally or on Dask.

    from simulation.sweeps import load_spec, run_sweep, load_results

    run_sweep("scenarios/sweeps/kato-sale-vs-tariff.toml", "out/sweeps/kato", workers=2)
    results = load_results("out/sweeps/kato")      # .runs, .summary, .manifest, .errors, .sobol, ...

Modules: ``spec`` (the TOML file and its checks), ``targets`` (what a parameter changes), ``design``
(points, seeds and reference points), ``plan`` (one point -> one run -> metrics; what workers execute,
and the code and calibration fingerprint they check), ``execute`` (backends and streaming), ``store``
(the results folder), ``report`` (summary, contrasts, per-step fans, Sobol and Morris, pictures),
``discovery`` (PRIM scenario discovery) and ``cli`` (the ``sweep`` command). The format is documented
in docs/sweeps.md.
"""

from simulation.sweeps.design import derive_seed
from simulation.sweeps.execute import SweepOutcome, run_sweep
from simulation.sweeps.spec import SweepSpec, load_spec
from simulation.sweeps.store import SweepResults, load_results

__all__ = ["SweepOutcome", "SweepResults", "SweepSpec", "derive_seed", "load_results", "load_spec", "run_sweep"]
