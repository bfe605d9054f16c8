"""Broken (runc-1.2): the cgroup v2 manager writes limits without reading the group's
cgroup.controllers, so a loaded container's Set goes through a read that runc's fails on."""

from __future__ import annotations

from reference_impl.cgroups import Fs2Manager
from reference_impl.configs import CgroupConfig
from tests.broken._managers import factory_with_managers


class ControllersNeverRead(Fs2Manager):
    def set(self, config: CgroupConfig | None) -> None:
        self._controllers = frozenset()  # the defect: taken as read
        super().set(config)


new_factory = factory_with_managers("V2ControllersNeverRead", fs2=ControllersNeverRead)
