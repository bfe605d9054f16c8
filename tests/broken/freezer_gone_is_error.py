"""Broken: a container whose v1 freezer group was removed from outside fails Status with the
read's not-exist error, where the seed's isPaused and runc 1.2's GetState take a missing
freezer.state for not paused (692f6e1 container_linux.go:1521-1526; v1.2.0
cgroups/fs/freezer.go:117-124)."""

from __future__ import annotations

import os

from reference_impl.cgroups import FsManager
from reference_impl.fileutil import read_file_go
from tests.broken._managers import factory_with_managers


class _MissingIsError(FsManager):
    def freezer_state_on_disk(self) -> str | None:
        directory = self.paths.get("freezer")
        if directory:
            read_file_go(os.path.join(directory, "freezer.state"))  # the defect: ENOENT kept
        return FsManager.freezer_state_on_disk(self)


new_factory = factory_with_managers("FreezerGoneIsError", fs=_MissingIsError)
