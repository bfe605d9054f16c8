"""The cgroup managers of the reference runtime: v1 (the seed's ``cgroupfs`` driver), v2
(unified) and the choice between them by what the host mounts."""

from __future__ import annotations

from reference_impl.cgroups.fs import FREEZER_STATES
from reference_impl.cgroups.fs import CgroupError
from reference_impl.cgroups.fs import FsManager
from reference_impl.cgroups.fs import find_v1_mountpoints
from reference_impl.cgroups.fs import remove_paths
from reference_impl.cgroups.fs2 import Fs2Manager
from reference_impl.cgroups.fs2 import shares_to_weight
from reference_impl.cgroups.manager import CgroupManager
from reference_impl.cgroups.manager import cgroup_mode
from reference_impl.cgroups.manager import kill_all
from reference_impl.cgroups.manager import new_manager

__all__ = [
    "FREEZER_STATES",
    "CgroupError",
    "CgroupManager",
    "Fs2Manager",
    "FsManager",
    "cgroup_mode",
    "find_v1_mountpoints",
    "kill_all",
    "new_manager",
    "remove_paths",
    "shares_to_weight",
]
