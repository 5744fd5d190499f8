"""A fault in any page shows one sentence, never a traceback (ui/app.py, Guarded)."""

import ipyvuetify as v
import solara

from ui.app import Guarded


@solara.component
def BrokenPanel():
    raise ValueError("a panel could not be drawn")


@solara.component
def BrokenPage():
    solara.Text("a page with a broken panel")
    BrokenPanel()


@solara.component
def App():
    with Guarded():
        BrokenPage()


def test_a_failing_page_becomes_one_sentence():
    _, rendered = solara.render(App(), handle_error=False)
    alerts = [w.children for w in rendered.find(v.Alert).widgets]
    assert len(alerts) == 1
    text = " ".join(map(str, alerts[0]))
    assert "Something went wrong on this page (ValueError: a panel could not be drawn)" in text
    assert "Traceback" not in text
