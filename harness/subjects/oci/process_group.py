"""Waiting for a runtime's command without polling, and ending all of it at its deadline.

``Popen.wait(timeout=...)`` polls on POSIX (sleeps growing to 50 ms between looks), which made
each runc command about 1.4 times slower than its own time.  Here the caller blocks in
``waitid(2)``, which wakes it the moment the command ends, and a timer thread does what a
deadline needs: SIGKILL to the command's process group.

Each command starts in a session of its own (:data:`NEW_SESSION`), so its group is the command
and every descendant that stayed in it: the helpers of a hung ``create``, a hook it runs.  A
container's init leaves it (runc 1.1.5 and crun 1.8.1 give it a session of its own, seen with
``ps -o pid,pgid,sid``), so a container outlives a killed command about it, for the scenario's
teardown to end.  The group is killed only when the deadline passes: a command that ends in
time leaves its descendants alone (``create`` leaves the container).

The leader is reaped only after the timer thread has stopped and the killed group is gone: an
unreaped zombie keeps its pid, and so the group's id, from being reused, so the kill can never
reach another group.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import select
import signal
import subprocess
import threading
import time

from harness.hosts.facts import ProcStat
from harness.hosts.facts import proc_stats

__all__ = ["GROUP_END_DEADLINE_S", "NEW_SESSION", "Ending", "wait_or_kill_group"]

#: the Popen keyword arguments that give a command its own session (and process group)
NEW_SESSION = {"start_new_session": True}
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


class _Deadline:
    """A timer thread that kills the group at ``timeout`` and notes who was in it."""

    def __init__(self, pgid: int, timeout: float) -> None:
        self.pgid = pgid
        self.fired = False
        self.killed: tuple[str, ...] = ()
        self._timer = threading.Timer(timeout, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        self.fired = True
        self.killed = _kill_group(self.pgid)

    def stop(self) -> None:
        """No kill from now on (one under way is waited for)."""
        self._timer.cancel()
        self._timer.join()


def _await_any_end(pids: list[int], seconds: float) -> None:
    """Block until one of ``pids`` ends (each watched through a pidfd), at most ``seconds``."""
    fds = []
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            fds.append(os.pidfd_open(pid))
    try:
        if len(fds) < len(pids):
            return  # one ended already
        poller = select.poll()
        for fd in fds:
            poller.register(fd, select.POLLIN)
        poller.poll(max(0, int(seconds * 1000)))
    finally:
        for fd in fds:
            os.close(fd)


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
        _await_any_end([stat.pid for stat in left], remaining)


def _await_exit(pid: int) -> None:
    """Block until child ``pid`` has exited, leaving it unreaped."""
    with contextlib.suppress(ChildProcessError):  # reaped by someone else: it has exited
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)


def wait_or_kill_group(proc: subprocess.Popen[bytes], timeout: float) -> Ending:
    """How ``proc`` (started with :data:`NEW_SESSION`) ended, its whole group killed at
    ``timeout``; ``proc`` is reaped when this returns, and so is a command interrupted by an
    exception (its group killed too)."""
    deadline = _Deadline(proc.pid, timeout)
    try:
        _await_exit(proc.pid)
    except BaseException:
        deadline.stop()
        _kill_group(proc.pid)
        _await_group_end(proc.pid)
        proc.wait()
        raise
    deadline.stop()
    survived = _await_group_end(proc.pid) if deadline.fired else ()
    return Ending(proc.wait(), deadline.fired, deadline.killed, survived)
