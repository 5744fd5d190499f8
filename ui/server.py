"""The web server: one process serves the Solara pages and the class-game API.

``python run.py play`` calls ``serve``. Everything the browser loads comes from this process: Solara's
front end from the ``solara-assets`` package, plotly.js from ``ui/assets``. Nothing is fetched from the internet:
Solara's asset proxy (which would fetch any ``/_solara/cdn/<path>`` from a public CDN) and its
telemetry are switched off before Solara is imported. Static files are compressed once and kept
(``ui.static_assets``). Forwarded headers (``X-Forwarded-For``) are believed only from the proxies
named with ``--trusted-proxy``, so a client cannot choose the address its rate limits are counted on.
"""

from __future__ import annotations

import os
import sys

OFFLINE_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",   # no usage telemetry
    "SOLARA_ASSETS_PROXY": "False",                 # never fetch a missing asset from a public CDN ...
    "SOLARA_ASSETS_CDN": "/_solara/cdn",            # ... the pages ask this server, which has them on disk
    "SOLARA_APP": "ui.app",                         # the pages (ui/app.py)
    "SOLARA_MODE": "production",                    # no hot reload, no tracebacks in the page
}
# Each websocket message is written to the socket by the thread that renders the page, instead of being
# handed to the event loop one at a time (a thread hand-off, a task and a wake-up per message: about a
# fifth of the server's time when a round redraws thirty pages). Solara supports this with uvicorn's
# ``websockets`` protocol (``WS_PROTOCOL``) on plain TCP and falls back to the usual path otherwise.
# reacton's fast renderer (``REACTON_FAST``, reacton >= 1.11) walks only the parts of a page below a
# component whose state changed, and skips a part whose element and state are unchanged, instead of
# walking and re-setting every widget of the page (the app bar, the briefing...) at each redraw: a class
# round redraws thirty pages at once, and most of each page does not change.
SPEED_ENV = {"SOLARA_SERVER_SYNC_WS_WRITE": "True", "REACTON_FAST": "1"}
# Solara's "This website runs on Solara" badge is pinned over the bottom-right corner of every page: on a
# phone it covers part of a student's form.
PAGE_ENV = {"SOLARA_THEME_SHOW_BANNER": "False"}
WS_PROTOCOL = "websockets"
TRUSTED_PROXIES_ENV = "TRADEWAR_TRUSTED_PROXIES"    # comma-separated; read by the class pages too
LINK_SCENARIOS_ENV = "TRADEWAR_LINK_SCENARIOS"      # files a link may name besides the shipped ones


def set_server_env() -> None:
    """Set what Solara reads at import and start-up (``OFFLINE_ENV``, ``SPEED_ENV``, ``PAGE_ENV``)."""
    os.environ.update({**OFFLINE_ENV, **SPEED_ENV, **PAGE_ENV})


def build_app():
    """The app: the class-game API first, then Solara's routes, behind the static-file cache."""
    set_server_env()
    from starlette.applications import Starlette

    import solara.server.starlette as solara_server
    from classroom.api import routes as class_routes
    from ui.static_assets import CompressedStatic

    app = Starlette(routes=[*class_routes(), *asset_routes(), *solara_server.routes],
                    lifespan=solara_server.lifespan, middleware=solara_server.middleware)
    return CompressedStatic(app)


def asset_routes():
    """plotly.js (the partial bundle vendored in ``ui/assets``; the charts load it once, see PlotlyView),
    and Solara's front end from the files the ``solara-assets`` package installed: served from disk only,
    a missing file is a 404 (Solara's own route for this path would fetch it from a public CDN)."""
    from solara.server.settings import assets
    from starlette.responses import FileResponse
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from ui.assets import PLOTLY_JS as plotly_js

    async def plotly_file(request):
        return FileResponse(plotly_js, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    return [Route("/app-assets/plotly.min.js", plotly_file),
            Mount("/_solara/cdn", app=StaticFiles(directory=assets.proxy_cache_dir, check_dir=False))]


def serve(host: str = "127.0.0.1", port: int = 8765, class_db: str | None = None,
          trusted_proxies: tuple[str, ...] = (), scenario_files: tuple[str, ...] = ()) -> None:
    """Open the class-game file (refusing, with one sentence, one that is damaged, read-only or in use
    by another server), say where everything is, and serve until Ctrl+C."""
    import warnings

    import uvicorn

    from classroom import class_db_path, get_registry

    # Plain http on a classroom network is the intended use; Solara's advice about https cookies is noise.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    if class_db:
        os.environ["TRADEWAR_CLASS_DB"] = str(class_db)
    os.environ["TRADEWAR_CLASS_DB"] = str(class_db_path())
    os.environ[TRUSTED_PROXIES_ENV] = ",".join(trusted_proxies)
    os.environ[LINK_SCENARIOS_ENV] = os.pathsep.join(os.path.abspath(f) for f in scenario_files)
    set_server_env()
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = host, str(port)
    registry = get_registry()           # a UserError here stops the start with its sentence
    app = build_app()
    print(start_message(host, port, registry), flush=True)
    sys.stdout.flush()
    uvicorn.run(app, host=host, port=port, log_level="warning", ws=WS_PROTOCOL, ws_ping_interval=20,
                proxy_headers=bool(trusted_proxies), forwarded_allow_ips=",".join(trusted_proxies) or None)


def start_message(host: str, port: int, registry) -> str:
    """What the person starting the server needs: where to open it, where students go, where class
    games are kept."""
    lines = [f"Trade war game: open http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port} "
             "in a browser (Ctrl+C stops the server)"]
    lan = lan_addresses()
    if host in ("127.0.0.1", "localhost", "::1"):
        lines.append("Only this machine can reach it. For a class on other machines, start it with "
                     f"--host 0.0.0.0; students then open http://{lan[0] if lan else '<this machine>'}:{port}/class")
    elif host in ("0.0.0.0", "::"):
        lines += [f"Students open http://{address}:{port}/class" for address in lan] or \
                 [f"Students open http://<this machine's address>:{port}/class"]
    lines.append(f"Class games are kept in {registry.store.path} "
                 f"({len(registry.rooms)} live room(s); archived rooms stay in the file)")
    return "\n".join(lines)


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses on its network interfaces (loopback left out), read from the
    interfaces themselves: nothing is sent anywhere. Empty where the system does not tell."""
    import fcntl
    import socket
    import struct

    addresses = []
    try:
        interfaces = socket.if_nameindex()
    except OSError:
        return []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in interfaces:
            try:
                packed = fcntl.ioctl(probe.fileno(), 0x8915, struct.pack("256s", name[:15].encode()))  # SIOCGIFADDR
            except OSError:
                continue
            address = socket.inet_ntoa(packed[20:24])
            if not address.startswith("127.") and address not in addresses:
                addresses.append(address)
    return addresses
