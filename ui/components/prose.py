"""Prose: the project's own Markdown turned into HTML on the server, and what people type shown as text.

Solara's own Markdown component loads KaTeX and Mermaid from a CDN every time it appears, which a
classroom with no internet cannot reach (and which would make the server fetch from outside). The app's
text needs neither maths nor diagrams, so it is converted here with the ``markdown`` package instead.

Two rules keep typed text (a student's name, a headline, a broadcast) from becoming anything but text:

- the converter makes no links and no images at all, whatever the text: a ``[x](javascript:...)``
  would be a script a click away, and an ``![i](http://...)`` a fetch with no click. The project's
  own Markdown (briefings, help text) needs neither; any HTML in it is shown as text, never run;
- text a person typed goes into Markdown through ``plain`` (every Markdown sign escaped, so ``Bob |
  submitted`` cannot add a table column) or into a ``Table`` (cells are HTML-escaped text).
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import markdown as markdown_lib
import solara

# Inline patterns that make links or images (Python-Markdown's names); they are removed from the
# converter, so what they would match stays as the literal text that was typed.
NO_LINKS_OR_IMAGES = ("reference", "link", "image_link", "image_reference", "short_reference",
                      "short_image_ref", "autolink", "automail")


def _converter() -> markdown_lib.Markdown:
    converter = markdown_lib.Markdown(extensions=["tables", "sane_lists"])
    for name in NO_LINKS_OR_IMAGES:
        converter.inlinePatterns.deregister(name, strict=False)
    return converter


_CONVERTER = _converter()
_MARKDOWN_SIGNS = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


@lru_cache(maxsize=1024)
def to_html(text: str) -> str:
    """HTML for ``text`` (cached: briefings and table rows repeat on every redraw)."""
    _CONVERTER.reset()
    return _CONVERTER.convert(html.escape(text, quote=False))


def plain(text) -> str:
    """``text`` (typed by a person) made safe to put inside Markdown: it shows exactly as typed, on
    one line, with no formatting, no table cells, no headings and no list items of its own."""
    return _MARKDOWN_SIGNS.sub(r"\\\1", " ".join(str(text).split()))


@solara.component
def Prose(text: str, classes: list[str] = []):
    solara.HTML(tag="div", unsafe_innerHTML=to_html(text), classes=["prose", *classes])


def table_html(header: list[str], rows: list[list], numeric: tuple[int, ...] = ()) -> str:
    """An HTML table whose every cell is escaped text (the cells may hold what people typed)."""
    def cell(tag: str, index: int, value) -> str:
        align = ' class="num"' if index in numeric else ""
        return f"<{tag}{align}>{html.escape(str(value), quote=True)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


@solara.component
def Table(header: list[str], rows: list[list], classes: list[str] = [], numeric: tuple[int, ...] = ()):
    """A table of text cells that scrolls sideways inside its card on a narrow screen."""
    solara.HTML(tag="div", unsafe_innerHTML=table_html(header, rows, numeric),
                classes=["prose", "table-scroll", *classes])


def block_html(text: str, classes: list[str] = ()) -> str:
    """``text`` (Markdown, typed parts through ``plain``) as the HTML ``Prose`` draws, for pages that
    put several panels in one block."""
    return f'<div class="{" ".join(["prose", *classes])}">{to_html(text)}</div>'


def card_html(title: str, body: str, classes: list[str] = ()) -> str:
    """A card as ``solara.Card(title, margin=0)`` draws it (Vuetify's classes, so it looks the same),
    around ``body`` (HTML made here); the title is escaped text."""
    names = " ".join(["v-card", "v-sheet", "theme--light", "elevation-2", "ma-0", *classes])
    return (f'<div class="{names}"><div class="v-card__title">{html.escape(title, quote=False)}</div>'
            f'<div class="v-card__text">{body}</div></div>')
