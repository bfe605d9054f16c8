"""Broken (runc-1.2): a loaded container whose saved state names no devices path has its pids
listed from the devices group its config would get, where runc's v1 manager keeps the saved
paths as they are and walks "" (v1.2.0 cgroups/fs/fs.go:63-85, 226-228)."""

from __future__ import annotations

from reference_impl.cgroups import FsManager
from reference_impl.cgroups.pids import all_pids
from tests.broken._managers import factory_with_managers


class DevicesPathPlanned(FsManager):
    def get_all_pids(self) -> list[int]:
        root = self.paths.get("devices") or self.planned_paths().get("devices", "")  # the defect
        return all_pids(root, self.writer.era)


new_factory = factory_with_managers("LoadedDevicesPathPlanned", fs=DevicesPathPlanned)
