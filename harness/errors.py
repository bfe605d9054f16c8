"""Errors of rtgate itself, and the exit code each one ends a command with.

::

    RtgateError                 (exit 3: the harness or the host broke)
     +-- UsageError             (exit 2: a bad flag, subject, profile or option value)
     +-- InputFileError         (exit 2: a catalog, expectations or report file that does not parse)
     |    +-- SpecError         (the requirement catalog or a spec table is malformed)
     +-- SubjectError           (the subject could not be driven at all)
     +-- FakeKernelError        (the simulated kernel was used in a way it cannot model)
     +-- HostLacksRequired      (exit 1: the host lacks a feature the gate requires)

Failures of the *subject* are not errors of rtgate: they are test failures, and end a run with
exit 1 through the verdict.
"""

from __future__ import annotations

import re

__all__ = [
    "FakeKernelError",
    "HostLacksRequired",
    "InputFileError",
    "RtgateError",
    "SpecError",
    "SubjectError",
    "UsageError",
    "split_toml_error",
]


class RtgateError(Exception):
    """Base class.  ``exit_code`` is what ``rtgate`` exits with when this reaches the top,
    after ``rtgate: <label>: <message>``."""

    exit_code = 3
    label = "error"


class UsageError(RtgateError):
    """The user asked for something that does not exist or does not make sense."""

    exit_code = 2


class InputFileError(RtgateError):
    """A file the user gave (or the shipped catalog) cannot be read.  Names the file and line."""

    exit_code = 2

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line


class SpecError(InputFileError):
    """The requirement catalog or a table of ``harness/spec`` is malformed."""


class SubjectError(RtgateError):
    """The subject could not be loaded or driven (not: the subject failed a requirement)."""


class HostLacksRequired(RtgateError):
    """``--require`` named a host feature this host does not have: the gate's answer is a
    fail, known before any test runs (not a usage error: the command line was right)."""

    exit_code = 1
    label = "verdict FAIL"


class FakeKernelError(RtgateError):
    """The simulated kernel was asked to do something it does not model."""


_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column \d+\)$")


def split_toml_error(message: str, text: str) -> tuple[str, int | None]:
    """tomllib (3.11) puts the place at the end of the message; take it out as a line."""
    found = _TOML_WHERE.search(message)
    if found:
        return message[: found.start()], int(found.group(1))
    if message.endswith("(at end of document)"):
        return message.removesuffix(" (at end of document)"), text.count("\n") + 1
    return message, None
