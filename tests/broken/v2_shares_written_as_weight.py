"""Broken (runc-1.2): the cgroup v2 manager writes a config's cpu shares to cpu.weight when it
has no weight, where runc's fs2 leaves the shares to its caller to convert (a v1 value of 1024
is no weight at all)."""

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


new_factory = factory_with_managers("V2SharesWrittenAsWeight", fs2=SharesAsWeight)
