"""Shared helpers: runs are cached per (scenario, seed, steps, decisions) within a test session."""

from __future__ import annotations

import functools

import pytest

from simulation import run
from simulation.decisions import Decision


@functools.lru_cache(maxsize=64)
def _cached(scenario: str, seed: int, steps: int, decisions: tuple):
    return run(scenario, seed=seed, steps=steps, decisions=list(decisions))


def simulate(scenario="baseline-2025", seed=1, steps=24, decisions=()):
    """Run (or reuse) a scenario with a tuple of Decision records."""
    return _cached(scenario, seed, steps, tuple(decisions))


def D(step, actor, action, **fields) -> Decision:
    return Decision(step=step, actor=actor, action=action, **fields)


@pytest.fixture
def tmp_out(tmp_path):
    return tmp_path / "out"
