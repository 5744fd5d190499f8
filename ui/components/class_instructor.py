"""The instructor's page of a class game: links, the seat monitor, the round controls, breaking news,
people and seats, the shared world, and the debrief (replay, what-if branch, scoreboard, export).

Every control calls a ``Room`` method with the instructor token from the address bar; the room checks
the token, logs the action and applies it, so the page itself holds nothing a restart would lose.
"""

from __future__ import annotations

import solara

from classroom.links import instructor_link, join_link, projector_link
from classroom.negotiation import pending_offers
from simulation.decisions import ACTIONS
from ui.components.debrief_questions import DebriefQuestions
from ui.components.negotiation_panel import AllOffers
from simulation.errors import UserError
from simulation.policy import actor_name
from simulation.world import CENTRAL_BANKS, ECONOMIES
from ui.components.class_common import (Broadcasts, MoveFields, RoundTimer, attempt, move_of, move_words,
                                        new_move, open_room, server_origin, use_room_value)
from ui.components.class_world import ClassWorld
from ui.components.prose import Prose, Table, plain

ACTORS = [*ECONOMIES, *CENTRAL_BANKS]


@solara.component
def InstructorPage(code: str, token: str):
    """Opens the room and checks the token before showing anything of the instructor's view."""
    room, problem = solara.use_memo(lambda: open_room(code), dependencies=[code])
    if room is None:
        solara.Error(f"{problem[:1].upper()}{problem[1:]}.", classes=["class-error"])
        return
    try:
        allowed = room.identify(token) == "instructor"
    except UserError as refused:     # a wrong or removed token: one sentence, never a traceback
        solara.Error(f"{str(refused)[:1].upper()}{str(refused)[1:]}.", classes=["class-error"])
        return
    if not allowed:
        solara.Error(f"Room {room.code}: this is a student's link, not the instructor's.", classes=["class-error"])
        return
    InstructorView(room, token)


@solara.component
def InstructorView(room, token: str):
    """Redrawn whenever the room changes: joins, submissions, rounds, messages."""
    version = use_room_value(room, lambda: room.version)
    state = room.state(token)
    solara.Title(f"Instructor — class game {room.code}")
    Prose(f"## {plain(state['title'])} — instructor\nRoom **{room.code}** · round **{state['round']} of "
          f"{state['rounds']}** · {state['status']}", classes=["class-heading"])
    Links(room.code, token)
    with solara.Columns([5, 7]):
        with solara.Column():
            RoundControls(room, token, state, version)
            Monitor(room, token, state)
        with solara.Column():
            BreakingNews(room, token)
            PendingNews(state["instructor"]["pending_shocks"])
            Broadcasts(tuple(room.messages()))
            AllOffers(list(room.view().model.offers), pending_offers(room), room.view().model.standings)
    ClassWorld(room.view())
    Debrief(room, token, state["month"], version)


@solara.component
def Links(code: str, token: str):
    """The three ways in, with the server's address so they can be copied and sent as they are."""
    origin = server_origin()
    with solara.Card("Links", margin=0, classes=["class-links"]):
        solara.Text(f"Join code: {code}", classes=["join-code"],
                    style={"font-size": "2.2em", "font-weight": "bold", "letter-spacing": "0.12em"})
        with solara.Column(gap="4px"):
            solara.Text("Students open this link (or the Class page) and type the code:")
            solara.Text(origin + join_link(code), classes=["student-link"], style={"font-family": "monospace"})
            solara.Button("Open the projector view (code and student link only)", text=True,
                          classes=["projector-button"], href=projector_link(code), target="_blank")
            solara.Text("Your instructor link — keep it private (do not project it): anyone with it can run "
                        "this game. Bookmark it to come back.", style={"font-weight": "bold"})
            solara.Text(origin + instructor_link(code, token), classes=["instructor-link"],
                        style={"font-family": "monospace", "word-break": "break-all"})


@solara.component
def RoundControls(room, token: str, state: dict, version: int):
    """Start, pause / resume, end the round now, more time, and a message to every screen."""
    error, set_error = solara.use_state("")
    seconds, set_seconds = solara.use_state(60)
    message, set_message = solara.use_state("")
    status = state["status"]

    def send() -> None:
        room.broadcast(token, message)
        set_message("")

    with solara.Card("Rounds", margin=0, classes=["round-controls"]):
        RoundTimer(room, version)
        with solara.Row():
            if status == "lobby":
                solara.Button("Start the game", color="primary", classes=["start-game"],
                              on_click=lambda: attempt(set_error, lambda: room.start(token)))
            elif state["paused"]:
                solara.Button("Resume", color="primary", classes=["resume-game"],
                              on_click=lambda: attempt(set_error, lambda: room.resume(token)))
            else:
                solara.Button("Pause", classes=["pause-game"], disabled=status != "playing",
                              on_click=lambda: attempt(set_error, lambda: room.pause(token)))
            solara.Button("End the round now", classes=["advance-round"], disabled=status != "playing",
                          on_click=lambda: attempt(set_error, lambda: room.advance(token)))
        with solara.Row():
            solara.InputInt("Extra seconds", value=seconds, on_value=set_seconds, continuous_update=True)
            solara.Button("Extend the timer", outlined=True, disabled=status != "playing",
                          on_click=lambda: attempt(set_error, lambda: room.extend(token, seconds)))
        with solara.Row():
            solara.InputText("Message to everyone", value=message, on_value=set_message, continuous_update=True)
            solara.Button("Broadcast", outlined=True, classes=["broadcast-button"],
                          on_click=lambda: attempt(set_error, send))
        if error:
            solara.Error(error, classes=["control-error"])


@solara.component
def Monitor(room, token: str, state: dict):
    """Who sits where, who has submitted this round and what; move, remove (after a confirmation) or
    empty a seat. Compact at thirty: one row per seat, the people's controls folded away."""
    mine = state["instructor"]
    error, set_error = solara.use_state("")
    labels = person_labels(mine["people"])
    by_seat: dict[str, list[str]] = {}
    for person in mine["people"]:
        if person["seat"]:
            by_seat.setdefault(person["seat"], []).append(labels[person["id"]])
    rows = []
    for seat in state["seats"]:
        name = seat["seat"]
        submission = mine["submissions"].get(name)
        done = "submitted" if seat["submitted"] else ("waiting" if seat["players"] else "—")
        moves = "" if submission is None else (", ".join(move_words(d) for d in submission["decisions"])
                                               or "no new moves") + f" (by {submission['by']})"
        rows.append([f"{name} ({actor_name(name)})", ", ".join(by_seat.get(name, [])) or "computer rules",
                     done, moves])
    with solara.Card("Seats", margin=0, classes=["seat-monitor"]):
        Table(["Seat", "People", f"Round {state['round']}", "Submitted moves"], rows, classes=["monitor-table"])
        if state["waiting"]:
            waiting = [labels[p["id"]] for p in mine["people"] if p["seat"] is None]
            solara.Text(f"Waiting for a seat: {', '.join(waiting)}.", classes=["monitor-waiting"])
        with solara.Details(f"People and seats ({len(mine['people'])}): move, remove, empty a seat",
                            expand=False):
            for person in mine["people"]:
                PersonRow(room, token, person, labels[person["id"]], set_error)
            with solara.Row(style={"flex-wrap": "wrap"}):
                for seat in state["seats"]:
                    if seat["players"]:
                        solara.Button(f"Vacate {seat['seat']}", text=True, small=True,
                                      on_click=lambda s=seat["seat"]: attempt(set_error, lambda: room.vacate(token, s)))
        if error:
            solara.Error(error, classes=["monitor-error"])


def person_labels(people: list[dict]) -> dict[str, str]:
    """How the monitor names each person: their name, with their id when someone else has the same name."""
    counts: dict[str, int] = {}
    for person in people:
        counts[person["name"].casefold()] = counts.get(person["name"].casefold(), 0) + 1
    return {p["id"]: p["name"] if counts[p["name"].casefold()] == 1 else f"{p['name']} ({p['id']})"
            for p in people}


@solara.component
def PersonRow(room, token: str, person: dict, label: str, set_error):
    """One person: move them to a seat, or remove them once the instructor has confirmed it."""
    seat, set_seat = solara.use_state(person["seat"] or room.seats[0])
    confirming, set_confirming = solara.use_state(False)

    def remove() -> None:
        set_confirming(False)
        attempt(set_error, lambda: room.remove(token, person["id"]))

    with solara.Row(classes=["person-row"], style={"flex-wrap": "wrap", "align-items": "center"}):
        solara.Text(f"{label} ({person['seat'] or 'no seat'})", style={"min-width": "12em"})
        solara.Select(f"Seat for {label}", values=list(room.seats), value=seat, on_value=set_seat, dense=True)
        solara.Button("Move", text=True, small=True,
                      on_click=lambda: attempt(set_error, lambda: room.assign(token, person["id"], seat)))
        if not confirming:
            solara.Button("Remove", text=True, small=True, color="error", classes=["remove-person"],
                          on_click=lambda: set_confirming(True))
        else:
            solara.Text(f"Remove {label}? Their link stops working.", classes=["confirm-remove"])
            solara.Button("Yes, remove", small=True, color="error", classes=["confirm-remove-yes"], on_click=remove)
            solara.Button("Cancel", text=True, small=True, on_click=lambda: set_confirming(False))


@solara.component
def BreakingNews(room, token: str):
    """A scripted shock for this round: any actor, any action, with the headline every screen will show."""
    actor, set_actor = solara.use_state("CN")
    move, set_move = solara.use_state(new_move("sell_treasuries", rate_pct=25.0))
    headline, set_headline = solara.use_state("")
    error, set_error = solara.use_state("")

    def inject() -> None:
        room.shock(token, {"actor": actor, **move_of(move), "headline": headline})
        set_headline("")

    with solara.Card("Breaking news", margin=0, classes=["breaking-news"]):
        solara.Select("News actor", values=ACTORS, value=actor, on_value=set_actor)
        MoveFields("News", list(ACTIONS), move, set_move)
        solara.InputText("Headline", value=headline, on_value=set_headline, continuous_update=True)
        solara.Button("Add breaking news to this round", outlined=True, classes=["add-news"],
                      on_click=lambda: attempt(set_error, inject))
        if error:
            solara.Error(error, classes=["news-error"])


@solara.component
def PendingNews(pending: list[dict]):
    """The breaking news waiting for this round's end."""
    for news in pending:
        solara.Text(f"This round: {news.get('note') or news['action']} ({news['actor']} {news['action']})",
                    classes=["pending-news"])


@solara.component
def Debrief(room, token: str, played: int, version: int):
    """The scenario's debrief questions beside the scoreboard, then the export, replay and branch."""
    from ui.components.class_debrief import BranchView, ExportButton, MostExposed, ReplayView, Scoreboard

    with solara.Card("Debrief", margin=0, classes=["debrief"]):
        with solara.Columns([7, 5]):
            with solara.Column():
                if played == 0:
                    solara.Text("Replays, what-if branches and the scoreboard open once a round has been played.")
                else:
                    Scoreboard(room, token, version)
                    MostExposed(room, version)
            DebriefQuestions(room.loaded.debrief)
        ExportButton(room, token)
        if played:
            ReplayView(room, token, played)
            BranchView(room, token, played)
