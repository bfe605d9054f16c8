"""Text from a run made safe to print in any format: one cleaner, one first line, one escaper.

Messages, stderr ends and node ids come from the subject and the host: they may hold ANSI
colour codes, control characters, bidi overrides (which make a line read differently from what
it says) and lone surrogates (bytes decoded with ``surrogateescape``, which UTF-8 cannot
encode).  Every writer cleans them the same way, here.
"""

from __future__ import annotations

import re

__all__ = ["clean_text", "escape_markdown", "first_line", "md_cell"]

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?")
# Controls but tab and newline, DEL, C1 controls, and the bidi marks, embeddings and overrides.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# What Markdown (GFM) or HTML can read in running text; a backslash makes each literal.
_MARKUP = re.compile(r"([\\`*_\[\]<>|~&!#])")


def clean_text(text: str) -> str:
    """``text`` without ANSI escapes, control characters (but tab, newline) or bidi overrides,
    with newlines for CR and CRLF, and U+FFFD for a lone surrogate, so it can be UTF-8."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", _ANSI.sub("", text)))


def first_line(text: str | None, limit: int = 200) -> str:
    """The first non-blank line of a message, cleaned, runs of blanks made one, at most
    ``limit`` characters: what a terminal line, a table cell or a summary has room for."""
    lines = [line for line in clean_text(text or "").splitlines() if line.strip()]
    line = " ".join(lines[0].split()) if lines else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def escape_markdown(text: str) -> str:
    """Every character Markdown or HTML would read, backslash-escaped (``|`` too: table-safe)."""
    return _MARKUP.sub(r"\\\1", text)


def md_cell(text: str | None) -> str:
    """Text as one Markdown table cell or line: its :func:`first_line`, escaped."""
    return escape_markdown(first_line(text)) or " "
