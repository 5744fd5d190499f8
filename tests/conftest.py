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


# -- the real app server and Debian's Chromium, shared by the browser tests (tests/support/browser.py) --
@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """One app server process (``run.py play``) on a free port, with its own class-game database."""
    from tests.support.browser import app_server

    with app_server(tmp_path_factory.mktemp("app") / "class.sqlite3") as (url, _process):
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from tests.support.browser import launch

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def tab(browser, server):
    """One watched browser tab on the shared server (a test file may override it for its own server)."""
    from tests.support.browser import Watched

    watched = Watched(browser, server)
    yield watched
    watched.close()
