"""The scenario's debrief questions: on the instructor's debrief beside the scoreboard, and on the Play
page and the class student page when the game is over."""

from __future__ import annotations

import solara

from ui.components.prose import Prose, plain


@solara.component
def DebriefQuestions(questions: list[str]):
    """The questions the scenario's authors suggest for the discussion after the game."""
    if not questions:
        return
    with solara.Div(classes=["debrief-questions"]):
        Prose("#### Questions for the debrief\n" + "\n".join(f"{n}. {plain(q)}" for n, q in
                                                              enumerate(questions, start=1)))
