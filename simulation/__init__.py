"""The simulation core: a calibrated trade, Treasury and currency world on Mesa.

Public API: ``run`` (simulation.runner), ``load_scenario`` (scenarios), ``Decision`` and
``read_decisions_file`` (simulation.decisions), ``MODEL_VERSION``.
"""

from simulation.version import MODEL_VERSION

__all__ = ["MODEL_VERSION", "run", "Decision", "read_decisions_file", "load_scenario"]


def __getattr__(name):
    # Imported lazily so that agents can import simulation.decisions without a cycle.
    if name == "run":
        from simulation.runner import run
        return run
    if name in ("Decision", "read_decisions_file"):
        from simulation import decisions
        return getattr(decisions, name)
    if name == "load_scenario":
        from scenarios import load_scenario
        return load_scenario
    raise AttributeError(name)
