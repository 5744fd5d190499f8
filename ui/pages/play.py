"""Play: one person plays one seat of a scenario, month by month, against the computer's rules.

The whole game is in the address bar (see ``ui/state.py``): every move rewrites the URL, so the link can
be copied, bookmarked or sent, and opening it restores the game. The game object lives in this page's own
state, so two browsers never share a model.
"""

from __future__ import annotations

import threading
import time

import solara

from simulation import fan_pool
from simulation.errors import UserError
from simulation.policy import actor_name
from simulation.recording import month_label
from simulation.negotiation import standings
from simulation.session import seat_kind
from ui.components.debrief_questions import DebriefQuestions
from ui.components.decision_panel import DecisionPanel
from ui.components.negotiation_panel import NegotiationPanel
from ui.components.figures import GameCharts
from ui.components.panels import Briefing, MarketNumbers, NewsTicker, ReportCard, WhyPanel
from ui.components.prose import Prose
from ui.components.step_button import StepButton
from ui.components.url_sync import ScrollToTop, UrlSync
from ui.state import Game, parse_link

SPEEDS_S = {"slow (2 s a month)": 2.0, "normal (1 s a month)": 1.0, "fast (0.3 s a month)": 0.3}
FAN_SEEDS = 100   # enough runs for the 5th and 95th percentiles to be estimates, not single runs
# This browser tab's game link, so the app bar's "Play" goes back to the game rather than to an empty page
# (a reactive value at module level is kept per browser tab by Solara).
LAST_GAME = solara.reactive("")


@solara.component
def Page():
    router = solara.use_router()
    search = router.search or ""
    holder = solara.use_ref(None)
    if holder.current is None or holder.current["search"] != search:
        holder.current = _open(search)
    opened = holder.current
    if opened["error"]:
        solara.Error(f"This game link cannot be opened: {opened['error']}.", classes=["link-error"])
        solara.Button("Choose a scenario", on_click=lambda: router.push("/"), color="primary")
        return
    if opened["game"] is None:
        solara.Info("No game chosen yet: pick a scenario and a role on the Scenarios page.")
        solara.Button("Choose a scenario", on_click=lambda: router.push("/"), color="primary")
        return
    ScrollToTop()
    for warning in opened["warnings"]:
        solara.Warning(warning, classes=["link-warning"])
    GameView(opened["game"])


def _open(search: str) -> dict:
    """The game a link describes. Called when the router's location changes (a new page was opened),
    not when the game itself rewrites the address bar (UrlSync), which Solara's router does not see."""
    try:
        link, warnings = parse_link(search)
        game = Game.from_link(link) if link else None
        if game is not None:      # moves in the link that could not be queued again: shown once, on opening
            warnings, game.notes = warnings + game.notes, []
        return {"search": search, "game": game, "warnings": warnings, "error": ""}
    except UserError as error:
        return {"search": search, "game": None, "warnings": [], "error": str(error).rstrip(".")}


@solara.component
def GameView(game: Game):
    version, set_version = solara.use_state(0)
    error, set_error = solara.use_state("")
    playing, set_playing = solara.use_state(False)
    speed, set_speed = solara.use_state(list(SPEEDS_S)[1])
    fan_key, set_fan_key = solara.use_state(None)
    queue_changes, set_queue_changes = solara.use_state(0)   # redraws the queued-moves list only
    counter = solara.use_ref(0)
    session, seat = game.session, game.seat
    solara.use_effect(fan_pool.warm_up, [])   # the fan's worker processes start while the player reads

    def moved() -> None:
        counter.current += 1
        set_version(counter.current)

    def act(action) -> bool:
        try:
            action()
        except UserError as problem:
            set_error(str(problem))
            return False
        set_error("")
        moved()
        return True

    def autoplay(cancel: threading.Event) -> None:
        """Play a month every interval. The lock is held across a month and its redraw, and Pause takes
        the same lock, so once Pause has been drawn no month that was under way can still appear."""
        while playing and not cancel.wait(SPEEDS_S[speed]):
            with game.lock:
                if cancel.is_set():
                    return
                if game.session.finished or not act(game.step):
                    set_playing(False)
                    return

    def pause() -> None:
        with game.lock:
            set_playing(False)

    # intrusive_cancel=False everywhere: Solara's default traces every Python line the thread runs so it
    # can stop it anywhere, which made the fan chart three times slower; these loops stop on `cancel`.
    solara.use_thread(autoplay, dependencies=[playing, speed, id(game)], intrusive_cancel=False)

    def compute_fan():
        if fan_key is None:
            return None
        started = time.perf_counter()
        fan = session.fan(FAN_SEEDS)
        return fan, fan_key, time.perf_counter() - started

    fan_result = solara.use_thread(compute_fan, dependencies=[fan_key, id(game)], intrusive_cancel=False)
    log_key = (tuple(session.log), session.steps)
    fan_ready = fan_result.value is not None and fan_result.value[1] == log_key
    fan = fan_result.value[0] if fan_ready else None

    link = f"/play{game.link()}"
    UrlSync(link)
    solara.use_effect(lambda: LAST_GAME.set(link), [link])
    view = solara.use_memo(lambda: session.seat_view(seat) if seat else None, dependencies=[version])
    role = f"playing {actor_name(seat)} ({seat})" if seat else "watching: the computer plays every role"
    solara.Title(f"{session.loaded.title} — Trade war")
    over = " · **game over**" if session.finished else ""
    Prose(f"## {session.loaded.title}\n{role} · **month {session.month} of {session.steps}** "
          f"({month_label(session.loaded.start, session.month)}){over}", classes=["game-heading"])
    with solara.Columns([4, 8], classes=["play-columns", "stack-when-narrow"]):
        with solara.Column(classes=["play-left"]):
            Briefing(session.loaded, seat)
            if seat and not session.finished:
                DecisionPanel(seat, view, list(game.queued),
                              on_add=lambda d: (game.queue(d), set_queue_changes(queue_changes + 1))[0],
                              on_remove=lambda i: (game.unqueue(i), set_queue_changes(queue_changes + 1))[0],
                              disabled=playing)
            if seat and seat_kind(seat) == "government":    # the table stays in view at game over, with its fates
                NegotiationPanel(seat, list(session.model.negotiation.offers), standings(session.model),
                                 add=lambda d: (game.queue(d), set_queue_changes(queue_changes + 1))[0],
                                 disabled=playing or session.finished)
            RunControls(game, session.month, session.finished, act, playing, set_playing, pause, speed, set_speed)
            if error:
                solara.Error(error, classes=["step-error"])
            for note in game.notes:
                solara.Warning(note, classes=["dropped-move"])
            MarketNumbers(session, version)
            NewsTicker(session, version)
        with solara.Column(classes=["play-right"]):
            GameCharts(session, version, fan, seat)
            with solara.Row():
                label = "Update the fan chart" if fan_key is not None and not fan_ready else f"Fan chart: {FAN_SEEDS} seeds"
                solara.Button(label, outlined=True, classes=["fan-button"], disabled=fan_ready,
                              on_click=lambda: set_fan_key(log_key))
                if fan_key is not None and not fan_ready and fan_result.state.name in ("STARTING", "RUNNING"):
                    solara.Text(f"Running your moves with {FAN_SEEDS} seeds… the page stays usable.")
                elif fan_ready:
                    solara.Text(f"Shaded bands: 5th-95th percentile of {FAN_SEEDS} seeds with your moves "
                                f"({fan_result.value[2]:.2f} s).", classes=["fan-done"])
            WhyPanel(session, session.month, version)
            if seat:
                ReportCard(session, seat, version)
            if session.finished:
                DebriefQuestions(session.loaded.debrief)


@solara.component
def RunControls(game: Game, month: int, finished: bool, act, playing: bool, set_playing, pause, speed: str,
                set_speed):
    """Step, play/pause, speed, undo and reset. ``month`` and ``finished`` are passed in (not read from the
    game) so the controls are redrawn whenever they change."""
    with solara.Card("Run", margin=0, classes=["run-controls"]):
        if finished:
            solara.Success(f"Game over: all {game.session.steps} months played. Your report card is below the "
                           "charts; Undo month takes back the last one, Reset starts again.", classes=["game-over"])
        with solara.Row(classes=["move-row"]):
            StepButton(month, on_step=lambda seen: act(lambda: game.step(from_month=seen)),
                       disabled=playing or finished, label="Game over" if finished else "Step: play next month")
            if playing:
                solara.Button("Pause", on_click=pause, classes=["pause-button"])
            else:
                solara.Button("Play", disabled=finished, on_click=lambda: set_playing(True), classes=["play-button"])
        with solara.Row(classes=["move-row"]):
            solara.Select(label="Speed", values=list(SPEEDS_S), value=speed, on_value=set_speed)
            solara.Button("Undo month", text=True, disabled=playing or month == 0, on_click=lambda: act(game.undo),
                          classes=["undo-button"])
            solara.Button("Reset", text=True, disabled=playing, on_click=lambda: act(game.reset))
