"""Broken: a memory limit of -1 lifts swap without reading the group's memory first, where the
seed reads its memory data (692f6e1 cgroups/fs/memory.go:119-124, getMemoryData) and runc
1.2 the current limit (v1.2.0 cgroups/fs/memory.go:81-85): a file that cannot be read no
longer fails Set, and swap is lifted."""

from __future__ import annotations

import os

from reference_impl.cgroups import FsManager
from reference_impl.cgroups.fs import MEMSW_LIMIT
from tests.broken._managers import factory_with_managers


class _Unread(FsManager):
    def _set_memory(self, limit: int) -> None:
        directory = self.paths.get("memory", "")
        if directory and limit == -1 and os.path.exists(os.path.join(directory, MEMSW_LIMIT)):
            self.writer.write(directory, MEMSW_LIMIT, "-1")  # the defect: nothing read first
        self._write_memory_limit(limit)


new_factory = factory_with_managers("MemoryReadSkipped", fs=_Unread)
