"""The ``sweep`` command: ``python run.py sweep SPEC [--workers N] [--scheduler ADDRESS] [--out DIR] [--resume]``.

``add_parser`` adds the subcommand to the main parser; ``command`` runs it. User mistakes are raised as
``UserError`` (the main command line prints them as one line and exits with status 2).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from simulation.errors import UserError


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``sweep`` to an ``add_subparsers()`` object; returns the new parser."""
    parser = subparsers.add_parser(
        "sweep", help="run a policy sweep: many parameter points and seeds, in parallel, resumable",
        description="Run the sweep described by a TOML spec (see docs/sweeps.md). Results stream to DIR as "
                    "Parquet; an interrupted sweep is finished with --resume.",
        epilog="Example: python run.py sweep scenarios/sweeps/kato-sale-vs-tariff.toml --workers 2")
    parser.add_argument("spec", help="sweep spec, a .toml file")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="local worker processes (default: one per CPU core)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="run on a Dask cluster instead, e.g. tcp://127.0.0.1:8786")
    parser.add_argument("--out", metavar="DIR", help="results folder (default: out/sweeps/<spec name>)")
    parser.add_argument("--resume", action="store_true",
                        help="finish an interrupted sweep in DIR: only runs not yet saved are run")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--rules", action="append", default=[], metavar="FILE",
                        help="load your own rule classes from this .py file first, so the spec and the scenario "
                             "can name them; the file travels to the workers with the runs (repeatable)")
    return parser


def command(args) -> int:
    """Run the sweep named by parsed arguments; print where the results are; return the exit status."""
    if args.scheduler and args.workers is not None:
        raise UserError("--workers is for local runs; with --scheduler the cluster's workers run the sweep "
                        "(start as many 'dask worker' processes as you want)")
    if not args.scheduler:
        from simulation.workers import start_server

        start_server()   # local workers' fork server reads the model while this process reads the sweep's code
    from simulation.sweeps.execute import run_sweep

    out = Path(args.out) if args.out else Path("out") / "sweeps" / Path(args.spec).stem
    try:
        outcome = run_sweep(args.spec, out, workers=args.workers, scheduler=args.scheduler,
                            resume=args.resume, progress=not getattr(args, "quiet", False),
                            rules=getattr(args, "rules", []))
    except KeyboardInterrupt as stop:
        print(f"\n{'stopped (SIGTERM)' if type(stop).__name__ == '_Terminated' else 'interrupted'}: finished runs are saved in {out}; run the same command with --resume "
              "to finish the sweep", file=sys.stderr)
        return 143 if type(stop).__name__ == "_Terminated" else 130
    print(_report(outcome))
    return 0


def _report(outcome) -> str:
    """A few lines: how much ran, how long it took, what failed and which files to open."""
    lines = [f"Sweep finished: {outcome.total_runs} runs in {outcome.out}"
             + (f" ({outcome.done_before} were already done)" if outcome.done_before else "")
             + f"; this session ran {outcome.ran} in {outcome.seconds:.1f} s."]
    if outcome.failed:
        lines.append(f"{outcome.failed} runs raised an error; they are listed in {outcome.out / 'errors.csv'}.")
    lines.append(f"Runs (Parquet): {outcome.out / 'runs'}")
    lines += [f"  {path}" for path in outcome.files]
    lines += outcome.notes
    return "\n".join(lines)
