"""Parsers shared by cgroup v1 and v2: pids written to ``cgroup.procs`` and ``pids.max``.

Both versions run the same kernel functions for these (``cgroup_procs_write_start``,
``pids_max_write``), so the fake parses them in one place.
"""

from __future__ import annotations

import errno

from harness.fakes._parse import KernelErrno
from harness.fakes._parse import kstrtoint
from harness.fakes._parse import kstrtoll
from harness.fakes._parse import strim
from harness.fakes.proc.processes import ProcessTable
from harness.fakes.proc.processes import Task

__all__ = ["HUGE_PAGE", "PIDS_MAX", "parse_pid", "parse_pids_max", "task_to_move"]

#: PID_MAX_LIMIT + 1 on 64-bit
PIDS_MAX = 4 * 1024 * 1024 + 1
#: the one huge page size the fake offers (hugetlb.2MB.*)
HUGE_PAGE = 2 * 1024 * 1024


def _text(payload: bytes) -> str:
    return strim(payload.decode("utf-8", "replace"))


def parse_pid(payload: bytes) -> int:
    """``kstrtoint(strstrip(buf), 0)`` of a procs/tasks/threads write (0 means the writer).

    Raises:
        KernelErrno: EINVAL for garbage, several pids, overflow or a negative pid.
    """
    try:
        pid = kstrtoint(_text(payload), 0)
    except KernelErrno as err:
        raise KernelErrno(errno.EINVAL) from err
    if pid < 0:
        raise KernelErrno(errno.EINVAL)
    return pid


def task_to_move(table: ProcessTable, payload: bytes) -> Task | None:
    """The task a procs/tasks write names, or None when there is nothing to move (pid 0, the
    writer, which the fake does not model; or a zombie, which the kernel ignores).

    Raises:
        KernelErrno: EINVAL as :func:`parse_pid`; ESRCH for no such pid.
    """
    pid = parse_pid(payload)
    if pid == 0:
        return None
    task = table.get(pid)
    if task is None:
        raise KernelErrno(errno.ESRCH)
    return None if task.zombie else task


def parse_pids_max(payload: bytes) -> int | None:
    """``pids_max_write``: None for ``max``, else ``kstrtoll(buf, 0)`` within 0..PIDS_MAX-1.

    Raises:
        KernelErrno: EINVAL for garbage or out of range, ERANGE when kstrtoll overflows.
    """
    text = _text(payload)
    if text == "max":
        return None
    limit = kstrtoll(text, 0)
    if limit < 0 or limit >= PIDS_MAX:
        raise KernelErrno(errno.EINVAL)
    return limit
