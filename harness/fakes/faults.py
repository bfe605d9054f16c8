"""Injected failures and the audit log of what the kernel saw.

A fault is data: (operation, path pattern, errno, which occurrences).  The kernel consults the plan
before it acts on any hooked operation, so a fault fires exactly where the real syscall would have
failed, with the errno chosen by the test.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from dataclasses import field
from typing import Literal
from typing import get_args

__all__ = ["Fault", "FaultOp", "FaultPlan", "FiredFault", "KernelOp", "LoggedOp"]

#: operations a fault can target; "kill" is kill(2) of the process at /proc/<pid> (ESRCH: it
#: ended between a runtime's listing of the pids and its signal); "chmod" is chmod(2) called on
#: its own, not the mode os.open gives a file it creates; "mknod" makes a FIFO (mkfifo(3));
#: "opendir" opens a directory to list it (os.scandir, os.listdir; Go's os.ReadDir); "fork" is
#: the runtime's fork(2) of a child that is to exec the path (EAGAIN: its pids or process limit);
#: "readlink" reads a symlink's target (/proc/<pid>/fd/<n>); "lstat" is lstat(2) of the path
#: itself (os.lstat; Go's os.Lstat, with which filepath.Walk and WalkDir start), not a stat that
#: follows symlinks nor a listing's look at its entries; the fault fails it before the lookup,
#: so on a missing path too (ENOMEM: no memory for the lookup)
FaultOp = Literal[
    "mkdir", "rmdir", "unlink", "open", "write", "read", "rename", "kill", "chmod", "mknod",
    "opendir", "fork", "readlink", "lstat",
]  # fmt: skip
#: operations the audit log records (reads of kernel files too; "exec": a hook program ran, so
#: a test can place hook runs among the teardown's removals; "kill": only a failed one)
LoggedOp = Literal[
    "mkdir", "rmdir", "unlink", "open", "write", "read", "rename", "exec", "kill", "chmod", "mknod",
    "opendir", "fork", "readlink", "lstat",
]  # fmt: skip

_FAULT_OPS: frozenset[str] = frozenset(get_args(FaultOp))


@dataclass(frozen=True, slots=True)
class KernelOp:
    """One operation the kernel saw, with its outcome (``errno`` None means success)."""

    op: LoggedOp
    path: str
    data: bytes | None = None
    errno: int | None = None


@dataclass(slots=True)
class Fault:
    """Make occurrences ``nth .. nth+count-1`` (or all from ``nth`` on) of ``op`` fail."""

    op: FaultOp
    pattern: str
    err: int
    nth: int = 1
    count: int | None = 1
    #: matching occurrences seen so far (fired or not)
    seen: int = field(default=0)

    def matches(self, op: str, path: str) -> bool:
        """True when this fault targets ``op`` on ``path``."""
        return op == self.op and fnmatch.fnmatchcase(path, self.pattern)

    def consume(self) -> bool:
        """Count one matching occurrence; True when that occurrence must fail."""
        self.seen += 1
        if self.seen < self.nth:
            return False
        return self.count is None or self.seen < self.nth + self.count


@dataclass(frozen=True, slots=True)
class FiredFault:
    """A fault that made an operation fail: which one, on what, with which errno."""

    fault: Fault
    op: FaultOp
    path: str
    err: int


class FaultPlan:
    """The faults armed on one simulated kernel."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        #: every fault that fired, oldest first (kept across ``clear``)
        self.fired: list[FiredFault] = []

    def fail(
        self,
        op: FaultOp,
        pattern: str,
        err: int,
        *,
        nth: int = 1,
        count: int | None = 1,
    ) -> Fault:
        """Arm a fault on absolute paths matching the fnmatch ``pattern``.

        Raises:
            ValueError: for an unknown op, a relative pattern, a non-positive errno, ``nth`` < 1
                or ``count`` < 1.
        """
        if op not in _FAULT_OPS:
            raise ValueError(f"'op' must be in {sorted(_FAULT_OPS)!r} (got {op!r})")
        if not pattern.startswith("/"):
            raise ValueError(f"'pattern' must be an absolute path pattern (got {pattern!r})")
        if err <= 0:
            raise ValueError(f"'err' must be a positive errno (got {err!r})")
        if nth < 1:
            raise ValueError(f"'nth' must be >= 1 (got {nth!r})")
        if count is not None and count < 1:
            raise ValueError(f"'count' must be >= 1 or None (got {count!r})")
        fault = Fault(op=op, pattern=pattern, err=err, nth=nth, count=count)
        self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Disarm every fault; the ``fired`` history stays for assertions."""
        self._faults.clear()

    @property
    def armed(self) -> tuple[Fault, ...]:
        """The faults currently armed."""
        return tuple(self._faults)

    def check(self, op: str, path: str) -> int | None:
        """Count ``op`` on ``path`` against every matching fault; the errno to fail with, if any.

        Every matching fault counts the occurrence; the first one (in arming order) that fires
        decides the errno.
        """
        if not self._faults:
            return None
        result: int | None = None
        for fault in self._faults:
            if fault.matches(op, path) and fault.consume() and result is None:
                result = fault.err
                self.fired.append(FiredFault(fault, fault.op, path, fault.err))
        return result
