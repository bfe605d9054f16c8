"""Broken: create drops runtime-spec v1.3's ``linux.intelRdt.schemata`` although ``features``
announces it: the container's group keeps the default allocation."""

from __future__ import annotations

import dataclasses
from typing import Any

from reference_impl.configs import Config
from reference_impl.container import Container
from reference_impl.factory import Factory
from reference_impl.profiles import get_profile


class DropsSchemata(Factory):
    def create(self, container_id: str, config: Config) -> Container:
        if config.intel_rdt is not None:
            rdt = dataclasses.replace(config.intel_rdt, schemata=())  # the defect
            config = dataclasses.replace(config, intel_rdt=rdt)
        return super().create(container_id, config)


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return DropsSchemata(root, system, get_profile(profile))
