"""Broken: createRuntime hooks are never run (as runc before runtime-spec 1.0.2 support), so a
failing one cannot fail create."""

from __future__ import annotations

import dataclasses
from typing import Any

from reference_impl.configs import Config
from reference_impl.container import Container
from reference_impl.factory import Factory
from reference_impl.profiles import get_profile


class CreateRuntimeIgnored(Factory):
    """The reference's factory, blind to the createRuntime phase."""

    def create(self, container_id: str, config: Config) -> Container:
        if config.hooks is not None:
            # the defect: the phase is dropped from the config
            hooks = dataclasses.replace(config.hooks, create_runtime=())
            config = dataclasses.replace(config, hooks=hooks)
        return super().create(container_id, config)


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return CreateRuntimeIgnored(root, system, get_profile(profile))
