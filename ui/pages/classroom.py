"""The class game in the browser: ``/class`` for students, ``/class/instructor`` for the teacher.

The shared world is a ``classroom.Room`` on the server (``classroom.get_registry()``); a browser holds
only the room code and its own token, both in the address bar, so reloading or reopening the link
brings a student back to their seat and the teacher back to the monitor. Addresses:

- ``/class?new=<scenario>``: the form that creates a room (the Scenarios page's "Start a class game");
- ``/class`` or ``/class?room=CODE``: the join form;
- ``/class?room=CODE&token=...``: a student's seat (their rejoin link);
- ``/class/instructor?room=CODE&token=...``: the instructor's monitor and debrief;
- ``/class/projector?room=CODE``: the join code and the students' address in large type, to project.
"""

from __future__ import annotations

from typing import Callable
from urllib.parse import parse_qs

import solara

from classroom import get_registry
from classroom.links import instructor_link, join_link, rejoin_link
from classroom.negotiation import pending_offers
from simulation.decisions import Decision, check
from simulation.errors import DecisionError, UserError
from simulation.policy import actor_name
from simulation.session import seat_kind
from ui.components.class_common import (Broadcasts, RoundTimer, attempt, client_key, move_words, open_room, use_feed,
                                        use_room_feed)
from ui.components.debrief_questions import DebriefQuestions
from ui.components.decision_panel import DecisionPanel
from ui.components.negotiation_panel import NegotiationPanel
from ui.components.class_world import ClassWorld, SeatReport
from ui.components.panels import Briefing
from ui.components.prose import Prose, plain, to_html

ANY_SEAT = "Any open seat"


@solara.component
def Page():
    """Chooses the screen from the address: instructor, new room, a student's seat, or the join form."""
    router = solara.use_router()
    query = {k: v[-1] for k, v in parse_qs((router.search or "").lstrip("?")).items()}
    if "instructor" in router.parts[1:]:
        from ui.components.class_instructor import InstructorPage

        InstructorPage(query.get("room", ""), query.get("token", ""))
    elif "projector" in router.parts[1:]:
        ProjectorPage(query.get("room", ""))
    elif query.get("new"):
        NewRoomForm(query["new"])
    elif query.get("room") and query.get("token"):
        StudentPage(query["room"], query["token"])
    else:
        JoinForm(query.get("room", ""))


@solara.component
def ProjectorPage(code: str):
    """``/class/projector?room=CODE``: the code and the students' address, for the projector."""
    from ui.components.class_projector import ProjectorView

    room, problem = solara.use_memo(lambda: _looked_up(code), dependencies=[code])
    if room is None:
        solara.Error(f"{problem[:1].upper()}{problem[1:]}.", classes=["class-error"])
        return
    ProjectorView(room)


def _looked_up(code: str):
    """As ``open_room``, counted like the join page's lookups (no token is needed to see a code)."""
    try:
        return get_registry().lookup(code, client=client_key()), ""
    except UserError as problem:
        return None, str(problem)


# -- making a room -------------------------------------------------------------------------------
@solara.component
def NewRoomForm(scenario_id: str):
    """The instructor's form: number of rounds, round length and the seats people will play (the
    scenario's playable seats are ticked; any other economy or central bank may be opened too).
    Creating the room opens the instructor page, whose link (with its token) is the teacher's key."""
    router = solara.use_router()
    loaded, problem = solara.use_memo(lambda: _scenario(scenario_id), dependencies=[scenario_id])
    seconds, set_seconds = solara.use_state(180)
    rounds, set_rounds = solara.use_state(loaded.steps if loaded else 1)
    seats, set_seats = solara.use_state(list(loaded.playable) if loaded else [])
    error, set_error = solara.use_state("")
    solara.Title("New class game — Trade war")
    if loaded is None:
        solara.Error(f"This class game cannot be created: {problem}", classes=["class-error"])
        return
    choices = openable_seats(loaded)

    def create() -> None:
        room, token = get_registry().create(loaded.id, seats=tuple(s for s in choices if s in seats),
                                            round_seconds=seconds, steps=rounds, client=client_key())
        router.push(instructor_link(room.code, token))

    with solara.Card(f"New class game: {plain(loaded.title)}", margin=0, classes=["new-room"]):
        Prose("Students join from their own browsers with a code; seats nobody takes are played by the "
              "computer's rules. You get a private instructor link to run the game.")
        solara.InputInt(f"Rounds (one month each, 1 to {loaded.steps})", value=rounds, on_value=set_rounds,
                        continuous_update=True)
        solara.InputInt("Round length (seconds)", value=seconds, on_value=set_seconds, continuous_update=True)
        solara.SelectMultiple("Seats played by students", values=seats, all_values=choices, on_value=set_seats)
        solara.Text(f"Ticked by default: the scenario's playable seats ({', '.join(loaded.playable)}). Any other "
                    "economy or central bank may be opened too.", style={"font-size": "0.85em", "color": "#555"})
        solara.Button("Create the class game", color="primary", classes=["create-room"],
                      on_click=lambda: attempt(set_error, create))
        if error:
            solara.Error(error, classes=["class-error"])


def openable_seats(loaded) -> list[str]:
    """Seats a room may open to people: the scenario's playable ones first, then every other economy
    (the rest of the world is no player) and central bank."""
    from simulation.world import CENTRAL_BANKS, ECONOMIES

    others = [s for s in (*ECONOMIES, *CENTRAL_BANKS) if s != "ROW" and s not in loaded.playable]
    return [*loaded.playable, *others]


def _scenario(scenario_id: str):
    from scenarios import linkable, load_scenario

    try:
        return load_scenario(linkable(scenario_id)), ""
    except UserError as problem:
        return None, str(problem)


# -- joining -------------------------------------------------------------------------------------
@solara.component
def JoinForm(code_given: str):
    """Code, name and seat. The seat list comes from the room once the code is entered (a lookup that
    is rate-limited like joining, so it cannot be used to try codes)."""
    router = solara.use_router()
    code, set_code = solara.use_state(code_given)
    name, set_name = solara.use_state("")
    seat, set_seat = solara.use_state(ANY_SEAT)
    error, set_error = solara.use_state("")
    seats = solara.use_memo(lambda: _seats_of(code), dependencies=[code])

    def join() -> None:
        room, _, token = get_registry().join(code, name, None if seat == ANY_SEAT else seat, client=client_key())
        router.push(rejoin_link(room.code, token))

    solara.Title("Join a class game — Trade war")
    with solara.Card("Join a class game", margin=0, classes=["join-form"]):
        Prose("Type the code your instructor shows and your name. Keep the page's address afterwards: it "
              "is your link back to your seat.")
        solara.InputText("Room code", value=code, on_value=set_code, continuous_update=False)
        solara.InputText("Your name", value=name, on_value=set_name, continuous_update=True)
        solara.Select("Seat", values=[ANY_SEAT, *seats], value=seat if seat in seats else ANY_SEAT,
                      on_value=set_seat)
        solara.Button("Join", color="primary", classes=["join-button"], on_click=lambda: attempt(set_error, join))
        if error:
            solara.Error(error, classes=["class-error"])


def _seats_of(code: str) -> list[str]:
    """The room's seats, for the seat list; nothing when the code is empty, unknown or refused (the
    Join button then says why)."""
    if not code.strip():
        return []
    try:
        return list(get_registry().lookup(code, client=client_key()).seats)
    except UserError:
        return []


# -- a student's seat ----------------------------------------------------------------------------
@solara.component
def StudentPage(code: str, token: str):
    room, problem = solara.use_memo(lambda: open_room(code), dependencies=[code])
    if room is None:
        solara.Error(f"{problem[:1].upper()}{problem[1:]}.", classes=["class-error"])
        JoinLinkButton("")
        return
    StudentView(room, token)


@solara.component
def JoinLinkButton(code: str):
    router = solara.use_router()
    solara.Button("Go to the join form", text=True, on_click=lambda: router.push(join_link(code) if code else "/class"))


# Parts of the room's public state a student's page does not show: who else has joined or submitted, the
# room's change counter, and the clock's seconds (the browser counts them down itself).
NOT_ON_A_STUDENT_PAGE = ("seats", "waiting", "version", "seconds_left")


def student_page_value(room, token: str) -> tuple[dict | None, str, tuple]:
    """What a student's page shows from the room: ``(state, problem, offers)``, the state without the parts
    the page does not show (or None and the reason the token is refused), and the deal offers in the open
    round to or from the seat. The page follows this value, not the room's version: in a class of thirty,
    every draft, submission or join changes the room, and each would otherwise redraw every page."""
    try:
        state = room.state(token)
    except UserError as problem:
        return None, str(problem), ()
    shown = {key: value for key, value in state.items() if key not in NOT_ON_A_STUDENT_PAGE}
    seat = (state.get("you") or {}).get("seat")
    offers = tuple(pending_offers(room, seat)) if seat and seat_kind(seat) == "government" else ()
    return shown, "", offers


def page_frame(value: tuple) -> tuple[str, bool, str | None]:
    """What the frame of a student's page depends on (from ``student_page_value``): the reason the token is
    refused (or ""), whether it is the instructor's token, and the seat. It changes when the instructor
    gives, moves or takes the student's seat, not when a round is played."""
    state, problem, _ = value
    if state is None:
        return problem, False, None
    you = state.get("you")
    return "", you is None, (you or {}).get("seat")


def _shown(*keys: str) -> Callable[[tuple], tuple]:
    """A ``use_feed`` pick: these entries of a student page's state (None where the token is refused)."""
    return lambda value: tuple((value[0] or {}).get(key) for key in keys)


@solara.component
def StudentView(room, token: str):
    """One seat's screen: its brief, the decision panel, the round clock, messages, its score and the
    shared world. The page follows ``student_page_value`` (not another seat's draft or submission), and
    hands it to its parts as a feed (``use_room_feed``); each part redraws when what it shows changes. The
    page itself draws its frame, which changes only with the seat: when a round is played, the heading,
    clock, decision panel, report card and world redraw, while the frame, the brief and the app around them
    are left alone. What a round changes for every page (the world, a team's report card) is made once for
    the room (``ui/components/class_world.py``)."""
    feed = use_room_feed(room, lambda: student_page_value(room, token), key=token)
    problem, instructor, seat = use_feed(feed, page_frame)
    if problem:
        solara.Error(f"{problem[:1].upper()}{problem[1:]}.", classes=["class-error"])
        JoinLinkButton(room.code)
        return
    if instructor:
        solara.Error("This is the instructor's link: open it at /class/instructor.", classes=["class-error"])
        return
    solara.Title(f"{seat or 'Waiting'} — class game {room.code}")
    SeatHeading(room, feed)
    RoomMessages(feed)
    if seat is None:
        solara.Info("The instructor has not given you a seat yet: this page will update when they do.",
                    classes=["no-seat"])
        WorldPart(room, feed)
        return
    with solara.Columns([4, 8]):
        with solara.Column():
            Briefing(room.loaded, seat)
            Moves(room, token, feed)
        with solara.Column():
            ReportPart(room, feed, seat)
    WorldPart(room, feed, seat)


def _heading(value: tuple) -> tuple:
    """What the heading and the clock show: the game, the student and seat, the round and the clock's state."""
    state = value[0] or {}
    you = state.get("you") or {}
    return (state.get("title"), you.get("name"), you.get("seat"), state.get("round"), state.get("rounds"),
            state.get("status"), state.get("paused"), state.get("deadline"), state.get("paused_left"))


@solara.component
def SeatHeading(room, feed):
    """The game's title, who plays which seat, the round, and the round's clock, in one widget."""
    title, name, seat, round_number, rounds, *_ = use_feed(feed, _heading)
    seat_words = f"**{actor_name(seat)} ({seat})**" if seat else "**no seat yet**"
    heading = to_html(f"## {plain(title)}\n{plain(name)}, you play {seat_words} · room **{room.code}** · "
                      f"round **{round_number} of {rounds}**")
    RoundTimer(room, room.version, heading)


@solara.component
def RoomMessages(feed):
    """The instructor's messages to the room."""
    (messages,) = use_feed(feed, _shown("broadcasts"))
    Broadcasts(tuple(messages or ()))


@solara.component
def ReportPart(room, feed, seat: str):
    """The seat's report card, redrawn when a round is played; the debrief's questions once the game is over."""
    _, status = use_feed(feed, _shown("month", "status"))
    SeatReport(room.view(), seat)
    if status == "finished":
        DebriefQuestions(room.loaded.debrief)


@solara.component
def WorldPart(room, feed, seat: str | None = None):
    """The shared world, redrawn when a round is played."""
    use_feed(feed, _shown("month"))
    ClassWorld(room.view(), seat, drawn_on_server=True)


@solara.component
def Moves(room, token: str, feed):
    """The decision panel with the seat's shared draft for this round, and the button that submits it.

    The draft lives in the room, not in this page: teammates (or a second tab) see the same moves and
    who changed them last, and submitting sends the team's draft, so no teammate's click can replace
    the team's moves with an empty list they never saw. Redrawn at every change of the page's reading
    (a teammate's draft, an offer to the seat, a round)."""
    state, _, offers = use_feed(feed)
    error, set_error = solara.use_state("")
    if state is None or not (state.get("you") or {}).get("seat"):
        return                               # the frame is about to show why (a refused token, no seat)
    you, round_number, view = state["you"], state["round"], room.view()
    seat = you["seat"]
    queued = [Decision(step=round_number, actor=seat, origin="player",
                       **{k: v for k, v in d.items() if k != "actor"}) for d in you.get("draft") or []]

    def change(decisions: list[Decision]) -> None:
        room.draft(token, decisions, round_number)

    def add(decision: Decision) -> None:
        if decision.actor != seat:
            raise UserError(f"your seat is {seat}; you cannot decide for {decision.actor}")
        try:
            check(decision, room.steps)
        except DecisionError as problem:
            raise UserError(str(problem)) from None
        change([*queued, decision])

    def remove(index: int) -> None:
        attempt(set_error, lambda: change([d for i, d in enumerate(queued) if i != index]))

    playing = state["status"] == "playing"
    DecisionPanel(seat, view.seat_view(seat), queued, on_add=add, on_remove=remove, disabled=not playing,
                  continuous_update=True)
    if seat_kind(seat) == "government":
        NegotiationPanel(seat, list(view.model.offers), view.model.standings, add, pending=offers,
                         disabled=not playing, continuous_update=True)
    with solara.Card(f"Round {round_number}: your seat's moves", margin=0, classes=["submit-card"]):
        if you.get("draft_by"):
            solara.Text(f"Team draft last changed by {you['draft_by']}.", classes=["draft-by"])
        label = f"Submit {len(queued)} move{'s' if len(queued) != 1 else ''} for round {round_number}" \
            if queued else f"Submit: no new moves in round {round_number}"
        solara.Button(label, color="primary", disabled=not playing, classes=["submit-moves"],
                      on_click=lambda: attempt(set_error, lambda: room.submit(token, queued, round_number)))
        if error:
            solara.Error(error, classes=["submit-error"])
        SubmissionStatus(state)


@solara.component
def SubmissionStatus(state: dict):
    """Whether the seat has submitted this round, by whom and what; a refusal of last round's moves."""
    you = state["you"]
    if you.get("submission") is not None:
        moves = ", ".join(move_words(d) for d in you["submission"]) or "no new moves"
        solara.Success(f"Submitted for round {state['round']} by {you['submitted_by']}: {moves}. "
                       "You may submit again to change it until the round ends.", classes=["submitted"])
    elif state["status"] == "playing":
        solara.Text("Not submitted yet: when the time is up your seat keeps its policies.",
                    classes=["not-submitted"])
    if you.get("refused"):
        solara.Warning(f"Last round your moves were refused: {you['refused']}", classes=["refused"])
    if len(you.get("team", [])) > 1:
        solara.Text(f"Your team: {', '.join(you['team'])}.", classes=["team"])
