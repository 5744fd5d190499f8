"""The web server: one process serves the Solara pages and the class-game API.

``python run.py play`` calls ``serve``. Everything the browser loads comes from this process: Solara's
front end from the ``solara-assets`` package, Plotly from its wheel. Nothing is fetched from the internet
and Solara's telemetry is switched off before Solara is imported.
"""

from __future__ import annotations

import os
import sys

OFFLINE_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",   # no usage telemetry
    "SOLARA_APP": "ui.app",                         # the pages (ui/app.py)
    "SOLARA_MODE": "production",                    # no hot reload, no tracebacks in the page
}


def build_app():
    """The Starlette app: the class-game API first, then Solara's routes for everything else."""
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value
    from starlette.applications import Starlette

    import solara.server.starlette as solara_server
    from classroom.api import routes as class_routes

    return Starlette(routes=[*class_routes(), *asset_routes(), *solara_server.routes],
                     lifespan=solara_server.lifespan, middleware=solara_server.middleware)
