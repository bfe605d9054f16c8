"""Broken (its command line): specconv converts cpu shares to the cgroup v2 weight in Python's
unbounded integers, where runc's ConvertCPUSharesToCgroupV2Value works in Go's uint64 (v1.2.0
cgroups/utils.go:409-416): shares 1 give weight 0, nothing is written and create succeeds,
where runc's wrapped weight is refused by the kernel and create fails."""

from __future__ import annotations

import dataclasses
from typing import Any

from reference_impl.configs import Config
from reference_impl.container import Container
from reference_impl.factory import Factory
from reference_impl.profiles import get_profile


class SharesUnbounded(Factory):
    """The reference's factory, whose configs from a bundle convert the shares unbounded."""

    def create(self, container_id: str, config: Config) -> Container:
        from_bundle = any(label.startswith("bundle=") for label in config.labels)
        cgroups = config.cgroups
        if from_bundle and cgroups is not None and cgroups.cpu_shares:
            weight = 1 + ((cgroups.cpu_shares - 2) * 9999) // 262142  # the defect: no wrap
            config = dataclasses.replace(
                config, cgroups=dataclasses.replace(cgroups, cpu_weight=weight)
            )
        return super().create(container_id, config)


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return SharesUnbounded(root, system, get_profile(profile))
