"""One command run under a fault plan: the filter installed between fork and exec, the
listener handed to a thread of the harness that answers each waiting syscall.

The thread starts before the command does, so that nothing the child does before exec can
wait on an answer no one gives.  It counts every matching syscall of the command and of all its
descendants against one :class:`~harness.fakes.faults.FaultPlan`, so "the first attempt only"
means the first of the whole command, whichever of a Go runtime's threads makes it.  When the
command is over the thread answers what is still waiting and closes the listener; a descendant
that outlives the command (none does for delete, kill, pause, resume or start) then gets ENOSYS
from the filtered syscalls.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from harness.fakes.faults import FaultPlan
from harness.fakes.faults import KernelOp
from harness.hosts.inject import seccomp
from harness.hosts.inject.syscalls import Caller
from harness.hosts.inject.syscalls import decode
from harness.hosts.inject.syscalls import numbers_for

__all__ = ["supervised"]

#: how often the thread looks whether the command is over
_TICK_MS = 20
#: how long it keeps answering a descendant that outlives the command
_GRACE_S = 1.0


class _Session:
    def __init__(self, plan: FaultPlan, log: list[KernelOp]) -> None:
        self._plan = plan
        self._log = log
        code = seccomp.filter_program(numbers_for({fault.op for fault in plan.armed}))
        # made here, not in the child: between fork and exec nothing should allocate
        self._program = ctypes.create_string_buffer(code, len(code))
        self._ours, self._theirs = socket.socketpair()
        self._over = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="rtgate-faults", daemon=True)

    def popen_kwargs(self) -> dict[str, Any]:
        return {"preexec_fn": self._install, "pass_fds": (self._theirs.fileno(),)}

    def _install(self) -> None:
        """In the child, after fork: install the filter and pass its listener up."""
        listener = seccomp.install_listener(self._program)
        socket.send_fds(self._theirs, [b"L"], [listener])

    def start(self) -> None:
        self._thread.start()

    def finish(self) -> None:
        """The command is over: stop serving once nothing waits, and release everything."""
        self._theirs.close()
        self._over.set()
        self._thread.join()
        self._ours.close()

    def _serve(self) -> None:
        listener = self._await_listener()
        if listener is None:
            return
        try:
            self._answer_all(listener)
        finally:
            os.close(listener)

    def _await_listener(self) -> int | None:
        while not self._over.is_set():
            ready, _, _ = select.select([self._ours], [], [], _TICK_MS / 1000)
            if ready:
                _, fds, _, _ = socket.recv_fds(self._ours, 1, 1)
                if fds:
                    return int(fds[0])
                break
        return None  # the command never started (Popen failed before exec)

    def _answer_all(self, listener: int) -> None:
        poller = select.poll()
        poller.register(listener, select.POLLIN)
        grace_end: float | None = None
        while True:
            events = poller.poll(_TICK_MS)
            if self._over.is_set():
                grace_end = grace_end or time.monotonic() + _GRACE_S
                if not events or time.monotonic() > grace_end:
                    return
            for _, mask in events:
                if mask & select.POLLIN:
                    self._answer(listener)
                elif mask & (select.POLLHUP | select.POLLERR):
                    return  # every process under the filter has exited

    def _answer(self, listener: int) -> None:
        note = seccomp.receive(listener)
        if note is None:
            return
        err: int | None = None
        try:
            found = decode(Caller(note.pid), note.nr, note.args)
            if found is not None:
                op, path = found
                err = self._plan.check(op, path)
                self._log.append(KernelOp(op, path, None, err))  # type: ignore[arg-type]
        except OSError:
            err = None  # the caller or its fd went away: let the syscall meet the kernel
        finally:
            seccomp.respond(listener, note, err)


@contextlib.contextmanager
def supervised(plan: FaultPlan, log: list[KernelOp]) -> Iterator[dict[str, Any]]:
    """Run the block's one ``subprocess.Popen`` (given the yielded keyword arguments) under
    ``plan``'s faults; each operation the filter saw goes to ``log`` with its outcome.

    Raises:
        OSError: the kernel refused the filter (seen as a SubprocessError from Popen).
    """
    session = _Session(plan, log)
    session.start()
    try:
        yield session.popen_kwargs()
    finally:
        session.finish()
