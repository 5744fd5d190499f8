"""Policy sweeps: the spec and its messages, targets, seeds, local and Dask backends giving the same
numbers, failing runs recorded, kill-and-resume with exact counts, and the summary files.

Runs are short (3-6 steps of kato-2025) so the whole file stays well under two minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from simulation.errors import UserError
from simulation.sweeps import derive_seed, load_results, load_spec, run_sweep
from simulation.sweeps.design import points, tasks
from simulation.sweeps.plan import build_inputs, make_plan, run_chunk
from simulation.sweeps.store import ResultsFolder, done_in_parts

ROOT = Path(__file__).resolve().parents[1]

# 3 sale sizes x 2 tariffs x 2 replicates = 12 runs; a 5000bn sale is more than Japan holds, so the 4
# runs of those points raise a DecisionError at step 2 and must be recorded while the others complete.
SPEC = """
scenario = "kato-2025"
steps = 4
replicates = 2
base_seed = 7
sampler = "grid"
chunk_size = 2
metrics = ["economies.JP.score", "model.us_10y", { name = "model.usd_jpy", record = "per_step" },
           "trade.JP.US.autos"]

[[decision]]
step = 2
actor = "JP"
action = "sell_treasuries"
amount_bn = 100

[parameters.sale_bn]
target = "decision.0.amount_bn"
values = [0, 200, 5000]

[parameters.auto_tariff_pct]
target = "event.0.rate_pct"
values = [2.5, 50]
"""


def write_spec(folder: Path, text: str, name: str = "spec.toml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory) -> Path:
    return write_spec(tmp_path_factory.mktemp("spec"), SPEC)


@pytest.fixture(scope="module")
def local_two(spec_path, tmp_path_factory):
    """The reference sweep: two local worker processes."""
    out = tmp_path_factory.mktemp("local2") / "out"
    outcome = run_sweep(spec_path, out, workers=2, progress=False)
    return outcome, load_results(out)


def same_runs(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True)


# -- running --------------------------------------------------------------------------------------------
def test_sweep_writes_tidy_parquet_manifest_summary_and_heatmap(local_two, spec_path):
    outcome, results = local_two
    runs = pd.read_parquet(outcome.out / "runs")  # what a user does
    assert list(runs.columns) == ["run_id", "point", "replicate", "seed", "sale_bn", "auto_tariff_pct", "step",
                                  "economies.JP.score", "model.us_10y", "model.usd_jpy", "trade.JP.US.autos"]
    assert sorted(runs.run_id.unique()) == list(range(8))  # points 4 and 5 (runs 8-11) sell 5000bn
    assert (runs.groupby("run_id").step.apply(list) == pd.Series([list(range(5))] * 8, index=runs.run_id.unique())).all()
    final_only = runs[runs.step < 4]
    assert final_only["economies.JP.score"].isna().all() and final_only["model.usd_jpy"].notna().all()
    manifest = json.loads((outcome.out / "manifest.json").read_text())
    assert manifest["total_runs"] == 12 and manifest["model_version"] and manifest["started"]
    assert manifest["spec_sha256"] == load_spec(spec_path).sha256 and manifest["sampler"] == "grid"
    assert manifest["completed_runs"] == 8 and manifest["failed_runs"] == 4 and manifest["finished"]
    summary = results.summary
    assert len(summary) == 4 * 4 and set(summary.n) == {2}
    assert (summary["ci_low"] <= summary["mean"]).all() and (summary["mean"] <= summary["ci_high"]).all()
    assert (outcome.out / "heatmap.png").stat().st_size > 1000 and "heatmap" in results.pictures


def test_failing_run_is_recorded_and_the_others_complete(local_two):
    outcome, results = local_two
    errors = results.errors
    assert sorted(errors.run_id) == [8, 9, 10, 11]
    assert (errors.sale_bn == 5000).all()
    assert errors.error.str.contains("cannot sell 5,000.0bn").all()
    assert {"run_id", "point", "replicate", "seed", "sale_bn", "auto_tariff_pct", "error"} <= set(errors.columns)
    assert outcome.failed == 4 and results.runs.run_id.nunique() == 8


def test_no_sale_point_leaves_the_decision_out(spec_path):
    plan = make_plan(load_spec(spec_path))
    _, decisions = build_inputs(plan, (0.0, 27.5))
    assert decisions == []
    loaded, decisions = build_inputs(plan, (200.0, 50.0))
    assert [d.amount_bn for d in decisions] == [200.0] and loaded.events[0].rate_pct == 50.0


def test_one_and_two_workers_give_identical_results(local_two, spec_path, tmp_path):
    outcome = run_sweep(spec_path, tmp_path / "one", workers=1, progress=False)
    one = load_results(outcome.out)
    same_runs(one.runs, local_two[1].runs)
    same_runs(one.summary, local_two[1].summary)
    assert sorted(one.errors.run_id) == sorted(local_two[1].errors.run_id)


def test_dask_cluster_gives_the_same_results_as_local(local_two, spec_path, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        outcome = run_sweep(spec_path, tmp_path / "dask", scheduler=cluster.scheduler_address, progress=False)
    dask = load_results(outcome.out)
    same_runs(dask.runs, local_two[1].runs)
    assert sorted(dask.errors.run_id) == [8, 9, 10, 11]


def test_in_process_run_matches_the_saved_rows(local_two, spec_path):
    spec = load_spec(spec_path)
    chosen = [t for t in tasks(spec, points(spec)) if t.run_id in (1, 6)]
    frame, errors = run_chunk(make_plan(spec), chosen)
    saved = local_two[1].runs
    same_runs(frame, saved[saved.run_id.isin([1, 6])])
    assert errors == []


# -- seeds ------------------------------------------------------------------------------------------------
def test_seeds_are_deterministic_distinct_and_recorded(local_two, spec_path):
    assert derive_seed(7, 3, 1) == derive_seed(7, 3, 1)
    seeds = {derive_seed(7, p, r) for p in range(200) for r in range(10)}
    assert len(seeds) == 2000 and all(0 <= s < 2**32 for s in seeds)
    assert derive_seed(8, 0, 0) != derive_seed(7, 0, 0)
    runs = local_two[1].runs.drop_duplicates("run_id")
    assert [derive_seed(7, p, r) for p, r in zip(runs.point, runs.replicate)] == runs.seed.tolist()
    spec = load_spec(spec_path)
    assert [t.seed for t in tasks(spec, points(spec))] == [t.seed for t in tasks(spec, points(spec))]


# -- kill and resume --------------------------------------------------------------------------------------
DRIVER = """
import argparse, sys
from simulation.errors import UserError
from simulation.sweeps.cli import add_parser, command
parser = argparse.ArgumentParser()
add_parser(parser.add_subparsers(dest="command"))
try:
    sys.exit(command(parser.parse_args(sys.argv[1:])))
except UserError as error:
    print(f"error: {error}", file=sys.stderr)
    sys.exit(2)
"""


def sweep_cli(*args: str, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", DRIVER, "sweep", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **popen)


def test_kill_and_resume_runs_every_run_exactly_once(tmp_path):
    spec = write_spec(tmp_path, """
        scenario = "kato-2025"
        steps = 6
        replicates = 30
        base_seed = 11
        chunk_size = 3
        metrics = ["economies.JP.score", "model.us_10y"]
        [[decision]]
        step = 2
        actor = "JP"
        action = "sell_treasuries"
        amount_bn = 100
        [parameters.sale_bn]
        target = "decision.0.amount_bn"
        values = [0, 25, 50, 75, 100, 150, 200, 300, 400, 5000]
        [parameters.auto_tariff_pct]
        target = "event.0.rate_pct"
        values = [2.5, 10, 27.5, 50]
        """)
    out = tmp_path / "out"
    total, failing = 1200, 120  # the 5000bn points fail; ~3 s of runs, and finished runs are written about once a second
    process = sweep_cli(str(spec), "--out", str(out), "--workers", "1", start_new_session=True)
    deadline = time.time() + 60
    while not list((out / "runs").glob("part-*.parquet")) and time.time() < deadline:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)  # the sweep's own process group: the parent and its workers
    process.wait()
    saved = len(done_in_parts(out / "runs"))
    assert 0 < saved < total - failing, "the kill should land mid-sweep"
    assert not (out / "summary.csv").exists()

    refused = sweep_cli(str(spec), "--out", str(out))
    assert refused.wait() == 2 and "--resume" in refused.stderr.read()

    resumed = sweep_cli(str(spec), "--out", str(out), "--resume", "--workers", "2")
    stdout, stderr = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, stderr
    assert "were already done" in stdout
    results = load_results(out)
    done = results.runs.drop_duplicates("run_id")
    assert len(results.runs) == len(done) == total - failing  # one row per run (final metrics only)
    assert sorted(done.run_id.tolist() + results.errors.run_id.tolist()) == list(range(total))
    assert results.manifest["resumed"] and results.manifest["completed_runs"] == total - failing
    assert not list((out / "runs").glob(".*"))  # no temporary file left behind
    again = run_sweep(spec, out, workers=1, resume=True, progress=False)  # nothing left to do
    assert again.ran == 0 and again.done_before == total
    assert len(load_results(out).runs) == total - failing


class _ServedInProcess:
    """A backend that runs each chunk in this process, and is interrupted (Ctrl-C) while waiting after
    ``chunks`` of them: to see what the sweep keeps when it is stopped between writes."""

    slots = 1

    def __init__(self, chunks: int):
        self.left = chunks

    def share(self, plan):
        return plan

    def submit(self, fn, *args):
        from concurrent.futures import Future

        future = Future()
        future.set_result(fn(*args))
        return future

    def wait_any(self, futures, timeout=None):
        if self.left == 0:
            raise KeyboardInterrupt
        self.left -= 1
        return futures[:1]

    def outcome(self, future, plan, batch):
        return future.result()


def test_finished_runs_are_written_together_and_when_the_sweep_is_stopped(tmp_path):
    from simulation.sweeps import design as designs
    from simulation.sweeps.execute import _stream
    from simulation.sweeps.store import WRITE_AFTER_S, part_files

    spec = load_spec(write_spec(tmp_path, SPEC))
    design = points(spec)
    folder = ResultsFolder(tmp_path / "out")
    folder.start(spec, design, resume=False)
    batches = list(designs.chunks(tasks(spec, design, set()), 2))
    with pytest.raises(KeyboardInterrupt):
        _stream(_ServedInProcess(chunks=5), make_plan(spec), batches, folder, bar=argparse.Namespace(update=lambda runs: None))
    # five chunks came back well within a second: their runs are written once, as one part, when the
    # sweep is stopped; the 5000bn runs among them were written to errors.csv as they came
    parts = part_files(folder.runs_dir)
    assert len(parts) == 1 and 0 < WRITE_AFTER_S
    saved = pd.read_parquet(parts[0])
    errors = pd.read_csv(folder.out / "errors.csv")
    assert len(errors) and sorted(saved.run_id.unique().tolist() + errors.run_id.tolist()) == list(range(10))
    assert parts[0].name == f"part-{saved.run_id.min():09d}-{saved.run_id.max():09d}.parquet"
    assert saved.equals(saved.sort_values(["run_id", "step"], ignore_index=True))
    assert json.loads(pq.read_schema(parts[0]).metadata[b"treasury_card.units"]) == folder.units
    assert folder.seconds_until_due() is None   # nothing waits any more


def test_resume_refuses_a_changed_spec(tmp_path):
    path = write_spec(tmp_path, SPEC)
    spec = load_spec(path)
    ResultsFolder(tmp_path / "out").start(spec, points(spec), resume=False)
    write_spec(tmp_path, SPEC.replace("base_seed = 7", "base_seed = 8"))
    changed = load_spec(path)
    with pytest.raises(UserError, match="the sweep spec changed since the sweep started"):
        ResultsFolder(tmp_path / "out").start(changed, points(changed), resume=True)
    with pytest.raises(UserError, match="not empty: add --resume"):
        ResultsFolder(tmp_path / "out").start(changed, points(changed), resume=False)


def test_resume_refuses_another_model_version(tmp_path):
    spec = load_spec(write_spec(tmp_path, SPEC))
    ResultsFolder(tmp_path / "out").start(spec, points(spec), resume=False)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    manifest["model_version"] = "0.0.1"
    (tmp_path / "out" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(UserError, match="the model version changed"):
        ResultsFolder(tmp_path / "out").start(spec, points(spec), resume=True)


# -- samplers ---------------------------------------------------------------------------------------------
def test_sobol_sweep_writes_indices_diagnostics_and_chart(tmp_path):
    spec = write_spec(tmp_path, """
        scenario = "kato-2025"
        steps = 3
        sampler = "sobol"
        samples = 16
        replicates = 2
        seeds = "common"
        base_seed = 3
        metrics = ["model.us_10y", "economies.JP.score"]
        [parameters.flow_impact]
        target = "calibration.bonds.flow_impact_bp_per_pct_supply"
        low = 0.1
        high = 0.5
        [parameters.auto_tariff_pct]
        target = "event.0.rate_pct"
        low = 2.5
        high = 50
        """)
    outcome = run_sweep(spec, tmp_path / "out", workers=2, progress=False)
    results = load_results(outcome.out)
    assert results.manifest["total_runs"] == 16 * (2 + 2) * 2
    assert list(results.sobol.columns) == ["metric", "parameter", "base_samples", "S1", "S1_conf", "ST", "ST_conf",
                                           "outside_0_1"]
    assert sorted(results.sobol.base_samples.unique()) == [4, 8, 16]  # N/4, N/2, N
    assert len(results.sobol) == 3 * 4 and results.sobol[["S1", "ST"]].notna().all().all()
    flagged = results.sobol[["S1", "ST"]].apply(lambda c: ~c.between(0, 1)).any(axis=1)
    assert (flagged == results.sobol.outside_0_1).all()
    diagnostics = pd.read_csv(outcome.out / "sobol_diagnostics.csv")
    assert list(diagnostics.metric) == ["model.us_10y", "economies.JP.score"]
    assert diagnostics.noise_share.between(0, 1).all() and diagnostics.verdict.notna().all()
    assert any("128 or more" in note for note in outcome.notes)  # a rough N is said, not hidden
    assert (outcome.out / "sobol.png").stat().st_size > 1000


def test_lhs_points_stay_in_range_and_whole_number_targets_are_rounded(tmp_path):
    spec = load_spec(write_spec(tmp_path, """
        scenario = "kato-2025"
        steps = 6
        sampler = "lhs"
        samples = 20
        metrics = ["model.us_10y"]
        [parameters.tariff_step]
        target = "event.0.step"
        low = 1
        high = 6
        [parameters.carry_size]
        target = "investors.params.yen_carry_trader.size_bn"
        low = 100
        high = 400
        """))
    design = points(spec)
    assert len(design) == 20 and design.tariff_step.dtype == np.int64
    assert design.tariff_step.between(1, 6).all() and design.carry_size.between(100, 400).all()
    assert design.equals(points(spec))  # the same spec draws the same points


def test_every_kind_of_target_changes_what_it_names(tmp_path):
    spec = load_spec(write_spec(tmp_path, """
        scenario = "kato-2025"
        steps = 3
        metrics = ["model.us_10y"]
        [[decision]]
        step = 1
        actor = "BOJ"
        action = "set_policy_rate"
        rate_pct = 0.5
        [parameters.a]
        target = "calibration.bonds.flow_impact_bp_per_pct_supply"
        values = [0.3]
        [parameters.b]
        target = "calibration.markets.us_10y"
        values = [4.2]
        [parameters.c]
        target = "governments.CN.trade.share"
        values = [0.5]
        [parameters.d]
        target = "central_banks.BOJ.smoothing"
        values = [0.9]
        [parameters.e]
        target = "investors.count"
        values = [200]
        [parameters.f]
        target = "investors.mix.chartist_bond_fund"
        values = [0.05]
        [parameters.g]
        target = "investors.params.yen_carry_trader.cooldown_months"
        values = [5]
        [parameters.h]
        target = "event.1.step"
        values = [2]
        [parameters.i]
        target = "decision.0.rate_pct"
        values = [1.0]
        [parameters.j]
        target = "governments.JP.credibility"
        values = [0.4]
        [parameters.k]
        target = "central_banks.FED.inflation_weight"
        values = [1.5]
        """))
    plan = make_plan(spec)
    loaded, decisions = build_inputs(plan, tuple(points(spec).iloc[0]))
    s = loaded.scenario
    assert s.calibration == {"bonds.flow_impact_bp_per_pct_supply": 0.3, "markets.us_10y": 4.2}
    assert s.governments["CN"].trade.params == {"share": 0.5}
    boj = s.central_banks["BOJ"]
    assert boj.rule == "taylor_fx_band" and boj.params["smoothing"] == 0.9 and boj.params["inflation_weight"] == 0.0
    assert s.central_banks["FED"].params == {"inflation_weight": 1.5}
    assert s.investors.count == 200 and s.investors.mix["chartist_bond_fund"] == 0.05
    assert s.investors.params["yen_carry_trader"] == {"cooldown_months": 5}
    assert s.events[1].step == 2 and s.governments["JP"].credibility == 0.4
    assert decisions[0].rate_pct == 1.0
    frame, errors = run_chunk(plan, list(tasks(spec, points(spec))))
    assert errors == [] and len(frame) == 1


# -- a bad spec: one clear message each ------------------------------------------------------------------
GOOD_PARAM = '[parameters.sale]\ntarget = "decision.0.amount_bn"\nvalues = [0, 100]\n'
DECISION = '[[decision]]\nstep = 2\nactor = "JP"\naction = "sell_treasuries"\namount_bn = 100\n'
HEAD = 'scenario = "kato-2025"\nsteps = 4\nmetrics = ["model.us_10y"]\n'

BAD_SPECS = {
    "toml-syntax": ('scenario = "kato-2025\n', "is not valid TOML"),
    "unknown-field": (HEAD + "replicate = 3\n" + DECISION + GOOD_PARAM, "field 'replicate': unknown field"),
    "missing-metrics": ('scenario = "kato-2025"\n' + DECISION + GOOD_PARAM, "field 'metrics': this field is required"),
    "unknown-target": (HEAD + '[parameters.x]\ntarget = "markets.us_10y"\nvalues = [1]\n',
                       "field 'parameters.x.target': unknown target 'markets.us_10y'"),
    "unknown-calibration": (HEAD + '[parameters.x]\ntarget = "calibration.bonds.nothing"\nvalues = [1]\n',
                            "'bonds.nothing' is not a calibration parameter"),
    "unknown-rule-param": (HEAD + '[parameters.x]\ntarget = "central_banks.BOJ.speed"\nvalues = [1]\n',
                           "rule 'taylor_fx_band' (monetary) has no parameter 'speed'"),
    "rule-param-out-of-range": (HEAD + '[parameters.x]\ntarget = "central_banks.FED.smoothing"\nvalues = [0.5, 2]\n',
                                "field 'parameters.x': with central_banks.FED.smoothing = 2:"),
    "event-index": (HEAD + '[parameters.x]\ntarget = "event.9.rate_pct"\nvalues = [1]\n',
                    "points at event 9, but the scenario has 4 scripted events"),
    "decision-index": (HEAD + GOOD_PARAM, "points at decision 0, but the spec has 0 [[decision]] tables"),
    "field-not-taken": (HEAD + DECISION + '[parameters.x]\ntarget = "decision.0.rate_pct"\nvalues = [1]\n',
                        "which a sell_treasuries decision does not take"),
    "low-above-high": (HEAD + 'sampler = "lhs"\nsamples = 8\n' + DECISION
                       + '[parameters.sale]\ntarget = "decision.0.amount_bn"\nlow = 400\nhigh = 0\n',
                       "field 'parameters.sale': low (400) must be below high (0)"),
    "empty-values": (HEAD + DECISION + '[parameters.sale]\ntarget = "decision.0.amount_bn"\nvalues = []\n',
                     "field 'parameters.sale.values': the list is empty"),
    "grid-with-range": (HEAD + DECISION + '[parameters.sale]\ntarget = "decision.0.amount_bn"\nlow = 0\nhigh = 1\n',
                        "a grid takes 'values = [...]', not low/high"),
    "sobol-not-power-of-2": (HEAD + 'sampler = "sobol"\nsamples = 10\n' + DECISION
                             + '[parameters.sale]\ntarget = "decision.0.amount_bn"\nlow = 0\nhigh = 400\n',
                             "Sobol sampling needs a power of 2"),
    "sobol-too-few": (HEAD + 'sampler = "sobol"\nsamples = 4\n' + DECISION
                      + '[parameters.sale]\ntarget = "decision.0.amount_bn"\nlow = 0\nhigh = 400\n',
                      "4 base samples give Sobol indices that are noise"),
    "reference-not-a-value": (HEAD + 'reference = { sale = 50 }\n' + DECISION + GOOD_PARAM,
                              "field 'reference.sale': 50.0 is not one of its values (0, 100)"),
    "reference-on-lhs": (HEAD + 'sampler = "lhs"\nsamples = 8\nreference = { sale = 0 }\n' + DECISION
                         + '[parameters.sale]\ntarget = "decision.0.amount_bn"\nlow = 0\nhigh = 400\n',
                         "contrasts with a reference need a grid"),
    "unknown-rule-name": (HEAD + '[parameters.policy]\ntarget = "governments.JP.treasury"\nvalues = ["hold", "sell_all"]\n',
                          "'sell_all' is not one of the names 'governments.JP.treasury' takes: "),
    "unknown-rule-name-hint": (HEAD + '[parameters.policy]\ntarget = "governments.JP.treasury"\nvalues = ["sell_all"]\n',
                               "(your own rules need sweep --rules FILE)"),
    "names-for-a-number": (HEAD + DECISION + '[parameters.sale]\ntarget = "decision.0.amount_bn"\nvalues = ["big"]\n',
                           "takes numbers"),
    "categorical-on-lhs": (HEAD + 'sampler = "lhs"\nsamples = 8\n[parameters.policy]\ntarget = "governments.JP.treasury"\n'
                           'low = 0\nhigh = 1\n', "takes names, which only a grid can vary"),
    "bad-metric": (HEAD.replace("model.us_10y", "economies.JP.happiness") + DECISION + GOOD_PARAM,
                   "field 'metrics.0': metric 'economies.JP.happiness': unknown economies column"),
    "bad-metric-form": (HEAD.replace("model.us_10y", "us_10y") + DECISION + GOOD_PARAM,
                        "metric 'us_10y': expected model.<column>"),
    "bad-sampler": (HEAD + 'sampler = "random"\n' + DECISION + GOOD_PARAM, "field 'sampler': Input should be"),
    "unknown-scenario": (HEAD.replace("kato-2025", "kato-2052") + DECISION + GOOD_PARAM,
                         "field 'scenario': unknown scenario 'kato-2052'"),
    "bad-decision": (HEAD + DECISION.replace('"JP"', '"XX"') + GOOD_PARAM,
                     "field 'decision.0': decision (step 2, XX sell_treasuries): unknown actor 'XX'"),
    "fractional-step": (HEAD + DECISION + '[parameters.when]\ntarget = "decision.0.step"\nvalues = [1.5]\n',
                        "takes whole numbers"),
    "heatmap-not-a-metric": (HEAD + 'heatmap = "model.usd_jpy"\n' + DECISION + GOOD_PARAM,
                             "field 'heatmap': 'model.usd_jpy' is not one of the metrics"),
}


@pytest.mark.parametrize("case", sorted(BAD_SPECS))
def test_bad_spec_gets_one_clear_message(case, tmp_path):
    text, expected = BAD_SPECS[case]
    path = write_spec(tmp_path, text, name=f"{case}.toml")
    with pytest.raises(UserError) as caught:
        load_spec(path)
    message = str(caught.value)
    assert expected in message
    assert str(path) in message and "\n" not in message.strip()


def test_missing_spec_file(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        load_spec(tmp_path / "nope.toml")


# -- the command ------------------------------------------------------------------------------------------
def parse(*argv: str):
    from simulation.sweeps.cli import add_parser

    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["sweep", *argv])


def test_command_refuses_bad_options(spec_path, tmp_path):
    from simulation.sweeps.cli import command

    with pytest.raises(UserError, match="--workers must be a whole number"):
        command(parse(str(spec_path), "--workers", "0", "--out", str(tmp_path / "a")))
    with pytest.raises(UserError, match="--workers is for local runs"):
        command(parse(str(spec_path), "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"))
    with pytest.raises(UserError, match="wants an address"):
        command(parse(str(spec_path), "--scheduler", "127.0.0.1:8786", "--out", str(tmp_path / "b")))


def test_shipped_example_spec_loads():
    spec = load_spec(ROOT / "scenarios" / "sweeps" / "kato-sale-vs-tariff.toml")
    assert spec.parameter_names == ["sale_bn", "auto_tariff_pct"]
    assert spec.decisions[0].action == "sell_treasuries" and spec.parameters[1].target.path == ("event", 0, "rate_pct")
    tariff = spec.scenario.events[0]  # the example varies kato-2025's US tariff on Japanese cars
    assert (tariff.actor, tariff.action, tariff.target, tariff.sector) == ("US", "set_tariff", "JP", "autos")
    assert {"economies.JP.score", "model.us_10y", "model.usd_jpy", "economies.JP.ust_value_bn"} <= set(spec.metric_names)
    assert len(points(spec)) * spec.replicates >= 100
