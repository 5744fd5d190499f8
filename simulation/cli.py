"""The command line: ``python run.py simulate|scenarios ...``.

Every user mistake ends as one line on stderr and exit status 2; nothing prints a traceback.
"""

from __future__ import annotations

import argparse
import sys
import textwrap

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
    sim.add_argument("--out", help="folder for model.csv, economies.csv, trade.csv, events.csv, drivers.csv, run.json")
    scen = commands.add_parser("scenarios", help="list scenarios, or show one's briefing")
    scen.add_argument("action", nargs="?", choices=["show"], help="'show ID' prints a scenario's briefing")
    scen.add_argument("id", nargs="?", help="scenario id")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "simulate":
            return simulate(args)
        if args.command == "scenarios":
            return scenarios(args)
        parser.print_help()
        return 0
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def simulate(args) -> int:
    from simulation.runner import run

    result = run(args.scenario, steps=args.steps, seed=args.seed, decisions=args.decisions)
    record = result.record
    print(f"{record['scenario']}: {record['steps']} months, seed {record['seed']}, model {record['model_version']}")
    print(result.summary().to_string(float_format=lambda x: f"{x:,.3f}"))
    events = result.events[result.events.actor != "markets"]
    if len(events):
        print("\nDecisions applied:")
        for row in events.head(12).itertuples(index=False):
            print(f"  step {row.step:>3}  {row.headline}")
        if len(events) > 12:
            print(f"  ... and {len(events) - 12} more (events.csv)")
    if args.out:
        folder = result.write(args.out)
        print(f"\nWrote model.csv, economies.csv, trade.csv, events.csv, drivers.csv and run.json to {folder}")
    return 0


def scenarios(args) -> int:
    from scenarios import load_scenario, shipped_scenarios

    if args.action == "show":
        if not args.id:
            raise UserError("'scenarios show' needs a scenario id, e.g. 'python run.py scenarios show kato-2025'")
        s = load_scenario(args.id)
        print(f"{s.title}\n{'=' * len(s.title)}\n{s.summary}\n")
        for heading, text in s.briefing.items():
            print(heading.replace("_", " ").capitalize())
            print(textwrap.indent(textwrap.fill(" ".join(text.split()), 96), "  ") + "\n")
        return 0
    for sid, path in shipped_scenarios().items():
        s = load_scenario(path)
        print(f"{sid:<22} {s.title}\n{'':<22} {s.summary}")
    return 0
