"""The cgroup manager of the reference runtime (cgroup v1, the seed's ``cgroupfs`` driver)."""

from __future__ import annotations

from reference_impl.cgroups.fs import FREEZER_STATES
from reference_impl.cgroups.fs import CgroupError
from reference_impl.cgroups.fs import FsManager
from reference_impl.cgroups.fs import find_v1_mountpoints
from reference_impl.cgroups.fs import remove_paths

__all__ = ["FREEZER_STATES", "CgroupError", "FsManager", "find_v1_mountpoints", "remove_paths"]
