"""Broken (runc-1.2): the resctrl writer removes a group only once it has applied one (the
seed's empty Path, under runc 1.2's rules), so destroy of a container never started leaves the
group under its id, which runc >= 1.1 names with GetPath and removes."""

from __future__ import annotations

from reference_impl.intelrdt import IntelRdtManager
from tests.broken._managers import factory_with_managers


class DestroyOnlyApplied(IntelRdtManager):
    def destroy(self) -> None:
        if not self.path:
            return  # the defect: nothing applied, nothing looked up
        super().destroy()


new_factory = factory_with_managers("RdtDestroyOnlyApplied", rdt=DestroyOnlyApplied)
