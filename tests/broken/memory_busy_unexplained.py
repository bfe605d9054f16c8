"""Broken (runc-1.2): a memory limit the v1 kernel refuses as below the usage (EBUSY) fails
with the write's own error, as the seed's writeFile does, where runc 1.2 reads the usage and
the peak usage and says "unable to set memory limit to ..." (v1.2.0 cgroups/fs/memory.go:37-58)."""

from __future__ import annotations

from reference_impl.cgroups import FsManager
from reference_impl.cgroups.fs import MEMORY_LIMIT
from tests.broken._managers import factory_with_managers


class _WriteErrorOnly(FsManager):
    def _write_memory_limit(self, limit: int) -> None:
        self._limit("memory", MEMORY_LIMIT, str(limit))  # the defect: EBUSY not explained


new_factory = factory_with_managers("MemoryBusyUnexplained", fs=_WriteErrorOnly)
