"""Broken: on cgroup v2 the manager never enables controllers in cgroup.subtree_control, so
the group has no memory, pids or cpu files and its limits cannot be written."""

from __future__ import annotations

from reference_impl.cgroups import Fs2Manager
from tests.broken._managers import factory_with_managers


class NoSubtreeControl(Fs2Manager):
    def _enable_controllers(self, directory: str, enable: str) -> None:
        return None  # the defect: cgroup.subtree_control is never written


new_factory = factory_with_managers("V2ControllersNotEnabled", fs2=NoSubtreeControl)
