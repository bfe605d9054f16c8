"""Failure messages without pytest's noise: the sentence that names the rule, and its evidence.

A requirement's message is the exception line pytest recorded, and pytest adds to it what an
operator reading a fleet of hundreds of hosts does not need: the exception's class name
(``AssertionError: ``), its own rewriting of the ``assert`` statement (``assert not True``,
``+  where True = exists('/sys/...')``, object reprs with addresses), the ``E   `` marks and
source lines of a long report, whole tracebacks.  What a test wrote itself stays: the sentence
that names the rule (``[CLI-RDT-GROUP] ...``) and the values it quotes.  A message that is
nothing but pytest's rewriting (a bare ``assert x == y``) keeps that line: it is all there is.

:func:`clean_message` is the one place this is done; it never invents text and never drops
the last informative line.
"""

from __future__ import annotations

import re

from harness.report._text import clean_text

__all__ = ["MAX_MESSAGE", "clean_message"]

#: characters a cleaned message keeps at most (a table cell, not a log)
MAX_MESSAGE = 600

# The exception names that add nothing: a failed assert, and pytest.fail().
_NOISY_EXCEPTION = re.compile(r"^(?:[\w.]+\.)?(?:AssertionError|Failed)(?::\s*|$)")
# pytest's "E   " mark of an exception line in a long report (also "E" alone on a blank line).
_E_MARK = re.compile(r"^E(?:\s+|$)")
# pytest's explanation of an assert: the statement, its "where"/"and" lines, its diff help.
_REWRITE = (
    re.compile(r"^assert\b"),
    re.compile(r"^\+\s*(?:where|and)\b"),
    re.compile(r"^where\s.*\s=\s"),
    re.compile(r"^(?:Full diff:|Use -v to get (?:more|the full) diff|Omitting \d+ identical)"),
    re.compile(r"^(?:At index \d+ diff:|Left contains|Right contains|Differing items:)"),
)
_TRACEBACK_START = "Traceback (most recent call last):"
_CHAINED = ("During handling of the above exception", "The above exception was the direct cause")


def clean_message(text: str | None, requirement: str | None = None) -> str:
    """``text`` as a person wants it: no pytest noise, at most :data:`MAX_MESSAGE` characters.

    Args:
        text: a requirement's or test's message (None and blanks give ``""``).
        requirement: the id the message is shown under; a leading ``[<id>] `` tag is then
            redundant and left out (a tag naming another rule stays).
    """
    lines = _exception_lines(clean_text(text or "").splitlines())
    kept = [line for line in lines if not _is_rewrite(line)] or lines[:1]
    if kept:
        kept[0] = _NOISY_EXCEPTION.sub("", kept[0], count=1).strip() or kept[0]
        if requirement and kept[0].startswith(f"[{requirement}] "):
            kept[0] = kept[0][len(requirement) + 3 :]
    joined = "\n".join(kept)
    return joined if len(joined) <= MAX_MESSAGE else joined[: MAX_MESSAGE - 3] + "..."


def _exception_lines(lines: list[str]) -> list[str]:
    """The lines that say what went wrong: of a long report its ``E`` lines only (its source
    lines and locations are the traceback's job), tracebacks left out, lines stripped, blanks
    dropped."""
    marked = [line for line in lines if _E_MARK.match(line)]
    if marked:
        lines = [_E_MARK.sub("", line, count=1) for line in marked]
    kept: list[str] = []
    in_traceback = False
    for line in lines:
        if line.startswith(_TRACEBACK_START) or line.startswith(_CHAINED):
            in_traceback = True
            continue
        if in_traceback and (not line.strip() or line[:1].isspace()):
            continue  # a frame ("  File ...") or its source line
        in_traceback = False
        if line.strip():
            kept.append(line.strip())
    return kept


def _is_rewrite(line: str) -> bool:
    return any(pattern.match(line) for pattern in _REWRITE)
