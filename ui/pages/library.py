"""Scenarios: every shipped scenario with its title, summary and briefing; pick one and a role."""

from __future__ import annotations

from urllib.parse import urlencode

import solara

from ui.components.panels import BriefingText
from ui.components.plotly_view import PlotlyWarmup
from ui.components.prose import Prose

from scenarios import load_scenario, shipped_scenarios
from simulation.policy import actor_name


def library() -> list:
    """The shipped scenarios, loaded once per server process (they are read-only files)."""
    if not _LIBRARY:
        _LIBRARY.extend(load_scenario(path) for path in shipped_scenarios().values())
    return _LIBRARY


_LIBRARY: list = []


@solara.component
def Page():
    router = solara.use_router()
    solara.Title("Scenarios — Trade war")
    PlotlyWarmup()
    Prose("## Scenarios\nPick a scenario, then the role you want to play. The computer plays every "
                    "other role by its rules. Every game can be shared: its link holds the whole game.")
    for loaded in library():
        ScenarioCard(loaded, router)


@solara.component
def ScenarioCard(loaded, router):
    with solara.Card(loaded.title, subtitle=f"{loaded.id} · {loaded.steps} months from {loaded.start}",
                     margin=0, classes=["scenario-card", f"scenario-{loaded.id}"]):
        Prose(loaded.summary)
        with solara.Details("Briefing and learning objectives", expand=False):
            BriefingText(loaded)
        with solara.Row(style={"flex-wrap": "wrap"}):
            for seat in loaded.playable:
                query = urlencode({"scenario": loaded.id, "seats": seat})
                solara.Button(f"Play {actor_name(seat)} ({seat})", color="primary", outlined=True,
                              classes=[f"play-{seat}"], on_click=lambda q=query: router.push(f"/play?{q}"))
            solara.Button("Watch (computer plays all)", text=True,
                          on_click=lambda: router.push(f"/play?{urlencode({'scenario': loaded.id})}"))
            solara.Button("Open in the Lab", text=True,
                          on_click=lambda: router.push(f"/lab?{urlencode({'scenario': loaded.id})}"))
            solara.Button("Start a class game", text=True,
                          on_click=lambda: router.push(f"/class?{urlencode({'new': loaded.id})}"))
