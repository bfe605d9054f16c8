"""Broken (runc-1.2): each cgroup directory is removed with one rmdir and no retries (runc 1.1's
RemovePath, under runc 1.2's rules), so a sub-group busy for a moment, or an interrupted
rmdir at the wrong time, fails destroy where runc 1.2 tries again."""

from __future__ import annotations

from reference_impl.cgroups import Fs2Manager
from reference_impl.cgroups import FsManager
from reference_impl.cgroups.rmdir_retry import remove_each_path_once
from tests.broken._managers import factory_with_managers


class TriedOnce(FsManager):
    def destroy(self) -> None:
        self.remover = remove_each_path_once  # the defect
        super().destroy()


class TriedOnce2(Fs2Manager):
    def destroy(self) -> None:
        self.remover = remove_each_path_once  # the defect
        super().destroy()


new_factory = factory_with_managers("RmdirTriedOnce", fs=TriedOnce, fs2=TriedOnce2)
