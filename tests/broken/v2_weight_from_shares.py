"""Broken (runc-1.2): the cgroup v2 manager converts the config's cpu shares itself and never
reads its weight, so a weight given without shares is lost."""

from __future__ import annotations

import dataclasses

from reference_impl.cgroups import Fs2Manager
from reference_impl.cgroups import shares_to_weight
from reference_impl.configs import CgroupConfig
from tests.broken._managers import factory_with_managers


class WeightFromShares(Fs2Manager):
    def set(self, config: CgroupConfig | None) -> None:
        if config is not None:
            weight = shares_to_weight(config.cpu_shares)  # the defect: the weight is ignored
            config = dataclasses.replace(config, cpu_weight=weight)
        super().set(config)


new_factory = factory_with_managers("V2WeightFromShares", fs2=WeightFromShares)
