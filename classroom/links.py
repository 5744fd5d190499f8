"""Where people go: the page paths for a room, relative to the server (the pages add the host).

A student's rejoin link and the instructor's link carry their token, so keeping the link is all it
takes to get back to one's seat after closing the browser or after a server restart.
"""

from __future__ import annotations

from urllib.parse import quote

CLASS_PAGE = "/class"


def join_link(code: str) -> str:
    return f"{CLASS_PAGE}?room={quote(code)}"


def rejoin_link(code: str, token: str) -> str:
    return f"{CLASS_PAGE}?room={quote(code)}&token={quote(token)}"


def instructor_link(code: str, token: str) -> str:
    return f"{CLASS_PAGE}/instructor?room={quote(code)}&token={quote(token)}"


def projector_link(code: str) -> str:
    """The projector view: no token, so projecting it gives nobody the room's key."""
    return f"{CLASS_PAGE}/projector?room={quote(code)}"
