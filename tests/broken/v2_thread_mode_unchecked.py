"""Broken (runc-1.2): cgroup v2's Apply never reads a level's cgroup.type, so a memory limit
below a thread root is not refused with runc's text (fs2/create.go:107-133)."""

from __future__ import annotations

import os

from reference_impl.cgroups import Fs2Manager
from tests.broken._managers import factory_with_managers


class ModeUnchecked(Fs2Manager):
    def _make_level(self, current: str, made: list[str]) -> None:
        try:
            os.mkdir(current, 0o755)  # the defect: no mode check after it
            made.append(current)
        except FileExistsError:
            pass


new_factory = factory_with_managers("V2ThreadModeUnchecked", fs2=ModeUnchecked)
