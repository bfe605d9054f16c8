"""Processes of a run are tracked so none escapes (issue 18 e): inside
:func:`~harness.hosts.processes.ending_descendants` this process is a child subreaper, so an
orphan comes to it, and every process the block started is ended with the block, the orphans
of processes that are long gone too.  Processes that were there before are left alone."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator

import pytest

from harness.hosts.facts import child_stats
from harness.hosts.facts import proc_stats
from harness.hosts.facts import stat_or_none
from harness.hosts.processes import descendants
from harness.hosts.processes import ending_descendants
from harness.hosts.processes import zombie_children


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


def test_the_children_files_name_what_a_scan_of_every_process_finds() -> None:
    """child_stats reads the kernel's per-thread children lists; it must find what the scan
    of all of /proc finds, zombies and a grandchild's parent included."""
    ended = subprocess.Popen(["/bin/true"])  # noqa: S603 - a fixed program
    parent = subprocess.Popen(["/bin/sh", "-c", "sleep 30 & wait"])  # noqa: S603
    try:
        os.waitid(os.P_PID, ended.pid, os.WEXITED | os.WNOWAIT)  # a zombie, not reaped
        grandchild = _first_child(parent.pid)
        assert ended.pid in zombie_children()
        me = os.getpid()
        scanned = {s.pid for s in proc_stats() if s.ppid == me}
        assert {s.pid for s in child_stats()} == scanned
        assert {ended.pid, parent.pid} <= scanned
        assert [s.pid for s in child_stats(parent.pid)] == [grandchild]
    finally:
        parent.kill()
        parent.wait()
        ended.wait()


def _first_child(pid: int) -> int:
    """The first child ``pid`` starts, once it is there (polled with a deadline)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = [s.pid for s in proc_stats() if s.ppid == pid and not s.exited]
        if found:
            return found[0]
        time.sleep(0.005)
    raise AssertionError(f"{pid} started no child in 10 s")
