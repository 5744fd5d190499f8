"""The Solara app: its pages and the layout around them.

Pages live in ``ui/pages`` (Scenarios, Play, Lab, Class) and are built from components in
``ui/components``. Every page builds its own objects per browser session; the only shared world is a
class game, which lives on the server in ``classroom``.
"""

from pathlib import Path

import solara

from ui.pages import lab, library, play

STYLE = Path(__file__).with_name("style.css")

NAV = [("Scenarios", "/"), ("Play", "/play"), ("Lab", "/lab"), ("Class", "/class")]


@solara.component
def Layout(children=[]):
    router = solara.use_router()
    solara.Style(STYLE)
    here = "/" + (router.path or "/").strip("/").split("/")[0]
    with solara.AppLayout(title="Trade war: the Treasury card", navigation=False, color="#1f3a5f"):
        with solara.AppBar():
            for label, path in NAV:
                solara.Button(label, text=True, dark=True, classes=[f"nav-{label.lower()}"],
                              style={"font-weight": "bold" if here == path else "normal",
                                     "text-decoration": "underline" if here == path else "none"},
                              on_click=lambda p=path: router.push(_destination(p)))
        with solara.Column(style={"max-width": "1500px", "margin": "0 auto"}):
            Guarded(children=children)


def _destination(path: str) -> str:
    """Where an app-bar link goes: "Play" returns to this tab's game (its link holds the whole game)."""
    return (play.LAST_GAME.peek() or path) if path == "/play" else path


@solara.component
def Guarded(children=[]):
    """Catch a fault in any page: one sentence for the user, the details in the server's log, never a
    traceback on screen. Games are safe: their state is in the link, and class games on the server."""
    import logging

    error, _ = solara.use_exception()   # (a "try again" button here made reacton re-render endlessly)
    if error is not None:
        logging.getLogger("tradewar.app").error("a page failed: %r", error)
        solara.Error(f"Something went wrong on this page ({type(error).__name__}: {str(error)[:200]}). "
                     "Your game is kept in the page's address: reload the page, or go back to Scenarios.",
                     classes=["page-fault"])
        return
    solara.Column(children=children)


@solara.component
def _class_page():
    """The class game's pages (``/class``, ``/class/instructor``); ``classroom.Page`` picks the screen."""
    from ui.pages import classroom

    return classroom.Page()


routes = [
    solara.Route(path="/", component=library.Page, label="Scenarios", layout=Layout),
    solara.Route(path="play", component=play.Page, label="Play"),
    solara.Route(path="lab", component=lab.Page, label="Lab"),
    solara.Route(path="class", component=_class_page, label="Class"),
]
