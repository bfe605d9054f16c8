"""RMIDs as the kernel hands them out (reference §1.9): least recently freed first, and a freed
RMID whose cache occupancy is still above ``max_threshold_occupancy`` waits in limbo.

While the only RMIDs left are in limbo, allocation fails with EBUSY instead of ENOSPC.  Limbo is
re-checked before every allocation, standing in for the kernel's periodic limbo worker.
"""

from __future__ import annotations

import errno
from collections.abc import Callable

from harness.fakes._parse import KernelErrno

__all__ = ["RmidAllocator"]


class RmidAllocator:
    """``rmid_free_lru`` and the limbo list; RMID 0 belongs to the default group."""

    def __init__(self, num_rmids: int, busy: Callable[[int], bool]) -> None:
        #: free RMIDs, least recently freed first
        self.free: list[int] = list(range(1, num_rmids))
        #: freed RMIDs still occupying cache
        self.limbo: list[int] = []
        self._busy = busy

    def alloc(self) -> int:
        """``alloc_rmid``.

        Raises:
            KernelErrno: EBUSY when the only RMIDs left are in limbo, else ENOSPC.
        """
        self.drain()
        if not self.free:
            raise KernelErrno(errno.EBUSY if self.limbo else errno.ENOSPC)
        return self.free.pop(0)

    def release(self, rmid: int | None) -> None:
        """``free_rmid``: to limbo while busy, else to the tail of the free list."""
        if rmid is None or rmid == 0:
            return
        (self.limbo if self._busy(rmid) else self.free).append(rmid)

    def drain(self) -> None:
        """Move RMIDs whose occupancy dropped to the threshold out of limbo."""
        for rmid in list(self.limbo):
            if not self._busy(rmid):
                self.limbo.remove(rmid)
                self.free.append(rmid)
