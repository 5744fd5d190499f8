"""Pieces both class-game pages use: following a room, the round clock, messages, the shared world.

The room lives on the server (``classroom``); a page only holds which room and which token. A thread
per page waits for the room's version to change (``Room.wait_for_change``: woken at once, no polling)
and stops when the page goes away; the page then redraws only the parts whose data moved.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

import ipyvue
import reacton.core
import solara
import solara.lab
import traitlets

from simulation.actions import TABLE
from simulation.errors import UserError
from simulation.world import ECONOMIES, SECTORS
from ui.components.prose import Prose

WAKE_SECONDS = 1.0
NO_TARGET = "(none)"


class RoomFeed:
    """A page's latest reading of its room (what its ``read()`` returned), for the parts of the page that
    show it. Each part follows only what it shows (``use_feed``), so when a round is played the parts
    whose share of the reading changed redraw, and the page around them (its layout, the brief, the app
    bar) is neither run again nor walked: in a class of thirty, that is most of every page."""

    def __init__(self, value: object):
        self.value = value
        self._listeners: list[Callable[[object], None]] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Callable[[object], None]) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
        return unsubscribe

    def publish(self, value: object) -> None:
        self.value = value
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(value)


def use_room_feed(room, read: Callable[[], object], key: object = None) -> RoomFeed:
    """``read()`` as a ``RoomFeed``, kept fresh by a thread that waits for the room to change
    (``Room.wait_for_change``: woken at once, no polling). The thread looks at its page's cancel flag at
    least every ``WAKE_SECONDS`` and stops when the page goes away. ``key`` is what else ``read`` depends
    on besides the room (a student's token): a new key starts a new feed.

    A page calls this once, at its top, and hands the feed to its parts: one reading and one redraw per
    change in the room. The parts' updates are made in one batch (one render pass): several passes per
    change would cost more, and a redraw that crosses a keystroke can drop it (the pages' text boxes
    also commit at every keystroke for that reason)."""
    feed = solara.use_memo(lambda: RoomFeed(read()), dependencies=[id(room), key])
    reader = solara.use_ref(read)
    reader.current = read
    render_context = reacton.core.get_render_context()

    def follow(cancel: threading.Event) -> None:
        version, seen = room.version, reader.current()
        if seen != feed.value:
            with render_context:
                feed.publish(seen)
        while not cancel.is_set():
            latest = room.wait_for_change(version, WAKE_SECONDS)
            if latest == version or cancel.is_set():
                continue
            version, now = latest, reader.current()
            if now != seen:
                seen = now
                with render_context:           # every part that follows the feed, in one render pass
                    feed.publish(now)

    solara.use_thread(follow, dependencies=[id(room), key], intrusive_cancel=False)
    return feed


def use_feed(feed: RoomFeed, pick: Callable[[object], object] = lambda value: value):
    """``pick(feed.value)``: the component calling this redraws when that part of the feed changes, and
    only then (the feed's other changes leave it alone)."""
    value, set_value = solara.use_state(pick(feed.value))
    picker = solara.use_ref(pick)
    picker.current = pick

    def connect():
        def listener(now: object) -> None:
            set_value(picker.current(now))
        unsubscribe = feed.subscribe(listener)
        listener(feed.value)            # a change published between this part's render and now
        return unsubscribe

    solara.use_effect(connect, [feed])
    return value


def use_room_value(room, read: Callable[[], object]):
    """``read()``, kept fresh as the room changes (``use_room_feed``), for a page that redraws whole."""
    return use_feed(use_room_feed(room, read))


def server_origin() -> str:
    """``http://host:port`` as the browser reached this server (from the page's request headers), so a
    teacher can copy a full link; empty when unknown (the paths are still shown)."""
    headers = solara.lab.headers.value or {}
    host = (headers.get("x-forwarded-host") or headers.get("host") or [""])[0]
    scheme = (headers.get("x-forwarded-proto") or ["http"])[0]
    return f"{scheme}://{host}" if host else ""


def open_room(code: str):
    """The room with ``code``, or a sentence saying why it cannot be opened."""
    from classroom import get_registry

    try:
        return get_registry().get(code), ""
    except UserError as problem:
        return None, str(problem)


def client_key() -> str:
    """Who is asking, for the join limits: this browser's Solara session (the websocket does not expose
    the peer address to pages), or the client address a trusted reverse proxy forwards when the server
    was started with ``--trusted-proxy``. A client-set ``X-Forwarded-For`` counts for nothing otherwise."""
    import os

    headers = solara.lab.headers.value or {}
    forwarded = (headers.get("x-forwarded-for") or [""])[0]
    if forwarded and os.environ.get("TRADEWAR_TRUSTED_PROXIES"):
        return forwarded.split(",")[-1].strip()   # the entry the trusted proxy added
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


TIMER_TEMPLATE = """
<template>
  <div class="round-clock">
    <div v-if="heading" class="prose class-heading" v-html="heading"></div>
    <span class="round-timer" style="font-weight: bold; font-size: 1.1em">{{ before }}{{ shown }}{{ after }}</span>
  </div>
</template>
<script>
module.exports = {
  data() { return { shown: "", received: 0, ticker: null }; },
  mounted() { this.restart(); this.ticker = setInterval(() => this.draw(), 1000); },
  destroyed() { clearInterval(this.ticker); },
  watch: { stamp() { this.restart(); }, seconds_left() { this.restart(); } },
  methods: {
    restart() { this.received = performance.now(); this.draw(); },
    draw() {
      if (this.seconds_left < 0) { this.shown = ""; return; }
      const gone = this.running ? (performance.now() - this.received) / 1000 : 0;
      const left = Math.max(0, Math.round(this.seconds_left - gone));
      this.shown = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    }
  }
}
</script>
"""


class _TimerWidget(ipyvue.VueTemplate):
    """Counts the round down in the browser: the server sends the seconds left only when the clock
    changes (new round, pause, more time), so no page redraws every second. A page's heading (HTML made
    by ``to_html``) may come with it: a round then sends the page one message for both."""

    template = traitlets.Unicode(TIMER_TEMPLATE).tag(sync=True)
    heading = traitlets.Unicode("").tag(sync=True)
    before = traitlets.Unicode("").tag(sync=True)
    after = traitlets.Unicode("").tag(sync=True)
    seconds_left = traitlets.Float(-1.0).tag(sync=True)
    running = traitlets.Bool(False).tag(sync=True)
    stamp = traitlets.Int(0).tag(sync=True)


@solara.component
def RoundTimer(room, version: int, heading_html: str = ""):
    """The open round's clock (counted down by the browser), with the game's status, under
    ``heading_html`` if given; read from the room in one locked snapshot (``Room.timing``), never from
    its live timer."""
    t = room.timing()
    clock = (t["month"], t["status"], t["paused"], t["deadline"], t["paused_left"])
    left = t["seconds_left"]
    if t["status"] == "lobby":
        before, after, left = "Waiting for the instructor to start the game.", "", None
    elif t["status"] == "finished":
        before, after, left = f"Game over: all {t['rounds']} rounds played.", "", None
    elif t["paused"]:
        before, after = "Paused by the instructor (", f" left in round {t['round']})."
    else:
        before, after = f"Round {t['round']} of {t['rounds']}: ", " left."
    _TimerWidget.element(heading=heading_html, before=before, after=after, seconds_left=-1.0 if left is None else float(left),
                         running=t["status"] == "playing" and not t["paused"], stamp=hash(clock) % 1_000_000_007)


@solara.component
def Broadcasts(messages: tuple[dict, ...], limit: int = 5):
    """The instructor's messages (``Room.messages``), newest first."""
    if not messages:
        return
    with solara.Card("From the instructor", margin=0, classes=["broadcasts"]):
        for message in reversed(messages[-limit:]):
            stamp = time.strftime("%H:%M", time.localtime(message["at"]))
            solara.Text(f"{stamp} — {message['message']}", classes=["broadcast"])


def move_words(record: dict) -> str:
    """A submitted move (as the room shows it) in words: "Sell $50bn of US Treasuries"."""
    from simulation.decisions import FIELDS, Decision
    from ui.state import describe_move

    fields = {k: v for k, v in record.items() if k in FIELDS[1:]}
    return describe_move(Decision(step=1, **fields))


def move_of(move: dict) -> dict:
    """The fields of ``move`` its action uses, as the room takes them (no target / all sectors left out)."""
    action = TABLE[move["action"]]
    out = {"action": move["action"]}
    for spec in action.fields:
        value = move.get(spec.name)
        if value is None or spec.kind == "economy" and value == NO_TARGET or spec.kind == "sector" and value == "all":
            continue
        if spec.kind == "months" and value is not None:
            value = int(value) if float(value).is_integer() else value
        out[spec.name] = value
    return out


def new_move(action: str, amount_bn: float = 100.0, rate_pct: float = 10.0) -> dict:
    """A form's starting values: every field the table knows, so switching action keeps what was typed."""
    return {"action": action, "amount_bn": amount_bn, "rate_pct": rate_pct, "target": NO_TARGET, "sector": "all",
            "hold_months": 0}


@solara.component
def MoveFields(prefix: str, actions: list[str], move: dict, on_move: Callable[[dict], None]):
    """An action and the inputs its fields need, as the action table describes them (labelled
    "<prefix> action", "<prefix> amount (USD bn)", "<prefix> rate (%)", "<prefix> target"...), for the
    instructor's breaking news and the debrief's counterfactual move alike."""
    action = TABLE[move["action"]]

    def set_field(name: str):
        return lambda value: on_move({**move, name: value})

    with solara.Row():
        solara.Select(f"{prefix} action", values=actions, value=move["action"], on_value=set_field("action"))
        for spec in action.fields:
            label = f"{prefix} {FORM_LABELS.get(spec.name, spec.label.lower())}"
            if spec.kind in ("number", "months"):
                solara.InputFloat(label, value=move.get(spec.name, spec.default), on_value=set_field(spec.name),
                                  continuous_update=True)
            elif spec.kind == "economy":
                solara.Select(label, values=[NO_TARGET, *ECONOMIES], value=move["target"], on_value=set_field("target"))
            elif spec.kind == "sector":
                solara.Select(label, values=["all", *SECTORS], value=move["sector"], on_value=set_field("sector"))
            elif spec.kind == "bool":
                solara.Checkbox(label=label, value=bool(move.get(spec.name)), on_value=set_field(spec.name))
        solara.Text(action.help, style={"font-size": "0.85em", "color": "#555"})


# Short labels the class forms have always used for the shared fields (browser tests and guides name them).
FORM_LABELS = {"amount_bn": "amount (USD bn)", "rate_pct": "rate (%)", "target": "target", "sector": "sector"}
