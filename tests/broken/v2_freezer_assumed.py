"""Broken (runc-1.2): on cgroup v2 a cgroup.freeze that cannot be opened is taken for a freeze
that needs nothing, so Pause on a kernel without the v2 freezer (before Linux 5.2) "succeeds"
and the container reads paused while every task runs."""

from __future__ import annotations

from reference_impl.cgroups import CgroupError
from reference_impl.cgroups import Fs2Manager
from reference_impl.cgroups.fs import FROZEN
from tests.broken._managers import factory_with_managers


class FreezerAssumed(Fs2Manager):
    def _set_freezer(self, state: str) -> None:
        try:
            super()._set_freezer(state)
        except CgroupError as err:
            if state == FROZEN and "freezer not supported" in str(err):
                return  # the defect: no freezer, no error
            raise


new_factory = factory_with_managers("V2FreezerAssumed", fs2=FreezerAssumed)
