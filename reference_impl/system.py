"""The one way the reference runtime reaches processes, programs and time.

runc talks to the kernel through syscalls; Python cannot fake a syscall, but it can fake a file
(pyfakefs) and it can be handed an object.  Everything that is *not* a file — starting a process,
sending it a signal, waiting for it, running a hook program, making a FIFO, sleeping between
retries — goes through a :class:`System`.  :class:`RealSystem` here does it for real; the
simulated host's ``SimulatedSystem`` (``harness.hosts.simulated_system``) has the same surface.

Process status is read from ``/proc/<pid>/stat`` by :func:`read_proc_stat`, through ``open``, so the
same parser serves the real ``/proc`` and the simulated one.
"""

from __future__ import annotations

import ctypes
import dataclasses
import errno
import os
import signal as signal_module
import subprocess
import time
from collections.abc import Callable
from typing import Protocol
from typing import runtime_checkable

__all__ = [
    "HookResult",
    "ProcStat",
    "ProcessSpec",
    "RealSystem",
    "System",
    "read_proc_stat",
]


@dataclasses.dataclass(frozen=True, slots=True)
class ProcStat:
    """The fields of ``/proc/<pid>/stat`` that libcontainer looks at."""

    #: process id
    pid: int
    #: one-letter state: R, S, D, T, t, Z, X ...
    state: str
    #: start time in clock ticks after boot (field 22)
    start_time: int

    @property
    def is_zombie_or_dead(self) -> bool:
        """True when the task has exited (zombie) or is being reaped (dead)."""
        return self.state in ("Z", "X", "x")


def read_proc_stat(pid: int) -> ProcStat:
    """Read and parse ``/proc/<pid>/stat``.

    The command name (field 2) may contain spaces and parentheses, so the fields after it are
    located from the *last* ``)``, as the kernel's own tools do.

    Raises:
        OSError: ENOENT (or ESRCH) when there is no such process.
        ValueError: when the file does not have the kernel's format.
    """
    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
        text = f.read()
    close = text.rfind(")")
    if close < 0:
        raise ValueError(f"malformed /proc/{pid}/stat: {text!r}")
    rest = text[close + 2 :].split()
    # rest[0] is field 3 (state); field 22 (starttime) is rest[19].
    if len(rest) < 20:
        raise ValueError(f"malformed /proc/{pid}/stat: {text!r}")
    return ProcStat(pid=pid, state=rest[0], start_time=int(rest[19]))


@dataclasses.dataclass(frozen=True, slots=True)
class ProcessSpec:
    """What to start: a program, its arguments and environment, and the container plumbing."""

    args: tuple[str, ...]
    env: tuple[str, ...] = ()
    cwd: str = "/"
    #: for a container's init: the exec FIFO the process writes one byte to before it execs
    #: ``args`` (the way libcontainer's init blocks until ``runc start``). None for exec'd
    #: processes and plain programs.
    exec_fifo: str | None = None
    #: namespaces the process gets of its own ("pid", "net", ...) or joins ("net=<path>").  A
    #: simulated kernel models a private PID namespace (its other members die with its init)
    #: and network namespaces; the real system in this module makes or joins a network
    #: namespace only (the others would need runc's double fork) and ignores the rest.
    namespaces: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class HookResult:
    """How a hook program ended.  ``timed_out`` means it was killed at its deadline."""

    exit_code: int | None
    stdout: str
    stderr: str
    timed_out: bool = False


@runtime_checkable
class System(Protocol):
    """Processes, programs, FIFOs and time: everything the runtime needs that is not a file.

    Every method raises ``OSError`` with the kernel's errno where the syscall would fail
    (``ESRCH`` for a signal to a missing pid, ``ECHILD`` for waiting on a non-child).
    """

    def spawn(self, spec: ProcessSpec) -> int:
        """Start a process; return its pid.  It is a child of the caller."""
        ...

    def exec_stat(self, pid: int, path: str) -> os.stat_result:
        """``stat(2)`` of ``path`` as process ``pid`` resolves it (its root, and its working
        directory for a relative path): what runc's init stats to look its program up."""
        ...

    def exec_program(self, pid: int) -> None:
        """Let ``pid``, spawned for a process started in a running container, exec its program
        once its lookup passed (an init waits on its exec FIFO instead)."""
        ...

    def signal(self, pid: int, sig: int) -> None:
        """Send ``sig`` to ``pid`` (``kill(2)``); signal 0 only checks that it exists."""
        ...

    def wait(self, pid: int, timeout: float | None = None) -> int | None:
        """Reap a child; return its exit status, or None if it is still alive at ``timeout``."""
        ...

    def proc_stat(self, pid: int) -> ProcStat:
        """Status and start time of ``pid``; ``OSError`` when there is no such process."""
        ...

    def mkfifo(self, path: str, mode: int) -> None:
        """Make a named pipe (pyfakefs does not fake ``os.mkfifo``, so this must be here)."""
        ...

    def read_fifo(self, path: str) -> bytes:
        """Open a FIFO for reading (blocking until a writer comes) and read it to the end."""
        ...

    def run_hook(
        self,
        path: str,
        args: tuple[str, ...],
        env: tuple[str, ...],
        stdin: bytes,
        timeout: float | None,
    ) -> HookResult:
        """Run a hook program with ``stdin`` and wait for it, killing it at ``timeout``."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait between retries.  A simulated system advances a virtual clock instead."""
        ...

    def monotonic(self) -> float:
        """Seconds on a monotonic clock (virtual on a simulated system)."""
        ...


#: unshare(2) and setns(2)'s flag for a network namespace
_CLONE_NEWNET = 0x40000000


def _network_namespace(namespaces: tuple[str, ...]) -> str | None:
    """The network namespace a process gets: "" a new one, a path the one to join, None its
    parent's."""
    for entry in namespaces:
        kind, _, path = entry.partition("=")
        if kind == "net":
            return path
    return None


def _enter_network_namespace(path: str) -> Callable[[], None]:
    """A ``preexec_fn`` that puts the child in a new network namespace ("") or the one at
    ``path`` before it runs the program (libc is loaded here, before the fork)."""
    libc = ctypes.CDLL(None, use_errno=True)

    def enter() -> None:
        if path:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            try:
                done = libc.setns(fd, _CLONE_NEWNET)
            finally:
                os.close(fd)
        else:
            done = libc.unshare(_CLONE_NEWNET)
        if done != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))

    return enter


class RealSystem:
    """The real thing: ``subprocess``, ``os.kill``, ``waitpid`` and ``/proc``."""

    def __init__(self) -> None:
        self._children: dict[int, subprocess.Popen[bytes]] = {}

    def spawn(self, spec: ProcessSpec) -> int:
        args = list(spec.args)
        # exactly the process's environment, an empty one too (runc's init clears its own)
        pairs = [item for item in spec.env if "=" in item]
        env = dict(item.split("=", 1) for item in pairs)
        gated = spec.exec_fifo is None
        if spec.exec_fifo is not None:
            # Block on the FIFO until `start` opens it for reading, then become the program;
            # env -i drops what the shell itself exported (PWD) and sets the process's own
            shell = 'echo 0 > "$0" && exec /usr/bin/env -i "$@"'
            args = ["/bin/sh", "-c", shell, spec.exec_fifo, *pairs, *args]
        else:
            # Wait until exec_program closes stdin, as runc's init waits for its lookup: a
            # program that is not there must fail that lookup, not this spawn
            args = ["/bin/sh", "-c", 'read -r _; exec /usr/bin/env -i "$@"', "sh", *pairs, *args]
        network = _network_namespace(spec.namespaces)
        proc = subprocess.Popen(  # noqa: S603 - the program is the container's own
            args,
            env=env,
            cwd=spec.cwd,
            stdin=subprocess.PIPE if gated else subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=None if network is None else _enter_network_namespace(network),
        )
        self._children[proc.pid] = proc
        return proc.pid

    def exec_stat(self, pid: int, path: str) -> os.stat_result:
        if path.startswith("/"):
            return os.stat(f"/proc/{pid}/root{path}")
        cwd = os.open(f"/proc/{pid}/cwd", os.O_PATH | os.O_DIRECTORY)
        try:
            return os.stat(path, dir_fd=cwd)
        finally:
            os.close(cwd)

    def exec_program(self, pid: int) -> None:
        proc = self._children.get(pid)
        if proc is not None and proc.stdin is not None:
            proc.stdin.close()

    def signal(self, pid: int, sig: int) -> None:
        os.kill(pid, sig)

    def wait(self, pid: int, timeout: float | None = None) -> int | None:
        proc = self._children.get(pid)
        if proc is None:
            raise OSError(errno.ECHILD, os.strerror(errno.ECHILD))
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        self._children.pop(pid, None)
        return code

    def proc_stat(self, pid: int) -> ProcStat:
        return read_proc_stat(pid)

    def mkfifo(self, path: str, mode: int) -> None:
        os.mkfifo(path, mode)

    def read_fifo(self, path: str) -> bytes:
        with open(path, "rb") as f:
            return f.read()

    def run_hook(
        self,
        path: str,
        args: tuple[str, ...],
        env: tuple[str, ...],
        stdin: bytes,
        timeout: float | None,
    ) -> HookResult:
        argv = list(args) if args else [path]
        proc = subprocess.Popen(  # noqa: S603 - hook paths come from the container config
            argv,
            executable=path,
            env=dict(item.split("=", 1) for item in env if "=" in item),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            out, err = proc.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal_module.SIGKILL)
            out, err = proc.communicate()
            return HookResult(None, _text(out), _text(err), True)
        return HookResult(proc.returncode, _text(out), _text(err))

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def monotonic(self) -> float:
        return time.monotonic()


def _text(output: bytes) -> str:
    """A hook's output as text; bytes that are not UTF-8 must not hide the hook's error."""
    return output.decode(errors="replace")
