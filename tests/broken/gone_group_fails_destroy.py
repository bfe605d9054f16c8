"""Broken: destroy asks every recorded cgroup to exist before it removes them, so a group
removed from outside fails destroy, where runc takes it for removed."""

from __future__ import annotations

import os

from reference_impl.cgroups import Fs2Manager
from reference_impl.cgroups import FsManager
from reference_impl.cgroups.fs import CgroupError
from tests.broken._managers import factory_with_managers


def _all_there(paths: dict[str, str]) -> None:
    for path in paths.values():
        if not os.path.isdir(path):
            raise CgroupError(f"cgroup {path} is missing")  # the defect


class GoneFails(FsManager):
    def destroy(self) -> None:
        _all_there(self.paths)
        super().destroy()


class GoneFails2(Fs2Manager):
    def destroy(self) -> None:
        _all_there(self.paths)
        super().destroy()


new_factory = factory_with_managers("GoneGroupFailsDestroy", fs=GoneFails, fs2=GoneFails2)
