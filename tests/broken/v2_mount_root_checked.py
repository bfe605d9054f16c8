"""Broken (runc-1.2): cgroup v2's Apply checks the mount's own group too, as it does the levels
below it, where runc starts below the mount (fs2/create.go:94 ``if i > 0``): in a cgroup
namespace whose root is "domain threaded" a memory limit is refused at the mount."""

from __future__ import annotations

from reference_impl.cgroups import Fs2Manager
from tests.broken._managers import factory_with_managers


class MountRootChecked(Fs2Manager):
    def _create(self, path: str) -> None:
        self._make_level(self.mount, [])  # the defect: the mount's group made and checked
        super()._create(path)


new_factory = factory_with_managers("V2MountRootChecked", fs2=MountRootChecked)
