"""Broken: create drops ``memBwSchema`` from ``linux.intelRdt``, as a runtime that only ever
learnt the L3 field does; the container gets a group with the default bandwidth."""

from __future__ import annotations

import dataclasses
from typing import Any

from reference_impl.configs import Config
from reference_impl.container import Container
from reference_impl.factory import Factory
from reference_impl.profiles import get_profile


class DropsMemBw(Factory):
    def create(self, container_id: str, config: Config) -> Container:
        if config.intel_rdt is not None:
            rdt = dataclasses.replace(config.intel_rdt, mem_bw_schema="")  # the defect
            config = dataclasses.replace(config, intel_rdt=rdt)
        return super().create(container_id, config)


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return DropsMemBw(root, system, get_profile(profile))
