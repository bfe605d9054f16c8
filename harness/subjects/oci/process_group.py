"""Waiting for a runtime's command without polling, and ending all of it at its deadline.

``Popen.wait(timeout=...)`` polls on POSIX (sleeps growing to 50 ms between looks), which made
each runc command about 1.4 times slower than its own time.  Here the caller blocks in
``poll(2)`` on a pidfd of the command, which wakes it the moment the command ends or its
timeout passes; no thread is started per command.

Each command starts in a process group of its own (:data:`OWN_GROUP`), so its group is the
command and every descendant that stayed in it: the helpers of a hung ``create``, a hook it
runs.  A group, not a session: with the scheduler's autogroups (on by default) a new session is
a new scheduling group, and runc's commands (Go, many threads) then took twice as long (median
of 300, loaded 2-core machine); crun's did not change.  A container's init leaves the group
(runc 1.1.5 and crun 1.8.1 give it a session of its own, seen with ``ps -o pid,pgid,sid``), so
a container outlives a killed command about it, for the scenario's teardown to end.  The group
is killed only when the deadline passes: a command that ends in time leaves its descendants
alone (``create`` leaves the container).

The leader is reaped only once the killed group is gone: an unreaped zombie keeps its pid, and
so the group's id, from being reused, so the kill can never reach another group.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import time

from harness.hosts.facts import ProcStat
from harness.hosts.facts import proc_stats
from harness.hosts.processes import await_any_end

__all__ = ["GROUP_END_DEADLINE_S", "OWN_GROUP", "Ending", "wait_or_kill_group"]

#: the Popen keyword arguments that give a command a process group of its own
OWN_GROUP = {"process_group": 0}
#: how long a killed group's processes may take to end before the record says they survived
GROUP_END_DEADLINE_S = 5.0


@dataclasses.dataclass(frozen=True, slots=True)
class Ending:
    """How a command ended."""

    #: the exit status; negative for a signal
    exit_code: int
    timed_out: bool = False
    #: the processes of its group that the deadline killed, as "pid (comm)"
    killed: tuple[str, ...] = ()
    #: those still there :data:`GROUP_END_DEADLINE_S` after the kill
    survived: tuple[str, ...] = ()


def _members(pgid: int) -> list[ProcStat]:
    """The live processes of group ``pgid``."""
    return [stat for stat in proc_stats() if stat.pgrp == pgid and not stat.exited]


def _named(stats: list[ProcStat]) -> tuple[str, ...]:
    return tuple(f"{stat.pid} ({stat.comm})" for stat in stats)


def _kill_group(pgid: int) -> tuple[str, ...]:
    """SIGKILL to group ``pgid`` (a command this driver started); who was in it."""
    members = _named(_members(pgid))
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    return members


def _await_group_end(pgid: int, deadline_s: float = GROUP_END_DEADLINE_S) -> tuple[str, ...]:
    """Wait until no process of the killed group ``pgid`` lives, at most ``deadline_s``;
    those left then.  Each look finds the group by its id in /proc, and the wait between looks
    blocks until one of them ends."""
    end = time.monotonic() + deadline_s
    while True:
        left = _members(pgid)
        remaining = end - time.monotonic()
        if not left or remaining <= 0:
            return _named(left)
        _kill_group(pgid)  # the leader is unreaped: the id is still this command's
        await_any_end([stat.pid for stat in left], remaining)


def wait_or_kill_group(proc: subprocess.Popen[bytes], timeout: float) -> Ending:
    """How ``proc`` (started with :data:`OWN_GROUP`) ended, its whole group killed at
    ``timeout``; ``proc`` is reaped when this returns, and so is a command interrupted by an
    exception (its group killed too)."""
    try:
        exited = await_any_end([proc.pid], timeout)
    except BaseException:
        _kill_group(proc.pid)
        _await_group_end(proc.pid)
        proc.wait()
        raise
    if exited:
        return Ending(proc.wait())
    killed = _kill_group(proc.pid)
    survived = _await_group_end(proc.pid)
    return Ending(proc.wait(), True, killed, survived)
