"""Broken: a memory limit of -1 writes memory.limit_in_bytes before it lifts
memory.memsw.limit_in_bytes, where both sources write swap first (692f6e1
cgroups/fs/memory.go:129-135; v1.2.0 cgroups/fs/memory.go:90-97): a refused memory limit
leaves swap where it was."""

from __future__ import annotations

import os

from reference_impl.cgroups import FsManager
from reference_impl.cgroups.fs import MEMSW_LIMIT
from tests.broken._managers import factory_with_managers


class _SwapLast(FsManager):
    def _set_memory(self, limit: int) -> None:
        self._write_memory_limit(limit)  # the defect: the limit before swap
        directory = self.paths.get("memory", "")
        if limit == -1 and os.path.exists(os.path.join(directory, MEMSW_LIMIT)):
            self.writer.write(directory, MEMSW_LIMIT, "-1")


new_factory = factory_with_managers("MemorySwapAfterLimit", fs=_SwapLast)
