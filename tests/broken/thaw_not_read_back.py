"""Broken (seed): Resume writes THAWED and returns, as runc >= 1.0 does, where the seed's
FreezerGroup.Set reads freezer.state back after THAWED as after FROZEN (692f6e1
cgroups/fs/freezer.go:29-45), so a failing read-back never fails Resume."""

from __future__ import annotations

from reference_impl.cgroups import FsManager
from reference_impl.cgroups.fs import THAWED
from tests.broken._managers import factory_with_managers


class ThawNotReadBack(FsManager):
    def _set_freezer(self, directory: str, state: str) -> None:
        if state == THAWED:
            self.writer.write(directory, "freezer.state", state)  # the defect: no read-back
            return
        super()._set_freezer(directory, state)


new_factory = factory_with_managers("ThawNotReadBack", fs=ThawNotReadBack)
