"""Broken (runc-1.2): a cgroup v2 Apply that fails halfway leaves the levels it made, where
runc removes them (fs2/create.go:99-106)."""

from __future__ import annotations

from reference_impl.cgroups import Fs2Manager
from tests.broken._managers import factory_with_managers


class LeavesMadeLevels(Fs2Manager):
    def _make_level(self, current: str, made: list[str]) -> None:
        super()._make_level(current, [])  # the defect: nothing is recorded for removal


new_factory = factory_with_managers("V2CreateLeavesMadeLevels", fs2=LeavesMadeLevels)
