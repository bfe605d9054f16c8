"""Commands a test ran, carried into the report through the test's ``user_properties``.

A scenario's command line object keeps a record of every command (argv, exit code, duration,
stderr end).  :func:`attach_commands` hands those records to the report when the test ends,
as one property of plain values, so that they cross from an xdist worker like the rest of the
test report.  Only the last :data:`~harness.report.model.MAX_COMMANDS` are kept: those led to
the failure, and a state machine may run thousands.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any
from typing import Protocol

import pytest

from harness.report.model import MAX_COMMANDS

__all__ = ["COMMANDS_PROPERTY", "CommandLike", "RecordCommands", "attach_commands"]

COMMANDS_PROPERTY = "rtgate_commands"


class CommandLike(Protocol):
    """What the report needs of a command record
    (:class:`harness.subjects.command_line.CommandRecord`)."""

    @property
    def argv(self) -> Sequence[str]: ...
    @property
    def exit_code(self) -> int: ...
    @property
    def duration_s(self) -> float: ...
    @property
    def stderr_tail(self) -> str: ...
    @property
    def timed_out(self) -> bool: ...


class RecordCommands(Protocol):
    """What the ``record_commands`` fixture hands a test: :func:`attach_commands` for it."""

    def __call__(
        self,
        records: Callable[[], Iterable[CommandLike]],
        run: Callable[[], int] | None = None,
        seconds: Callable[[], float] | None = None,
    ) -> None: ...


def attach_commands(
    request: pytest.FixtureRequest,
    records: Callable[[], Iterable[CommandLike]],
    run: Callable[[], int] | None = None,
    seconds: Callable[[], float] | None = None,
) -> None:
    """When the test ends, put the commands ``records()`` returns then into its report;
    ``run()`` and ``seconds()``, when given, are how many ran in all and their summed
    durations, of which ``records()`` is the last (a test that runs too many to hold them
    all).  The sum is what a test's time is set against: the harness's overhead over the
    runtime's own."""

    def attach() -> None:
        commands = list(records())
        kept = commands[-MAX_COMMANDS:]
        ran = len(commands) if run is None else max(run(), len(commands))
        total = sum(c.duration_s for c in commands) if seconds is None else seconds()
        value: dict[str, Any] = {
            "commands": [_plain(c) for c in kept],
            "omitted": ran - len(kept),
            "seconds": float(total),
        }
        if ran:
            request.node.user_properties.append((COMMANDS_PROPERTY, value))

    request.addfinalizer(attach)


def _plain(command: CommandLike) -> dict[str, Any]:
    return {
        "argv": [str(a) for a in command.argv],
        "exit_code": int(command.exit_code),
        "duration_s": float(command.duration_s),
        "stderr_tail": str(command.stderr_tail),
        "timed_out": bool(command.timed_out),
        # a timed-out OCI command's process group: what was killed, what outlived the kill
        "killed": [str(p) for p in getattr(command, "killed", ())],
        "survived": [str(p) for p in getattr(command, "survived", ())],
    }
