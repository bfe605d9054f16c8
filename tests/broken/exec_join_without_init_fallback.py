"""Broken (runc-1.2): on cgroup v2 a process started in a running container whose write to the
container's cgroup.procs is refused fails at once, where runc tries again in the cgroup
/proc/<init pid>/cgroup gives init (c91fe9aeb; v1.2.0 process_linux.go:164-185)."""

from __future__ import annotations

from typing import Any

from reference_impl.cgroups.writer import CgroupError
from reference_impl.cgroups.writer import CgroupWriter
from tests.broken._base import factory_with


def join_without_fallback(c: Any, pid: int) -> None:
    writer = CgroupWriter("runc", c.system)
    try:
        for path in c.cgroup_manager.get_paths().values():
            writer.add_pid(path, pid)  # the defect: no retry in init's cgroup
    except CgroupError as err:
        raise c.profile.start_step_error("join-cgroups", "", err, pid=pid) from err


new_factory = factory_with(
    "ExecJoinWithoutInitFallback", methods={"_join_existing": join_without_fallback}
)
