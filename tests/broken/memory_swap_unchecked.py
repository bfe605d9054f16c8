"""Broken: a memory limit of -1 lifts memory.memsw.limit_in_bytes without asking whether the
kernel has it, where both sources lift swap only where the file exists (692f6e1
cgroups/fs/memory.go:111-116; v1.2.0 cgroups/fs/memory.go:72-77): without swap accounting the
write fails, and Set with it."""

from __future__ import annotations

from reference_impl.cgroups import FsManager
from reference_impl.cgroups.fs import MEMSW_LIMIT
from tests.broken._managers import factory_with_managers


class _SwapUnchecked(FsManager):
    def _set_memory(self, limit: int) -> None:
        directory = self.paths.get("memory", "")
        if directory and limit == -1:  # the defect: no look for the file first
            self.writer.write(directory, MEMSW_LIMIT, "-1")
        self._write_memory_limit(limit)


new_factory = factory_with_managers("MemorySwapUnchecked", fs=_SwapUnchecked)
