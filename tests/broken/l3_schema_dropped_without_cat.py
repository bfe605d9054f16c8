"""Broken: create drops an ``l3CacheSchema`` the host cannot apply (no ``info/L3``, as on a
host mounted with cdp) and runs the container without it, instead of refusing the config."""

from __future__ import annotations

import dataclasses
from typing import Any

from reference_impl.configs import Config
from reference_impl.container import Container
from reference_impl.factory import Factory
from reference_impl.profiles import get_profile


class DropsL3WithoutCat(Factory):
    def create(self, container_id: str, config: Config) -> Container:
        rdt = config.intel_rdt
        if rdt is not None and rdt.l3_cache_schema and not self.rdt_features.cat_enabled:
            config = dataclasses.replace(config, intel_rdt=None)  # the defect
        return super().create(container_id, config)


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return DropsL3WithoutCat(root, system, get_profile(profile))
