"""Broken (its command line): a config made from config.json carries the cpu shares but no
cgroup v2 weight, as if specconv never converted them (runc's ConvertCPUSharesToCgroupV2Value,
v1.2.0 specconv/spec_linux.go:812-818), so on cgroup v2 the shares are lost and cpu.weight
keeps the kernel's default.  Configs given to the API keep their weight."""

from __future__ import annotations

import dataclasses
from typing import Any

from reference_impl.configs import Config
from reference_impl.container import Container
from reference_impl.factory import Factory
from reference_impl.profiles import get_profile


class SharesUnconverted(Factory):
    """The reference's factory, whose configs from a bundle lose the converted weight."""

    def create(self, container_id: str, config: Config) -> Container:
        from_bundle = any(label.startswith("bundle=") for label in config.labels)
        if from_bundle and config.cgroups is not None:
            # the defect: the weight specconv made from the shares is dropped
            config = dataclasses.replace(
                config, cgroups=dataclasses.replace(config.cgroups, cpu_weight=0)
            )
        return super().create(container_id, config)


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return SharesUnconverted(root, system, get_profile(profile))
