"""The instructor's page of a class game: links, the seat monitor, the round controls, breaking news,
people and seats, the shared world, and the debrief (replay, what-if branch, scoreboard, export).

Every control calls a ``Room`` method with the instructor token from the address bar; the room checks
the token, logs the action and applies it, so the page itself holds nothing a restart would lose.
"""

from __future__ import annotations

import solara

from classroom.links import instructor_link, join_link
from classroom.negotiation import pending_offers
from simulation.decisions import ACTIONS
from ui.components.debrief_questions import DebriefQuestions
from ui.components.negotiation_panel import AllOffers
from simulation.errors import UserError
from simulation.policy import actor_name
from simulation.world import CENTRAL_BANKS, ECONOMIES
from ui.components.class_common import (Broadcasts, ClassWorld, MoveFields, RoundTimer, attempt, move_of, new_move,
                                        server_origin, use_room_value)
from ui.components.prose import Prose

ACTORS = [*ECONOMIES, *CENTRAL_BANKS]


@solara.component
def InstructorPage(code: str, token: str):
    """Opens the room and checks the token before showing anything of the instructor's view."""
    from ui.pages.classroom import open_room

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
    Prose(f"## {state['title']} — instructor\nRoom **{room.code}** · round **{state['round']} of "
          f"{state['rounds']}** · {state['status']}", classes=["class-heading"])
    Links(room.code, token)
    with solara.Columns([5, 7]):
        with solara.Column():
            RoundControls(room, token, state, version)
            Monitor(room, token, state)
        with solara.Column():
            BreakingNews(room, token)
            PendingNews(state["instructor"]["pending_shocks"])
            Broadcasts(room, version)
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
    """Who sits where and who has submitted this round; move, remove, or empty a seat."""
    mine = state["instructor"]
    error, set_error = solara.use_state("")
    rows = ["| Seat | Players | Round " + str(state["round"]) + " |", "|---|---|---|"]
    for seat in state["seats"]:
        players = ", ".join(seat["players"]) or "*computer rules*"
        done = "submitted" if seat["submitted"] else ("waiting" if seat["players"] else "—")
        rows.append(f"| {seat['seat']} ({actor_name(seat['seat'])}) | {players} | {done} |")
    with solara.Card("Seats", margin=0, classes=["seat-monitor"]):
        Prose("\n".join(rows), classes=["monitor-table"])
        if state["waiting"]:
            solara.Text(f"Waiting for a seat: {', '.join(state['waiting'])}.", classes=["monitor-waiting"])
        for person in mine["people"]:
            PersonRow(room, token, person, set_error)
        with solara.Row():
            for seat in state["seats"]:
                if seat["players"]:
                    solara.Button(f"Vacate {seat['seat']}", text=True, small=True,
                                  on_click=lambda s=seat["seat"]: attempt(set_error, lambda: room.vacate(token, s)))
        if error:
            solara.Error(error, classes=["monitor-error"])


@solara.component
def PersonRow(room, token: str, person: dict, set_error):
    seat, set_seat = solara.use_state(person["seat"] or room.seats[0])
    with solara.Row(classes=["person-row"]):
        solara.Text(f"{person['name']} ({person['seat'] or 'no seat'})", style={"min-width": "12em"})
        solara.Select(f"Seat for {person['name']}", values=list(room.seats), value=seat, on_value=set_seat,
                      dense=True)
        solara.Button("Move", text=True, small=True,
                      on_click=lambda: attempt(set_error, lambda: room.assign(token, person["id"], seat)))
        solara.Button("Remove", text=True, small=True, color="error",
                      on_click=lambda: attempt(set_error, lambda: room.remove(token, person["id"])))


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
    from ui.components.class_debrief import BranchView, ExportButton, ReplayView, Scoreboard

    with solara.Card("Debrief", margin=0, classes=["debrief"]):
        DebriefQuestions(room.loaded)
        if played == 0:
            solara.Text("Replays, what-if branches and the scoreboard open once a round has been played.")
            ExportButton(room, token)
            return
        Scoreboard(room, token, version)
        ExportButton(room, token)
        ReplayView(room, token, played)
        BranchView(room, token, played)
