"""The command line: ``python run.py [play]|simulate|scenarios|replay|rules|check-rule|sweep|history ...``.

Every user mistake ends as one line on stderr and exit status 2; nothing prints a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from pathlib import Path

from simulation.errors import UserError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py", description="Trade-war and Treasury-leverage policy simulation.",
        epilog="Example: python run.py simulate --scenario kato-2025 --decisions examples/decisions/japan-sells.toml --out out/")
    commands = parser.add_subparsers(dest="command")
    sim = commands.add_parser("simulate", help="run a scenario and print a summary (and write CSVs with --out)")
    sim.add_argument("--scenario", required=True, help="scenario id (see 'scenarios') or path to a .toml file")
    sim.add_argument("--steps", type=int, help="months to simulate (default: the scenario's horizon)")
    sim.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    sim.add_argument("--decisions", help="TOML file of [[decision]] records to apply")
    sim.add_argument("--out", help="folder for model.csv, economies.csv, trade.csv, events.csv, drivers.csv, scores.csv, network.csv, offers.csv, run.json")
    sim.add_argument("--save", help="write the run's saved state (scenario, seed, decisions, model version) to this TOML file")
    add_preset_option(sim)
    sim.add_argument("--rules", action="append", default=[], metavar="FILE",
                     help="load your own rule classes from this .py file (repeatable)")
    sim.add_argument("--use-rule", action="append", default=[], metavar="SEAT.KIND=NAME[:PARAM=VALUE,...]",
                     help="give a seat a rule, e.g. JP.treasury=cautious_seller:tranche_bn=50,keep_share=0.6, "
                          "BOJ.monetary=taylor_rule, investors=my_fund (repeatable)")
    rules = commands.add_parser("rules", help="list the rule catalogue, or show one rule's documentation")
    rules.add_argument("name", nargs="?", help="a rule name")
    rules.add_argument("--rules", action="append", default=[], metavar="FILE", help="also list rules from this file")
    chk = commands.add_parser("check-rule", help="check your own rule: contract, behaviour, stylized facts")
    chk.add_argument("spec", help="FILE:CLASS, e.g. examples/rules/cautious_seller.py:CautiousSeller, or a catalogue name")
    chk.add_argument("--seat", help="the seat it plays (default: JP for trade and treasury rules, BOJ for monetary)")
    chk.add_argument("--quick", action="store_true", help="one seed instead of three for the behaviour table")
    rep = commands.add_parser("replay", help="replay a saved run: a --save file, a run.json, or a link's query string")
    rep.add_argument("state", help="saved state file, run.json, or '?scenario=...' query string")
    rep.add_argument("--out", help="folder for the output files")
    rep.add_argument("--rules", action="append", default=[], metavar="FILE",
                     help="your rule file(s) the run used (run.json records their SHA-256; replay checks it)")
    rep.add_argument("--allow-version-change", action="store_true",
                     help="replay even if the model version or scenario file differ from when it was saved")
    commands.add_parser("actions", help="print the table of decisions (who may take each, its fields, what it does)")
    scen = commands.add_parser("scenarios", help="list scenarios, show one's briefing, or check its expected outcomes")
    scen.add_argument("action", nargs="?", choices=["show", "check"],
                      help="'show ID' prints the briefing; 'check [ID]' tests the expected outcomes (all if no ID)")
    scen.add_argument("id", nargs="?", help="scenario id or path to a scenario file")
    scen.add_argument("--rules", action="append", default=[], metavar="FILE",
                      help="load your own rule classes from this .py file first (for a scenario that names them)")
    hist = commands.add_parser("history", help="compare the model's markets with what happened in 2025 (history-2025)")
    hist.add_argument("--scenario", default="history-2025",
                      help="a scenario whose start month has actual data (default: history-2025)")
    hist.add_argument("--seeds", type=int, default=20, help="runs, with seeds 1 to N (default 20)")
    hist.add_argument("--out", help="folder for history.csv (actual value, model median and band per series and month)")
    hist.add_argument("--doc", help="write the report as Markdown to this file (the shipped one is docs/validation.md)")
    add_preset_option(hist)
    from simulation.sweeps.cli import add_parser as add_sweep_parser

    add_sweep_parser(commands)
    from ui.cli import add_parser as add_play_parser

    add_play_parser(commands)
    return parser


def add_preset_option(parser: argparse.ArgumentParser) -> None:
    from simulation.calibration import PRESETS

    parser.add_argument("--calibration-preset", choices=PRESETS, metavar="{" + ",".join(PRESETS) + "}",
                        help="how strongly Treasury sales and currency purchases move prices: the low, central or "
                             "high reading of the evidence (default: the scenario's own, normally central)")


def main(argv: list[str] | None = None) -> int:
    """Run one command; a user's mistake, Ctrl-C (even while the libraries are still loading) or a
    closed pipe ends with one line and an exit status, never a traceback."""
    try:
        return _command(argv)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, RuntimeError) as error:
        # Ctrl-C while a library was defining a class: Python 3.11 wraps it in a RuntimeError
        if isinstance(error, RuntimeError) and not isinstance(error.__cause__, KeyboardInterrupt):
            raise
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into 'head' and closed early: not an error of ours
        sys.stdout = open(os.devnull, "w")
        return 0


def _command(argv: list[str] | None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["play", *argv]  # `python run.py [--port N]` starts the app
    args = parser.parse_args(argv)
    if args.command == "play":
        from ui.cli import command as play_command

        return play_command(args)
    if args.command == "simulate":
        return simulate(args)
    if args.command == "scenarios":
        return scenarios(args)
    if args.command == "replay":
        return replay(args)
    if args.command == "rules":
        return list_rules(args)
    if args.command == "check-rule":
        return check_rule_command(args)
    if args.command == "actions":
        from simulation.actions import markdown_table

        print(markdown_table())
        return 0
    if args.command == "history":
        return history(args)
    if args.command == "sweep":
        from simulation.sweeps.cli import command as sweep_command

        return sweep_command(args)
    parser.print_help()
    return 0


def simulate(args) -> int:
    from simulation.runner import run

    from scenarios import load_scenario

    load_rule_files(args.rules)  # first: the scenario file may name a rule defined in them
    scenario = apply_rule_options(load_scenario(args.scenario), args.use_rule)
    result = run(scenario, steps=args.steps, seed=args.seed, decisions=args.decisions,
                 calibration_preset=args.calibration_preset)
    report(result, args.out)
    if args.save and result.record["rule_changes"]:
        raise UserError("a run with --rules or --use-rule cannot be saved as a link: rule code stays on your machine; "
                        "run.json in --out records what you changed")
    if args.save:
        from simulation.savestate import SavedRun, to_query, to_toml

        state = SavedRun.of(result)
        try:
            Path(args.save).write_text(to_toml(state), encoding="utf-8")
        except OSError as error:
            raise UserError(f"cannot write saved state '{args.save}': {error}") from None
        print(f"\nSaved the run to {args.save}; as a link: {to_query(state)}")
    return 0


def history(args) -> int:
    """Run a scenario over seeds and print, per series and month, the actual value, the model's median and
    5-95% band and whether the actual lies inside; optionally write the table and the Markdown report."""
    from scenarios import load_scenario
    from simulation.history import actual_changes, check_history, report_text

    if isinstance(args.seeds, bool) or not 1 <= args.seeds <= 1000:
        raise UserError(f"--seeds must be a whole number from 1 to 1000, got {args.seeds}")
    loaded = load_scenario(args.scenario)
    check = check_history(loaded, seeds=args.seeds, preset=args.calibration_preset)
    text = report_text(check, actual_changes(loaded))
    print(text)
    if args.out:
        out = Path(args.out)
        try:
            out.mkdir(parents=True, exist_ok=True)
            check.table.to_csv(out / "history.csv", index=False, float_format="%.6g", lineterminator="\n")
        except OSError as error:
            raise UserError(f"cannot write to output folder '{out}': {error}") from None
        print(f"\nWrote history.csv to {out}")
    if args.doc:
        try:
            Path(args.doc).write_text(text, encoding="utf-8")
        except OSError as error:
            raise UserError(f"cannot write the report to '{args.doc}': {error}") from None
        print(f"\nWrote the report to {args.doc}")
    return 0


def replay(args) -> int:
    from simulation.savestate import read_state, restore

    result = restore(read_state(args.state), allow_version_change=args.allow_version_change,
                     rules=getattr(args, "rules", []))
    report(result, args.out)
    return 0


def report(result, out: str | None) -> None:
    """Print a run's summary and decisions; write its files if ``out`` is given."""
    record = result.record
    print(f"{record['scenario']}: {record['steps']} months, seed {record['seed']}, model {record['model_version']}, "
          f"{record['calibration_preset']} calibration")
    print(result.summary().to_string(float_format=lambda x: f"{x:,.3f}"))
    events = result.events[~result.events.actor.isin(["markets", "news"])]
    if len(events):
        print("\nDecisions applied:")
        for row in events.head(12).itertuples(index=False):
            print(f"  step {row.step:>3}  {row.headline}")
        if len(events) > 12:
            print(f"  ... and {len(events) - 12} more (events.csv)")
    if out:
        folder = result.write(out)
        print(f"\nWrote model.csv, economies.csv, trade.csv, events.csv, drivers.csv, scores.csv, network.csv and "
              f"run.json to {folder}")


def scenarios(args) -> int:
    from scenarios import load_scenario, shipped_scenarios

    load_rule_files(getattr(args, "rules", []))
    if args.action == "show":
        if not args.id:
            raise UserError("'scenarios show' needs a scenario id, e.g. 'python run.py scenarios show kato-2025'")
        show_scenario(load_scenario(args.id))
        return 0
    if args.action == "check":
        return check_scenarios([args.id] if args.id else list(shipped_scenarios()))
    for sid, path in shipped_scenarios().items():
        s = load_scenario(path)
        print(f"{sid:<22} {s.title}\n{'':<22} {s.summary}")
    return 0


def _paragraph(text: str, indent: str = "  ") -> str:
    return textwrap.indent(textwrap.fill(" ".join(text.split()), 96), indent)


def show_scenario(s) -> None:
    """Print a scenario's briefing for an instructor: what it is, how to run it, what to ask after."""
    print(f"{s.title}\n{'=' * len(s.title)}\n{s.summary}\n")
    print(f"Starts {s.start}, {s.steps} months. Id: {s.id}. Playable roles: {', '.join(s.playable) or 'none'}.\n")
    if s.learning_objectives:
        print("Learning objectives")
        for item in s.learning_objectives:
            print(_paragraph("- " + item))
        print()
    for heading, text in s.briefing.sections():
        print(heading)
        print(_paragraph(text) + "\n")
    if s.debrief:
        print("Debrief questions")
        for number, question in enumerate(s.debrief, start=1):
            print(_paragraph(f"{number}. {question}"))
        print()
    if s.expectations:
        print("Expected outcomes (checked by 'python run.py scenarios check " + s.id + "')")
        for e in s.expectations:
            print(_paragraph("- " + e.claim))


def check_scenarios(ids: list[str]) -> int:
    from scenarios import load_scenario
    from scenarios.claims import check_scenario

    failed = 0
    for sid in ids:
        loaded = load_scenario(sid)
        verdicts = check_scenario(loaded)
        print(f"{loaded.id}: {sum(v.passed for v in verdicts)} of {len(verdicts)} expected outcomes hold")
        for v in verdicts:
            print(f"  [{'pass' if v.passed else 'FAIL'}] {v.claim}\n         {v.detail}")
        failed += sum(not v.passed for v in verdicts)
    return 1 if failed else 0


def load_rule_files(files: list[str]) -> None:
    """Load the user's rule files (before any scenario, which may name their rules)."""
    from agents.rules.user_rules import load_rule_file

    for file in files:
        load_rule_file(file)


def apply_rule_options(loaded, uses: list[str]):
    """Give seats the rules named in ``--use-rule SEAT.KIND=NAME[:PARAM=VALUE,...]`` (rule files loaded)."""
    from scenarios import with_rule

    for use in uses:
        seat, kind, name, params = parse_use_rule(use)
        loaded = with_rule(loaded, None if seat == "investors" else seat, kind, name, params)
    return loaded


USE_RULE_FORM = ("--use-rule expects SEAT.KIND=NAME[:PARAM=VALUE,...] (e.g. JP.treasury=cautious_seller:tranche_bn=50) "
                 "or investors=NAME")


def parse_use_rule(text: str) -> tuple[str, str, str, dict]:
    """``JP.treasury=cautious_seller:tranche_bn=50,keep_share=0.6`` -> ("JP", "treasury", name, params),
    each part checked with a sentence (the parameter values are checked when the rule is made)."""
    from agents.rules import RULES

    target, _, rest = text.partition("=")
    name, _, settings = rest.partition(":")
    seat, _, kind = target.partition(".")
    if not name or (seat != "investors" and not kind):
        raise UserError(f"{USE_RULE_FORM}, got '{text}'")
    if name not in RULES:
        raise UserError(f"--use-rule: unknown rule '{name}'; see 'python run.py rules' "
                        "(your own rules need --rules FILE)")
    kind = "investor" if seat == "investors" else kind
    if RULES[name].kind != kind:
        raise UserError(f"--use-rule: '{name}' is a {RULES[name].kind} rule, not a {kind} rule")
    params = {}
    for pair in filter(None, settings.split(",")):
        key, equals, value = pair.partition("=")
        if not equals or not key.strip() or not value.strip():
            raise UserError(f"--use-rule '{text}': parameter '{pair}' should be PARAM=VALUE, e.g. tranche_bn=50")
        params[key.strip()] = _number_or_text(value.strip())
    return seat, kind, name, params


def _number_or_text(value: str):
    """'50' -> 50, '0.6' -> 0.6, 'US' -> 'US' (a choice parameter such as an economy code)."""
    for convert in (int, float):
        try:
            return convert(value)
        except ValueError:
            pass
    return value


def list_rules(args) -> int:
    import inspect

    from agents.rules import RULES
    from agents.rules.base import KINDS

    load_rule_files(args.rules)
    if args.name:
        cls = RULES.get(args.name)
        if cls is None:
            raise UserError(f"unknown rule '{args.name}'; 'python run.py rules' lists them")
        print(f"{cls.name} ({cls.kind} rule, class {cls.__name__} in {getattr(cls, 'source_file', inspect.getfile(cls))})")
        print(f"\n{inspect.cleandoc(cls.__doc__ or '')}\n\nParameters:")
        for p in cls.parameters() or [{"name": "(none)"}]:
            if "choices" in p:
                print(f"  {p['name']:<24} default {p['default']!r:<8} one of {', '.join(p['choices'])}  {p.get('help', '')}")
            elif "low" in p:
                print(f"  {p['name']:<24} default {p['default']:<8g} range {p['low']:g} to {p['high']:g} "
                      f"{p['unit']}  {p['help']}")
            else:
                print("  (none)")
        return 0
    for kind in KINDS:
        print(f"{kind} rules")
        for name, cls in sorted((n, c) for n, c in RULES.items() if c.kind == kind):
            params = ", ".join(f"{p['name']}={p['default']:g}" if "low" in p else f"{p['name']}={p['default']}"
                               for p in cls.parameters())
            print(f"  {name:<28} {cls.summary}")
            if params:
                print(f"  {'':<28} ({params})")
        print()
    return 0


def check_rule_command(args) -> int:
    from agents.rules import RULES
    from agents.rules.user_rules import load_rule_class
    from simulation.rulecheck import check_rule

    cls = RULES.get(args.spec) if ":" not in args.spec else load_rule_class(args.spec)
    if cls is None:
        raise UserError(f"'{args.spec}' is neither FILE:CLASS nor a catalogue rule name")
    result = check_rule(cls, seat=args.seat, quick=args.quick)
    print(result.text())
    return 0 if result.passed else 1
