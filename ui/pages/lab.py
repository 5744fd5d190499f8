"""Lab: change any scenario parameter or any seat's rule, run it, and compare with the scenario as written.

Everything a scenario file can say is a control here: the length and seed, each government's trade and
Treasury rules with their parameters and its threat credibility, each central bank's rule, the investor
population, and every calibrated parameter (with its unit and source). The experiment and the scenario
as written run with the same seed, in a background thread, and are drawn together.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import solara

from ui.components.plotly_view import PlotlyView

from ui.components.prose import Prose


from agents.rules import RULES
from agents.rules.base import make_rule
from scenarios import load_scenario, with_preset, with_rule
from simulation.calibration import PRESETS, load_calibration
from simulation.errors import UserError
from simulation.policy import actor_name
from simulation.runner import run
from simulation.session import seed_fan
from simulation.world import CENTRAL_BANKS, ECONOMIES
from ui import charts
from ui.components.figures import actual_paths
from ui.components.panels import parameter_table
from ui.pages.library import library

GROUPS = ("trade", "bonds", "fx", "equity", "carry", "risk", "credibility", "macro", "welfare")
GROUP_WORDS = {"trade": "Trade", "bonds": "Bond market", "fx": "Currencies", "equity": "Stock markets",
               "carry": "Carry trade", "risk": "Risk sentiment", "credibility": "Credibility of threats",
               "macro": "Economies (growth, inflation)", "welfare": "Score weights"}
# Unit endings of calibration names, dropped from their labels (the unit is shown beside them instead).
_UNIT_ENDINGS = re.compile(r"_(bp|pct|bn|usd|pp)(_per_\w+)?$|_(per_month|months|years)$")
MAX_LAB_SEEDS = 20
_ABBREVIATIONS = {"erpt": "exchange-rate pass-through", "ust": "US Treasury", "fx": "currency"}


def rule_names(kind: str) -> list[str]:
    return sorted(name for name, cls in RULES.items() if cls.kind == kind)


def parameter_label(spec: dict) -> str:
    """A rule parameter as a person reads it: its meaning, unit and range ("size of the threatened sale
    (USD bn, 1 to 5000)"), falling back to its name when the rule gives no meaning."""
    words = spec.get("help") or spec["name"].replace("_", " ")
    unit = f"{spec['unit']}, " if spec.get("unit") else ""
    return f"{words[:1].upper()}{words[1:]} ({unit}{spec['low']:g} to {spec['high']:g})"


def calibration_label(name: str, unit: str) -> str:
    """A calibrated parameter's name in words with its unit: "trade.elasticity.JP.autos" -> "Elasticity ·
    Japan · autos (elasticity)"; the full name stays beside it for anyone matching it to parameters.csv."""
    from simulation.world import ECONOMY_NAMES

    parts = name.split(".")[1:]
    words = [ECONOMY_NAMES.get(p, "every other" if p == "*" else
                               " ".join(_ABBREVIATIONS.get(w, w) for w in _UNIT_ENDINGS.sub("", p).split("_")))
             for p in parts]
    words[0] = words[0][:1].upper() + words[0][1:]
    return f"{' · '.join(words)} ({unit})"


def rule_origin(name: str) -> str:
    """Where a rule comes from: the built-in catalogue, or the student's own file (``play --rules``)."""
    source = getattr(RULES[name], "source_file", "")
    return f"Your rule, from {source}." if source else ""


def current_rule(loaded, seat: str, kind: str) -> tuple[str, dict]:
    """The rule a scenario gives a seat ("player" if a person plays it), with its parameters."""
    choice = loaded.scenario.central_bank(seat) if kind == "monetary" else getattr(loaded.scenario.government(seat), kind)
    return (choice.rule, dict(choice.params)) if choice else ("player", {})


def build_experiment(loaded, rules: dict, credibility: dict, investors: int | None, calibration: dict,
                     steps: int, seed: int, mix: dict | None = None, investor_params: dict | None = None,
                     preset: str | None = None):
    """The scenario with the Lab's changes, checked: any bad value is one ``UserError`` naming it.
    ``preset`` reads the evidence on price impact at its low, central or high end (None keeps the
    scenario's own); parameters changed one by one apply on top of it."""
    changed = with_preset(loaded, preset)
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
    return changed.replaced(scenario), steps, seed


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
    seeds, set_seeds = solara.use_state(1)
    preset, set_preset = solara.use_state(loaded.calibration_preset)
    request, set_request = solara.use_state(None)

    def run_both():
        if request is None:
            return None
        (changed, n, s), count = request
        if count == 1:
            return run(changed, steps=n, seed=s), run(loaded, steps=n, seed=s), None, None
        fan, runs = seed_fan(changed, n, s, count)
        base_fan, base_runs = seed_fan(loaded, n, s, count)
        return runs[0], base_runs[0], (fan, runs), (base_fan, base_runs)

    result = solara.use_thread(run_both, dependencies=[request], intrusive_cancel=False)
    try:
        experiment = build_experiment(loaded, rules, credibility, investors if investors != loaded.investors.count
                                      else None, calibration, _whole(steps, "Months", 1, 240), _whole(seed, "Seed", 0, 2**32 - 1),
                                      mix, investor_params, preset)
        problem = ""
    except UserError as error:
        experiment, problem = None, str(error)
    try:
        seed_count = _whole(seeds, "Seeds to compare", 1, MAX_LAB_SEEDS)
    except UserError as error:
        experiment, problem = None, problem or str(error)
    with solara.Columns([5, 7], classes=["stack-when-narrow"]):
        with solara.Column():
            with solara.Card("Run", margin=0):
                with solara.Row(classes=["move-row"]):
                    solara.InputInt(label="Months", value=steps, on_value=set_steps)
                    solara.InputInt(label="Seed", value=seed, on_value=set_seed)
                    solara.InputInt(label=f"Seeds to compare (1 to {MAX_LAB_SEEDS})", value=seeds, on_value=set_seeds)
                    solara.InputInt(label="Investors (agents)", value=investors, on_value=set_investors)
                solara.Select(label="Price impact of Treasury sales and interventions (calibration preset)",
                              values=list(PRESETS), value=preset, on_value=set_preset, classes=["lab-preset"])
                solara.Text("The evidence on how far a sale moves yields spans a range: low reads it from QE/QT, "
                            "high from foreign official flows (docs/model.md, Presets).",
                            style={"font-size": "0.8em", "color": "#666"})
                solara.Text("With more than one seed, each version runs with seeds seed, seed+1, ... and the "
                            "charts show the 5-95% band of each: a difference wider than the bands is the "
                            "change's doing, not chance.", style={"font-size": "0.8em", "color": "#666"})
                if problem:
                    solara.Error(problem, classes=["lab-error"])
                changes = (len(rules) + len(credibility) + len(calibration) + (investors != loaded.investors.count)
                           + len(mix) + sum(len(v) for v in investor_params.values())
                           + (preset != loaded.calibration_preset))
                solara.Button(f"Run experiment ({changes} change{'s' if changes != 1 else ''})", color="primary",
                              disabled=experiment is None, classes=["lab-run"],
                              on_click=lambda: set_request((experiment, seed_count)))
            SeatRules(loaded, rules, set_rules, credibility, set_credibility)
            InvestorControls(loaded, mix, set_mix, investor_params, set_investor_params)
            CalibrationControls(calibration, set_calibration)
        with solara.Column():
            if result.state.name in ("STARTING", "RUNNING"):
                solara.Info("Running the experiment and the scenario as written…")
            if result.error:
                solara.Error(f"The experiment could not run: {result.error}")
            elif result.value is not None:
                LabResults(*result.value, loaded.start, changes_made=request_changes(request, loaded))
            else:
                solara.Info("Make changes on the left, then press Run experiment.")


@solara.component
def SeatRules(loaded, rules: dict, set_rules, credibility: dict, set_credibility):
    names = {f"{actor_name(code)[:1].upper()}{actor_name(code)[1:]} ({code})": code for code in [*ECONOMIES, *CENTRAL_BANKS]}
    seat, set_seat = solara.use_state("JP")
    with solara.Card("Rules of each seat", margin=0):
        solara.Select(label="Seat", values=list(names), value=next(k for k, v in names.items() if v == seat),
                      on_value=lambda label: set_seat(names[label]))
        kinds = ("monetary",) if seat in CENTRAL_BANKS else ("trade", "treasury")
        for kind in kinds:
            name, params = rules.get((seat, kind), current_rule(loaded, seat, kind))
            RuleEditor(seat, kind, name, params,
                       lambda n, p, kind=kind: set_rules({**rules, (seat, kind): (n, p)})).key(f"{seat}-{kind}")
        if seat in ECONOMIES:
            value = credibility.get(seat, loaded.government(seat).credibility)
            solara.InputFloat(label=f"Credibility of {actor_name(seat)}'s threats (share believed, 0 to 1; "
                                    "empty = calibrated)",
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
            solara.InputFloat(label=f"Weight in the investor mix: {RULES[name].summary or name} ({name})", value=share,
                              on_value=lambda v, n=name: set_mix({**mix, n: v}))
        solara.Select(label="Investor rule to tune", values=names, value=chosen, on_value=set_chosen)
        solara.Text((RULES[chosen].__doc__ or "").strip().split("\n")[0], style={"font-size": "0.85em", "color": "#555"})
        current = {**loaded.investors.params.get(chosen, {}), **params.get(chosen, {})}
        for spec in RULES[chosen].parameters():
            solara.InputFloat(label=parameter_label(spec),
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
    summary = RULES[name].summary or (RULES[name].__doc__ or "").strip().split("\n")[0]
    solara.Text(f"{summary} {rule_origin(name)}".strip(), classes=["rule-summary"],
                style={"font-size": "0.85em", "color": "#555"})
    for spec in RULES[name].parameters():
        value = params.get(spec["name"], spec["default"])
        if "choices" in spec:
            words = spec.get("help") or spec["name"].replace("_", " ")
            solara.Select(label=f"{words[:1].upper()}{words[1:]}", values=list(spec["choices"]), value=value,
                          on_value=lambda v, k=spec["name"]: on_change(name, {**params, k: v}))
        else:
            solara.InputFloat(label=parameter_label(spec), value=float(value),
                              on_value=lambda v, k=spec["name"]: on_change(name, {**params, k: v}))


@solara.component
def CalibrationControls(calibration: dict, set_calibration):
    table = solara.use_memo(parameter_table, dependencies=[])
    group, set_group = solara.use_state("bonds")
    with solara.Card("Calibrated parameters", margin=0):
        groups = {GROUP_WORDS[g]: g for g in GROUPS}
        solara.Select(label="Group", values=list(groups), value=GROUP_WORDS[group],
                      on_value=lambda words: set_group(groups[words]))
        for row in table[table.name.str.startswith(group + ".")].itertuples():
            value = calibration.get(row.name, row.value)
            solara.InputFloat(label=calibration_label(row.name, row.unit), value=float(value),
                              on_value=lambda v, n=row.name, base=row.value: set_calibration(
                                  {k: x for k, x in {**calibration, n: v}.items() if k != n or v != base}))
            solara.Text(f"{row.name} · Source: {row.source}", style={"font-size": "0.75em", "color": "#666"})


def request_changes(request, loaded) -> list[str]:
    """The changes a run request made to the scenario, in words (for the identical-run note)."""
    if request is None:
        return []
    (changed, _, _), _ = request
    words = list(changed.rule_changes)
    if changed.calibration_preset != loaded.calibration_preset:
        words.append(f"the {changed.calibration_preset} calibration preset")
    if changed.scenario != loaded.scenario and not words:
        words.append("parameter changes")
    return words


@solara.component
def LabResults(experiment, as_written, fan=None, base_fan=None, start: str | None = None, changes_made=()):
    with solara.Div(classes=["lab-results"]):
        _lab_results(experiment, as_written, fan, base_fan, start, list(changes_made))


def _lab_results(experiment, as_written, fan, base_fan, start, changes_made):
    steps = int(experiment.model.step.iloc[-1])
    identical = experiment.model.equals(as_written.model) and experiment.economies.equals(as_written.economies)
    if identical:
        IdenticalRunNote(experiment, as_written, changes_made, fan is not None)
    seeds = len(fan[1]) if fan else 1
    PlotlyView(charts.markets_figure(experiment.model, as_written.model, fan[0] if fan else None, steps,
                                     names=("Experiment", "As written (same seed)"), start=start,
                                     actual=actual_paths(start, steps) if start else None,
                                     baseline_fan=base_fan[0] if base_fan else None,
                                     fan_name=f"Experiment, 5-95% across {seeds} seeds"))
    economies = ("JP", "US", "CN")
    PlotlyView(charts.economy_figure(experiment.economies, as_written.economies, economies, steps,
                                     baseline_name="as written", start=start))
    if fan:
        Prose(_score_bands(fan[1], base_fan[1], steps), classes=["lab-score-bands"])
        return
    end = experiment.economies[experiment.economies.step == steps].set_index("economy").score
    base = as_written.economies[as_written.economies.step == steps].set_index("economy").score
    rows = ["| Economy | Score, experiment | Score, as written | Difference |", "|---|---:|---:|---:|"]
    rows += [f"| {e} | {end[e]:.2f} | {base[e]:.2f} | {end[e] - base[e]:+.2f} |" for e in ECONOMIES]
    Prose("**Scores at the end** (dashed lines in the charts: the scenario as written)\n\n" + "\n".join(rows))


def _score_bands(runs, base_runs, steps: int) -> str:
    """Each economy's end score, experiment minus as written, seed by seed: median and 5-95% range."""
    def ends(results):
        return np.array([r.economies[r.economies.step == steps].set_index("economy").score.reindex(ECONOMIES)
                         for r in results])

    gaps = ends(runs) - ends(base_runs)
    p5, p50, p95 = np.percentile(gaps, [5, 50, 95], axis=0)
    rows = ["| Economy | Score difference, median | 5% | 95% |", "|---|---:|---:|---:|"]
    rows += [f"| {e} | {p50[k]:+.2f} | {p5[k]:+.2f} | {p95[k]:+.2f} |" for k, e in enumerate(ECONOMIES)]
    return (f"**Scores at the end, experiment minus as written, over {len(runs)} seeds** (each seed compared "
            "with the same seed as written; a range that excludes zero is the change's doing)\n\n" + "\n".join(rows))


@solara.component
def IdenticalRunNote(experiment, as_written, changes_made: list[str], several_seeds: bool):
    """Say so when the changes left the run exactly as written, and why that can happen."""
    if not changes_made:
        why = "you have not changed anything yet, so both runs are the scenario as written"
    elif experiment.events.equals(as_written.events):
        why = ("no seat decided anything differently: a changed rule whose trigger was never reached in "
               f"these months (for example a tariff threshold above the tariffs in this scenario), a seat "
               "that a person plays in the scenario, or a parameter that only matters in a situation this "
               "run never met")
    else:
        why = "the changed decisions happened to leave every recorded number unchanged"
    seeds = " (shown for the first seed)" if several_seeds else ""
    solara.Info(f"This run is identical to the scenario as written{seeds}: {why}. Changes: "
                f"{', '.join(changes_made) or 'none'}.", classes=["lab-identical"])


def _whole(value, label: str, low: int, high: int) -> int:
    if value is None or not low <= value <= high:
        raise UserError(f"'{label}' must be a whole number from {low} to {high}, got {value}")
    return int(value)
