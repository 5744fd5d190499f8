"""Pieces both class-game pages use: following a room, the round clock, messages, the shared world.

The room lives on the server (``classroom``); a page only holds which room and which token. It learns
that the room changed by polling ``room.version`` (an integer read, no lock) about once a second in a
thread that stops when the page goes away, and redraws only when the number moved.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

import solara
import solara.lab

from simulation.errors import UserError
from simulation.recording import month_label
from ui.components.figures import GameCharts
from ui.components.panels import MarketNumbers, NewsTicker, WhyPanel
from ui.components.prose import Prose

POLL_SECONDS = 1.0


def use_room_version(room) -> int:
    """The room's version, kept fresh by a polling thread: a component calling this redraws when
    anything in the room changes (a join, a submission, a resolved round, a message)."""
    version, set_version = solara.use_state(room.version)

    def follow(cancel: threading.Event) -> None:
        seen = room.version
        set_version(seen)
        while not cancel.wait(POLL_SECONDS):
            if room.version != seen:
                seen = room.version
                set_version(seen)

    solara.use_thread(follow, dependencies=[id(room)])
    return version


def server_origin() -> str:
    """``http://host:port`` as the browser reached this server (from the page's request headers), so a
    teacher can copy a full link; empty when unknown (the paths are still shown)."""
    headers = solara.lab.headers.value or {}
    host = (headers.get("x-forwarded-host") or headers.get("host") or [""])[0]
    scheme = (headers.get("x-forwarded-proto") or ["http"])[0]
    return f"{scheme}://{host}" if host else ""


def client_key() -> str:
    """Who is asking, for the join limits: the forwarding proxy's client address when there is one,
    else this browser's Solara session (the websocket does not expose the peer address to pages)."""
    headers = solara.lab.headers.value or {}
    forwarded = (headers.get("x-forwarded-for") or headers.get("x-real-ip") or [""])[0]
    if forwarded:
        return forwarded.split(",")[0].strip()
    return f"page:{solara.get_session_id()}"


def attempt(set_error: Callable[[str], None], action: Callable[[], object]):
    """Run a person's request; a refusal becomes one sentence on the page, never a traceback."""
    try:
        outcome = action()
    except UserError as problem:
        set_error(_sentence(str(problem)))
        return None
    set_error("")
    return outcome


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


@solara.component
def RoundTimer(room):
    """The open round's clock, redrawn each second by its own thread (the rest of the page is not)."""
    now, set_now = solara.use_state(time.time())

    def tick(cancel: threading.Event) -> None:
        while not cancel.wait(1.0):
            set_now(time.time())

    solara.use_thread(tick, dependencies=[id(room)])
    left = room.timer.seconds_left(room.clock())
    if room.status == "lobby":
        text = "Waiting for the instructor to start the game."
    elif room.status == "finished":
        text = f"Game over: all {room.steps} rounds played."
    elif room.timer.paused:
        text = f"Paused by the instructor ({_clock(left)} left in round {room.round})."
    else:
        text = f"Round {room.round} of {room.steps}: {_clock(left)} left."
    solara.Text(text, classes=["round-timer"], style={"font-weight": "bold", "font-size": "1.1em"})


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "no limit"
    whole = int(round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


@solara.component
def Broadcasts(messages: list[dict], limit: int = 5):
    """The instructor's messages, newest first."""
    if not messages:
        return
    with solara.Card("From the instructor", margin=0, classes=["broadcasts"]):
        for message in reversed(messages[-limit:]):
            stamp = time.strftime("%H:%M", time.localtime(message["at"]))
            solara.Text(f"{stamp} — {message['message']}", classes=["broadcast"])


@solara.component
def ClassWorld(view, seat: str | None = None):
    """The shared world after the last resolved round: markets, economies, network, headlines, why."""
    month = view.month
    Prose(f"### The world after round {month} ({month_label(view.loaded.start, month)})"
          if month else "### The world before round 1", classes=["world-heading"])
    with solara.Columns([4, 8]):
        with solara.Column():
            MarketNumbers(view, month)
            NewsTicker(view, month)
        with solara.Column():
            GameCharts(view, month, None, seat)
            WhyPanel(view, month, month)
