"""Saved runs: a small file and a link query that restore a run exactly, and refuse other versions."""

import pytest

from simulation.errors import UserError
from simulation.runner import run
from simulation.savestate import SavedRun, from_query, read_state, restore, to_query, to_toml
from tests.conftest import D

DECISIONS = [D(1, "JP", "threaten_sale", amount_bn=150), D(3, "JP", "sell_treasuries", amount_bn=150),
             D(4, "US", "set_tariff", target="JP", sector="autos", rate_pct=15.0)]


@pytest.fixture(scope="module")
def original():
    return run("kato-2025", seed=4, steps=8, decisions=DECISIONS)


def test_file_round_trip_reproduces_every_number(original, tmp_path):
    path = tmp_path / "state.toml"
    path.write_text(to_toml(SavedRun.of(original)))
    again = restore(read_state(str(path)))
    assert again.model.equals(original.model) and again.economies.equals(original.economies)


def test_query_round_trip_reproduces_every_number(original):
    query = to_query(SavedRun.of(original))
    assert len(query) < 400
    again = restore(from_query(query))
    assert again.model.equals(original.model) and again.trade.equals(original.trade)


def test_a_state_from_another_model_version_says_so(original):
    old = to_query(SavedRun.of(original)).replace("v=0.", "v=0.0.0.")
    with pytest.raises(UserError, match="saved by model version"):
        restore(from_query(old))
    assert restore(from_query(old), allow_version_change=True).model.equals(original.model)


def test_a_changed_scenario_file_says_so(original):
    state = SavedRun.of(original)
    changed = SavedRun(state.scenario, "0" * 64, state.seed, state.steps, state.decisions, state.model_version)
    with pytest.raises(UserError, match="has changed since"):
        restore(changed)


@pytest.mark.parametrize("query, message", [
    ("?scenario=kato-2025&seed=1&steps=5", "missing 'v'"),
    ("?scenario=kato-2025&seed=x&steps=5&v=0.1.0", "'seed' must be a whole number"),
    ("?scenario=kato-2025&seed=1&steps=5&v=0.1.0&d=2,JP", "expected 'step,actor,action"),
    ("?scenario=kato-2025&seed=1&steps=5&v=0.1.0&d=9,JP,sell_treasuries,amount_bn:5", "outside the run"),
    ("?scenario=kato-2025&seed=1&steps=5&v=0.1.0&d=2,JP,sell_treasuries,amount_bn:lots", "must be a number"),
])
def test_bad_links_get_a_clear_message(query, message):
    with pytest.raises(UserError, match=message):
        from_query(query)
