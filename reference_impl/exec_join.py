"""How runc since v1.1.0 puts a process started in a running container into the container's
cgroups: ``WriteCgroupProc`` of every recorded path, a path that is gone an error like any
other (39914db67, "runc exec: don't skip non-existing cgroups"); on cgroup v2 a refused write
(EBUSY with nesting and domain controllers, runc issue 2356) is tried once more in the cgroup
init is in, as ``/proc/<init pid>/cgroup``'s "" line gives it, and that write's error is the
one returned (v1.2.0 process_linux.go:164-185).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from reference_impl.cgroups import CgroupError
from reference_impl.cgroups import cgroup_mode
from reference_impl.cgroups.manager import CGROUP_ROOT
from reference_impl.cgroups.writer import CgroupWriter
from reference_impl.fileutil import read_file

__all__ = ["init_unified_cgroup", "write_each"]


def init_unified_cgroup(init_pid: int) -> str | None:
    """``ParseCgroupFile("/proc/<pid>/cgroup")[""]``: the path of the ``0::<path>`` line (the
    last line whose controller list holds an empty name); None when the file cannot be read or
    parsed, or has no such line (v1.2.0 process_linux.go:169-172, cgroups/utils.go:192-218)."""
    try:
        text = read_file(f"/proc/{init_pid}/cgroup")
    except OSError:
        return None
    found: str | None = None
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) < 3:
            return None  # "invalid cgroup entry": the fallback is not tried
        if "" in parts[1].split(","):
            found = parts[2]
    return found


def write_each(paths: Iterable[str], pid: int, init_pid: int, writer: CgroupWriter) -> None:
    """Write ``pid`` to each path's cgroup.procs; on a cgroup v2 host a failed write is made
    again in init's cgroup (``filepath.Join(UnifiedMountpoint, path)``), whose result stands.

    Raises:
        CgroupError: WriteCgroupProc's error, for the caller to wrap with the pid.
    """
    for path in paths:
        try:
            writer.add_pid(path, pid)
        except CgroupError:
            if cgroup_mode()[0] != "v2" or init_pid == 0:
                raise
            init_path = init_unified_cgroup(init_pid)
            if init_path is None:
                raise
            writer.add_pid(posixpath.normpath(f"{CGROUP_ROOT}/{init_path}"), pid)
