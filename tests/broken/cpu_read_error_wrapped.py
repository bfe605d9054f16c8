"""Broken (runc-1.2): a read of cpu.shares that fails after its write is reported in words of
its own, where runc 1.2's CpuGroup.Set returns the read's *PathError as it is (v1.2.0
cgroups/fs/cpu.go:73-77)."""

from __future__ import annotations

from reference_impl.cgroups import FsManager
from reference_impl.cgroups.writer import CgroupError
from reference_impl.configs import CgroupConfig
from tests.broken._managers import factory_with_managers


class _ReadErrorWrapped(FsManager):
    def set(self, config: CgroupConfig | None) -> None:
        try:
            FsManager.set(self, config)
        except OSError as err:
            raise CgroupError(f"unable to read back cpu.shares: {err}") from err  # the defect


new_factory = factory_with_managers("CpuReadErrorWrapped", fs=_ReadErrorWrapped)
