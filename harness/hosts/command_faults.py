"""The faults a real host arms for its subject's commands.

A real kernel fails an operation on purpose only for a program run under the syscall fault
engine (:mod:`harness.hosts.inject`): an OCI runtime's command, or the reference's command line
run as a program.  A subject that acts in the harness's own process (the factory API on a real
host) is out of its reach, so until a command line says it runs programs the host refuses, and
the scenario skips saying so.  Faults name this run's own paths only, and signals to the
processes of this run's own cgroups.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator
from typing import Any

from harness.fakes.faults import Fault
from harness.fakes.faults import FaultPlan
from harness.fakes.faults import KernelOp
from harness.hosts.base import HostCannot
from harness.hosts.inject import INJECTABLE_OPS
from harness.hosts.inject import supervised
from harness.hosts.inject import unsupported

__all__ = ["CommandFaults"]


class CommandFaults:
    """A fault plan for the commands of one real host, whose own paths carry ``prefix``."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.plan = FaultPlan()
        #: what the engine saw the commands do (only the operations of armed faults), oldest
        #: first, each with the errno it failed with (None: it ran)
        self.seen: list[KernelOp] = []
        self._commands = False

    def commands_run_as_programs(self) -> None:
        """The subject's commands are programs from now on: faults can reach them."""
        self._commands = True

    def arm(self, op: str, path: str, err: int, nth: int = 1, every: bool = False) -> Fault:
        """The ``nth`` next ``op`` on ``path`` (an fnmatch pattern) by a command fails with
        ``err`` (``every``: it and each one after it, until :meth:`clear`).

        Raises:
            HostCannot: the subject acts in process, the engine cannot run on this machine, it
                has no syscall for ``op``, or ``path`` is not this run's.
        """
        name = errno.errorcode.get(err, str(err))
        if not self._commands:
            raise HostCannot(
                f"a real kernel cannot be made to fail {op} of {path} with {name} inside the"
                " harness's own process; the fault engine reaches a runtime's commands only"
            )
        missing = unsupported()
        if missing is not None:
            raise HostCannot(f"a real kernel cannot be made to fail {op} here: {missing}")
        if op not in INJECTABLE_OPS:
            raise HostCannot(
                f"a real kernel cannot be made to fail {op}: the fault engine fails"
                f" {', '.join(sorted(INJECTABLE_OPS))}"
            )
        if self.prefix not in path and not self._ours(path):
            raise HostCannot(
                f"a real kernel cannot be made to fail {op} of {path} here: the path does not"
                " carry this run's prefix, so it is not ours to fail"
            )
        return self.plan.fail(op, path, err, nth=nth, count=None if every else 1)  # type: ignore[arg-type]

    def _ours(self, path: str) -> bool:
        """A signal's target ``/proc/<pid>`` is this run's when the process is in one of this
        run's cgroups (a container it made): the path itself carries no prefix."""
        head, _, pid = path.rpartition("/")
        if head != "/proc" or not pid.isdigit():
            return False
        try:
            with open(f"/proc/{pid}/cgroup", encoding="ascii") as f:
                return any(self.prefix in line.partition(":")[2] for line in f)
        except OSError:
            return False

    def fired(self, fault: Any) -> bool:
        return any(f.fault is fault for f in self.plan.fired)

    def clear(self) -> None:
        self.plan.clear()

    @contextlib.contextmanager
    def launching(self) -> Iterator[dict[str, Any]]:
        """Around the ``subprocess.Popen`` of one command: the keyword arguments that put it
        under the armed faults (none when nothing is armed)."""
        if not self.plan.armed:
            yield {}
            return
        with supervised(self.plan, self.seen) as extra:
            yield extra
