"""The container's init process as libcontainer holds it: a child, or a pid from state.json."""

from __future__ import annotations

import errno
import os
import signal as signal_module

from reference_impl.errors import LibcontainerError
from reference_impl.errors import PathError
from reference_impl.system import System

__all__ = ["InitProcess", "NonChildProcess", "ParentProcess", "pipe_fds"]


class ParentProcess:
    """What ``initProcess`` and ``nonChildProcess`` share: a pid, a start time, signals."""

    def __init__(
        self, pid: int, start_time: int, system: System, fds: list[str] | None = None
    ) -> None:
        self.pid = pid
        self.start_time = start_time
        self.system = system
        #: where its fds 0, 1 and 2 pointed when it started: state.json's external_descriptors
        self.fds: list[str] = list(fds or [])

    def signal(self, sig: int) -> None:
        """Raises ``OSError`` (ESRCH) when the process is gone."""
        self.system.signal(self.pid, sig)

    def wait(self) -> int | None:
        raise NotImplementedError

    def terminate(self) -> str:
        """SIGKILL and reap, as ``parent.terminate`` does after a failed start; what Go's
        ``cmd.Process.Kill`` and then ``cmd.Wait`` return, as text (692f6e1
        process_linux.go:425-434): the kill's error, else the wait's ``*exec.ExitError``,
        which is "signal: killed" for the init the kill ended; "" for none."""
        killed = ""
        try:
            self.signal(signal_module.SIGKILL)
        except OSError as err:
            if err.errno != errno.ESRCH:
                raise
            killed = "os: process already finished"  # Go's os.ErrProcessDone for ESRCH
        try:
            status = self.wait()
        except OSError:
            if killed:  # the kill's error is the one returned, the wait's dropped
                return killed
            raise
        return killed or exit_error(status)


def exit_error(status: int | None) -> str:
    """Go's ``*exec.ExitError`` text of a wait status ("" for success): "exit status <n>", or
    "signal: <name>" for a child a signal ended (-<signal>, as Popen gives it)."""
    if not status:
        return ""
    if status > 0:
        return f"exit status {status}"
    name = signal_module.strsignal(-status) or f"signal {-status}"
    return f"signal: {name.lower()}"


class InitProcess(ParentProcess):
    """The init this runtime started itself: it can wait for it."""

    def wait(self) -> int | None:
        return self.system.wait(self.pid)


class NonChildProcess(ParentProcess):
    """An init known only from state.json (after ``load``): it cannot be waited on."""

    def wait(self) -> int | None:
        raise LibcontainerError("restored process cannot be waited on")


def pipe_fds(pid: int) -> list[str]:
    """``getPipeFds``: the targets of fds 0, 1 and 2 of ``pid``, read before the process can
    move them; one the runtime may not read is "" (Go's os.IsPermission: EPERM, EACCES;
    692f6e1 process_linux.go:477-498, v1.2.0 :893-914).

    Raises:
        PathError: "readlink /proc/<pid>/fd/<n>: <errno text>" for any other error.
    """
    fds = []
    for fd in range(3):
        link = f"/proc/{pid}/fd/{fd}"
        try:
            fds.append(os.readlink(link))
        except PermissionError:
            fds.append("")
        except OSError as err:
            raise PathError("readlink", link, err.errno or errno.EIO) from err
    return fds
