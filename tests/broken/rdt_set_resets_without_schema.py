"""Broken: an update whose config has no schema (no intelRdt, or an empty one) is taken to mean
"no allocation", and the container's resctrl group is given the default group's schemata,
where runc writes nothing then (692f6e1 intelrdt.go:501-503; v1.2.0 :639, 651-669)."""

from __future__ import annotations

import os
from typing import Any

from reference_impl.container import Container
from reference_impl.fileutil import read_file
from reference_impl.fileutil import write_file
from reference_impl.intelrdt import schemata_value
from tests.broken._base import factory_with


def set_resetting_the_schema(c: Any, config: Any) -> None:
    Container.set(c, config)
    rdt = c.intel_rdt_manager
    given = config.intel_rdt
    if rdt is None or rdt.features.root is None:
        return
    if given is None or not schemata_value(given):
        default = read_file(os.path.join(rdt.features.root, "schemata"))
        write_file(os.path.join(rdt.get_path(), "schemata"), default)  # the defect


new_factory = factory_with("RdtSetResetsWithoutSchema", methods={"set": set_resetting_the_schema})
