"""Prose: Markdown turned into HTML on the server.

Solara's own Markdown component loads KaTeX and Mermaid from a CDN every time it appears, which a
classroom with no internet cannot reach (and which would make the server fetch from outside). The app's
text needs neither maths nor diagrams, so it is converted here with the ``markdown`` package instead.
Scenario files are user-written, so any HTML in them is shown as text, never run.
"""

from __future__ import annotations

import html
from functools import lru_cache

import markdown as markdown_lib
import solara

_CONVERTER = markdown_lib.Markdown(extensions=["tables", "sane_lists"])


@lru_cache(maxsize=1024)
def to_html(text: str) -> str:
    """HTML for ``text`` (cached: briefings and table rows repeat on every redraw)."""
    _CONVERTER.reset()
    return _CONVERTER.convert(html.escape(text, quote=False))


@solara.component
def Prose(text: str, classes: list[str] = []):
    solara.HTML(tag="div", unsafe_innerHTML=to_html(text), classes=["prose", *classes])
