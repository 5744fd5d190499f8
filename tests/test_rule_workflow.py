"""The student's rule workflow end to end: rule files load before the scenario everywhere, --use-rule takes
parameters, run.json records the rule files so that replay reproduces or refuses, and a rule that loops,
raises or is declared wrongly is stopped or refused with one sentence saying where and what to do."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from agents.rules import RULES
from agents.rules.user_rules import RuleFailure, RuleOverran, load_rule_class, load_rule_file
from simulation.errors import UserError
from simulation.rulecheck import check_rule, random_observation

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "rules" / "cautious_seller.py"
MISTAKES = ROOT / "tests" / "student_rules" / "mistakes.py"


def run_cli(*args, timeout=300):
    return subprocess.run([sys.executable, "run.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def scenario_naming_my_rule(tmp_path_factory) -> Path:
    """kato-2025 with Japan's Treasury policy set to the worked example's rule, by name."""
    text = (ROOT / "scenarios" / "kato-2025.toml").read_text(encoding="utf-8")
    text = text.replace('id = "kato-2025"', 'id = "kato-cautious"').replace('treasury = "hold"',
                                                                          'treasury = "cautious_seller"')
    path = tmp_path_factory.mktemp("scenario") / "kato-cautious.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_simulate_loads_rule_files_before_a_scenario_that_names_them(scenario_naming_my_rule, tmp_path):
    done = run_cli("simulate", "--scenario", str(scenario_naming_my_rule), "--rules", str(EXAMPLE),
                   "--steps", "6", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    record = json.loads((tmp_path / "run.json").read_text())
    assert record["rule_files"] == [{"path": str(EXAMPLE), "sha256": load_sha(EXAMPLE)}]


def test_scenarios_check_takes_rules(scenario_naming_my_rule):
    refused = run_cli("scenarios", "check", str(scenario_naming_my_rule))
    assert refused.returncode == 2 and "unknown treasury rule 'cautious_seller'" in refused.stderr
    done = run_cli("scenarios", "check", str(scenario_naming_my_rule), "--rules", str(EXAMPLE))
    assert "Traceback" not in done.stderr and "expected outcomes hold" in done.stdout


def load_sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_use_rule_with_parameters_is_recorded_and_replay_needs_the_same_file(tmp_path):
    out = tmp_path / "run"
    done = run_cli("simulate", "--scenario", "kato-2025", "--rules", str(EXAMPLE), "--out", str(out),
                   "--use-rule", "JP.treasury=cautious_seller:tranche_bn=60,keep_share=0.5,partner=US")
    assert done.returncode == 0, done.stderr
    record = json.loads((out / "run.json").read_text())
    assert record["rule_settings"] == [{"seat": "JP", "kind": "treasury", "rule": "cautious_seller",
                                        "params": {"tranche_bn": 60, "keep_share": 0.5, "partner": "US"}}]
    assert record["rule_changes"] == ["JP.treasury: cautious_seller (tranche_bn=60, keep_share=0.5, partner=US)"]
    sales = [d for d in record["applied"] if d["actor"] == "JP" and d["action"] == "sell_treasuries"]
    assert sales and all(d["amount_bn"] <= 60 for d in sales), "the parameters must reach the rule"

    refused = run_cli("replay", str(out / "run.json"))
    assert refused.returncode == 2 and f"replay it with --rules {EXAMPLE}" in refused.stderr

    again = run_cli("replay", str(out / "run.json"), "--rules", str(EXAMPLE), "--out", str(tmp_path / "again"))
    assert again.returncode == 0, again.stderr
    for name in ("model.csv", "economies.csv", "events.csv"):
        assert (out / name).read_text() == (tmp_path / "again" / name).read_text()

    changed = tmp_path / EXAMPLE.name
    changed.write_text(EXAMPLE.read_text().replace("room <= 0", "room <= 1"))
    refused = run_cli("replay", str(out / "run.json"), "--rules", str(changed))
    assert refused.returncode == 2 and "is not the one this run used" in refused.stderr


def test_every_kind_of_users_rule_is_recorded_with_its_file(tmp_path):
    """A user's negotiation rule counts like a trade or Treasury rule: its file is in the run's record (so a
    replay loads it) and the Play page's fan keeps the game in the server's process (workers lack it)."""
    from scenarios import load_scenario, with_rule
    from simulation import fan_pool
    from simulation.runner import rule_files, run

    path = tmp_path / "my_talks.py"
    path.write_text(textwrap.dedent('''
        import dataclasses
        from agents.rules import Observation, Rule, register

        @register
        @dataclasses.dataclass
        class NeverTalks(Rule):
            """Never negotiates."""
            name = "never_talks_workflow"
            kind = "negotiation"
            summary = "Never negotiates."

            def decide(self, obs: Observation):
                return []
        '''), encoding="utf-8")
    load_rule_file(path)
    try:
        mine = with_rule(load_scenario("kato-2025"), "JP", "negotiation", "never_talks_workflow")
        expected = [{"path": str(path), "sha256": load_sha(path)}]
        assert rule_files(mine.scenario) == expected
        assert run(mine, steps=2).record["rule_files"] == expected
        assert not fan_pool._shipped_rules_only(mine)
    finally:
        RULES.pop("never_talks_workflow", None)


@pytest.mark.parametrize("use, message", [
    ("JP.treasury=cautious_seller:tranche_bn", "parameter 'tranche_bn' should be PARAM=VALUE"),
    ("JP.treasury=cautious_seller:tranche_bn=5000", "'tranche_bn' = 5000 is outside its range 1.0 to 500.0"),
    ("JP.treasury=cautious_seller:speed=2", "has no parameter 'speed'"),
])
def test_use_rule_parameter_mistakes_get_one_sentence(use, message):
    done = run_cli("simulate", "--scenario", "kato-2025", "--rules", str(EXAMPLE), "--use-rule", use)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_an_endless_loop_is_stopped_naming_the_rule_and_the_situation():
    started = time.monotonic()
    done = run_cli("simulate", "--scenario", "kato-2025", "--rules", str(MISTAKES),
                   "--use-rule", "JP.treasury=forever_waiting", timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "rule 'forever_waiting'" in done.stderr and "for JP at step 1" in done.stderr
    assert "was stopped" in done.stderr and "loop that never ends" in done.stderr
    assert time.monotonic() - started < 60


def test_the_time_budget_also_stops_a_rule_in_a_worker_thread():
    """The Lab runs the model in a thread: the budget must reach it there, not only in the main thread."""
    cls = load_rule_class(f"{MISTAKES}:ForeverWaiting")
    obs = random_observation(np.random.default_rng(1), "JP", 4)
    caught = []

    def work():
        try:
            cls().decide(obs)
        except RuleOverran as error:
            caught.append(str(error))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive() and caught and "for JP at step 4" in caught[0]


def test_an_exception_in_a_rule_names_the_file_line_and_suggests_the_name():
    cls = load_rule_class(f"{MISTAKES}:Misspelt")
    report = check_rule(cls, quick=True)
    text = report.text()
    assert not report.passed
    assert f"at {MISTAKES} line 34 (held = obs.ust_holdngs_bn)" in text
    assert "Did you mean 'ust_holdings_bn'?" in text
    done = run_cli("simulate", "--scenario", "kato-2025", "--rules", str(MISTAKES),
                   "--use-rule", "JP.treasury=misspelt_holdings")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"at {MISTAKES} line 34" in done.stderr and "Did you mean 'ust_holdings_bn'?" in done.stderr
    assert "deciding for JP at step 1" in done.stderr


@pytest.mark.parametrize("file, message", [
    ("own_init.py", "class OwnInit (line 10) defines __init__"),
    ("no_dataclass.py", "class NoDataclass (line 7) is not a dataclass"),
])
def test_a_rule_declared_wrongly_is_refused_with_what_to_do(file, message):
    path = ROOT / "tests" / "student_rules" / file
    with pytest.raises(UserError) as caught:
        load_rule_file(path)
    assert message in str(caught.value)
    assert not any(getattr(c, "source_file", None) == str(path) for c in RULES.values())
    done = run_cli("check-rule", f"{path}:{file}")
    assert done.returncode == 2 and message in done.stderr


def test_check_rule_says_plainly_when_a_rule_never_acted_and_counts_when_it_did():
    never = check_rule(RULES["hold"], quick=True)
    assert never.passed and "YOUR RULE NEVER ACTED" in never.text()
    example = check_rule(load_rule_class(f"{EXAMPLE}:CautiousSeller"))
    text = example.text()
    assert example.passed and "NEVER ACTED" not in text
    counts = [int(n) for n in re.findall(r"(\d+) on seed", text)]
    assert len(counts) == 4 and sum(counts) >= 1, "the worked example must act in the runs it is shown on"
    from scenarios import load_scenario, with_rule
    from simulation.runner import run

    mine = with_rule(load_scenario("kato-2025"), "JP", "treasury", "cautious_seller")
    sales = [sum(1 for d in run(mine, seed=seed).world.decision_log
                 if d.actor == "JP" and d.action == "sell_treasuries") for seed in (1, 2, 3, 2025)]
    assert counts == sales, "the report must count the rule's own decisions"
    assert "time per decision" in text


def test_guarded_rule_failures_are_user_errors():
    assert issubclass(RuleFailure, UserError) and issubclass(RuleOverran, RuleFailure)
