"""Broken: the teardown forgets the resctrl group (a leaked RDT group)."""

from __future__ import annotations

from typing import Any

from reference_impl import states
from tests.broken._base import factory_with


def teardown_without_rdt(c: Any) -> None:
    manager, c.intel_rdt_manager = c.intel_rdt_manager, None  # the defect
    try:
        states.destroy(c)
    finally:
        c.intel_rdt_manager = manager


new_factory = factory_with("RdtRemovalSkipped", teardown=teardown_without_rdt)
