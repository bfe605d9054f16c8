"""Broken: on cgroup v2 the manager writes cpu shares to cpu.weight as they are, instead of
converting them to the weight range (a v1 value of 1024 is not a weight of 1024)."""

from __future__ import annotations

import dataclasses

from reference_impl.cgroups import Fs2Manager
from reference_impl.configs import CgroupConfig
from tests.broken._managers import factory_with_managers


class SharesAsWeight(Fs2Manager):
    def set(self, config: CgroupConfig | None) -> None:
        if config is not None and config.cpu_shares and not config.cpu_weight:
            config = dataclasses.replace(config, cpu_weight=config.cpu_shares)  # the defect
        super().set(config)


new_factory = factory_with_managers("V2SharesNotConverted", fs2=SharesAsWeight)
