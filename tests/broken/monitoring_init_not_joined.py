"""Broken: the container's monitoring group is made, but init is never written to its tasks,
so nothing the container does is counted there."""

from __future__ import annotations

import os

from reference_impl.fileutil import mkdir_all
from reference_impl.intelrdt import IntelRdtManager
from tests.broken._managers import apply_without_monitoring
from tests.broken._managers import factory_with_managers


class LeavesMonGroupEmpty(IntelRdtManager):
    def apply(self, pid: int) -> None:
        if apply_without_monitoring(self, pid):
            mkdir_all(os.path.join(self.path, "mon_groups", self.id), 0o755)  # no pid: the defect


new_factory = factory_with_managers("MonitoringInitNotJoined", rdt=LeavesMonGroupEmpty)
