"""Sweeps that answer research questions: common random numbers and paired contrasts with a reference,
rules and other names as factors (with the user's own rule file travelling to the workers), self-
describing results (units, spec copy, resolved decisions, code and calibration hashes), Morris
screening, per-step fans, and a sweep stopped by SIGTERM or SIGKILL leaving no process behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pyarrow.parquet as pq
import pytest

from simulation.errors import UserError
from simulation.sweeps import derive_seed, load_results, load_spec, run_sweep
from simulation.sweeps.design import points, tasks
from simulation.sweeps.plan import EnvironmentMismatch, build_inputs, make_plan, run_chunk
from simulation.sweeps.store import ResultsFolder
from tests.test_sweeps import ROOT, sweep_cli, write_spec

EXAMPLE_RULES = ROOT / "examples" / "rules" / "cautious_seller.py"

CONTRAST_SPEC = """
scenario = "kato-2025"
steps = 4
replicates = 4
base_seed = 5
metrics = ["economies.JP.score", { name = "model.us_10y", better = "lower" }]
reference = { sale_bn = 0 }

[[decision]]
step = 2
actor = "JP"
action = "sell_treasuries"
amount_bn = 100

[parameters.sale_bn]
target = "decision.0.amount_bn"
values = [0, 100, 300]

[parameters.auto_tariff_pct]
target = "event.0.rate_pct"
values = [2.5, 27.5]
"""


@pytest.fixture(scope="module")
def contrast_sweep(tmp_path_factory):
    folder = tmp_path_factory.mktemp("contrast")
    spec = write_spec(folder, CONTRAST_SPEC)
    outcome = run_sweep(spec, folder / "out", workers=2, progress=False)
    return spec, outcome, load_results(outcome.out)


def test_a_reference_makes_seeds_common_by_default(contrast_sweep):
    _, _, results = contrast_sweep
    assert results.manifest["seeds"] == "common" and results.manifest["reference"] == {"sale_bn": 0.0}
    runs = results.runs.drop_duplicates("run_id")
    per_replicate = runs.groupby("replicate").seed.nunique()
    assert (per_replicate == 1).all() and runs.seed.nunique() == 4  # same shocks across points, not across replicates
    assert runs.seed.tolist() == [derive_seed(5, None, r) for r in runs.replicate]


def test_contrasts_are_paired_differences_from_the_reference(contrast_sweep):
    _, outcome, results = contrast_sweep
    contrasts = results.contrasts
    assert list(contrasts.columns) == ["point", "sale_bn", "auto_tariff_pct", "reference_point", "metric", "unit",
                                       "n_pairs", "mean_difference", "sd_difference", "ci_low", "ci_high",
                                       "share_better"]
    assert len(contrasts) == 4 * 2  # 4 non-reference points x 2 metrics
    runs = results.runs.set_index(["point", "replicate"])
    for row in contrasts.itertuples():
        mine = runs.loc[row.point][row.metric]
        theirs = runs.loc[row.reference_point][row.metric]
        difference = (mine - theirs).to_numpy()
        assert row.mean_difference == pytest.approx(difference.mean())
        assert row.ci_low < row.mean_difference < row.ci_high
        better = difference < 0 if row.metric == "model.us_10y" else difference > 0
        assert row.share_better == pytest.approx(better.mean())
    sale = contrasts[(contrasts.sale_bn == 300) & (contrasts.metric == "model.us_10y")]
    assert (sale.mean_difference > 0).all() and (sale.share_better == 0).all()  # a sale raises yields every time
    assert (outcome.out / "contrast.png").stat().st_size > 1000
    score = contrasts[contrasts.metric == "economies.JP.score"]
    note = next(n for n in outcome.notes if n.startswith("Scenario discovery (PRIM"))
    if score.share_better.isin([0, 1]).all():  # selling always (or never) beats holding: nothing to discover
        assert "there is no range to find" in note and not (outcome.out / "prim.csv").exists()
    else:
        trajectory = pd.read_csv(outcome.out / "prim.csv")
        assert {"step", "coverage", "density", "support", "auto_tariff_pct", "sale_bn"} <= set(trajectory.columns)
        assert trajectory.coverage.iloc[0] == 1 and "in the box" in note


def test_results_describe_themselves(contrast_sweep):
    spec_path, outcome, results = contrast_sweep
    assert (outcome.out / "spec.toml").read_bytes() == spec_path.read_bytes()
    manifest = results.manifest
    assert manifest["decisions"] == [{"index": 0, "step": 2, "actor": "JP", "action": "sell_treasuries",
                                      "amount_bn": 100, "origin": "file"}]
    assert manifest["units"]["sale_bn"] == "USD bn" and manifest["units"]["model.us_10y"] == "percent"
    assert manifest["units"]["economies.JP.score"].startswith("the government's score")
    assert len(manifest["calibration_sha256"]) == len(manifest["source_sha256"]) == 64
    summary = pd.read_csv(outcome.out / "summary.csv")
    assert dict(zip(summary.metric, summary.unit))["model.us_10y"] == "percent"
    part = sorted((outcome.out / "runs").glob("part-*.parquet"))[0]
    units = json.loads(pq.read_schema(part).metadata[b"treasury_card.units"])
    assert units["auto_tariff_pct"] == "percent" and units["economies.JP.score"] == manifest["units"]["economies.JP.score"]


def test_every_recorded_column_has_a_unit():
    from simulation.runner import run
    from simulation.units import COLUMN_UNITS

    result = run("kato-2025", steps=1, seed=0)
    for table, frame, keys in (("model", result.model, ("step", "date")),
                               ("economies", result.economies, ("step", "economy")),
                               ("trade", result.trade, ("step", "exporter", "importer", "sector"))):
        missing = [c for c in frame.columns if c not in keys and c not in COLUMN_UNITS[table]]
        assert not missing, f"{table} columns without a unit in simulation/units.py: {missing}"


def test_a_worker_with_other_code_or_calibration_refuses_to_run(tmp_path):
    spec = load_spec(write_spec(tmp_path, CONTRAST_SPEC))
    plan = make_plan(spec)
    changed = type(plan)(**{**plan.__dict__, "fingerprint": ("0" * 64, plan.fingerprint[1])})
    with pytest.raises(EnvironmentMismatch, match="calibration files differ"):
        run_chunk(changed, list(tasks(spec, points(spec)))[:1])
    ResultsFolder(tmp_path / "out").start(spec, points(spec), resume=False)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    manifest["calibration_sha256"] = "0" * 64
    (tmp_path / "out" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(UserError, match="the calibration files changed since the sweep started"):
        ResultsFolder(tmp_path / "out").start(spec, points(spec), resume=True)


RULES_SPEC = """
scenario = "kato-2025"
steps = 6
replicates = 2
metrics = ["economies.JP.ust_holdings_bn"]
reference = { japan = "hold" }

[[decision]]
step = 1
actor = "FED"
action = "set_policy_rate"
rate_pct = 7.0

[parameters.japan]
target = "governments.JP.treasury"
values = ["hold", "threaten_then_sell", "cautious_seller"]
"""


def test_rules_are_a_factor_and_a_users_rule_file_reaches_dask_workers(tmp_path):
    from distributed import LocalCluster

    spec = write_spec(tmp_path, RULES_SPEC)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        outcome = run_sweep(spec, tmp_path / "dask", scheduler=cluster.scheduler_address, progress=False,
                            rules=[str(EXAMPLE_RULES)])
    results = load_results(outcome.out)
    assert results.errors.empty, results.errors
    held = results.runs.groupby("japan")["economies.JP.ust_holdings_bn"].mean()
    assert held["cautious_seller"] < held["hold"]  # the user's rule sold (the Fed hike weakens the yen)
    assert results.manifest["rule_files"][0]["path"] == str(EXAMPLE_RULES)
    assert set(results.contrasts.japan) == {"threaten_then_sell", "cautious_seller"}
    local = run_sweep(spec, tmp_path / "local", workers=1, progress=False, rules=[str(EXAMPLE_RULES)])
    pd.testing.assert_frame_equal(load_results(local.out).runs, results.runs)


def test_morris_screening_and_per_step_fans(tmp_path):
    spec = write_spec(tmp_path, """
        scenario = "kato-2025"
        steps = 3
        sampler = "morris"
        samples = 4
        metrics = [{ name = "model.us_10y", record = "per_step" }, "economies.JP.score"]
        [parameters.flow_impact]
        target = "calibration.bonds.flow_impact_bp_per_pct_supply"
        low = 10
        high = 30
        [parameters.auto_tariff_pct]
        target = "event.0.rate_pct"
        low = 2.5
        high = 50
        """)
    outcome = run_sweep(spec, tmp_path / "out", workers=2, progress=False)
    results = load_results(outcome.out)
    assert results.manifest["total_runs"] == 4 * (2 + 1)
    assert list(results.morris.columns) == ["metric", "parameter", "mu", "mu_star", "sigma", "mu_star_conf"]
    assert len(results.morris) == 2 * 2 and (results.morris.mu_star >= 0).all()
    fans = results.per_step
    assert set(fans.metric) == {"model.us_10y"} and sorted(fans.step.unique()) == [0, 1, 2, 3]
    assert (fans.p05 <= fans.p50).all() and (fans.p50 <= fans.p95).all()
    assert {"morris", "fan"} <= set(results.pictures)


# Long enough (about 5 s with two workers) that an interruption at any of the moments these tests pick
# lands while the sweep runs, not after it finished (with 40 replicates, runs got fast enough for a Ctrl-C
# at 2.5 s to land in the interpreter's shutdown after a finished sweep).
SLOW_SPEC = """
scenario = "kato-2025"
steps = 12
replicates = 400
chunk_size = 1
metrics = ["model.us_10y"]
[parameters.tariff]
target = "event.0.rate_pct"
values = [2.5, 27.5]
"""


def _start(tmp_path):
    spec = write_spec(tmp_path, SLOW_SPEC)
    process = sweep_cli(str(spec), "--out", str(tmp_path / "out"), "--workers", "2", "--quiet")
    deadline = time.time() + 90
    while not list((tmp_path / "out" / "runs").glob("part-*.parquet")) and time.time() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the sweep should still be running"
    family = psutil.Process(process.pid).children(recursive=True)
    assert len(family) >= 2
    return process, family


def _gone(processes, seconds: float) -> bool:
    _, alive = psutil.wait_procs(processes, timeout=seconds)
    return not alive


def test_sigterm_stops_the_sweep_and_its_workers(tmp_path):
    process, family = _start(tmp_path)
    os.kill(process.pid, signal.SIGTERM)  # the parent only, as a job scheduler does
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143 and "--resume" in stderr and "Traceback" not in stderr
    assert _gone(family, 10), [p.pid for p in family if p.is_running()]


def test_sigkill_of_the_parent_leaves_no_worker_behind(tmp_path):
    process, family = _start(tmp_path)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert _gone(family, 15), [p.pid for p in family if p.is_running()]


def test_a_rule_factor_starts_from_the_rules_defaults_and_choices_are_names(tmp_path):
    spec = load_spec(write_spec(tmp_path, """
        scenario = "kato-2025"
        steps = 3
        metrics = ["model.us_10y"]
        [[decision]]
        step = 1
        actor = "US"
        action = "set_tariff"
        target = "CN"
        rate_pct = 20
        [parameters.china]
        target = "governments.CN.trade"
        values = ["tit_for_tat", "proportional_retaliation"]
        [parameters.share]
        target = "governments.CN.trade.share"
        values = [0.5]
        [parameters.whom]
        target = "decision.0.target"
        values = ["CN", "EA"]
        """))
    plan = make_plan(spec)
    loaded, decisions = build_inputs(plan, ("tit_for_tat", 0.5, "EA"))
    assert loaded.scenario.governments["CN"].trade.rule == "tit_for_tat"
    assert loaded.scenario.governments["CN"].trade.params == {"share": 0.5}
    assert decisions[0].target == "EA"
    design = points(spec)
    assert design.china.tolist() == ["tit_for_tat", "tit_for_tat", "proportional_retaliation", "proportional_retaliation"]
    frame, errors = run_chunk(plan, list(tasks(spec, design))[:2])
    assert not errors and frame.whom.tolist() == ["CN", "EA"]
    with pytest.raises(UserError, match="with governments.CN.trade = no_retaliation: .* has no parameter 'share'"):
        load_spec(write_spec(tmp_path, (tmp_path / "spec.toml").read_text().replace("proportional_retaliation",
                                                                                 "no_retaliation")))


def test_the_noise_warning_asks_for_common_seeds_only_when_seeds_are_independent():
    """With independent seeds each point's mean carries its own luck, which Sobol counts as sensitivity;
    with common seeds every point saw the same shocks, so the same noise share is no reason to change."""
    from simulation.sweeps.report import sobol_diagnostics

    rng = np.random.default_rng(3)
    runs = pd.DataFrame({"point": np.repeat(np.arange(20), 4), "step": 6,
                         "m": np.repeat(np.linspace(0, 1, 20), 4) + rng.normal(0, 2, 80)})
    indices = pd.DataFrame({"metric": "m", "parameter": ["a", "a"], "base_samples": [8, 16], "S1": 0.5, "ST": 0.5,
                            "outside_0_1": False})
    independent = sobol_diagnostics(indices, runs, ["m"], 6, "independent").iloc[0]
    common = sobol_diagnostics(indices, runs, ["m"], 6, "common").iloc[0]
    assert independent.noise_share == common.noise_share > 0.8
    assert 'use seeds = "common"' in independent.verdict
    assert common.verdict == "settled"


@pytest.mark.slow
def test_a_sweep_whose_rule_loops_in_every_run_stops_early_with_one_sentence(tmp_path):
    """Each run of a looping rule costs its whole time budget (2 s): 200 of them would take minutes, so
    the sweep stops once its first runs all overran, keeping them in errors.csv."""
    mistakes = ROOT / "tests" / "student_rules" / "mistakes.py"
    spec = write_spec(tmp_path, """
        scenario = "kato-2025"
        steps = 3
        replicates = 20
        chunk_size = 1
        metrics = ["model.us_10y"]
        [parameters.japan]
        target = "governments.JP.treasury"
        values = ["forever_waiting", "hold"]
        """)
    with pytest.raises(UserError, match=r"first 1\d runs all ran past a rule's time budget") as stopped:
        run_sweep(spec, tmp_path / "out", workers=2, progress=False, rules=[str(mistakes)])
    assert "forever_waiting" in str(stopped.value) and "new output folder" in str(stopped.value)
    errors = pd.read_csv(tmp_path / "out" / "errors.csv")
    assert errors.timed_out.all() and 10 <= len(errors) < 20


@pytest.mark.slow
@pytest.mark.parametrize("after_s", [0.3, 1.0, 2.5])
def test_ctrl_c_at_any_moment_of_start_up_ends_with_one_line_and_no_process_left(tmp_path, after_s):
    """Ctrl-C goes to the whole process group: the parent may still be importing, the workers may be
    half started. Whenever it lands, the sweep ends with a sentence, and no worker lives on."""
    spec = write_spec(tmp_path, SLOW_SPEC)
    process = subprocess.Popen([sys.executable, "run.py", "sweep", str(spec), "--out", str(tmp_path / "out"),
                                "--workers", "2", "--quiet"], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(after_s)
    family = psutil.Process(process.pid).children(recursive=True)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    # A Ctrl-C that lands inside a library's import can be turned into an ImportError that the library
    # itself catches (an optional import), and then the sweep simply runs on: allowed, nothing is lost.
    assert process.returncode in (0, 130, -signal.SIGINT)
    assert process.returncode == 0 or "interrupted" in stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert _gone(family, 10)
