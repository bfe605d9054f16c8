"""Broken (seed): the pid listing returns a failed read of cgroup.procs, as runc does since
its readProcsFile asks the scanner for the error, where the seed's never asks and lists nothing
of that group (692f6e1 cgroups/utils.go:274-296)."""

from __future__ import annotations

import os

from reference_impl.cgroups import FsManager
from reference_impl.cgroups.pids import read_procs
from tests.broken._managers import factory_with_managers


class ReadErrorReturned(FsManager):
    def get_all_pids(self) -> list[int]:
        root = self.paths.get("devices", "")
        # the defect: read_procs raises the read's error, and nothing here drops it
        return [pid for group, _, _ in os.walk(root) for pid in read_procs(group)]


new_factory = factory_with_managers("ProcsReadErrorReturned", fs=ReadErrorReturned)
