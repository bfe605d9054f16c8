"""Broken (runc-1.2): a refused write of the controllers to cgroup.subtree_control fails
cgroup v2's Apply, where runc tries each controller alone and goes on
(fs2/create.go:135-146)."""

from __future__ import annotations

from reference_impl.cgroups import Fs2Manager
from tests.broken._managers import factory_with_managers


class AllOrNothing(Fs2Manager):
    def _enable_controllers(self, directory: str, enable: str) -> None:
        self.writer.write(directory, "cgroup.subtree_control", enable)  # the defect: no retry


new_factory = factory_with_managers("V2EnableAllOrNothing", fs2=AllOrNothing)
