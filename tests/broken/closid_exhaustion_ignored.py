"""Broken: when the kernel has no CLOSID left for the container's group (mkdir fails with
ENOSPC), the writer gives up on RDT and the container runs without its allocation."""

from __future__ import annotations

import errno

from reference_impl.configs import IntelRdtConfig
from reference_impl.intelrdt import IntelRdtManager
from tests.broken._managers import factory_with_managers


class IgnoresNoClosid(IntelRdtManager):
    def apply(self, pid: int) -> None:
        try:
            super().apply(pid)
        except Exception as err:
            cause = err.__cause__
            if not (isinstance(cause, OSError) and cause.errno == errno.ENOSPC):
                raise
            self.gave_up = True  # the defect: create goes on without its resctrl group

    def set(self, config: IntelRdtConfig) -> None:
        if not getattr(self, "gave_up", False):
            super().set(config)


new_factory = factory_with_managers("ClosidExhaustionIgnored", rdt=IgnoresNoClosid)
