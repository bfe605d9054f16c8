"""Broken: the cgroup v2 manager keeps cgroup v1's habits: any negative limit means "no
limit" (v1's pids.go writes "max" for them), a freezer state that is none is refused in v1's
words, and a failed write of cgroup.freeze is wrapped as v1's writeFile wraps it."""

from __future__ import annotations

import dataclasses

from reference_impl.cgroups import CgroupError
from reference_impl.cgroups import Fs2Manager
from reference_impl.cgroups.fs import FREEZER_STATES
from reference_impl.configs import CgroupConfig
from tests.broken._managers import factory_with_managers


class V1Habits(Fs2Manager):
    def set(self, config: CgroupConfig | None) -> None:
        if config is not None:
            # the defect: every negative limit becomes -1, which numToStr writes as "max"
            pids = -1 if config.pids_limit < 0 else config.pids_limit
            memory = -1 if config.memory_limit < 0 else config.memory_limit
            config = dataclasses.replace(config, pids_limit=pids, memory_limit=memory)
        super().set(config)

    def _set_freezer(self, state: str) -> None:
        if state not in FREEZER_STATES:
            raise CgroupError(f"Invalid argument '{state}' to freezer.state")  # the defect
        try:
            super()._set_freezer(state)
        except CgroupError as err:
            if str(err).startswith("write "):  # the defect: v1's writeFile words around it
                raise CgroupError(f"failed to write {state} to cgroup.freeze: {err}") from err
            raise


new_factory = factory_with_managers("V2LimitsAsV1", fs2=V1Habits)
