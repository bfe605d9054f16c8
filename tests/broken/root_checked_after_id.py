"""Broken: Create checks the id before it asks for a root, so a factory whose root is ""
refuses an invalid id with the id's error, where libcontainer refuses any Create without a
root first (692f6e1 factory_linux.go:173-179; v1.2.0 :34-40)."""

from __future__ import annotations

from typing import Any

from reference_impl.configs import Config
from reference_impl.container import Container
from reference_impl.factory import Factory
from reference_impl.factory import validate_id
from reference_impl.profiles import get_profile


class _IdFirstFactory(Factory):
    def create(self, container_id: str, config: Config) -> Container:
        validate_id(container_id, self.profile)  # the defect: before the root's check
        return super().create(container_id, config)


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return _IdFirstFactory(root, system, get_profile(profile))
