"""The reference's command line as programs of their own (a real host): each command is waited
for with a deadline, blocking until it or a process below rtgate ends (never polling), its
output kept whatever its size, and one that overruns its limit killed and recorded as timed
out.  A host stand-in keeps this off the machine's cgroups: only the programs are real."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from harness.subjects.command_line import ApiCommandLine
from harness.subjects.registry import parse_subject

#: a program that writes more than a pipe holds (64 KiB) before it exits 3
_CHATTY = "import sys; sys.stdout.write('x' * 300_000); sys.stderr.write('done'); sys.exit(3)"
#: a program that never ends by itself
_STUCK = "import threading; threading.Event().wait()"


class _Host:
    """What the command line needs of a host that executes programs, and the reaping asked."""

    executes_programs = True
    state_root = "/nonexistent"

    def __init__(self) -> None:
        self.reaps: list[int | None] = []

    def commands_run_as_programs(self) -> None:
        pass

    @contextlib.contextmanager
    def launching(self) -> Iterator[dict[str, Any]]:
        yield {}

    def runtime_exited(self, waited_for: int | None = None) -> None:
        self.reaps.append(waited_for)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> ApiCommandLine:
    """The reference's command line on :class:`_Host`, each command a ``python -c`` program."""
    line = ApiCommandLine(parse_subject("reference"), _Host(), "seed")  # type: ignore[arg-type]
    monkeypatch.setattr(line, "program_argv", lambda code: (sys.executable, "-c", code))
    return line


def test_a_command_that_writes_more_than_a_pipe_holds_ends_with_all_it_wrote(
    cli: ApiCommandLine,
) -> None:
    record = cli(_CHATTY)
    assert (record.exit_code, record.timed_out) == (3, False)
    assert len(record.stdout) == 300_000 and record.stderr_tail == "done"
    *during, after = cli.host.reaps
    assert during and len(set(during)) == 1 and None not in during, (
        "orphans were reaped while the command ran, never the command itself"
    )
    assert after is None, "and once more after it"


def test_a_command_past_its_limit_is_killed_and_recorded_as_timed_out(
    cli: ApiCommandLine,
) -> None:
    before = _children()
    record = cli(_STUCK, timeout=0.5)
    assert (record.exit_code, record.timed_out, record.duration_s >= 0.5) == (-1, True, True)
    assert _children() <= before, "the killed command was reaped"


def _children() -> set[int]:
    """This process's children, live or not yet reaped."""
    me = str(os.getpid())
    found = set()
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{name}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[1] == me:
                    found.add(int(name))
    return found
