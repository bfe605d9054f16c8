"""Broken: closID "/" is taken to mean "no group of its own", so init is never written to the
default group's tasks and stays in whatever group it was born in (the runtime's own), which
passes wherever the runtime happens to run in the default group."""

from __future__ import annotations

from reference_impl.intelrdt import IntelRdtManager
from tests.broken._managers import factory_with_managers


class LeftWhereBorn(IntelRdtManager):
    def apply(self, pid: int) -> None:
        if self.config.clos_id == "/":
            pid = -1  # the defect: the group is "made" and recorded, no pid is written
        super().apply(pid)


new_factory = factory_with_managers("ClosidRootLeftWhereBorn", rdt=LeftWhereBorn)
