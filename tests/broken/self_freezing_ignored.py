"""Broken (runc-1.2): a v1 freezer.state of FROZEN is paused whoever froze it, where runc 1.2's
GetState asks freezer.self_freezing and reads a group frozen through its parent as thawed
(v1.2.0 cgroups/fs/freezer.go:129-148)."""

from __future__ import annotations

import os

from reference_impl.cgroups import FsManager
from reference_impl.cgroups.fs import FROZEN
from reference_impl.cgroups.fs import read_freezer_file
from tests.broken._managers import factory_with_managers


class _FrozenIsPaused(FsManager):
    def _settled_freezer_state(self, directory: str) -> str | None:
        state = FsManager._settled_freezer_state(self, directory)
        if read_freezer_file(os.path.join(directory, "freezer.state")) == FROZEN:
            return FROZEN  # the defect: freezer.self_freezing not asked
        return state


new_factory = factory_with_managers("SelfFreezingIgnored", fs=_FrozenIsPaused)
