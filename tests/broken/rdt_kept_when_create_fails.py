"""Broken: teardown skips the resctrl group of a container that never got an init, so a create
whose schema the kernel refused leaves its group behind."""

from __future__ import annotations

from typing import Any

from reference_impl import states
from tests.broken._base import factory_with


def _teardown(c: Any) -> None:
    if c.init_process is None:
        c.intel_rdt_manager = None  # the defect: "no init, nothing in resctrl to undo"
    states.destroy(c)


new_factory = factory_with("RdtKeptWhenCreateFails", teardown=_teardown)
