"""Broken (runc-1.2): cgroup v2's Destroy goes on to the group after a busy sub-group failed,
retrying the group's own rmdir and returning its error, where runc's RemovePath stops at the
sub-group's (v1.2.0 utils.go:262-272)."""

from __future__ import annotations

import contextlib
import os

from reference_impl.cgroups import Fs2Manager
from reference_impl.cgroups.fs import CgroupError
from reference_impl.cgroups.rmdir_retry import remove_path
from reference_impl.system import System
from tests.broken._managers import factory_with_managers


def _remove_group_anyway(paths: dict[str, str], system: System) -> None:
    for path in paths.values():
        for entry in sorted(os.listdir(path)) if os.path.isdir(path) else ():
            sub = os.path.join(path, entry)
            if os.path.isdir(sub):
                with contextlib.suppress(CgroupError):  # the defect: the sub-group's error
                    remove_path(sub, system)
        remove_path(path, system)


class ParentRetried(Fs2Manager):
    def destroy(self) -> None:
        self.remover = _remove_group_anyway
        super().destroy()


new_factory = factory_with_managers("BusySubgroupParentRetried", fs2=ParentRetried)
