"""Broken (runc-1.2): before Apply the cgroup managers walk no group, as the seed's did (an
unrecorded path), so Processes of a container never started lists nothing even when the group
its config names exists and holds a process; runc 1.2 knows that path from Create on."""

from __future__ import annotations

from reference_impl.cgroups import Fs2Manager
from reference_impl.cgroups import FsManager
from reference_impl.cgroups.fs import all_pids
from tests.broken._managers import factory_with_managers


class UnbornFs2(Fs2Manager):
    def get_all_pids(self) -> list[int]:
        if not self.path:
            return []  # the defect: the planned group is not walked
        return super().get_all_pids()


class UnbornFs(FsManager):
    def get_all_pids(self) -> list[int]:
        root = self.paths.get("devices", "")
        if not root:
            return []  # the defect: the planned devices group is not walked
        return all_pids(root, self.writer.era)


new_factory = factory_with_managers("ProcessesUnbornGroupUnwalked", fs2=UnbornFs2, fs=UnbornFs)
