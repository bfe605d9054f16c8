"""Broken (runc-1.2): a v1 freeze that reads THAWED back, the group thawed by someone else
meanwhile, starts its rounds again until the group freezes, where runc 1.2 fails with
"unexpected state THAWED while freezing" (v1.2.0 cgroups/fs/freezer.go:86-98)."""

from __future__ import annotations

from reference_impl.cgroups import FsManager
from reference_impl.cgroups.writer import CgroupError
from tests.broken._managers import factory_with_managers


class _ThawFought(FsManager):
    def _freeze_rounds(self, directory: str) -> None:
        while True:
            try:
                FsManager._freeze_rounds(self, directory)
                return
            except CgroupError as err:
                if "unexpected state" not in str(err):
                    raise  # the defect: an outside thaw is fought, not reported


new_factory = factory_with_managers("OutsideThawFought", fs=_ThawFought)
