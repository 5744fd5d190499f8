"""Only your own seat: every attack on the class game's tokens, seats, briefs and limits is refused,
in-process and over HTTP, each with one clear sentence and the right 4xx status."""

from __future__ import annotations

import base64
import json

import pytest

from classroom import ClassRegistry
from classroom.errors import Forbidden, RateLimited, Unauthorized
from classroom.room import new_token
from test_classroom_support import FakeClock, Server

INSTRUCTOR_CALLS = [("start", ()), ("pause", ()), ("resume", ()), ("advance", ()), ("extend", (30,)),
                    ("broadcast", ("hello",)), ("shock", ({"actor": "CN", "action": "sell_treasuries",
                                                          "amount_bn": 10, "headline": "news"},)),
                    ("assign", ("p1", "US")), ("remove", ("p1",)), ("vacate", ("US",)), ("scoreboard", ()),
                    ("at_round", (0,)), ("export", ()), ("branch", (1, ("JP",)))]


@pytest.fixture
def game(tmp_path):
    registry = ClassRegistry(tmp_path / "class.sqlite3", clock=FakeClock(), ticker=False, joins_per_address=5,
                             joins_per_room=7)
    room, boss = registry.create("kato-2025", steps=3, round_seconds=60)
    _, _, japan = registry.join(room.code, "Jo", seat="JP", client="10.0.0.1")
    _, _, usa = registry.join(room.code, "Uma", seat="US", client="10.0.0.2")
    room.start(boss)
    yield registry, room, boss, japan, usa
    registry.close()


def test_tokens_are_long_random_and_never_stored(game, tmp_path):
    registry, room, boss, japan, usa = game
    tokens = [new_token() for _ in range(100)] + [boss, japan, usa]
    assert len(set(tokens)) == len(tokens)
    assert all(len(base64.urlsafe_b64decode(t + "=")) * 8 >= 256 for t in tokens)
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert not any(t.encode() in stored for t in (boss, japan, usa))


def test_a_wrong_missing_or_guessed_token_acts_for_nobody(game):
    registry, room, boss, japan, usa = game
    for token in (None, "", "x", new_token(), japan[:-1], boss.upper()):
        with pytest.raises(Unauthorized, match="token"):
            room.submit(token, [])
        with pytest.raises(Unauthorized):
            room.advance(token)
        if token is not None:
            with pytest.raises(Unauthorized):
                room.state(token)
    assert room.submissions == {} and room.round == 1
    assert "you" not in room.state(None) and "instructor" not in room.state(None)


def test_a_student_cannot_act_for_another_seat_or_as_instructor(game):
    registry, room, boss, japan, usa = game
    with pytest.raises(Forbidden, match="your seat is JP; you cannot decide for 'US'"):
        room.submit(japan, [{"actor": "US", "action": "set_tariff", "target": "JP", "rate_pct": 100}])
    for name, arguments in INSTRUCTOR_CALLS:
        with pytest.raises(Forbidden, match="only the instructor"):
            getattr(room, name)(japan, *arguments)
    with pytest.raises(Forbidden, match="instructor has no seat"):
        room.submit(boss, [])
    assert room.submissions == {} and room.broadcasts == [] and room.shocks == []


def test_a_student_never_sees_another_seats_brief_or_submission(game):
    registry, room, boss, japan, usa = game
    room.submit(japan, [{"action": "sell_treasuries", "amount_bn": 123.456}])
    seen_by_us = json.dumps(room.state(usa)) + json.dumps(room.state())
    assert room.loaded.roles["JP"].brief[:60] not in seen_by_us
    assert "123.456" not in seen_by_us
    assert room.state(usa)["you"]["brief"] == room.loaded.roles["US"].brief
    assert room.state(japan)["you"]["submission"] == [{"actor": "JP", "action": "sell_treasuries", "amount_bn": 123.456}]
    assert "123.456" in json.dumps(room.state(boss)["instructor"])


def test_a_removed_student_is_locked_out(game):
    registry, room, boss, japan, usa = game
    room.remove(boss, room.state(usa)["you"]["id"])
    with pytest.raises(Unauthorized, match="the instructor removed you"):
        room.state(usa)
    with pytest.raises(Unauthorized, match="the instructor removed you"):
        room.submit(usa, [])


def test_joins_are_rate_limited_per_address_and_per_room(game):
    registry, room, boss, japan, usa = game
    for i in range(4):
        registry.join(room.code, f"A{i}", client="10.0.0.1")
    with pytest.raises(RateLimited, match="from your address"):
        registry.join(room.code, "Eve", client="10.0.0.1")
    registry.join(room.code, "Bo", client="10.0.0.9")
    with pytest.raises(RateLimited, match=f"for room {room.code}"):
        registry.join(room.code, "Cy", client="10.0.0.8")
    registry.clock.advance(61)
    registry.join(room.code, "Eve", client="10.0.0.1")


# -- the same attacks over HTTP against a real server --------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("class") / "class.sqlite3"
    running = Server(db)
    yield running
    running.stop()


def one_sentence(status, body, expected_status, words):
    """The answer is a JSON error: one sentence, the expected status, no traceback."""
    assert status == expected_status, body
    assert set(body) == {"error"} and words in body["error"]
    assert "Traceback" not in body["error"] and body["error"].count("\n") == 0


@pytest.mark.slow
def test_http_attacks_are_refused_with_one_sentence_and_the_right_status(server):
    one_sentence(*server.call("POST", "/api/class/rooms", {"scenario": "/etc/passwd.toml"}), 400,
                 "must be one of the shipped scenarios")
    one_sentence(*server.call("POST", "/api/class/rooms", {"scenario": "kato-2025", "seats": ["JP", "XX"]}), 400,
                 "unknown seat 'XX'")
    status, room = server.call("POST", "/api/class/rooms", {"scenario": "kato-2025", "steps": 3, "start": True})
    assert status == 201
    code, boss = room["code"], room["instructor_token"]
    _, jo = server.call("POST", f"/api/class/rooms/{code}/join", {"name": "Jo", "seat": "JP"})
    _, uma = server.call("POST", f"/api/class/rooms/{code}/join", {"name": "Uma", "seat": "US"})
    base = f"/api/class/rooms/{code}"
    one_sentence(*server.call("POST", f"{base}/advance"), 401, "needs your token")
    one_sentence(*server.call("POST", f"{base}/advance", token=new_token()), 401, "belongs to nobody")
    one_sentence(*server.call("POST", f"{base}/advance", token=jo["token"]), 403, "only the instructor")
    one_sentence(*server.call("GET", f"{base}/export", token=jo["token"]), 403, "only the instructor")
    one_sentence(*server.call("POST", f"{base}/submit", {"decisions": [{"actor": "US", "action": "retract_threat"}]},
                              token=jo["token"]), 403, "you cannot decide for 'US'")
    one_sentence(*server.call("POST", f"{base}/submit", raw=b'{"decisions": [', token=jo["token"]), 400,
                 "not valid JSON")
    one_sentence(*server.call("POST", f"{base}/submit", raw=b"[" + b"1," * 20000 + b"1]", token=jo["token"]), 413,
                 "limit")
    one_sentence(*server.call("POST", f"{base}/submit", {"decisions": [{"action": "sell_treasuries", "amount_bn": "lots"}]},
                              token=jo["token"]), 400, "amount_bn must be a number")
    one_sentence(*server.call("POST", f"{base}/join", {"name": "Zed", "seat": "MX"}), 404, "not a seat open")
    one_sentence(*server.call("GET", "/api/class/rooms/QQQQQQ/state"), 404, "no room with code")
    one_sentence(*server.call("POST", f"{base}/explode", token=boss), 404, "no room action")
    one_sentence(*server.call("GET", f"{base}/submit", token=jo["token"]), 405, "takes POST")
    status, seen = server.call("GET", f"{base}/state?token={uma['token']}")
    assert status == 200 and seen["you"]["seat"] == "US" and "Ministry of Finance" not in json.dumps(seen)
    status, _ = server.call("POST", f"{base}/submit", {"decisions": [], "round": 1}, token=jo["token"])
    assert status == 200
    one_sentence(*server.call("POST", f"{base}/submit", {"decisions": [], "round": 0}, token=jo["token"]), 409,
                 "round 1 is open now")
    status, seen = server.call("GET", f"{base}/state", token=boss)
    assert seats_submitted(seen) == {"JP": True, "US": False, "FED": False, "BOJ": False}


@pytest.mark.slow
def test_http_joins_beyond_the_limit_answer_429(tmp_path):
    strict = Server(tmp_path / "class.sqlite3", env={"TRADEWAR_CLASS_JOINS_PER_ADDRESS": "3"})
    try:
        status, room = strict.call("POST", "/api/class/rooms", {"scenario": "kato-2025"})
        answers = [strict.call("POST", f"/api/class/rooms/{room['code']}/join", {"name": f"S{i}"}) for i in range(4)]
    finally:
        strict.stop()
    assert [status for status, _ in answers] == [201, 201, 201, 429]
    one_sentence(*answers[-1], 429, "too many join attempts from your address")


def seats_submitted(state):
    return {s["seat"]: s["submitted"] for s in state["seats"]}


@pytest.mark.slow
def test_http_debrief_routes_answer_the_instructor(server):
    import io
    import zipfile

    import pandas as pd

    status, room = server.call("POST", "/api/class/rooms", {"scenario": "kato-2025", "steps": 3, "start": True})
    base, boss = f"/api/class/rooms/{room['code']}", room["instructor_token"]
    _, jo = server.call("POST", f"{base}/join", {"name": "Jo", "seat": "JP"})
    for amount in (100, 50):
        assert server.call("POST", f"{base}/submit", {"decisions": [{"action": "sell_treasuries", "amount_bn": amount}]},
                           token=jo["token"])[0] == 200
    status, board = server.call("GET", f"{base}/scoreboard", token=boss)
    assert status == 200 and {r["seat"]: r["players"] for r in board["scoreboard"]}["JP"] == "Jo"
    status, then = server.call("GET", f"{base}/rounds/1", token=boss)
    assert status == 200 and then["month"] == 1 and len(then["model"]) == 2
    status, both = server.call("POST", f"{base}/branch", {"from_round": 1, "drop": ["JP"]}, token=boss)
    assert status == 200 and both["real"]["month"] == both["branch"]["month"] == 2
    assert both["real"]["model"][:1] == both["branch"]["model"][:1]
    assert both["real"]["model"][1]["us_10y"] != both["branch"]["model"][1]["us_10y"]
    status, payload = server.call("GET", f"{base}/export", token=boss)
    decisions = pd.read_csv(zipfile.ZipFile(io.BytesIO(payload)).open("decisions.csv"))
    assert status == 200 and list(decisions[decisions.seat == "JP"].amount_bn) == [100.0, 50.0]
    one_sentence(*server.call("GET", f"{base}/rounds/9", token=boss), 400, "round already played")
    one_sentence(*server.call("POST", f"{base}/branch", {"from_round": 1}, token=boss), 400, "at least one seat")
