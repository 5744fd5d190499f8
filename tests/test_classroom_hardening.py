"""A class of thirty, some of them mischievous: what people type stays text, one server owns its file,
the export cannot run formulas, nothing grows without bound, the server never reaches outside, links
open shipped scenarios only, codes cannot be enumerated, and odd input gets a 4xx sentence."""

from __future__ import annotations

import io
import json
import socket
import sqlite3
import subprocess
import sys
import time
import zipfile

import pandas as pd
import pytest

from classroom import ClassRegistry
from classroom import records as records_module
from classroom import room as room_module
from classroom.errors import RateLimited
from classroom.store import ARCHIVED, EventStore
from simulation.errors import UserError
from test_classroom_support import ROOT, FakeClock, Server
from ui.components.prose import plain, table_html, to_html

TRICKS = ["[Ann](javascript:alert(location.search))", "![i](http://192.0.2.1/x)", "Bob | submitted",
          "<img src=http://192.0.2.1/y>", "<http://192.0.2.1/z>", "[x][1]\n\n[1]: javascript:alert(1)"]


@pytest.fixture
def registry(tmp_path):
    reg = ClassRegistry(tmp_path / "class.sqlite3", clock=FakeClock(), ticker=False)
    yield reg
    reg.close()


# -- 1. typed text is text ----------------------------------------------------------------------------
@pytest.mark.parametrize("typed", TRICKS)
def test_typed_text_never_becomes_a_link_an_image_or_a_table_cell(typed):
    for shown in (to_html(typed), to_html(f"| Seat | People |\n|---|---|\n| JP | {plain(typed)} |"),
                  table_html(["Seat", "People"], [["JP", typed]])):
        assert "<a " not in shown and "<a>" not in shown and "<img" not in shown
    row = to_html(f"| Seat | People |\n|---|---|\n| JP | {plain(typed)} |")
    assert row.count("<td>") == 2                       # "Bob | submitted" stays in its own cell


def test_the_projects_own_markdown_still_formats():
    assert "<strong>bold</strong>" in to_html("**bold**") and "<table>" in to_html("| a |\n|---|\n| b |")


# -- 2. one server per file --------------------------------------------------------------------------
def test_a_second_registry_on_the_same_file_is_refused(registry, tmp_path):
    with pytest.raises(UserError, match="is in use by another server"):
        ClassRegistry(tmp_path / "class.sqlite3", ticker=False)
    registry.close()
    ClassRegistry(tmp_path / "class.sqlite3", ticker=False).close()   # free again once the first stops


def test_a_second_server_on_the_same_file_refuses_to_start_with_one_sentence(tmp_path):
    db = tmp_path / "class.sqlite3"
    first = Server(db)
    try:
        second = subprocess.run([sys.executable, str(ROOT / "run.py"), "play", "--port", str(_port()),
                                 "--class-db", str(db)], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert second.returncode != 0
        assert "is in use by another server" in second.stderr and "Traceback" not in second.stderr
        status, made = first.call("POST", "/api/class/rooms", {"scenario": "kato-2025", "steps": 2})
        assert status == 201
    finally:
        first.stop()


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- 3. no formulas in the export ---------------------------------------------------------------------
def test_the_csv_export_neutralises_formulas_and_the_parquet_keeps_the_text(registry):
    room, boss = registry.create("kato-2025", steps=2, start=True)
    _, _, token = registry.join(room.code, "=HYPERLINK(\"http://x\",\"y\")", seat="JP")
    room.shock(boss, {"actor": "CN", "action": "sell_treasuries", "amount_bn": 10, "headline": "+1 shock"})
    room.submit(token, [{"action": "sell_treasuries", "amount_bn": 10, "note": "@SUM(A1)"}])
    with zipfile.ZipFile(io.BytesIO(room.export(boss))) as archive:
        csv = archive.read("decisions.csv").decode()
        parquet = pd.read_parquet(io.BytesIO(archive.read("decisions.parquet")))
    cells = [cell for line in csv.splitlines() for cell in line.split(",")]
    assert not any(cell.lstrip('"').startswith(("=", "+", "@")) for cell in cells)
    assert "'=HYPERLINK" in csv and "'@SUM(A1)" in csv and "'+1 shock" in csv
    assert "=HYPERLINK(\"http://x\",\"y\")" in set(parquet["submitted_by"])


# -- 4. bounded growth ---------------------------------------------------------------------------------
def test_submissions_are_limited_per_student_and_the_last_one_stands(registry):
    room, _ = registry.create("kato-2025", steps=3, start=True)
    _, _, ann = registry.join(room.code, "Ann", seat="JP")
    registry.join(room.code, "Ben", seat="US")
    for amount in range(1, 13):
        room.submit(ann, [{"action": "sell_treasuries", "amount_bn": amount}])
    with pytest.raises(RateLimited, match="too often"):
        room.submit(ann, [{"action": "sell_treasuries", "amount_bn": 99}])
    assert room.state(ann)["you"]["submission"][0]["amount_bn"] == 12
    registry.clock.advance(61)
    room.submit(ann, [{"action": "sell_treasuries", "amount_bn": 13}])


def test_a_rooms_log_is_capped_but_the_instructor_can_still_finish(registry, monkeypatch):
    room, boss = registry.create("kato-2025", steps=2, start=True)
    _, _, ann = registry.join(room.code, "Ann", seat="JP")
    monkeypatch.setattr(records_module, "MAX_EVENTS", room._events)
    with pytest.raises(UserError, match="limit of .* logged events"):
        room.submit(ann, [])
    with pytest.raises(UserError, match="limit"):
        room.broadcast(boss, "hello")
    room.advance(boss)
    room.advance(boss)
    assert room.status == "finished" and room.export(boss)


def test_archived_rooms_stay_on_disk_and_come_back_with_their_game(tmp_path):
    clock = FakeClock()
    registry = ClassRegistry(tmp_path / "class.sqlite3", clock=clock, ticker=False)
    done, boss = registry.create("kato-2025", steps=1, start=True)
    _, _, ann = registry.join(done.code, "Ann", seat="JP")
    done.submit(ann, [{"action": "sell_treasuries", "amount_bn": 40}])   # the only seated seat: round resolves
    idle, _ = registry.create("kato-2025", steps=3)
    busy, _ = registry.create("kato-2025", steps=3)
    before = done.state(boss)
    clock.advance(25 * 3600)
    assert registry.archive_due() == [done.code]                # finished a day ago; the others not yet
    clock.advance(14 * 24 * 3600)
    assert set(registry.archive_due()) == {idle.code, busy.code}
    assert registry.rooms == {} and registry.store.index()[done.code]["state"] == ARCHIVED
    registry.close()

    again = ClassRegistry(tmp_path / "class.sqlite3", clock=clock, ticker=False)
    assert again.rooms == {}                                    # start-up replays no archived room
    back = again.get(done.code)                                 # the instructor's link brings it back
    assert back.state(boss)["markets"] == before["markets"] and back.state(ann)["you"]["name"] == "Ann"
    with zipfile.ZipFile(io.BytesIO(back.export(boss))) as archive:
        assert "sell_treasuries" in archive.read("decisions.csv").decode()
    assert again.store.index()[done.code]["state"] == "live" and again.archive_due() == []
    again.close()


def test_start_up_does_not_read_archived_rooms(tmp_path, monkeypatch):
    """2,000 archived rooms: the registry reads none of them at start-up (its time does not grow with
    the archive; ``benchmarks/classroom_load.py --archived 2000`` prints the time)."""
    db = tmp_path / "class.sqlite3"
    registry = ClassRegistry(db, ticker=False)
    live, _ = registry.create("kato-2025", steps=2)
    created = registry.store.events(live.code)[0]
    registry.close()
    with sqlite3.connect(db) as raw:
        for number in range(2000):
            code = f"ARC{number:04d}"
            raw.execute("INSERT INTO events (room, at, kind, data) VALUES (?, ?, ?, ?)",
                        (code, created.at, "created", json.dumps({**created.data, "code": code})))
            raw.execute("INSERT INTO rooms (code, state, last_at, events) VALUES (?, 'archived', ?, 1)",
                        (code, created.at))
    replayed = []
    original = room_module.Room.from_log.__func__
    monkeypatch.setattr(room_module.Room, "from_log",
                        classmethod(lambda cls, events, *a, **k: replayed.append(events[0].room)
                                    or original(cls, events, *a, **k)))
    again = ClassRegistry(db, ticker=False)
    assert replayed == [live.code] and list(again.rooms) == [live.code]
    assert again.get("ARC1234").code == "ARC1234" and replayed[-1] == "ARC1234"
    again.close()


# -- 8. damaged files: one sentence, nothing lost ----------------------------------------------------------
def test_a_damaged_row_sets_its_room_aside_and_the_others_load(tmp_path):
    db = tmp_path / "class.sqlite3"
    registry = ClassRegistry(db, ticker=False)
    broken, _ = registry.create("kato-2025", steps=2)
    fine, _ = registry.create("kato-2025", steps=2)
    registry.close()
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE events SET data = '{not json' WHERE room = ?", (broken.code,))
    again = ClassRegistry(db, ticker=False)
    assert list(again.rooms) == [fine.code]
    with pytest.raises(UserError, match=f"room {broken.code} cannot be opened: row 1 .* is damaged"):
        again.get(broken.code)
    again.close()


def test_an_empty_a_garbled_or_a_folder_file_is_refused_with_one_sentence(tmp_path):
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    with pytest.raises(UserError, match="is empty \\(0 bytes\\)"):
        EventStore(empty)
    assert empty.read_bytes() == b""                         # left as it was
    garbled = tmp_path / "garbled.sqlite3"
    garbled.write_bytes(b"this is not a database" * 400)
    with pytest.raises(UserError, match="cannot be used: file is not a database"):
        EventStore(garbled)
    with pytest.raises(UserError, match="is a folder"):
        EventStore(tmp_path)


def test_a_damaged_file_stops_the_server_with_one_sentence(tmp_path):
    db = tmp_path / "class.sqlite3"
    db.write_bytes(b"")
    started = subprocess.run([sys.executable, str(ROOT / "run.py"), "play", "--port", str(_port()),
                              "--class-db", str(db)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert started.returncode != 0 and "is empty (0 bytes)" in started.stderr
    assert "Traceback" not in started.stderr and len(started.stderr.strip().splitlines()) == 1


def test_a_write_that_fails_is_a_sentence_and_changes_nothing(registry):
    room, boss = registry.create("kato-2025", steps=2, start=True)
    before = room.state(boss)
    registry.store._db.execute("PRAGMA query_only = ON")        # as a read-only file or a full disk would
    with pytest.raises(UserError, match="could not be saved .*nothing was changed"):
        room.broadcast(boss, "hello")
    registry.store._db.execute("PRAGMA query_only = OFF")
    assert room.state(boss) == before


# -- 9. class data lives in the user's data folder ---------------------------------------------------------
def test_the_default_file_is_in_the_users_data_folder_and_printed_at_start(tmp_path):
    port = _port()
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    server = subprocess.Popen([sys.executable, str(ROOT / "run.py"), "play", "--port", str(port)], cwd=tmp_path,
                              env={**env, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        lines = [server.stdout.readline() for _ in range(3)]
    finally:
        server.terminate()
        server.wait(20)
    expected = tmp_path / "data" / "tradewar" / "class-games.sqlite3"
    assert any(f"Class games are kept in {expected}" in line for line in lines), lines
    assert "--host 0.0.0.0" in "".join(lines)
    assert expected.exists() and not list(tmp_path.glob("*.sqlite3"))


# -- 5, 6, 7, 8 over HTTP: a real server that writes down any attempt to leave the machine -------------
@pytest.fixture(scope="module")
def watched_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("outbound")
    log = folder / "outbound.log"
    log.write_text("")
    server = Server(folder / "class.sqlite3", launcher=(str(ROOT / "tests" / "support" / "no_outbound.py"), str(log)))
    yield server, log
    server.stop()


def test_no_request_path_makes_the_server_reach_outside(watched_server):
    server, log = watched_server
    paths = ["/_solara/cdn/vega@5.30.0/build/vega.min.js", "/_solara/cdn/katex@0.16.9/dist/katex.min.css",
             "/_solara/cdn/mermaid@10/dist/mermaid.min.js", "/_solara/cdn/https://example.com/x.js",
             "/_solara/cdn//cdn.jsdelivr.net/npm/x", "/static/x/../../etc/passwd",
             "/play?scenario=http://192.0.2.1/x.toml", "/class?new=http://192.0.2.1/x.toml",
             "/app-assets/plotly.min.js", "/", "/play", "/class"]
    statuses = {}
    for path in paths:
        statuses[path], _ = server.call("GET", path)
    assert statuses["/_solara/cdn/vega@5.30.0/build/vega.min.js"] == 404        # the proxy is off
    assert statuses["/app-assets/plotly.min.js"] == 200
    time.sleep(1.0)
    assert log.read_text() == "", f"the server tried to reach outside: {log.read_text()}"


def test_static_files_are_compressed_once_and_revalidated(watched_server):
    import urllib.request

    server, _ = watched_server
    answers = []
    for _ in range(3):
        request = urllib.request.Request(server.base + "/app-assets/plotly.min.js",
                                         headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            answers.append((answer.headers.get("Content-Encoding"), answer.headers.get("ETag"), answer.read()))
    assert {a[0] for a in answers} == {"gzip"} and len({a[1] for a in answers}) == 1
    assert len(answers[0][2]) < 2_000_000 and answers[0][2] == answers[2][2]
    request = urllib.request.Request(server.base + "/app-assets/plotly.min.js",
                                     headers={"If-None-Match": answers[0][1]})
    try:
        urllib.request.urlopen(request, timeout=30)
        raise AssertionError("expected 304")
    except urllib.error.HTTPError as error:
        assert error.code == 304


def test_room_codes_cannot_be_tried_one_after_another_even_with_a_forged_address(watched_server):
    server, _ = watched_server
    status, made = server.call("POST", "/api/class/rooms", {"scenario": "kato-2025", "steps": 2})
    assert status == 201
    statuses = []
    for number in range(40):
        request_headers = {"X-Forwarded-For": f"10.1.{number}.1"}
        statuses.append(_get(server, f"/api/class/rooms/QQQ{number:03d}/state", request_headers))
    assert statuses[:30] == [404] * 30 and set(statuses[30:]) == {429}
    assert _get(server, f"/api/class/rooms/{made['code']}/state", {"X-Forwarded-For": "10.9.9.9"}) == 429


def _get(server, path: str, headers: dict) -> int:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(urllib.request.Request(server.base + path, headers=headers), timeout=30) as a:
            return a.status
    except urllib.error.HTTPError as error:
        return error.code


ODD = [[], {}, "x", 5, -1, 10**400, -10**400, 1e308, None, True, 1.5, "", ["JP"], [[1]], {"JP": 1}]


def test_odd_input_gets_a_4xx_sentence_never_a_500(tmp_path):
    server = Server(tmp_path / "class.sqlite3")
    try:
        status, made = server.call("POST", "/api/class/rooms", {"scenario": "kato-2025", "steps": 3, "start": True})
        code, boss = made["code"], made["instructor_token"]
        _, joined = server.call("POST", f"/api/class/rooms/{code}/join", {"name": "Ann", "seat": "JP"})
        room = f"/api/class/rooms/{code}"
        calls = []
        for value in ODD:
            calls += [("POST", "/api/class/rooms", {"scenario": value}, None),
                      ("POST", "/api/class/rooms", {"scenario": "kato-2025", "seats": value}, None),
                      ("POST", "/api/class/rooms", {"scenario": "kato-2025", "seed": value}, None),
                      ("POST", f"{room}/submit", {"decisions": [{"action": "sell_treasuries", "amount_bn": value}]},
                       joined["token"]),
                      ("POST", f"{room}/submit", {"decisions": [{"action": "set_policy_rate", "rate_pct": value}]},
                       joined["token"]),
                      ("POST", f"{room}/extend", {"seconds": value}, boss),
                      ("POST", f"{room}/shock", {"actor": "CN", "action": "sell_treasuries", "amount_bn": value,
                                                 "headline": "h"}, boss),
                      ("POST", f"{room}/branch", {"from_round": 1, "replace": {"JP": [{"action": "sell_treasuries",
                                                                                       "amount_bn": value}]}}, boss)]
        calls += [("GET", f"{room}/rounds/%C2%B2", None, boss), ("GET", f"{room}/rounds/{'9' * 400}", None, boss)]
        for seats in (5, -1, [[1]], {"JP": 1}):        # each was a 500 before
            assert server.call("POST", "/api/class/rooms", {"scenario": "kato-2025", "seats": seats})[0] == 400
        for raw in (b"NaN", b'{"decisions": [{"action": "sell_treasuries", "amount_bn": 1e999}]}', b"\xff"):
            assert server.call("POST", f"{room}/submit", raw=raw, token=joined["token"])[0] == 400
        server.call("POST", f"{room}/advance", token=boss)
        failures = []
        for method, path, body, token in calls:
            status, answer = server.call(method, path, body, token=token)
            if status >= 500 or (status >= 400 and "error" not in answer):
                failures.append((path, body, status))
        assert failures == []
        _aborted_upload(server.port, f"{room}/submit")
        time.sleep(0.5)
    finally:
        server.stop()
    assert "Traceback" not in server.errors


def _aborted_upload(port: int, path: str) -> None:
    """A client that promises 10 kB and hangs up after 100 bytes."""
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           "Content-Length: 10000\r\n\r\n".encode() + b"{" * 100)


# -- the debrief's export ---------------------------------------------------------------------------------
def test_the_export_labels_instructor_news_and_carries_each_seats_score_by_round(registry):
    room, boss = registry.create("kato-2025", steps=3, start=True)
    registry.join(room.code, "Ann", seat="JP")
    room.shock(boss, {"actor": "CN", "action": "sell_treasuries", "amount_bn": 10, "headline": "Beijing sells"})
    room.advance(boss)
    room.advance(boss)
    with zipfile.ZipFile(io.BytesIO(room.export(boss))) as archive:
        decisions = pd.read_csv(archive.open("decisions.csv"))
        scores = pd.read_csv(archive.open("scores.csv"))
    news = decisions[decisions.actor == "CN"]
    assert list(news.origin) == ["instructor"] and list(news.submitted_by) == ["instructor"]
    assert len(scores) == 2 * len(room.seats) and set(scores["round"]) == {1, 2}
    assert list(scores.columns)[:5] == ["round", "seat", "kind", "players", "score"]
    assert {"output", "inflation", "jobs", "wealth"} <= set(scores.columns)
    last = scores[scores["round"] == 2].set_index("seat")
    for seat in room.seats:
        assert last.loc[seat, "score"] == pytest.approx(room.session.score(seat))
    assert last.loc["JP", "players"] == "Ann"


def test_a_new_room_may_open_any_economy_or_central_bank_and_set_its_rounds(registry):
    from scenarios import load_scenario
    from ui.pages.classroom import openable_seats

    seats = openable_seats(load_scenario("kato-2025"))
    assert seats[:4] == list(load_scenario("kato-2025").playable) and "CN" in seats and "ROW" not in seats
    room, _ = registry.create("kato-2025", seats=("JP", "CN", "ECB"), steps=5)
    assert room.seats == ("JP", "CN", "ECB") and room.state()["rounds"] == 5


# -- 6. links open shipped scenarios (or files named at start) only ---------------------------------------
def test_links_open_shipped_scenarios_or_files_named_at_start_and_nothing_else(tmp_path, monkeypatch):
    from scenarios import linkable
    from ui.pages.classroom import _scenario
    from ui.state import parse_link

    own = tmp_path / "mine.toml"
    own.write_text((ROOT / "scenarios" / "kato-2025.toml").read_text().replace('id = "kato-2025"', 'id = "mine"'))
    for link in ("?scenario=/etc/passwd", f"?scenario={own}", "?scenario=../scenarios/kato-2025.toml",
                 f"?scenario={own}&seed=1&steps=3&v=0&d="):
        with pytest.raises(UserError, match="a link can open only a shipped scenario"):
            parse_link(link)
    loaded, problem = _scenario(str(own))                     # /class?new=<path>
    assert loaded is None and "a link can open only a shipped scenario" in problem
    assert parse_link("?scenario=kato-2025")[0].saved.scenario == "kato-2025"
    monkeypatch.setenv("TRADEWAR_LINK_SCENARIOS", str(own))   # run.py play --scenario mine.toml
    assert linkable(str(own)) == str(own) and _scenario(str(own))[0].id == "mine"
    with pytest.raises(UserError):
        linkable("/etc/passwd")
