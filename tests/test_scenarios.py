"""Scenario files (issue: teaching scenarios): every shipped scenario runs and keeps its promises; bad
files get one clear message; random edits never produce a traceback."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios import load_scenario, shipped_scenarios
from scenarios.claims import check_scenario
from simulation.errors import UserError
from simulation.runner import run

SHIPPED = sorted(shipped_scenarios())
BROKEN = Path(__file__).parent / "broken_scenarios"


def test_the_required_scenarios_ship():
    required = {"baseline-2025", "kato-2025", "liberation-day-2025", "carry-unwind-2024",
                "china-escalation-2025", "deal-2025", "fire-sale"}
    assert required <= set(SHIPPED)


@pytest.mark.parametrize("sid", SHIPPED)
def test_shipped_scenario_runs_its_full_horizon_without_nan(sid):
    loaded = load_scenario(sid)
    assert loaded.id == sid
    result = run(loaded)
    assert len(result.model) == loaded.steps + 1
    for frame in (result.model, result.economies, result.trade):
        assert np.isfinite(frame.select_dtypes("number").to_numpy()).all()


@pytest.mark.slow
@pytest.mark.parametrize("sid", SHIPPED)
def test_shipped_scenario_expected_outcomes_hold(sid):
    verdicts = check_scenario(load_scenario(sid))
    failed = [f"{v.claim} ({v.detail})" for v in verdicts if not v.passed]
    assert not failed


def test_kato_declares_that_selling_300bn_costs_japan_more_than_holding():
    claims = load_scenario("kato-2025").expectations
    assert any(e.variant and any(v.action == "sell_treasuries" and v.amount_bn == 300 for v in e.variant)
               and e.metric.startswith("economies.JP") for e in claims)


EXPECTED_MESSAGES = {
    "syntax-error.toml": "is not valid TOML",
    "unknown-field.toml": "field 'horizon' (line 4): unknown field",
    "wrong-type.toml": "field 'steps' (line 3)",
    "out-of-range.toml": "field 'steps' (line 3)",
    "unknown-economy.toml": "unknown economy 'XX'",
    "unknown-rule.toml": "unknown trade rule 'tit_for_tit'",
    "rule-param-out-of-bounds.toml": "'share' = 5 is outside its range",
    "unknown-central-bank.toml": "unknown central bank 'BOE'",
    "event-outside-run.toml": "step 30 is outside the run",
    "event-negative-amount.toml": "must be a positive number",
    "unknown-calibration.toml": "'trade.elasticity.cars' is not a known parameter",
    "missing-id.toml": "field 'id'",
    "too-few-investors.toml": "field 'investors.count'",
    "unknown-investor-rule.toml": "unknown investor rule 'hedge_fund'",
    "expectation-without-value.toml": "give either 'value'",
    "bad-start.toml": "field 'start' (line 3)",
    "not-utf8.toml": "cannot be read",
}


def test_every_broken_file_has_an_expected_message():
    assert sorted(p.name for p in BROKEN.glob("*.toml")) == sorted(EXPECTED_MESSAGES)


@pytest.mark.parametrize("name", sorted(EXPECTED_MESSAGES))
def test_broken_scenario_file_gets_one_clear_message(name):
    path = BROKEN / name
    with pytest.raises(UserError) as error:
        load_scenario(path)
    message = str(error.value)
    assert f"'{path}'" in message
    assert EXPECTED_MESSAGES[name] in message
    assert "\n" not in message and "Traceback" not in message


KATO = (Path(__file__).parents[1] / "scenarios" / "kato-2025.toml").read_text()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_edits_to_a_valid_file_never_give_a_traceback(tmp_path, data):
    lines = KATO.splitlines()
    for _ in range(data.draw(st.integers(1, 3))):
        kind = data.draw(st.sampled_from(["delete", "duplicate", "replace_value", "insert", "truncate"]))
        i = data.draw(st.integers(0, max(len(lines) - 1, 0)))
        if kind == "delete" and lines:
            del lines[i]
        elif kind == "duplicate" and lines:
            lines.insert(i, lines[i])
        elif kind == "replace_value" and lines and "=" in lines[i]:
            key = lines[i].split("=")[0]
            value = data.draw(st.sampled_from(['-1', '1e9', '"x"', 'true', '[]', '{}', 'nan', '0', '"JP"', '3.5']))
            lines[i] = f"{key}= {value}"
        elif kind == "insert":
            lines.insert(i, data.draw(st.text(alphabet='abc[]="=.0123\n ', max_size=20)))
        elif kind == "truncate":
            lines = lines[:i]
    path = tmp_path / "fuzzed.toml"
    path.write_text("\n".join(lines))
    try:
        loaded = load_scenario(path)
    except UserError as error:
        assert "\n" not in str(error)
        return
    run(loaded, steps=2)  # a file that loads must also run
