"""Broken: on cgroup v2 Pause writes cgroup.freeze and returns at once, without waiting for
cgroup.events to report "frozen 1"."""

from __future__ import annotations

import os

from reference_impl.cgroups import Fs2Manager
from reference_impl.fileutil import write_file
from tests.broken._managers import factory_with_managers


class NoWait(Fs2Manager):
    def _set_freezer(self, state: str) -> None:
        if state:
            value = "1" if state == "FROZEN" else "0"
            write_file(os.path.join(self.path, "cgroup.freeze"), value)  # the defect: no wait


new_factory = factory_with_managers("V2FreezeNoWait", fs2=NoWait)
