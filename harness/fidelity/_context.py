"""What a probe may do besides plain ``os`` calls, with one implementation per backend.

A probe never names a real pid or a real group: it asks the context for a fresh group path (which
the backend records for cleanup) and a process of its own (a real ``sleep`` or a simulated
process), and every text it records goes through :meth:`ProbeContext.norm`, which puts
placeholders where the host chose the value.
"""

from __future__ import annotations

import errno
import itertools
import os
import re
import signal
import time
from abc import ABC
from abc import abstractmethod
from collections.abc import Callable
from typing import TypeVar

from harness.fidelity._model import Observation
from harness.fidelity._model import Step

__all__ = ["ProbeContext", "errno_name"]

T = TypeVar("T")

#: a pid no live process has is looked for below this (the kernel's default pid_max on 64-bit)
_DEFAULT_PID_MAX = 4 * 1024 * 1024
_NUMBER = re.compile(r"\b\d+\b")


def errno_name(err: OSError) -> str:
    """``EBUSY`` for an OSError with errno 16; the number itself when it has no name."""
    return errno.errorcode.get(err.errno or 0, str(err.errno))


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


class ProbeContext(ABC):
    """One probe run: its groups, its processes, its recorded steps.

    Subclasses give processes (:meth:`spawn`, :meth:`kill`, :meth:`_exit_status`,
    :meth:`_pending_signals`) and how long a poll may wait (:attr:`poll_deadline`).
    """

    #: seconds a :meth:`poll` waits for the kernel before it records what it last saw
    poll_deadline: float = 10.0
    #: pause between two polls; 0 means spin (the simulated kernel never changes on its own)
    poll_interval: float = 0.001

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.steps: list[Step] = []
        self._counter = itertools.count(1)
        self._placeholders: dict[str, str] = {}
        self._pids: list[int] = []

    # -- naming -----------------------------------------------------------------------------
    def group(self, parent: str) -> str:
        """A new group path under ``parent`` (a mount root or a group), not created yet; the
        backend removes it at the end if the probe made it."""
        name = f"{self.prefix}-{next(self._counter)}"
        path = os.path.join(parent, name)
        self._placeholders[name] = f"<g{len(self._placeholders) + 1}>"
        self._register_group(path)
        return path

    def track(self, path: str) -> str:
        """Record a group path made up by the probe (e.g. a bad name) for cleanup."""
        self._register_group(path)
        return path

    def _register_group(self, path: str) -> None:  # noqa: B027 - only the real backend cleans
        """Record ``path`` for cleanup (the real backend does)."""

    def norm(self, text: str) -> str:
        """``text`` with this run's pids and group names replaced by placeholders."""
        for name, holder in self._placeholders.items():
            text = text.replace(name, holder)
        known = {str(pid): f"<pid{i}>" for i, pid in enumerate(self._pids, start=1)}
        return _NUMBER.sub(lambda m: known.get(m.group(0), m.group(0)), text)

    def pid_text(self, pid: int) -> str:
        """The placeholder of one of this run's pids, for step labels."""
        return self.norm(str(pid))

    # -- recording --------------------------------------------------------------------------
    def record(self, action: str, outcome: str) -> str:
        """Keep one step (both texts normalised) and return the normalised outcome."""
        step = Step(self.norm(action), self.norm(outcome))
        self.steps.append(step)
        return step.outcome

    def observation(self) -> Observation:
        """The steps so far, as the comparable value."""
        return tuple(self.steps)

    def attempt(self, action: str, fn: Callable[[], object]) -> str:
        """Run ``fn``; record "ok", "ok: <value>" or the errno name it failed with."""
        try:
            value = fn()
        except OSError as err:
            return self.record(action, errno_name(err))
        if value is None:
            return self.record(action, "ok")
        return self.record(action, f"ok: {value}" if value != "" else "ok: (empty)")

    # -- plain file operations (one open, one write, one close: as runc does) ---------------
    def write(self, path: str, data: str | bytes, *, flags: int = 0, label: str = "") -> str:
        """Write ``data`` with a single ``write(2)`` and record the result; open errors are
        recorded as "open: <ERRNO>" to tell them from write errors."""
        raw = data.encode() if isinstance(data, str) else data
        shown = label or (repr(data) if len(raw) <= 64 else f"{len(raw)} bytes")
        action = f"write {shown} to {self.rel(path)}"
        try:
            fd = os.open(path, os.O_WRONLY | flags)
        except OSError as err:
            return self.record(action, f"open: {errno_name(err)}")
        try:
            os.write(fd, raw)
        except OSError as err:
            return self.record(action, errno_name(err))
        finally:
            try:
                os.close(fd)
            except OSError:
                pass
        return self.record(action, "ok")

    def read(self, path: str) -> str:
        """Read ``path`` whole and record its stripped content (or the errno)."""
        return self.attempt(f"read {self.rel(path)}", lambda: _read_text(path).strip())

    def read_after_open(self, path: str) -> str:
        """Open, then read, recording which of the two failed: a seq_file's error comes from
        read(2), after an open that succeeded (runc tells the two apart in its errors)."""
        action = f"open and read {self.rel(path)}"
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as err:
            return self.record(action, f"open: {errno_name(err)}")
        try:
            os.read(fd, 4096)
        except OSError as err:
            return self.record(action, f"read: {errno_name(err)}")
        finally:
            os.close(fd)
        return self.record(action, "ok")

    def quiet_read(self, path: str) -> str:
        """Read without recording (for polls); "<ERRNO>" when the read fails."""
        try:
            return _read_text(path).strip()
        except OSError as err:
            return f"<{errno_name(err)}>"

    def mkdir(self, path: str) -> str:
        """``mkdir(2)`` recorded."""
        return self.attempt(f"mkdir {self.rel(path)}", lambda: os.mkdir(path))

    def rmdir(self, path: str) -> str:
        """``rmdir(2)`` recorded."""
        return self.attempt(f"rmdir {self.rel(path)}", lambda: os.rmdir(path))

    def rel(self, path: str) -> str:
        """A path as shown in steps: from the cgroup or resctrl root on, normalised."""
        for root in ("/sys/fs/cgroup/", "/sys/fs/resctrl/"):
            if path.startswith(root):
                return self.norm(path[len(root) :])
        return self.norm(path)

    # -- waiting ----------------------------------------------------------------------------
    def poll(self, read: Callable[[], T], done: Callable[[T], bool]) -> T:
        """Call ``read`` until ``done`` accepts its value or the deadline passes; the last value.

        The kernel finishes freezing and killing asynchronously; a poll replaces a fixed sleep.
        """
        deadline = time.monotonic() + self.poll_deadline
        while True:
            value = read()
            if done(value) or time.monotonic() >= deadline:
                return value
            if self.poll_interval:
                time.sleep(self.poll_interval)

    # -- processes --------------------------------------------------------------------------
    def spawn(self) -> int:
        """A new process of this run (it gets the next ``<pidN>`` placeholder)."""
        pid = self._spawn()
        self._pids.append(pid)
        return pid

    def kill(self, pid: int, sig: int) -> str:
        """Send ``sig`` to one of this run's processes and record the result."""
        if pid not in self._pids:
            raise ValueError(f"pid {pid} was not spawned by this probe run")
        name = _signal_name(sig)
        return self.attempt(f"kill {name} {self.pid_text(pid)}", lambda: self._kill(pid, sig))

    def process_state(self, pid: int) -> str:
        """alive, "alive, SIGKILL pending", "killed by SIGKILL" or "exited N" (unrecorded)."""
        status = self._exit_status(pid)
        if status is not None:
            return f"killed by {_signal_name(-status)}" if status < 0 else f"exited {status}"
        pending = self._pending_signals(pid)
        if pending:
            return "alive, " + " ".join(f"{_signal_name(s)} pending" for s in sorted(pending))
        return "alive"

    def observe_process(self, pid: int, *, until_dead: bool = False) -> str:
        """Record the state of ``pid``; with ``until_dead``, poll until it has died."""
        if until_dead:
            state = self.poll(lambda: self.process_state(pid), lambda s: not s.startswith("alive"))
        else:
            state = self.process_state(pid)
        return self.record(f"state of {self.pid_text(pid)}", state)

    def unused_pid(self) -> int:
        """A pid no process has, searched downwards from ``pid_max``."""
        try:
            limit = int(_read_text("/proc/sys/kernel/pid_max"))
        except (OSError, ValueError):
            limit = _DEFAULT_PID_MAX
        for pid in range(limit - 1, 300, -1):
            if not os.path.exists(f"/proc/{pid}"):
                return pid
        raise RuntimeError("no unused pid found")

    @abstractmethod
    def _spawn(self) -> int: ...

    @abstractmethod
    def _kill(self, pid: int, sig: int) -> None: ...

    @abstractmethod
    def _exit_status(self, pid: int) -> int | None:
        """None while alive (a zombie is reaped and counts as dead); ``-sig`` when killed."""

    @abstractmethod
    def _pending_signals(self, pid: int) -> set[int]: ...


def _read_text(path: str) -> str:
    with open(path, encoding="utf-8") as file:
        return file.read()
