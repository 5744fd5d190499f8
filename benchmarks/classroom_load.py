"""Load test of the class game: a real server and N simulated players on loopback.

    python benchmarks/classroom_load.py --players 40 --rounds 5 [--port P] [--round-seconds S]
    python benchmarks/classroom_load.py --archived 2000      # start-up time with 2,000 archived rooms

Starts ``run.py play`` on a fresh class-game file, creates a room over HTTP with every seat open to
people (13: nine governments, four central banks), and runs one thread per player (``urllib`` only).
Players join, then every round each one polls the state and submits (governments set tariffs, central
banks set rates, some do nothing new). One player sits alone on the last seat and submits after all
the others, so every player's submission lands in the round and the last one resolves it.

Measured: errors (any non-2xx answer or wrong round; must be 0), join and submit latency, round
resolution (from sending the last submission to the first poll that shows the next round), poll
latency, and the server's resident memory (VmRSS) at start and end. The last line printed is the
figures on one line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulation.world import CENTRAL_BANKS, ECONOMIES  # noqa: E402

SEATS = list(ECONOMIES) + list(CENTRAL_BANKS)
POLL_SECONDS = 0.2


class Client:
    """JSON over HTTP with latency and error counting (thread-safe)."""

    def __init__(self, base: str):
        self.base = base
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = {"join": [], "submit": [], "poll": []}
        self.errors: list[str] = []

    def call(self, kind: str, method: str, path: str, body=None, token=None):
        request = urllib.request.Request(self.base + path, method=method,
                                         data=None if body is None else json.dumps(body).encode())
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                data = json.loads(answer.read())
        except (urllib.error.URLError, OSError, ValueError) as error:
            detail = error.read().decode()[:200] if isinstance(error, urllib.error.HTTPError) else str(error)
            self.error(f"{kind} {path}: {detail}")
            return None
        with self.lock:
            self.latency.setdefault(kind, []).append(time.perf_counter() - start)
        return data

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, db: Path) -> subprocess.Popen:
    """The real server; join limits raised because every simulated player shares one address."""
    env = {**os.environ, "TRADEWAR_CLASS_JOINS_PER_ADDRESS": "100000", "TRADEWAR_CLASS_JOINS_PER_ROOM": "100000"}
    server = subprocess.Popen([sys.executable, str(ROOT / "run.py"), "play", "--port", str(port),
                               "--class-db", str(db)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start listening within 60 s")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def decisions_for(seat: str, round_number: int, rng: random.Random) -> list[dict]:
    """A plausible move: a tariff for a government, a rate for a central bank, or nothing new."""
    if rng.random() < 0.3:
        return []
    if seat in CENTRAL_BANKS:
        return [{"action": "set_policy_rate", "rate_pct": round(rng.uniform(1.0, 5.0), 2)}]
    target = rng.choice([e for e in ECONOMIES if e != seat])
    return [{"action": "set_tariff", "target": target, "rate_pct": rng.choice([5, 10, 20, 30]), "sector": "autos"}]


class Game:
    """Shared state of the simulated class: the room, the round barrier, resolution timings."""

    def __init__(self, client: Client, code: str, players: int, rounds: int):
        self.client, self.code, self.rounds = client, code, rounds
        self.everyone_else_submitted = threading.Barrier(players)
        self.lock = threading.Lock()
        self.last_sent: dict[int, float] = {}
        self.first_seen: dict[int, float] = {}

    def saw_round(self, round_number: int) -> None:
        with self.lock:
            self.first_seen.setdefault(round_number, time.perf_counter())

    def resolution_seconds(self) -> list[float]:
        return [self.first_seen[r + 1] - self.last_sent[r] for r in self.last_sent if r + 1 in self.first_seen]


def player(game: Game, number: int, seat: str, closer: bool, tokens: list, ready: threading.Barrier) -> None:
    client, rng = game.client, random.Random(number)
    joined = client.call("join", "POST", f"/api/class/rooms/{game.code}/join", {"name": f"Player {number}", "seat": seat})
    tokens[number] = joined and joined["token"]
    ready.wait()
    token = tokens[number]
    if not token:
        return
    for round_number in range(1, game.rounds + 1):
        state = wait_for_round(game, token, round_number)
        if state is None:
            return
        if closer:
            game.everyone_else_submitted.wait()
            with game.lock:
                game.last_sent[round_number] = time.perf_counter()
        time.sleep(0 if closer else rng.uniform(0, 0.5))
        body = {"decisions": decisions_for(seat, round_number, rng), "round": round_number}
        answer = client.call("submit", "POST", f"/api/class/rooms/{game.code}/submit", body, token)
        if not closer:
            game.everyone_else_submitted.wait()
        if answer is None:
            return
    wait_for_round(game, token, game.rounds + 1)


def wait_for_round(game: Game, token: str, round_number: int) -> dict | None:
    """Poll until the state shows ``round_number`` (or, past the last round, the finished game)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        state = game.client.call("poll", "GET", f"/api/class/rooms/{game.code}/state", token=token)
        if state is None:
            return None
        if state["month"] + 1 >= round_number:
            game.saw_round(round_number)
            return state
        time.sleep(POLL_SECONDS)
    game.client.error(f"round {round_number} never opened")
    return None


def seat_plan(players: int) -> list[str]:
    """Everyone but the closer round-robin over the first seats; the closer alone on the last one."""
    others = SEATS[:-1]
    return [others[i % len(others)] for i in range(players - 1)] + [SEATS[-1]]


def percentile_ms(values: list[float], q: float) -> float:
    return float(np.percentile(values, q) * 1000) if values else float("nan")


def run_benchmark(players: int, rounds: int, port: int, round_seconds: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        server = start_server(port, Path(folder) / "load.sqlite3")
        try:
            rss_start = rss_mb(server.pid)
            client = Client(f"http://127.0.0.1:{port}")
            room = client.call("create", "POST", "/api/class/rooms",
                               {"scenario": "liberation-day-2025", "seats": SEATS, "steps": rounds,
                                "round_seconds": round_seconds})
            if room is None:
                raise SystemExit(f"could not create a room: {client.errors}")
            game = Game(client, room["code"], players, rounds)
            started = time.perf_counter()
            threads, tokens = play(game, players, room["instructor_token"])
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            final = client.call("final", "GET", f"/api/class/rooms/{room['code']}/state")
            if final is None or final["status"] != "finished" or final["month"] != rounds:
                client.error(f"the game did not finish: {final and (final['status'], final['month'])}")
            return figures(client, game, players, rounds, elapsed, rss_start, rss_mb(server.pid))
        finally:
            server.terminate()
            server.wait(timeout=10)


def play(game: Game, players: int, instructor_token: str):
    """Start the player threads; the instructor starts the game once everyone has joined."""
    plan, tokens = seat_plan(players), [None] * players
    ready = threading.Barrier(players + 1)
    threads = [threading.Thread(target=player, args=(game, i, plan[i], i == players - 1, tokens, ready))
               for i in range(players)]
    for thread in threads:
        thread.start()
    ready.wait()
    game.client.call("start", "POST", f"/api/class/rooms/{game.code}/start", token=instructor_token)
    return threads, tokens


def figures(client: Client, game: Game, players, rounds, elapsed, rss_start, rss_end) -> dict:
    resolve = game.resolution_seconds()
    lat = client.latency
    return {"players": players, "rounds": rounds, "errors": len(client.errors),
            "join_p50_ms": percentile_ms(lat["join"], 50), "join_p95_ms": percentile_ms(lat["join"], 95),
            "submit_p50_ms": percentile_ms(lat["submit"], 50), "submit_p95_ms": percentile_ms(lat["submit"], 95),
            "resolve_p50_ms": percentile_ms(resolve, 50), "resolve_p95_ms": percentile_ms(resolve, 95),
            "poll_p50_ms": percentile_ms(lat["poll"], 50), "poll_p95_ms": percentile_ms(lat["poll"], 95),
            "polls": len(lat["poll"]), "submits": len(lat["submit"]), "wall_s": elapsed,
            "server_rss_start_mb": rss_start, "server_rss_mb": rss_end, "error_samples": client.errors[:5]}


def report(result: dict) -> None:
    rows = [("players / rounds", f"{result['players']} / {result['rounds']}"),
            ("errors", str(result["errors"])),
            ("join latency p50 / p95", f"{result['join_p50_ms']:.1f} / {result['join_p95_ms']:.1f} ms"),
            ("submit latency p50 / p95", f"{result['submit_p50_ms']:.1f} / {result['submit_p95_ms']:.1f} ms"
                                         f" ({result['submits']} submissions)"),
            ("round resolution p50 / p95", f"{result['resolve_p50_ms']:.1f} / {result['resolve_p95_ms']:.1f} ms"),
            ("poll latency p50 / p95", f"{result['poll_p50_ms']:.1f} / {result['poll_p95_ms']:.1f} ms"
                                       f" ({result['polls']} polls)"),
            ("server RSS start / end", f"{result['server_rss_start_mb']:.0f} / {result['server_rss_mb']:.0f} MB"),
            ("wall time", f"{result['wall_s']:.1f} s")]
    for label, value in rows:
        print(f"{label:<28} {value}")
    for sample in result["error_samples"]:
        print(f"error: {sample}")
    print(" ".join([f"players={result['players']}", f"rounds={result['rounds']}", f"errors={result['errors']}",
                    f"join_p95_ms={result['join_p95_ms']:.1f}", f"submit_p95_ms={result['submit_p95_ms']:.1f}",
                    f"resolve_p95_ms={result['resolve_p95_ms']:.1f}", f"poll_p95_ms={result['poll_p95_ms']:.1f}",
                    f"server_rss_start_mb={result['server_rss_start_mb']:.0f}",
                    f"server_rss_mb={result['server_rss_mb']:.0f}"]))


def archived_start_up(archived: int) -> None:
    """Start-up time of the class-game registry on a file holding one live room and ``archived``
    archived ones (copies of a real room's creation), against the same file with them all live.
    Archived rooms are never replayed at start-up, so the first figure stays flat as the archive grows."""
    import sqlite3

    from classroom import ClassRegistry

    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "class.sqlite3"
        registry = ClassRegistry(db, ticker=False)
        live, _ = registry.create("kato-2025", steps=2)
        created = registry.store.events(live.code)[0]
        registry.close()
        with sqlite3.connect(db) as raw:
            for number in range(archived):
                code = f"A{number:05d}"
                raw.execute("INSERT INTO events (room, at, kind, data) VALUES (?, ?, ?, ?)",
                            (code, created.at, "created", json.dumps({**created.data, "code": code})))
                raw.execute("INSERT INTO rooms (code, state, last_at, events) VALUES (?, 'archived', ?, 1)",
                            (code, created.at))
        started = time.perf_counter()
        ClassRegistry(db, ticker=False).close()
        with_archive = time.perf_counter() - started
        sample = min(archived, 200)
        with sqlite3.connect(db) as raw:
            raw.execute(f"UPDATE rooms SET state = 'live' WHERE code IN (SELECT code FROM rooms WHERE state = "
                        f"'archived' LIMIT {sample})")
        started = time.perf_counter()
        ClassRegistry(db, ticker=False).close()
        live_sample = time.perf_counter() - started
    print(f"archived_rooms={archived} start_up_s={with_archive:.2f} "
          f"start_up_if_{sample}_of_them_were_live_s={live_sample:.2f} "
          f"(all {archived} live: about {live_sample / max(sample, 1) * archived:.0f} s)")
    print(f"target: start-up time independent of archived rooms: "
          f"{'MET' if with_archive < 2.0 else 'NOT MET'} ({with_archive:.2f} s with {archived} archived)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archived", type=int, default=0,
                        help="instead of the load test: time start-up with this many archived rooms")
    parser.add_argument("--players", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--round-seconds", type=int, default=600,
                        help="round timer (long by default so that submissions, not the timer, close rounds)")
    args = parser.parse_args()
    if args.archived:
        archived_start_up(args.archived)
        return 0
    if args.players < 2 or not 1 <= args.rounds <= 24:
        parser.error("--players must be at least 2 and --rounds from 1 to 24")
    result = run_benchmark(args.players, args.rounds, args.port or free_port(), args.round_seconds)
    report(result)
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
