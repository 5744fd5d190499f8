"""A scenario's briefing, read in a browser: command-line instructions set apart.

Scenario briefings serve both the web app and the command line, so some of their sentences tell the
reader to run ``python run.py ...``, write a decisions file or open ``out/model.csv``. On the Play and
Scenarios pages those sentences would send a student to a terminal in the middle of a game, so they are
moved, in order and unchanged, to a collapsed "From the command line" part under the briefing. A sentence
belongs there when it names a command, an option, a decisions-file entry or an output file to open.
"""

from __future__ import annotations

import re

# What marks a sentence as an instruction for the command line.
COMMAND_LINE = re.compile(r"python run\.py|(?<![\w-])--[a-z]|\[\[decision\]\]|from the command line|\bout/|"
                          r"\.toml\b", re.IGNORECASE)
# Sentence ends: a full stop, question or exclamation mark followed by space and a capital letter or a
# list number; a new numbered line also starts a new sentence.
_SENTENCE_END = re.compile(r"(?<=[.?!])(?<!\n\d\.)(?<!^\d\.)\s+(?=[A-Z(])|\s*\n(?=\d+\.\s)")


def split_briefing(sections: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(for the browser, for the command line): each section's sentences sorted into the two parts, keeping
    their order; a section left with nothing is dropped from that part."""
    browser, command_line = [], []
    for title, text in sections:
        sentences = [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
        web = [s for s in sentences if not COMMAND_LINE.search(s)]
        cli = [s for s in sentences if COMMAND_LINE.search(s)]
        if web:
            browser.append((title, _join(web)))
        if cli:
            command_line.append((title, _join(cli)))
    return browser, command_line


def _join(sentences: list[str]) -> str:
    """Sentences back into text; numbered list items each on their own line."""
    out = ""
    for s in sentences:
        out += ("\n" if re.match(r"\d+\.\s", s) and out else " " if out else "") + s
    return out
