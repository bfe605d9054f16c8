"""Broken: a paused container whose init is gone is destroyed without its own thaw (mutant M1
of the audit): only destroy's kill-all step, when it runs, thaws the freezer."""

from __future__ import annotations

from reference_impl import states
from tests.broken._base import factory_with


class Paused(states.PausedState):
    def destroy(self) -> None:
        if not self.c.has_init():
            self.c.teardown()  # the defect: no Freeze(Thawed) first
            return
        raise self.c.profile.refuse("paused-destroy")


new_factory = factory_with("PausedThawSkipped", states={"paused": Paused})
