"""Nothing lost: a real server is killed (SIGKILL) mid-round and restarted on the same file; every room
comes back identical and the students carry on with their links."""

from __future__ import annotations

import pandas as pd
import pytest

from classroom import ClassRegistry
from simulation.runner import run
from test_classroom_support import Server

PEOPLE = {"ann": ("Ann", "JP"), "ben": ("Ben", "US"), "cat": ("Cat", "FED"), "dan": ("Dan", "JP")}


def ok(answer, status=200):
    assert answer[0] == status, answer[1]
    return answer[1]


def without_clock(state: dict) -> dict:
    """A state without the seconds left, which move with the wall clock (the deadline must not)."""
    return {k: v for k, v in state.items() if k != "seconds_left"}


def play_until_killed(server):
    """Two rooms: one played two rounds with a third half done, one still in its lobby."""
    made = ok(server.call("POST", "/api/class/rooms", {"scenario": "kato-2025", "steps": 6, "seed": 7,
                                                       "round_seconds": 3600, "start": True}), 201)
    code, boss = made["code"], made["instructor_token"]
    tokens = {who: ok(server.call("POST", f"/api/class/rooms/{code}/join", {"name": name, "seat": seat}), 201)["token"]
              for who, (name, seat) in PEOPLE.items()}
    base = f"/api/class/rooms/{code}"
    moves = [{"ann": [{"action": "threaten_sale", "amount_bn": 300}],
              "ben": [{"action": "set_tariff", "target": "JP", "rate_pct": 30}],
              "cat": [{"action": "set_policy_rate", "rate_pct": 4.25}]},
             {"dan": [{"action": "sell_treasuries", "amount_bn": 60}], "ben": [], "cat": []}]
    for month, round_moves in enumerate(moves, start=1):
        if month == 2:
            ok(server.call("POST", f"{base}/broadcast", {"message": "Markets are nervous"}, token=boss))
            ok(server.call("POST", f"{base}/shock", {"actor": "CN", "action": "sell_treasuries", "amount_bn": 90,
                                                     "headline": "China trims its Treasuries"}, token=boss))
        for who, decisions in round_moves.items():
            ok(server.call("POST", f"{base}/submit", {"decisions": decisions}, token=tokens[who]))
    ok(server.call("POST", f"{base}/extend", {"seconds": 120}, token=boss))
    ok(server.call("POST", f"{base}/submit", {"decisions": [{"action": "sell_treasuries", "amount_bn": 40}]},
                   token=tokens["ann"]))
    lobby = ok(server.call("POST", "/api/class/rooms", {"scenario": "baseline-2025", "round_seconds": 60}), 201)
    tokens["eve"] = ok(server.call("POST", f"/api/class/rooms/{lobby['code']}/join", {"name": "Eve"}), 201)["token"]
    return {code: boss, lobby["code"]: lobby["instructor_token"]}, tokens


def snapshot(server, rooms, tokens):
    """Everything a page or the instructor could read, for every room and every token."""
    seen = {}
    for code, boss in rooms.items():
        base = f"/api/class/rooms/{code}"
        state = ok(server.call("GET", f"{base}/state", token=boss))
        people = {}
        for who, token in tokens.items():
            status, body = server.call("GET", f"{base}/state", token=token)
            people[who] = without_clock(body) if status == 200 else (status, body)
        seen[code] = {"instructor": without_clock(state), "people": people,
                      "public": without_clock(ok(server.call("GET", f"{base}/state"))),
                      "model": ok(server.call("GET", f"{base}/rounds/{state['month']}", token=boss))}
    return seen


@pytest.mark.slow
def test_a_killed_server_comes_back_with_every_room_identical(tmp_path):
    db = tmp_path / "class.sqlite3"
    first = Server(db)
    try:
        rooms, tokens = play_until_killed(first)
        before = snapshot(first, rooms, tokens)
    finally:
        first.kill()
    code = next(iter(rooms))
    assert before[code]["instructor"]["round"] == 3 and before[code]["people"]["dan"]["you"]["submission"]
    second = Server(db)
    try:
        after = snapshot(second, rooms, tokens)
        assert after == before
        base = f"/api/class/rooms/{code}"
        for who in ("ben", "cat"):
            ok(second.call("POST", f"{base}/submit", {"decisions": []}, token=tokens[who]))
        state = ok(second.call("GET", f"{base}/state", token=tokens["dan"]))
        assert state["round"] == 4 and state["you"]["submission"] is None
        served = pd.DataFrame(ok(second.call("GET", f"{base}/rounds/3", token=rooms[code]))["model"])
    finally:
        second.stop()
    registry = ClassRegistry(db, ticker=False)
    room = registry.get(code)
    assert [(d.step, d.actor, d.action) for d in room.log()][-1] == (3, "JP", "sell_treasuries")
    batch = run("kato-2025", steps=6, seed=7, decisions=room.log(), seats=room.seats)
    pd.testing.assert_frame_equal(room.result().model, batch.model.iloc[:4])
    pd.testing.assert_frame_equal(served, batch.model.iloc[:4].reset_index(drop=True), check_dtype=False)
    registry.close()
