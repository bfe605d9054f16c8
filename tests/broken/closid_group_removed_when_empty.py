"""Broken: destroy removes a closID group once no task is left in it, as if the last container
to leave owned it; a group made beforehand by someone else is removed with it."""

from __future__ import annotations

import os

from reference_impl.fileutil import read_file
from reference_impl.fileutil import remove_all
from reference_impl.intelrdt import IntelRdtManager
from tests.broken._managers import factory_with_managers


class RemovesEmptyClosGroup(IntelRdtManager):
    def destroy(self) -> None:
        path = self.path
        if self.config.clos_id and path and os.path.isdir(path):
            if not read_file(os.path.join(path, "tasks")).split():
                remove_all(path)  # the defect: "empty" is not "ours"
                self.path = ""
                return
        super().destroy()


new_factory = factory_with_managers("ClosidGroupRemovedWhenEmpty", rdt=RemovesEmptyClosGroup)
