"""The processes of a real host that no one else reaps: this process as their subreaper, the
zombies it collects, what a task is blocked in, and the end of every process a run started.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import select
import signal
import time
from collections.abc import Iterator

from harness.hosts.facts import child_stats
from harness.hosts.facts import proc_stats
from harness.interrupts import shielded

__all__ = [
    "await_any_end",
    "descendants",
    "end_new_descendants",
    "ending_descendants",
    "in_fifo_open",
    "reap",
    "set_child_subreaper",
    "zombie_children",
]

_PR_SET_CHILD_SUBREAPER = 36
_PR_GET_CHILD_SUBREAPER = 37
_subreaper_users = 0
#: the flag as it was before the first open host set it: restored when the last one closes
_subreaper_before = 0


def set_child_subreaper(on: bool) -> None:
    """prctl(PR_SET_CHILD_SUBREAPER): orphans below this process come to it, not to pid 1.
    Counted, so that the flag is put back as it was when the last open host closes (a caller
    that was a subreaper already stays one)."""
    global _subreaper_users, _subreaper_before
    _subreaper_users += 1 if on else -1
    if _subreaper_users not in ((1,) if on else (0,)):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if on:
        before = ctypes.c_int(0)
        libc.prctl(_PR_GET_CHILD_SUBREAPER, ctypes.byref(before), 0, 0, 0)
        _subreaper_before = before.value
    if libc.prctl(_PR_SET_CHILD_SUBREAPER, int(on or _subreaper_before), 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"prctl(PR_SET_CHILD_SUBREAPER): {os.strerror(err)}")


def zombie_children() -> list[int]:
    """Pids of this process's children that have exited and wait to be reaped."""
    return [stat.pid for stat in child_stats() if stat.state == "Z"]


def reap(pid: int) -> None:
    """Collect ``pid``'s exit status if it is a child that has exited (never blocks)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


#: open and openat on x86_64, openat on arm64
_OPEN_SYSCALLS = {"2", "257", "56"}


def in_fifo_open(pid: int) -> bool:
    """True while ``pid`` sleeps in the open of a FIFO, waiting for the other end
    (/proc/<pid>/wchan says wait_for_partner; /proc/<pid>/syscall shows the open)."""
    try:
        with open(f"/proc/{pid}/wchan", encoding="ascii") as f:
            wchan = f.read().strip()
        if wchan not in ("", "0"):  # the kernel names where the task sleeps
            return wchan == "wait_for_partner"
        with open(f"/proc/{pid}/syscall", encoding="ascii") as f:
            return f.read().split()[:1] in ([n] for n in _OPEN_SYSCALLS)
    except OSError:
        return False


def descendants(pid: int | None = None) -> dict[int, int]:
    """The live processes below ``pid`` (this process by default), each with its start time
    (/proc/<pid>/stat field 22): a pid alone could be reused by then."""
    root = os.getpid() if pid is None else pid
    children: dict[int, list[tuple[int, int]]] = {}
    for stat in proc_stats():
        if not stat.exited:
            children.setdefault(stat.ppid, []).append((stat.pid, stat.start_time))
    found: dict[int, int] = {}
    todo = [root]
    while todo:
        for child, start in children.get(todo.pop(), ()):
            if child not in found:
                found[child] = start
                todo.append(child)
    return found


@contextlib.contextmanager
def ending_descendants(deadline_s: float = 10.0) -> Iterator[list[int]]:
    """For the block this process is a child subreaper, so no process the block starts can
    leave the tree below it (an orphan comes here, not to pid 1); when the block ends, by a
    signal too, every process below it that was not there before is killed and reaped.
    Yields the list of those pids, filled at the end (what escaped every other cleanup)."""
    before = descendants()
    ended: list[int] = []
    set_child_subreaper(True)
    try:
        yield ended
    finally:
        with shielded(raise_after=False):
            ended += end_new_descendants(before, deadline_s)
            set_child_subreaper(False)


def await_any_end(pids: list[int], seconds: float) -> bool:
    """Block until one of ``pids`` ends (each watched through a pidfd), at most ``seconds``;
    whether one did.  A child that ended stays unreaped."""
    fds = []
    try:
        for pid in pids:
            fds.append(os.pidfd_open(pid))
    except ProcessLookupError:
        return True  # gone (reaped) already
    try:
        poller = select.poll()
        for fd in fds:
            poller.register(fd, select.POLLIN)
        return bool(poller.poll(max(0, math.ceil(seconds * 1000))))
    finally:
        for fd in fds:
            os.close(fd)


def end_new_descendants(before: dict[int, int], deadline_s: float) -> list[int]:
    """SIGKILL the descendants not in ``before`` (a pid there with another start time is a
    new process), until none is left or the deadline passes; reap those that are children."""
    ended: list[int] = []
    deadline = time.monotonic() + deadline_s
    while True:
        for pid in ended:
            reap(pid)
        new = {p: t for p, t in descendants().items() if before.get(p) != t}
        if not new or time.monotonic() > deadline:
            return ended
        for pid in new:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            ended += [pid] if pid not in ended else []
        await_any_end(list(new), deadline - time.monotonic())
