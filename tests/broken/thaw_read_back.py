"""Broken (runc-1.2): Resume writes THAWED and then reads freezer.state back until it shows
THAWED, as the seed did, where runc >= 1.0 writes it and reads nothing (v1.2.0
cgroups/fs/freezer.go:102-103)."""

from __future__ import annotations

import os

from reference_impl.cgroups import FsManager
from reference_impl.cgroups.fs import THAWED
from reference_impl.fileutil import read_file_go
from tests.broken._managers import factory_with_managers


class ThawReadBack(FsManager):
    def _set_freezer(self, directory: str, state: str) -> None:
        super()._set_freezer(directory, state)
        if state == THAWED:  # the defect: the seed's read-back
            while read_file_go(os.path.join(directory, "freezer.state")).strip() != THAWED:
                self.system.sleep(0.001)


new_factory = factory_with_managers("ThawReadBack", fs=ThawReadBack)
