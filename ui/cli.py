"""``python run.py play``: start the web app (also what ``python run.py`` with no command does)."""

from __future__ import annotations

import socket
from pathlib import Path

from simulation import fan_pool
from simulation.errors import UserError


def add_parser(commands) -> None:
    play = commands.add_parser("play", help="start the web app (the default when no command is given)")
    play.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; "
                      "use 0.0.0.0 to let a class join from other machines)")
    play.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765)")
    play.add_argument("--class-db", default=None,
                      help="SQLite file that keeps every class game (default: class-games.sqlite3 in your data "
                           "folder, ~/.local/share/tradewar; printed at start-up)")
    play.add_argument("--scenario", action="append", default=[], metavar="FILE",
                      help="a scenario file of your own that links (/play?scenario=..., a new class game) may "
                           "open besides the shipped ones; repeat for several")
    play.add_argument("--trusted-proxy", action="append", default=[], metavar="ADDRESS",
                      help="the address of a reverse proxy whose X-Forwarded-For header is believed (for the "
                           "per-address limits); without it the header is ignored")
    play.add_argument("--rules", action="append", default=[], metavar="FILE",
                      help="your own rules file (Python), listed in the Lab's rule menus; local use only: "
                           "the server must listen on 127.0.0.1, so a class never runs code from a file")


def command(args) -> int:
    from ui.server import serve

    if not 1 <= args.port <= 65535:
        raise UserError(f"--port must be from 1 to 65535, got {args.port}")
    for path in args.scenario:
        if not Path(path).is_file():
            raise UserError(f"--scenario: there is no scenario file '{path}'")
    if args.rules:
        load_own_rules(args.rules, args.host)
    fan_pool.workers_wanted()   # a wrong $TRADEWAR_FAN_WORKERS is said now, not at the first fan chart
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as uvicorn does: a just-stopped server is no obstacle
        try:
            probe.bind((args.host, args.port))
        except OSError as error:
            raise UserError(f"cannot listen on {args.host}:{args.port} ({error.strerror}); "
                            "choose another --port or stop the program using it") from None
    serve(args.host, args.port, args.class_db, tuple(args.trusted_proxy), tuple(args.scenario))
    return 0


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def load_own_rules(files: list[str], host: str) -> None:
    """Import the student's rule files into this server, so the Lab lists them. Only for a server that
    listens on this machine alone: a class server (``--host 0.0.0.0``) never runs code from a file."""
    from agents.rules.user_rules import load_rule_file

    if host not in LOOPBACK:
        raise UserError(f"--rules is for local use only: it runs the Python code in your file, so the server "
                        f"must listen on 127.0.0.1, not {host}; start a class server without --rules")
    for path in files:
        for cls in load_rule_file(path):
            print(f"Your rule '{cls.name}' ({cls.kind}) from {path} is in the Lab's rule menus.", flush=True)
