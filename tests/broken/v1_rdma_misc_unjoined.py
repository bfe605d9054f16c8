"""Broken: under runc 1.2 the v1 cgroup manager knows only the seed's hierarchies, so a host's
rdma and misc hierarchies get no group of the container, where v1.2.0's fs driver makes and
joins both (cgroups/fs/fs.go:16-32)."""

from __future__ import annotations

from reference_impl.cgroups import FsManager
from reference_impl.cgroups.fs import SUBSYSTEMS
from tests.broken._managers import factory_with_managers


class _SeedHierarchies(FsManager):
    @property
    def subsystems(self) -> tuple[str, ...]:
        return SUBSYSTEMS  # the defect: neither rdma nor misc

    @subsystems.setter
    def subsystems(self, value: tuple[str, ...]) -> None:
        del value  # the profile's list is not taken


new_factory = factory_with_managers("V1RdmaMiscUnjoined", fs=_SeedHierarchies)
