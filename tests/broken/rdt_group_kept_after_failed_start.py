"""Broken: the resctrl writer removes its group at Destroy only once a Set has gone through, so
a start that failed between Apply and the schema's write (a cgroup limit the kernel refused)
leaves the group Apply made behind."""

from __future__ import annotations

from typing import Any

from reference_impl.intelrdt import IntelRdtManager
from tests.broken._managers import factory_with_managers


class GroupKeptAfterFailedStart(IntelRdtManager):
    def set(self, config: Any) -> None:
        super().set(config)
        self.schema_written = True

    def destroy(self) -> None:
        if getattr(self, "schema_written", False):
            super().destroy()
        self.path = ""  # the defect: a group whose schema was never written is forgotten


new_factory = factory_with_managers("RdtGroupKeptAfterFailedStart", rdt=GroupKeptAfterFailedStart)
