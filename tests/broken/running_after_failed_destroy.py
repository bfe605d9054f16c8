"""Broken: when a teardown step fails, the container keeps its old state."""

from __future__ import annotations

from typing import Any

from reference_impl import states
from tests.broken._base import factory_with


def teardown_keeping_state(c: Any) -> None:
    before = c.state
    try:
        states.destroy(c)
    except Exception:
        c.state = before  # the defect: a failed destroy does not end stopped
        raise


new_factory = factory_with("RunningAfterFailedDestroy", teardown=teardown_keeping_state)
