"""The class game in-process: a whole game with teams, timers, pauses, shocks and seat changes, whose
model equals the batch run of its log; the log replays to the same room; debrief and export."""

from __future__ import annotations

import io
import sqlite3
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from classroom import ClassRegistry
from classroom.errors import NotFound
from classroom.room import FINISHED, LOBBY, PLAYING, Room
from simulation.errors import UserError
from simulation.runner import run
from test_classroom_support import FakeClock

SCENARIO, SEED, ROUNDS = "liberation-day-2025", 4, 5


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def registry(tmp_path, clock):
    reg = ClassRegistry(tmp_path / "class.sqlite3", clock=clock, ticker=False)
    yield reg
    reg.close()


def seats_of(state):
    return {s["seat"]: s for s in state["seats"]}


def play_whole_game(registry, clock):
    """A five-round game touching every feature; returns the room, tokens and a few observations."""
    room, boss = registry.create(SCENARIO, seed=SEED, steps=ROUNDS, round_seconds=60)
    code, seen = room.code, {}
    _, _, ann = registry.join(code, "Ann", seat="US")
    _, _, ben = registry.join(code, "Ben", seat="JP")
    _, _, cat = registry.join(code, "Cat", seat="FED")
    _, dan_seat, dan = registry.join(code, "Dan", seat="JP")
    assert room.status == LOBBY and dan_seat == "JP"
    with pytest.raises(UserError, match="has not started"):
        room.submit(ann, [])
    room.start(boss)

    # Round 1: a team member's later submission replaces the earlier one; a shock with a headline.
    room.submit(ben, [{"action": "threaten_sale", "amount_bn": 300}])
    room.submit(dan, [{"action": "sell_treasuries", "amount_bn": 50}])
    room.shock(boss, {"actor": "CN", "action": "sell_treasuries", "amount_bn": 120,
                      "headline": "Beijing quietly sells Treasuries"})
    room.submit(ann, [{"action": "set_tariff", "target": "JP", "rate_pct": 30}])
    assert room.round == 1, "FED has a player who has not submitted yet"
    seen["round1_jp"] = room.state(ben)["you"]["submission"]
    room.submit(cat, [{"action": "set_policy_rate", "rate_pct": 4.0}])
    assert room.round == 2
    seen["headlines"] = [h["headline"] for h in room.state()["headlines"]]

    # Round 2: broadcast, pause (clock frozen), resume, extend, then the timer runs out.
    room.broadcast(boss, "Ten minutes to the deal deadline")
    room.submit(ann, [])
    room.pause(boss)
    clock.advance(1000)
    assert registry.tick_all() == 0 and room.state()["seconds_left"] == 60
    room.resume(boss)
    room.extend(boss, 30)
    clock.advance(60)
    assert registry.tick_all() == 0 and room.state()["seconds_left"] == 30
    clock.advance(31)
    assert registry.tick_all() == 1 and room.round == 3
    seen["broadcasts"] = [b["message"] for b in room.state()["broadcasts"]]

    # Round 3: Cat moves to EA, Ben is removed; EA's player holds the round until the instructor advances.
    cat_id, ben_id = room.state(cat)["you"]["id"], room.state(ben)["you"]["id"]
    room.assign(boss, cat_id, "EA")
    room.remove(boss, ben_id)
    room.submit(ann, [{"action": "set_tariff", "target": "CN", "rate_pct": 60}])
    room.submit(dan, [{"action": "sell_treasuries", "amount_bn": 80}])
    assert room.round == 3 and seats_of(room.state())["EA"]["submitted"] is False
    room.advance(boss)
    assert room.round == 4

    # Round 4: the model refuses JP's impossible sale; the month plays without it.
    room.submit(dan, [{"action": "sell_treasuries", "amount_bn": 99_999}])
    room.submit(ann, [])
    room.submit(cat, [])
    seen["refused"] = room.state(dan)["you"]["refused"]

    # Round 5: the last; the seat vacated keeps its policies.
    room.vacate(boss, "EA")
    room.submit(dan, [])
    room.submit(ann, [{"action": "propose_deal", "target": "JP", "rate_pct": 15}])
    return room, boss, {"ann": ann, "ben": ben, "cat": cat, "dan": dan}, seen


def test_a_whole_class_game_plays_every_feature_and_equals_the_batch_run_of_its_log(registry, clock):
    room, boss, tokens, seen = play_whole_game(registry, clock)
    assert room.status == FINISHED and room.session.month == ROUNDS
    assert seen["round1_jp"] == [{"actor": "JP", "action": "sell_treasuries", "amount_bn": 50.0}]
    assert "Beijing quietly sells Treasuries" in seen["headlines"]
    assert seen["broadcasts"] == ["Ten minutes to the deal deadline"]
    assert "cannot sell 99,999.0bn" in seen["refused"]
    applied = [(d.step, d.actor, d.action) for d in room.log()]
    assert (1, "JP", "threaten_sale") not in applied and (1, "JP", "sell_treasuries") in applied
    assert (1, "CN", "sell_treasuries") in applied and (4, "JP", "sell_treasuries") not in applied
    assert [r["reason"] for r in room.history] == ["all submitted", "timer", "instructor", "all submitted",
                                                   "all submitted"]
    batch = run(SCENARIO, steps=ROUNDS, seed=SEED, decisions=room.log(), seats=room.seats)
    pd.testing.assert_frame_equal(room.result().model, batch.model)
    pd.testing.assert_frame_equal(room.result().economies, batch.economies)


def test_the_log_rebuilds_the_same_room_in_a_new_registry(registry, clock, tmp_path):
    room, boss, tokens, _ = play_whole_game(registry, clock)
    registry.close()                         # a restart: one server at a time holds the file
    again = ClassRegistry(tmp_path / "class.sqlite3", clock=clock, ticker=False)
    copy = again.get(room.code)
    assert copy.version == room.version and copy.state(boss) == room.state(boss)
    for token in tokens.values():
        if token != tokens["ben"]:
            assert copy.state(token) == room.state(token)
    pd.testing.assert_frame_equal(copy.result().trade, room.result().trade)
    again.close()


def test_a_half_played_round_comes_back_with_its_submission_and_timer(registry, clock):
    room, boss = registry.create("kato-2025", steps=4, round_seconds=90, start=True)
    _, _, ann = registry.join(room.code, "Ann", seat="JP")
    registry.join(room.code, "Ben", seat="US")
    room.submit(ann, [{"action": "threaten_sale", "amount_bn": 200}])
    clock.advance(20)
    room.pause(boss)
    copy = Room.from_log(registry.store.events(room.code), clock=clock)
    clock.advance(500)
    assert copy.state(ann) == room.state(ann)
    assert copy.state(ann)["seconds_left"] == 70 and copy.state(ann)["you"]["submission"]
    with pytest.raises(UserError, match="read-only"):
        copy.resume(boss)


def test_new_students_fill_the_emptiest_seat_and_vacant_seats_never_block(registry, clock):
    room, boss = registry.create("kato-2025", steps=3, round_seconds=60)
    assert [registry.join(room.code, f"S{i}")[1] for i in range(6)] == ["JP", "US", "FED", "BOJ", "JP", "US"]
    empty, empty_boss = registry.create("kato-2025", steps=3, round_seconds=60, start=True)
    assert registry.tick_all() == 0 and empty.round == 1, "a room with nobody in it waits for its timer"
    clock.advance(61)
    assert registry.tick_all() == 1 and empty.round == 2 and empty.status == PLAYING


def test_the_timer_finishes_a_round_whose_deadline_passed_while_the_server_was_down(registry, clock, tmp_path):
    room, boss = registry.create("kato-2025", steps=3, round_seconds=60, start=True)
    registry.join(room.code, "Ann")
    clock.advance(3600)
    registry.close()
    later = ClassRegistry(tmp_path / "class.sqlite3", clock=clock, ticker=False)
    assert later.get(room.code).round == 1 and later.tick_all() == 1 and later.get(room.code).round == 2
    later.close()


def test_bad_requests_get_one_sentence(registry, clock):
    room, boss = registry.create("kato-2025", steps=3, round_seconds=60, start=True)
    _, _, ann = registry.join(room.code, "Ann", seat="JP")
    with pytest.raises(UserError, match="amount_bn must be a positive number"):
        room.submit(ann, [{"action": "sell_treasuries", "amount_bn": -5}])
    with pytest.raises(UserError, match="is for central banks"):
        room.submit(ann, [{"action": "set_policy_rate", "rate_pct": 1}])
    with pytest.raises(UserError, match="must be a list"):
        room.submit(ann, {"action": "retract_threat"})
    with pytest.raises(NotFound, match="not a seat open to people"):
        registry.join(room.code, "Zed", seat="MX")
    with pytest.raises(NotFound, match="no room with code"):
        registry.get("NOSUCH")
    with pytest.raises(UserError, match="name must be 1 to 40"):
        registry.join(room.code, "   ")
    with pytest.raises(UserError, match="round_seconds must be a whole number"):
        registry.create("kato-2025", round_seconds=0)
    with pytest.raises(UserError, match="unknown scenario"):
        registry.create("no-such-scenario")
    with pytest.raises(UserError, match="headline must be 1 to 200"):
        room.shock(boss, {"actor": "CN", "action": "sell_treasuries", "amount_bn": 10})
    assert registry.get(" " + room.code.lower()) is room


# -- debrief --------------------------------------------------------------------------------------
@pytest.fixture
def finished(registry, clock):
    return play_whole_game(registry, clock)


def test_any_round_replays_as_the_game_stood_then(finished):
    room, boss, _, _ = finished
    for k in (0, 2, ROUNDS):
        then = room.at_round(boss, k)
        assert then.month == k
        pd.testing.assert_frame_equal(then.result.model, room.result().model.iloc[:k + 1])
    with pytest.raises(UserError, match="round already played"):
        room.at_round(boss, ROUNDS + 1)


def test_a_branch_drops_a_seats_decisions_from_a_round_on(finished):
    room, boss, _, _ = finished
    branch = room.branch(boss, 3, drop=("JP",))
    kept = [d for d in room.log() if not (d.actor == "JP" and d.step >= 3)]
    assert branch.log == kept and branch.month == room.session.month
    expected = run(SCENARIO, steps=ROUNDS, seed=SEED, decisions=kept, seats=room.seats)
    pd.testing.assert_frame_equal(branch.result.model, expected.model)
    early = room.result().model.iloc[:3]
    pd.testing.assert_frame_equal(branch.result.model.iloc[:3], early)
    assert branch.result.model.us_10y.iloc[3] != room.result().model.us_10y.iloc[3]


def test_a_branch_replaces_a_seats_decisions(finished):
    room, boss, _, _ = finished
    branch = room.branch(boss, 2, replace={"US": [{"action": "set_tariff", "target": "JP", "rate_pct": 5},
                                                  {"step": 4, "action": "set_tariff", "target": "EA", "rate_pct": 40}]})
    us = [(d.step, d.action) for d in branch.log if d.actor == "US"]
    assert us == [(1, "set_tariff"), (2, "set_tariff"), (4, "set_tariff")]
    assert branch.result.model.world_tariff_pct.iloc[2] < room.result().model.world_tariff_pct.iloc[2]
    with pytest.raises(UserError, match="branch from round 2 cannot be played: .*cannot threaten to sell"):
        room.branch(boss, 2, replace={"US": [{"step": 4, "action": "threaten_sale", "amount_bn": 50}]})
    with pytest.raises(UserError, match="not a seat played by people"):
        room.branch(boss, 2, drop=("MX",))
    with pytest.raises(UserError, match="US's own decision"):
        room.branch(boss, 2, replace={"US": [{"actor": "JP", "action": "retract_threat"}]})


def test_the_scoreboard_lists_every_seat_with_who_played_it_and_the_score_parts(finished):
    room, boss, _, _ = finished
    board = room.scoreboard(boss)
    # A government's parts include tariff revenue; a central bank's (when a bank has a seat) its currency.
    assert list(board.columns)[:4] == ["seat", "kind", "players", "score"]
    assert {"output", "inflation", "jobs", "wealth", "revenue"} <= set(board.columns) <= {
        "seat", "kind", "players", "score", "output", "inflation", "jobs", "wealth", "revenue", "currency"}
    assert set(board.seat) == set(room.seats) and board.score.is_monotonic_decreasing
    row = board.set_index("seat").loc["JP"]
    assert row.players == "Ben, Dan" and row.score == pytest.approx(room.session.score("JP"))
    assert board.set_index("seat").loc["EA"].players == "Cat"
    assert board.set_index("seat").loc["KR"].players == ""


def test_the_export_holds_every_decision_and_outcome_in_csv_and_parquet_that_agree(finished):
    room, boss, _, _ = finished
    archive = zipfile.ZipFile(io.BytesIO(room.export(boss)))
    assert sorted(archive.namelist()) == ["decisions.csv", "decisions.parquet", "offers.csv", "offers.parquet",
                                          "outcomes.csv", "outcomes.parquet", "scores.csv", "scores.parquet"]
    for name in ("decisions", "outcomes", "scores", "offers"):
        from_csv = pd.read_csv(archive.open(f"{name}.csv"))
        from_parquet = pd.read_parquet(io.BytesIO(archive.read(f"{name}.parquet")))
        pd.testing.assert_frame_equal(from_csv.fillna(""), from_parquet.fillna(""), check_dtype=False)
    decisions = pd.read_parquet(io.BytesIO(archive.read("decisions.parquet")))
    refused = decisions[decisions.refused != ""]
    assert list(zip(refused["round"], refused.seat, refused.submitted_by)) == [(4, "JP", "Dan")]
    shock = decisions[decisions.origin == "instructor"].iloc[0]   # breaking news is labelled as the instructor's
    assert (shock.seat, shock.submitted_by, shock.note) == ("CN", "instructor", "Beijing quietly sells Treasuries")
    defaults = decisions[decisions.origin == "default"]
    assert ("KR", 1) in set(zip(defaults.seat, defaults["round"])) and ("JP", 2) in set(zip(defaults.seat, defaults["round"]))
    offers = pd.read_parquet(io.BytesIO(archive.read("offers.parquet")))   # the US offer of the last round
    assert offers[["proposer", "target", "rate_pct", "status", "made_step"]].values.tolist() == [
        ["US", "JP", 15.0, "open", ROUNDS]]
    outcomes = pd.read_parquet(io.BytesIO(archive.read("outcomes.parquet")))
    assert len(outcomes) == ROUNDS + 1
    economies = room.result().economies
    jp = economies[economies.economy == "JP"].score.to_numpy()
    assert outcomes.score_JP.to_numpy() == pytest.approx(jp)


def test_the_ticker_thread_closes_rounds_nobody_is_watching(tmp_path, clock):
    registry = ClassRegistry(tmp_path / "ticking.sqlite3", clock=clock)
    room, boss = registry.create("kato-2025", steps=3, round_seconds=60, start=True)
    clock.advance(61)
    waited = 0.0
    while room.round == 1 and waited < 10:
        time.sleep(0.05)
        waited += 0.05
    registry.close()
    assert room.round == 2 and room.history[0]["reason"] == "timer"


def test_a_failed_write_changes_nothing(registry, clock, monkeypatch):
    room, boss = registry.create("kato-2025", steps=3, round_seconds=60, start=True)
    _, _, ann = registry.join(room.code, "Ann", seat="JP")
    registry.join(room.code, "Ben", seat="US")
    room.submit(ann, [{"action": "threaten_sale", "amount_bn": 100}])
    before = room.state(boss)

    def disk_full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(registry.store, "append", disk_full)
    with pytest.raises(sqlite3.OperationalError):
        room.advance(boss)
    assert room.state(boss) == before and room.session.month == 0 and room.session.log == []


def test_a_room_whose_scenario_file_changed_is_set_aside_and_the_others_come_back(registry, clock, tmp_path):
    own = tmp_path / "my-scenario.toml"
    shipped = Path(__file__).resolve().parents[1] / "scenarios" / "kato-2025.toml"
    own.write_text(shipped.read_text().replace('id = "kato-2025"', 'id = "my-scenario"'))
    mine, _ = registry.create(str(own), steps=3)
    theirs, _ = registry.create("kato-2025", steps=3)
    own.write_text(own.read_text().replace("steps = 24", "steps = 12"))
    registry.close()
    later = ClassRegistry(tmp_path / "class.sqlite3", clock=clock, ticker=False)
    with pytest.raises(UserError, match=f"room {mine.code} cannot be opened: .*has changed since the room was created"):
        later.get(mine.code)
    assert later.get(theirs.code).state() == theirs.state()
    later.close()
