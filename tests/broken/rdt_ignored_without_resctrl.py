"""Broken: create drops ``linux.intelRdt`` when resctrl is not mounted and runs the container
without it, where the runtime-spec wants an error."""

from __future__ import annotations

import dataclasses
from typing import Any

from reference_impl.configs import Config
from reference_impl.container import Container
from reference_impl.factory import Factory
from reference_impl.profiles import get_profile


class IgnoresMissingResctrl(Factory):
    def create(self, container_id: str, config: Config) -> Container:
        if self.rdt_features.root is None:
            config = dataclasses.replace(config, intel_rdt=None)  # the defect
        return super().create(container_id, config)


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return IgnoresMissingResctrl(root, system, get_profile(profile))
