"""Broken: a closID naming an existing group takes the config's schema without comparing it
with the group's schemata, as runc does: the group made for others is rewritten."""

from __future__ import annotations

from reference_impl.intelrdt import IntelRdtManager
from tests.broken._managers import factory_with_managers


class WritesOverClosGroup(IntelRdtManager):
    def apply(self, pid: int) -> None:
        self.compare_closid = False  # the defect
        super().apply(pid)


new_factory = factory_with_managers("ClosidSchemaNotCompared", rdt=WritesOverClosGroup)
