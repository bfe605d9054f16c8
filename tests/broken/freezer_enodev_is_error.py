"""Broken: a running container whose v1 freezer.state read answers ENODEV (a group being
removed) fails Status with that read's error under runc 1.2, where GetState takes ENODEV as
Undefined, not paused, with no error (v1.2.0 cgroups/fs/freezer.go:117-124)."""

from __future__ import annotations

import os

from reference_impl.cgroups import FsManager
from reference_impl.cgroups.fs import read_freezer_file_raw
from tests.broken._managers import factory_with_managers


class _NoDeviceIsError(FsManager):
    def freezer_state_on_disk(self) -> str | None:
        directory = self.paths.get("freezer")
        if directory:
            read_freezer_file_raw(os.path.join(directory, "freezer.state"))  # the defect
        return FsManager.freezer_state_on_disk(self)


new_factory = factory_with_managers("FreezerEnodevIsError", fs=_NoDeviceIsError)
