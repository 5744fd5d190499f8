"""Lab: change any scenario parameter or any seat's rule, run it, and compare with the scenario as written.

Everything a scenario file can say is a control here: the length and seed, each government's trade and
Treasury rules with their parameters and its threat credibility, each central bank's rule, the investor
population, and every calibrated parameter (with its unit and source). The experiment and the scenario
as written run with the same seed, in a background thread, and are drawn together.
"""

from __future__ import annotations

import pandas as pd
import solara

from ui.components.plotly_view import PlotlyView

from ui.components.prose import Prose


from agents.rules import RULES
from agents.rules.base import make_rule
from scenarios import load_scenario, with_rule
from simulation.calibration import load_calibration
from simulation.errors import UserError
from simulation.policy import actor_name
from simulation.runner import run
from simulation.world import CENTRAL_BANKS, ECONOMIES
from ui import charts
from ui.pages.library import library

GROUPS = ("trade", "bonds", "fx", "equity", "carry", "risk", "credibility", "macro", "welfare")


def rule_names(kind: str) -> list[str]:
    return sorted(name for name, cls in RULES.items() if cls.kind == kind)


def current_rule(loaded, seat: str, kind: str) -> tuple[str, dict]:
    """The rule a scenario gives a seat ("player" if a person plays it), with its parameters."""
    choice = loaded.scenario.central_bank(seat) if kind == "monetary" else getattr(loaded.scenario.government(seat), kind)
    return (choice.rule, dict(choice.params)) if choice else ("player", {})


def build_experiment(loaded, rules: dict, credibility: dict, investors: int | None, calibration: dict,
                     steps: int, seed: int, mix: dict | None = None, investor_params: dict | None = None):
    """The scenario with the Lab's changes, checked: any bad value is one ``UserError`` naming it."""
    changed = loaded
    for (seat, kind), (name, params) in rules.items():
        changed = with_rule(changed, seat, kind, name, params)
    scenario = changed.scenario
    if credibility:
        governments = dict(scenario.governments)
        for economy, value in credibility.items():
            if not 0 <= value <= 1:
                raise UserError(f"credibility of {economy}'s threats must be from 0 to 1, got {value}")
            governments[economy] = scenario.government(economy).model_copy(update={"credibility": value})
        scenario = scenario.model_copy(update={"governments": governments})
    if investors is not None:
        if not 10 <= investors <= 100_000:
            raise UserError(f"the number of investors must be from 10 to 100000, got {investors}")
        scenario = scenario.model_copy(update={"investors": scenario.investors.model_copy(update={"count": investors})})
    if mix or investor_params:
        scenario = scenario.model_copy(update={"investors": _investors(scenario.investors, mix or {}, investor_params or {})})
    if calibration:
        load_calibration().with_overrides(calibration)   # refuses unknown names with a sentence
        scenario = scenario.model_copy(update={"calibration": {**scenario.calibration, **calibration}})
    from scenarios import LoadedScenario

    return LoadedScenario(scenario, loaded.path, loaded.sha256, changed.rule_changes), steps, seed


def _investors(setup, mix: dict, params: dict):
    """The investor population with new shares and rule parameters, each checked with a sentence."""
    shares = {**setup.mix, **mix}
    if any(v is None or v < 0 for v in shares.values()) or sum(v for v in shares.values() if v) <= 0:
        raise UserError("investor shares must be zero or positive numbers, and not all zero")
    merged = {name: {**setup.params.get(name, {}), **params.get(name, {})} for name in set(setup.params) | set(params)}
    for name, values in merged.items():
        make_rule(name, "investor", values, where="investors")
    return setup.model_copy(update={"mix": shares, "params": merged})


@solara.component
def Page():
    router = solara.use_router()
    from urllib.parse import parse_qs

    wanted = parse_qs(router.search or "").get("scenario", ["kato-2025"])[-1]
    ids = [s.id for s in library()]
    scenario_id, set_scenario_id = solara.use_state(wanted if wanted in ids else ids[0])
    solara.Title("Lab — Trade war")
    Prose("## Lab\nChange rules and parameters, run, and compare with the scenario as written "
                    "(same seed). Numbers outside a parameter's range are refused with a message.")
    if wanted not in ids:
        solara.Warning(f"There is no shipped scenario '{wanted}'; showing {ids[0]} instead.")
    solara.Select(label="Scenario", values=ids, value=scenario_id, on_value=set_scenario_id)
    Experiment(load_scenario(scenario_id)).key(scenario_id)


@solara.component
def Experiment(loaded):
    rules, set_rules = solara.use_state({})
    credibility, set_credibility = solara.use_state({})
    calibration, set_calibration = solara.use_state({})
    investors, set_investors = solara.use_state(loaded.investors.count)
    mix, set_mix = solara.use_state({})
    investor_params, set_investor_params = solara.use_state({})
    steps, set_steps = solara.use_state(loaded.steps)
    seed, set_seed = solara.use_state(loaded.seed)
    request, set_request = solara.use_state(None)

    def run_both():
        if request is None:
            return None
        changed, n, s = request
        return run(changed, steps=n, seed=s), run(loaded, steps=n, seed=s)

    result = solara.use_thread(run_both, dependencies=[request], intrusive_cancel=False)
    try:
        experiment = build_experiment(loaded, rules, credibility, investors if investors != loaded.investors.count
                                      else None, calibration, _whole(steps, "Months", 1, 240), _whole(seed, "Seed", 0, 2**32 - 1),
                                      mix, investor_params)
        problem = ""
    except UserError as error:
        experiment, problem = None, str(error)
    with solara.Columns([5, 7]):
        with solara.Column():
            with solara.Card("Run", margin=0):
                with solara.Row():
                    solara.InputInt(label="Months", value=steps, on_value=set_steps)
                    solara.InputInt(label="Seed", value=seed, on_value=set_seed)
                    solara.InputInt(label="Investors (agents)", value=investors, on_value=set_investors)
                if problem:
                    solara.Error(problem, classes=["lab-error"])
                changes = (len(rules) + len(credibility) + len(calibration) + (investors != loaded.investors.count)
                           + len(mix) + sum(len(v) for v in investor_params.values()))
                solara.Button(f"Run experiment ({changes} change{'s' if changes != 1 else ''})", color="primary",
                              disabled=experiment is None, classes=["lab-run"], on_click=lambda: set_request(experiment))
            SeatRules(loaded, rules, set_rules, credibility, set_credibility)
            InvestorControls(loaded, mix, set_mix, investor_params, set_investor_params)
            CalibrationControls(calibration, set_calibration)
        with solara.Column():
            if result.state.name in ("STARTING", "RUNNING"):
                solara.Info("Running the experiment and the scenario as written…")
            if result.error:
                solara.Error(f"The experiment could not run: {result.error}")
            elif result.value is not None:
                LabResults(*result.value)
            else:
                solara.Info("Make changes on the left, then press Run experiment.")


@solara.component
def SeatRules(loaded, rules: dict, set_rules, credibility: dict, set_credibility):
    seats = [*ECONOMIES, *CENTRAL_BANKS]
    seat, set_seat = solara.use_state("JP")
    with solara.Card("Rules of each seat", margin=0):
        solara.Select(label="Seat", values=seats, value=seat, on_value=set_seat)
        kinds = ("monetary",) if seat in CENTRAL_BANKS else ("trade", "treasury")
        for kind in kinds:
            name, params = rules.get((seat, kind), current_rule(loaded, seat, kind))
            RuleEditor(seat, kind, name, params,
                       lambda n, p, kind=kind: set_rules({**rules, (seat, kind): (n, p)})).key(f"{seat}-{kind}")
        if seat in ECONOMIES:
            value = credibility.get(seat, loaded.government(seat).credibility)
            solara.InputFloat(label=f"Credibility of {actor_name(seat)}'s threats (0-1; empty = calibrated)",
                              value=value, optional=True,
                              on_value=lambda v: set_credibility({k: x for k, x in {**credibility, seat: v}.items()
                                                                  if x is not None}))


@solara.component
def InvestorControls(loaded, mix: dict, set_mix, params: dict, set_params):
    """Each investor rule's share of the population and its parameters."""
    names = rule_names("investor")
    chosen, set_chosen = solara.use_state(names[0])
    with solara.Card("Investors", margin=0):
        for name in names:
            share = mix.get(name, loaded.investors.mix.get(name, 0.0))
            solara.InputFloat(label=f"Share: {name}", value=share,
                              on_value=lambda v, n=name: set_mix({**mix, n: v}))
        solara.Select(label="Investor rule to tune", values=names, value=chosen, on_value=set_chosen)
        solara.Text((RULES[chosen].__doc__ or "").strip().split("\n")[0], style={"font-size": "0.85em", "color": "#555"})
        current = {**loaded.investors.params.get(chosen, {}), **params.get(chosen, {})}
        for spec in RULES[chosen].parameters():
            unit = f", {spec['unit']}" if spec.get("unit") else ""
            solara.InputFloat(label=f"{spec['name']} ({spec['low']} to {spec['high']}{unit})",
                              value=float(current.get(spec["name"], spec["default"])),
                              on_value=lambda v, k=spec["name"]: set_params(
                                  {**params, chosen: {**params.get(chosen, {}), k: v}}))


@solara.component
def RuleEditor(seat: str, kind: str, name: str, params: dict, on_change):
    choices = rule_names(kind) + (["player"] if name == "player" else [])
    solara.Select(label=f"{kind.capitalize()} rule of {seat}", values=choices, value=name,
                  on_value=lambda n: on_change(n, {}))
    if name == "player" or name not in RULES:
        return
    solara.Text(RULES[name].summary or (RULES[name].__doc__ or "").strip().split("\n")[0],
                style={"font-size": "0.85em", "color": "#555"})
    for spec in RULES[name].parameters():
        value = params.get(spec["name"], spec["default"])
        if "choices" in spec:
            solara.Select(label=spec["name"], values=list(spec["choices"]), value=value,
                          on_value=lambda v, k=spec["name"]: on_change(name, {**params, k: v}))
        else:
            unit = f", {spec['unit']}" if spec.get("unit") else ""
            solara.InputFloat(label=f"{spec['name']} ({spec['low']} to {spec['high']}{unit})", value=float(value),
                              on_value=lambda v, k=spec["name"]: on_change(name, {**params, k: v}))


@solara.component
def CalibrationControls(calibration: dict, set_calibration):
    table = solara.use_memo(_parameter_table, dependencies=[])
    group, set_group = solara.use_state("bonds")
    with solara.Card("Calibrated parameters", margin=0):
        solara.Select(label="Group", values=list(GROUPS), value=group, on_value=set_group)
        for row in table[table.name.str.startswith(group + ".")].itertuples():
            value = calibration.get(row.name, row.value)
            solara.InputFloat(label=f"{row.name} ({row.unit})", value=float(value),
                              on_value=lambda v, n=row.name, base=row.value: set_calibration(
                                  {k: x for k, x in {**calibration, n: v}.items() if k != n or v != base}))
            solara.Text(f"Source: {row.source}", style={"font-size": "0.75em", "color": "#666"})


def _parameter_table() -> pd.DataFrame:
    from pathlib import Path

    import simulation.calibration as package

    return pd.read_csv(Path(package.__file__).with_name("parameters.csv"))


@solara.component
def LabResults(experiment, as_written):
    with solara.Div(classes=["lab-results"]):
        _lab_results(experiment, as_written)


def _lab_results(experiment, as_written):
    steps = int(experiment.model.step.iloc[-1])
    PlotlyView(charts.markets_figure(experiment.model, as_written.model, None, steps,
                                                names=("Experiment", "As written (same seed)")))
    economies = ("JP", "US", "CN")
    PlotlyView(charts.economy_figure(experiment.economies, as_written.economies, economies, steps,
                                                 baseline_name="as written"))
    end = experiment.economies[experiment.economies.step == steps].set_index("economy").score
    base = as_written.economies[as_written.economies.step == steps].set_index("economy").score
    rows = ["| Economy | Score, experiment | Score, as written | Difference |", "|---|---:|---:|---:|"]
    rows += [f"| {e} | {end[e]:.2f} | {base[e]:.2f} | {end[e] - base[e]:+.2f} |" for e in ECONOMIES]
    Prose("**Scores at the end** (dashed lines in the charts: the scenario as written)\n\n" + "\n".join(rows))


def _whole(value, label: str, low: int, high: int) -> int:
    if value is None or not low <= value <= high:
        raise UserError(f"'{label}' must be a whole number from {low} to {high}, got {value}")
    return int(value)
