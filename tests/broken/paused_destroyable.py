"""Broken: a paused container with a live init can be destroyed."""

from __future__ import annotations

from reference_impl import states
from tests.broken._base import factory_with


class Paused(states.PausedState):
    def destroy(self) -> None:
        self.c.cgroup_manager.freeze("THAWED")
        self.c.teardown()  # the defect: no "container is paused" guard


new_factory = factory_with("PausedDestroyable", states={"paused": Paused})
