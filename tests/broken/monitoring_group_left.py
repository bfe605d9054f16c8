"""Broken: destroy of a container in a closID group leaves its ``mon_groups/<id>`` behind,
holding an RMID after the container is gone."""

from __future__ import annotations

from reference_impl.intelrdt import IntelRdtManager
from tests.broken._managers import factory_with_managers


class LeavesMonGroup(IntelRdtManager):
    def destroy(self) -> None:
        if self.config.clos_id:
            self.path = ""  # the defect: the MON group in the shared group is not removed
            return
        super().destroy()


new_factory = factory_with_managers("MonitoringGroupLeft", rdt=LeavesMonGroup)
