"""Broken: Processes before any Start walks only the paths Apply recorded, as the seed does,
where runc 1.2's managers walk the group Start will use, computed when Create made them
(v1.2.0 factory_linux.go:57, cgroups/fs/fs.go:63-85, 226-228, cgroups/fs2/fs2.go:25-42, 91-93):
a process already in that group is not listed."""

from __future__ import annotations

from reference_impl.cgroups import Fs2Manager
from reference_impl.cgroups import FsManager
from reference_impl.cgroups.pids import all_pids
from tests.broken._managers import factory_with_managers


class _RecordedOnly(FsManager):
    def get_all_pids(self) -> list[int]:
        # the defect: no fall back on the planned path before Apply
        return all_pids(self.paths.get("devices", ""), self.writer.era)


class _RecordedOnly2(Fs2Manager):
    def get_all_pids(self) -> list[int]:
        if not self.path:
            return []  # the defect: the planned group is not walked
        return super().get_all_pids()


new_factory = factory_with_managers(
    "ProcessesPlannedGroupUnread", fs=_RecordedOnly, fs2=_RecordedOnly2
)
