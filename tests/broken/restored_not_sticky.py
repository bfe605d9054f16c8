"""Broken: a restored container takes the stopped and running transitions like any other."""

from __future__ import annotations

from reference_impl import states
from tests.broken._base import factory_with


class Restored(states.RestoredState):
    def transition(self, s: states.ContainerState) -> None:
        if s.name in ("stopped", "running"):
            self.c.state = s  # the defect: the seed accepts these WITHOUT assigning
            return
        super().transition(s)


new_factory = factory_with("RestoredNotSticky", states={"restored": Restored})
