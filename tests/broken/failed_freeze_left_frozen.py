"""Broken (runc-1.2): a v1 freeze that fails returns its error and leaves the group as it is,
FROZEN or FREEZING, where runc 1.2's deferred write of THAWED thaws it back (v1.2.0
cgroups/fs/freezer.go:29-36)."""

from __future__ import annotations

from reference_impl.cgroups import FsManager
from tests.broken._managers import factory_with_managers


class _NoThawBack(FsManager):
    def _freeze_in_rounds(self, directory: str) -> None:
        self._freeze_rounds(directory)  # the defect: no thaw when it fails


new_factory = factory_with_managers("FailedFreezeLeftFrozen", fs=_NoThawBack)
