"""The scenario's debrief questions, shown when a game is over (Play, the class pages) and in the
instructor's debrief. They are the scenario file's own text (``debrief = [...]``)."""

from __future__ import annotations

import solara

from ui.components.prose import Prose


@solara.component
def DebriefQuestions(loaded, title: str = "Questions for the debrief"):
    """The questions as a numbered list; nothing when the scenario has none."""
    questions = list(loaded.debrief)
    if not questions:
        return
    with solara.Card(title, margin=0, classes=["debrief-questions"]):
        Prose("\n".join(f"{n}. {q}" for n, q in enumerate(questions, start=1)))
