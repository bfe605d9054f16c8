"""Broken: a Freeze that fails keeps the state it was asked for in the cgroup manager's config,
where the seed and runc 1.2 put the previous one back (692f6e1 cgroups/fs/apply_raw.go:224-226;
v1.2.0 cgroups/fs/fs.go:215-217): after a failed Resume the config says THAWED."""

from __future__ import annotations

import dataclasses

from reference_impl.cgroups import FsManager
from tests.broken._managers import factory_with_managers


class _NotRestored(FsManager):
    def freeze(self, state: str) -> None:
        try:
            FsManager.freeze(self, state)
        except Exception:
            if self.config is not None:  # the defect: the failed state stays recorded
                self.config = dataclasses.replace(self.config, freezer=state)
            raise


new_factory = factory_with_managers("FreezeNotRestored", fs=_NotRestored)
