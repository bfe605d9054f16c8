"""Broken: Apply records every joined cgroup path it is given, where the seed leaves out a path
whose subsystem is not mounted (692f6e1 cgroups/fs/apply_raw.go:119-126)."""

from __future__ import annotations

import os

from reference_impl.cgroups import FsManager
from tests.broken._managers import factory_with_managers


class _AllRecorded(FsManager):
    def _join_paths(self, paths: dict[str, str], pid: int) -> None:
        self.paths.update(paths)  # the defect: no mount point asked for
        for path in self.paths.values():
            if os.path.exists(path):
                self.writer.add_pid(path, pid)


new_factory = factory_with_managers("JoinedPathsAllRecorded", fs=_AllRecorded)
