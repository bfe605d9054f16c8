"""Broken: destroy removes the group named by closID, which other containers may share."""

from __future__ import annotations

from reference_impl.fileutil import remove_all
from reference_impl.intelrdt import IntelRdtManager
from tests.broken._managers import factory_with_managers


class RemovesClosGroup(IntelRdtManager):
    def destroy(self) -> None:
        remove_all(self.path)  # the defect: no exception for a closID group
        self.path = ""


new_factory = factory_with_managers("ClosidGroupRemoved", rdt=RemovesClosGroup)
