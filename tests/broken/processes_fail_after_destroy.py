"""Broken (runc-1.2): Processes returns the walk's not-exist error even once neither init nor
the cgroup is left, as runc did before ignoreCgroupError (fe278b9ca, v1.2.0-rc.1; v1.2.0
container_linux.go:114-136): a destroyed container fails with "unable to get all container
pids: lstat <dir>: no such file or directory" where runc lists nothing."""

from __future__ import annotations

from tests.broken._base import factory_with

new_factory = factory_with(
    "ProcessesFailAfterDestroy", profile_changes={"processes_ignores_gone_group": False}
)
