"""The web server: one process serves the Solara pages and the class-game API.

``python run.py play`` calls ``serve``. Everything the browser loads comes from this process: Solara's
front end from the ``solara-assets`` package, plotly.js from ``ui/assets``. Nothing is fetched from the internet
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


def asset_routes():
    """plotly.js (the partial bundle vendored in ``ui/assets``), served by this app (the charts load it
    once; see PlotlyView)."""
    from starlette.responses import FileResponse
    from starlette.routing import Route

    from ui.assets import PLOTLY_JS as plotly_js

    async def plotly_file(request):
        return FileResponse(plotly_js, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    return [Route("/app-assets/plotly.min.js", plotly_file)]


def serve(host: str = "127.0.0.1", port: int = 8765, class_db: str | None = None) -> None:
    import warnings

    import uvicorn

    # Plain http on a classroom network is the intended use; Solara's advice about https cookies is noise.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    if class_db:
        os.environ["TRADEWAR_CLASS_DB"] = class_db
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = host, str(port)
    app = build_app()
    print(f"Trade-war game: open http://{host}:{port} in a browser (Ctrl+C stops the server)", flush=True)
    sys.stdout.flush()
    uvicorn.run(app, host=host, port=port, log_level="warning", ws_ping_interval=20)
