"""Broken: closID "/" is refused as a path ("invalid intelRdt.ClosID"), as runc before v1.4
refuses it, by a runtime that accepts ociVersion 1.3.0, where it names the default CLOS."""

from __future__ import annotations

from typing import Any

from reference_impl.configs import Config
from reference_impl.container import Container
from reference_impl.factory import Factory
from reference_impl.intelrdt.validate import IntelRdtConfigError
from reference_impl.profiles import get_profile


class RefusesRootClos(Factory):
    def create(self, container_id: str, config: Config) -> Container:
        if config.intel_rdt is not None and config.intel_rdt.clos_id == "/":
            raise IntelRdtConfigError('invalid intelRdt.ClosID "/"')  # the defect
        return super().create(container_id, config)


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return RefusesRootClos(root, system, get_profile(profile))
