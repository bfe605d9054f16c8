"""Broken: on cgroup v1 the manager's Exists() answers "yes" while any controller's directory
is left, so SIGKILL to a container whose devices group is gone still goes ahead, where runc
v1.2.0 asks the devices directory alone (cgroups/fs/fs.go:250-252) and refuses."""

from __future__ import annotations

import os

from reference_impl.cgroups import FsManager
from tests.broken._managers import factory_with_managers


class AnyController(FsManager):
    def exists(self) -> bool:
        return any(os.path.isdir(path) for path in self.paths.values())  # the defect


new_factory = factory_with_managers("CgroupExistsAnyController", fs=AnyController)
