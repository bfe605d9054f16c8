"""The command that runs a report's failing requirements again, and nothing else.

It is the run's own command line (``run.command``) with ``--requirement`` naming the failures
in place of any selection it had, and without ``--report-dir``: a rerun writes a report of its
own instead of overwriting the one being read.
"""

from __future__ import annotations

import shlex

from harness.report.model import TestResult

__all__ = ["REPLAY_NOTE", "replay_command", "rerun_command", "rerun_words", "split_at_dashes"]

#: what the replay command's REPORT stands for, where a format shows the command
REPLAY_NOTE = "REPORT: this report's directory or compliance.json"

#: options of ``rtgate run`` a rerun leaves out, with the value each takes
_DROPPED = ("--requirement", "--report-dir")


def rerun_command(command: str, ids: list[str]) -> str | None:
    """``command`` run again for ``ids`` alone; None when the command is unknown or is not
    an ``rtgate run``."""
    try:
        argv = shlex.split(command)
    except ValueError:
        return None
    if not ids or "run" not in argv[:2] or not argv[0].endswith("rtgate"):
        return None
    kept: list[str] = []
    skip_value = False
    for arg in argv:
        if skip_value:
            skip_value = False
            continue
        if arg in _DROPPED:
            skip_value = True
            continue
        if arg.startswith(tuple(f"{option}=" for option in _DROPPED)):
            continue
        kept.append(arg)
    kept, tail = split_at_dashes(kept)  # pytest's arguments stay last
    return shlex.join([*kept, "--requirement", ",".join(sorted(ids)), *tail])


def split_at_dashes(words: list[str]) -> tuple[list[str], list[str]]:
    """(rtgate's words, pytest's: ``--`` and what follows it, or [])."""
    if "--" not in words:
        return list(words), []
    at = words.index("--")
    return words[:at], words[at:]


def rerun_words(command: str, ids: list[str]) -> tuple[list[str], list[str]] | None:
    """:func:`rerun_command` as the words after ``rtgate``, split by :func:`split_at_dashes`;
    None when there is no such command."""
    rerun = rerun_command(command, ids)
    return None if rerun is None else split_at_dashes(shlex.split(rerun)[1:])


def replay_command(test: TestResult) -> str | None:
    """The ``rtgate replay`` that runs ``test``'s shrunk sequence again, exactly; None when it
    has none.  (Hypothesis' own ``@reproduce_failure`` line is not shown: it cannot be put on
    a test of the installed suite, and the report keeps its arguments for the replay.)"""
    if test.hypothesis is None or not test.hypothesis.reproduce:
        return None
    failed = test.violates or test.requirements
    if not failed:
        return None
    return f"rtgate replay REPORT --requirement {failed[0]}"
