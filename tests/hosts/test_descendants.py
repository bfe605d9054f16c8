"""Processes of a run are tracked so none escapes (issue 18 e): inside
:func:`~harness.hosts.processes.ending_descendants` this process is a child subreaper, so an
orphan comes to it, and every process the block started is ended with the block, the orphans
of processes that are long gone too.  Processes that were there before are left alone."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator

import pytest

from harness.hosts.facts import stat_or_none
from harness.hosts.processes import descendants
from harness.hosts.processes import ending_descendants


def _alive(pid: int) -> bool:
    stat = stat_or_none(pid)
    return stat is not None and not stat.exited


@pytest.fixture
def started() -> Iterator[list[int]]:
    """Pids this test starts; any still alive at the end is killed (a failing test leaves
    nothing)."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def _orphan() -> int:
    """A ``sleep`` whose parent shell has already exited: an orphan, in a session of its own."""
    shell = subprocess.run(
        ["sh", "-c", "setsid sleep 600 </dev/null >/dev/null 2>&1 & echo $!"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(shell.stdout)


def test_an_orphan_of_the_block_is_ended_with_it(started: list[int]) -> None:
    before = subprocess.Popen(["sleep", "600"])
    started.append(before.pid)
    with ending_descendants() as ended:
        orphan = _orphan()
        started.append(orphan)
        assert orphan in descendants(), "as the subreaper, this process got the orphan"
        child = subprocess.Popen(["sleep", "600"])
        started.append(child.pid)
    assert sorted(ended) == sorted([orphan, child.pid])
    assert not _alive(orphan) and not _alive(child.pid)
    assert _alive(before.pid), "a process from before the block is not the block's"


def test_a_signal_in_the_block_ends_its_processes_too(started: list[int]) -> None:
    with pytest.raises(KeyboardInterrupt), ending_descendants():
        orphan = _orphan()
        started.append(orphan)
        raise KeyboardInterrupt
    assert not _alive(orphan)
