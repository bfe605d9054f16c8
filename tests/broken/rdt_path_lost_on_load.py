"""Broken: ``load`` does not give the resctrl writer the group path kept in state.json, so the
``delete`` of a later command removes nothing and the container's group leaks (what runc fixed
in acb75d0e3 by recomputing the path)."""

from __future__ import annotations

from typing import Any

from reference_impl.configs import Config
from reference_impl.factory import Factory
from reference_impl.intelrdt import IntelRdtManager
from reference_impl.profiles import get_profile


class ForgetsRdtPath(Factory):
    def _rdt_manager(
        self, config: Config, container_id: str, path: str = ""
    ) -> IntelRdtManager | None:
        return super()._rdt_manager(config, container_id, "")  # the defect: path dropped


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return ForgetsRdtPath(root, system, get_profile(profile))
