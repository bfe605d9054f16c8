"""The real backend: probes act on this machine's cgroupfs and resctrl, as root.

The host is shared, so a probe run only touches what it made: groups named
``rtgate-fidelity-<pid>-t<start time>-<run>-<n>`` (unique per process, so xdist workers never
collide, and per process ever: see :mod:`harness.hosts.ownership`) and
``sleep`` processes it started itself.  :meth:`RealContext.cleanup` runs in a ``finally``: it
thaws the run's groups, kills and reaps the run's processes and removes the run's groups deepest
first, even when the probe failed half-way.
"""

from __future__ import annotations

import errno
import itertools
import os
import subprocess

from harness.fidelity._context import ProbeContext
from harness.fidelity._model import Observation
from harness.fidelity._model import Probe
from harness.fidelity._model import ProbeFailed
from harness.fidelity._model import ProbeSkipped
from harness.hosts.facts import resctrl_absence
from harness.hosts.ownership import owner_tag
from harness.hosts.ownership import remove_group
from harness.hosts.ownership import start_helper
from harness.hosts.ownership import try_write

__all__ = ["PREFIX", "RealBackend", "RealContext"]

#: every group the real backend makes starts with this
PREFIX = "rtgate-fidelity"
#: a spawned sleep outlives a crashed run by at most this many seconds
_SLEEP_SECONDS = "600"
_runs = itertools.count(1)


class RealContext(ProbeContext):
    """A probe run on the real kernel, with its cleanup registry."""

    poll_deadline = 10.0
    poll_interval = 0.002

    def __init__(self) -> None:
        super().__init__(f"{PREFIX}-{owner_tag()}-{next(_runs)}")
        self._groups: list[str] = []
        self._procs: dict[int, subprocess.Popen[bytes]] = {}

    def _register_group(self, path: str) -> None:
        self._groups.append(path)

    def _spawn(self) -> int:
        proc = start_helper(["sleep", _SLEEP_SECONDS])
        self._procs[proc.pid] = proc
        return proc.pid

    def _kill(self, pid: int, sig: int) -> None:
        proc = self._procs[pid]
        if proc.returncode is not None:  # reaped: the pid may belong to someone else now
            raise OSError(errno.ESRCH, os.strerror(errno.ESRCH))
        proc.send_signal(sig)

    def _exit_status(self, pid: int) -> int | None:
        return self._procs[pid].poll()

    def _pending_signals(self, pid: int) -> set[int]:
        pending = 0
        try:
            with open(f"/proc/{pid}/status", encoding="utf-8") as file:
                for line in file:
                    key, _, value = line.partition(":")
                    if key in ("SigPnd", "ShdPnd"):
                        pending |= int(value.strip(), 16)
        except (OSError, ValueError):
            return set()
        return {bit + 1 for bit in range(64) if pending >> bit & 1}

    def cleanup(self) -> list[str]:
        """Thaw, kill, reap, remove: only this run's groups and processes.  Returns what could
        not be undone (empty when everything went)."""
        problems: list[str] = []
        for group in self._groups:
            for name, value in (("freezer.state", b"THAWED"), ("cgroup.freeze", b"0")):
                path = os.path.join(group, name)
                if os.path.exists(path):
                    try_write(path, value)
        for proc in self._procs.values():
            if proc.returncode is None:
                proc.kill()  # Popen never signals a pid it has already reaped
        for pid, proc in self._procs.items():
            try:
                proc.wait(timeout=self.poll_deadline)
            except subprocess.TimeoutExpired:
                problems.append(f"process {pid} did not die")
        for group in sorted(self._groups, key=lambda p: p.count("/"), reverse=True):
            problem = self._remove(group)
            if problem:
                problems.append(problem)
        return problems

    def _remove(self, group: str) -> str | None:
        return remove_group(group, self.poll_deadline, self.poll_interval)


def real_unavailable(probe: Probe) -> str | None:
    """Why ``probe`` cannot run on this machine (what was probed), or None."""
    if probe.family == "resctrl":
        absent = resctrl_absence()
        if absent is not None:
            return absent
    if os.geteuid() != 0:
        return f"not root (euid {os.geteuid()}): real cgroupfs probes create groups"
    if not os.path.ismount(probe.mount):
        return f"{probe.mount} is not a mount point on this host"
    return None


class RealBackend:
    """Runs probes on this machine's kernel."""

    name = "real"

    def run(self, probe: Probe) -> Observation:
        """Run one probe and clean up after it.

        Raises:
            ProbeSkipped: the host cannot run it (not root, no such mount, no resctrl).
            ProbeFailed: cleanup left something behind.
        """
        reason = real_unavailable(probe)
        if reason is not None:
            raise ProbeSkipped(reason)
        ctx = RealContext()
        try:
            probe.run(ctx, probe.mount)
        finally:
            problems = ctx.cleanup()
        if problems:
            raise ProbeFailed("cleanup failed: " + "; ".join(problems))
        return ctx.observation()
