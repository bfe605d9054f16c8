"""Broken: Pause and Resume leave the cgroup manager's config as it was, where the seed's and
runc 1.2's Freeze record the state there, in the config a failed Set writes back (692f6e1
cgroups/fs/apply_raw.go:218-227; v1.2.0 cgroups/fs/fs.go:206-220)."""

from __future__ import annotations

from reference_impl.cgroups import FsManager
from tests.broken._managers import factory_with_managers


class _NotRecorded(FsManager):
    def freeze(self, state: str) -> None:
        config = self.config
        try:
            FsManager.freeze(self, state)
        finally:
            self.config = config  # the defect: the state is not recorded


new_factory = factory_with_managers("FreezeNotRecorded", fs=_NotRecorded)
