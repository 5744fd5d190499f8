"""The projector view of a class game: the join code and the students' address in large type, nothing
else. It carries no token and shows no instructor link, so projecting it gives nobody the room's key.

When the instructor opened the app on this machine (``localhost``), the address students need is the
machine's network address, not ``localhost``: the view shows that one, and says when the server was
started on loopback only, so that students could not reach it without ``--host 0.0.0.0``.

Beside the address, a QR code of it lets phones join without typing. It is drawn on this machine
(segno, pure Python, SVG in the page itself): nothing is fetched from any service.
"""

from __future__ import annotations

import os

import solara

from classroom.links import join_link
from ui.components.class_common import server_origin

LOOPBACK = ("localhost", "127.", "[::1]", "::1")


def student_origin() -> tuple[str, str]:
    """(the address students should open, a warning or ""). Built from the page's own address, with
    the machine's network address in place of a loopback one."""
    from ui.server import lan_addresses

    origin = server_origin()
    scheme, _, host = origin.partition("://")
    name, _, port = host.rpartition(":") if host.count(":") == 1 else (host, "", "")
    listening = os.environ.get("SERVER_NAME", "")
    warning = ""
    if listening.startswith(LOOPBACK):
        warning = ("This server listens on this machine only: students cannot reach it. Restart it with "
                   "--host 0.0.0.0 (python run.py play --host 0.0.0.0).")
    if name.startswith(LOOPBACK):
        addresses = lan_addresses()
        if addresses:
            origin = f"{scheme}://{addresses[0]}" + (f":{port}" if port else "")
    return origin, warning


def student_qr_uri(link: str) -> str:
    """The students' address as a QR code, an SVG ``data:`` URI. Error correction of at least level M
    (segno raises it when the symbol stays the same size) survives a smudged or glaring projector; the
    symbol for a class link stays small (version 3 to 5), so its squares are large enough to scan
    from the back of a room."""
    import segno

    return segno.make(link, error="m").svg_data_uri(border=4)


@solara.component
def ProjectorView(room):
    origin, warning = student_origin()
    solara.Title(f"Join class game {room.code}")
    with solara.Column(classes=["projector"], style={"align-items": "center", "text-align": "center",
                                                      "padding": "4vh 2vw"}):
        solara.Text("Join the class game", style={"font-size": "4vh"})
        solara.Text(room.code, classes=["projector-code"],
                    style={"font-size": "18vh", "font-weight": "bold", "letter-spacing": "0.12em",
                           "font-family": "monospace", "line-height": "1.1"})
        link = origin + join_link(room.code)
        solara.Text(link, classes=["projector-link"],
                    style={"font-size": "5vh", "font-family": "monospace", "word-break": "break-all"})
        solara.HTML(tag="img", classes=["projector-qr"],
                    attributes={"src": student_qr_uri(link), "alt": f"QR code of {link}"},
                    style="height: min(38vh, 80vw); image-rendering: pixelated; margin-top: 2vh")
        if warning:
            solara.Warning(warning, classes=["projector-warning"])
