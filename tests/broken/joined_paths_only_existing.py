"""Broken: Apply records only the joined cgroup paths that exist, where the seed records every
path of a mounted subsystem and enters only those that exist (692f6e1
cgroups/fs/apply_raw.go:117-130, cgroups/utils.go:359-368)."""

from __future__ import annotations

import os

from reference_impl.cgroups import FsManager
from tests.broken._managers import factory_with_managers


class _OnlyExisting(FsManager):
    def _join_paths(self, paths: dict[str, str], pid: int) -> None:
        for name, path in paths.items():
            if os.path.isdir(path):  # the defect: a missing group goes unrecorded
                self.paths[name] = path
        for path in self.paths.values():
            self.writer.add_pid(path, pid)


new_factory = factory_with_managers("JoinedPathsOnlyExisting", fs=_OnlyExisting)
