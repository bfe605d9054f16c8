"""Broken: a container whose monitoring group the kernel refuses (no RMID left) runs without
one, as if enableMonitoring had not been asked for, instead of failing its create."""

from __future__ import annotations

import os

from reference_impl.fileutil import mkdir_all
from reference_impl.intelrdt import IntelRdtManager
from tests.broken._managers import apply_without_monitoring
from tests.broken._managers import factory_with_managers


class RunsUnmonitored(IntelRdtManager):
    def apply(self, pid: int) -> None:
        if not apply_without_monitoring(self, pid):
            return
        try:
            mkdir_all(os.path.join(self.path, "mon_groups", self.id), 0o755)
        except OSError:
            return  # the defect: ENOSPC taken for "no monitoring"
        if pid != -1:
            self._add_task(os.path.join(self.path, "mon_groups", self.id), pid)


new_factory = factory_with_managers("MonitoringExhaustionIgnored", rdt=RunsUnmonitored)
