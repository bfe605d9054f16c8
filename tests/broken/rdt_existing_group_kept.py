"""Broken: the resctrl writer removes at destroy only a group it made itself, and takes a group
that already existed under the container's id for someone else's, where runc joins it with
MkdirAll and removes it as its own (692f6e1 intelrdt.go:422-430, 513-519; v1.2.0 :469, 489)."""

from __future__ import annotations

import os

from reference_impl.intelrdt import IntelRdtManager
from tests.broken._managers import factory_with_managers


class ExistingGroupKept(IntelRdtManager):
    def apply(self, pid: int) -> None:
        self.found_existing = os.path.isdir(self.group_path())
        super().apply(pid)

    def destroy(self) -> None:
        if getattr(self, "found_existing", False):
            self.path = ""  # the defect: a group found there is left to whoever made it
            return
        super().destroy()


new_factory = factory_with_managers("RdtExistingGroupKept", rdt=ExistingGroupKept)
