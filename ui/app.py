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
    with solara.AppLayout(title="Trade war: the Treasury card", navigation=False, sidebar_open=False,
                          color="#1f3a5f"):
        with solara.Row(classes=["main-nav"]):
            for label, path in NAV:
                current = (router.path or "/").rstrip("/") == path.rstrip("/")
                solara.Button(label, text=not current, color="primary", classes=[f"nav-{label.lower()}"],
                              on_click=lambda p=path: router.push(p))
        with solara.Column(children=children, style={"max-width": "1500px", "margin": "0 auto"}):
            pass


def _class_page():
    from ui.pages import classroom

    return classroom.Page()


routes = [
    solara.Route(path="/", component=library.Page, label="Scenarios", layout=Layout),
    solara.Route(path="play", component=play.Page, label="Play"),
    solara.Route(path="lab", component=lab.Page, label="Lab"),
    solara.Route(path="class", component=_class_page, label="Class"),
]
