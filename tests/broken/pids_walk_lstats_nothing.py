"""Broken (seed): the pid listing walks with Python's os.walk, which lstats neither the group
nor its entries, where the seed's filepath.Walk lstats each and stops at a cgroup.procs it
cannot lstat (692f6e1 cgroups/utils.go:426-445): a failed lstat changes nothing here."""

from __future__ import annotations

import os

from reference_impl.cgroups import FsManager
from reference_impl.cgroups.pids import read_procs
from tests.broken._managers import factory_with_managers


class WalkLstatsNothing(FsManager):
    def get_all_pids(self) -> list[int]:
        root = self.paths.get("devices", "")
        return [pid for group, _, _ in os.walk(root) for pid in read_procs(group)]  # the defect


new_factory = factory_with_managers("PidsWalkLstatsNothing", fs=WalkLstatsNothing)
