"""Bad input: one clear message on stderr, a non-zero exit, never a traceback."""

import subprocess
import sys

import pytest

from simulation.decisions import read_decisions_file
from simulation.errors import UserError

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "run.py", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_unknown_scenario_is_one_clear_line():
    done = cli("simulate", "--scenario", "no-such-scenario")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "unknown scenario 'no-such-scenario'" in done.stderr


def test_simulate_prints_a_summary_and_writes_files(tmp_path):
    done = cli("simulate", "--scenario", "kato-2025", "--steps", "3", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "us_10y" in done.stdout
    assert (tmp_path / "model.csv").exists() and (tmp_path / "run.json").exists()


BAD_DECISIONS = {
    "syntax": ("[[decision]\nstep = 1", "is not valid TOML"),
    "unknown actor": ('[[decision]]\nstep = 1\nactor = "XX"\naction = "sell_treasuries"\namount_bn = 5', "unknown actor 'XX'"),
    "negative amount": ('[[decision]]\nstep = 1\nactor = "JP"\naction = "sell_treasuries"\namount_bn = -5', "positive number"),
    "non-numeric": ('[[decision]]\nstep = 1\nactor = "JP"\naction = "sell_treasuries"\namount_bn = "lots"', "must be a number"),
    "step outside": ('[[decision]]\nstep = 99\nactor = "JP"\naction = "sell_treasuries"\namount_bn = 5', "outside the run"),
    "unknown action": ('[[decision]]\nstep = 1\nactor = "JP"\naction = "nuke"', "unknown action 'nuke'"),
    "unknown field": ('[[decision]]\nstep = 1\nactor = "JP"\naction = "retract_threat"\ncolour = "red"', "unknown field 'colour'"),
    "missing field": ('[[decision]]\nstep = 1\nactor = "US"\naction = "set_tariff"\ntarget = "JP"', "needs 'rate_pct'"),
    "wrong actor kind": ('[[decision]]\nstep = 1\nactor = "JP"\naction = "set_policy_rate"\nrate_pct = 1', "for central banks"),
    "tariff too high": ('[[decision]]\nstep = 1\nactor = "US"\naction = "set_tariff"\ntarget = "JP"\nrate_pct = 5000', "between 0 and 1000"),
}


@pytest.mark.parametrize("name", sorted(BAD_DECISIONS))
def test_malformed_decisions_file_is_refused_naming_the_decision(name, tmp_path):
    text, expected = BAD_DECISIONS[name]
    path = tmp_path / "d.toml"
    path.write_text(text)
    with pytest.raises(UserError) as error:
        read_decisions_file(path, steps=24)
    assert expected in str(error.value)
    if name != "syntax":
        assert "decision 1" in str(error.value)


def test_selling_more_than_is_held_is_refused_at_the_command_line(tmp_path):
    path = tmp_path / "d.toml"
    path.write_text('[[decision]]\nstep = 2\nactor = "JP"\naction = "sell_treasuries"\namount_bn = 5000\n')
    done = cli("simulate", "--scenario", "kato-2025", "--decisions", str(path))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "step 2, JP sell_treasuries" in done.stderr and "cannot sell 5,000.0bn" in done.stderr


def test_missing_decisions_file_and_bad_steps_are_clear():
    done = cli("simulate", "--scenario", "kato-2025", "--decisions", "nope.toml")
    assert done.returncode == 2 and "does not exist" in done.stderr and "Traceback" not in done.stderr
    done = cli("simulate", "--scenario", "kato-2025", "--steps", "0")
    assert done.returncode == 2 and "steps must be" in done.stderr


def test_bad_scenario_file_names_the_field_and_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('id = "bad"\ntitle = "Bad"\nsteps = 24\ncolour = "red"\n')
    done = cli("simulate", "--scenario", str(path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "colour" in done.stderr and "line 4" in done.stderr
