"""Broken: as runc 1.1.1 to 1.3 do, an intelRdt without a schema (a closID alone, or nothing) is
not checked against the host, and with no resctrl mounted the container runs without it."""

from __future__ import annotations

import dataclasses
from typing import Any

from reference_impl.configs import Config
from reference_impl.container import Container
from reference_impl.factory import Factory
from reference_impl.profiles import get_profile


class SchemalessUnchecked(Factory):
    def create(self, container_id: str, config: Config) -> Container:
        rdt = config.intel_rdt
        schemaless = rdt is not None and not rdt.l3_cache_schema and not rdt.mem_bw_schema
        if schemaless and self.rdt_features.root is None:
            config = dataclasses.replace(config, intel_rdt=None)  # the defect
        return super().create(container_id, config)


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return SchemalessUnchecked(root, system, get_profile(profile))
