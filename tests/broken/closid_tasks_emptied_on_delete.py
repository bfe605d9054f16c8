"""Broken: destroy of a container in a closID group hands every task of that group back to
the default group, as if the container were alone in it; the other containers sharing the CLOS
lose their allocation."""

from __future__ import annotations

import os

from reference_impl.fileutil import read_file
from reference_impl.fileutil import write_file
from reference_impl.intelrdt import IntelRdtManager
from tests.broken._managers import factory_with_managers


class EmptiesClosGroup(IntelRdtManager):
    def destroy(self) -> None:
        path = self.path
        if self.config.clos_id and path and os.path.isdir(path):
            root = os.path.dirname(path)
            for pid in read_file(os.path.join(path, "tasks")).split():
                write_file(os.path.join(root, "tasks"), pid)  # the defect: not all are ours
        super().destroy()


new_factory = factory_with_managers("ClosidTasksEmptiedOnDelete", rdt=EmptiesClosGroup)
