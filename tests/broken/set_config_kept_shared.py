"""Broken: after a Set that works the container's config is still taken to be the cgroup
manager's, so a Pause's record of FROZEN lands in the config a failed Set writes back, where
the seed's and runc 1.2's Set makes the caller's config the container's and the v1 manager
keeps its own (692f6e1 container_linux.go:216; v1.2.0 :197)."""

from __future__ import annotations

from reference_impl.configs import Config
from reference_impl.container import Container
from tests.broken._base import factory_with


def _set(self: Container, config: Config) -> None:
    Container.set(self, config)
    self._cgroups_shared = True  # the defect: the caller's config taken for the manager's


new_factory = factory_with("SetConfigKeptShared", methods={"set": _set})
