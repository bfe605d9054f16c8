"""Broken: transition errors name the state types ("restored") instead of their status."""

from __future__ import annotations

from reference_impl import states
from reference_impl.errors import StateTransitionError
from tests.broken._base import factory_with


class Restored(states.RestoredState):
    def transition(self, s: states.ContainerState) -> None:
        try:
            super().transition(s)
        except StateTransitionError:
            raise StateTransitionError(self.name, s.name) from None  # the defect


class Loaded(states.LoadedState):
    def transition(self, s: states.ContainerState) -> None:
        if s.name == "loaded":
            raise StateTransitionError(self.name, s.name)  # and loaded -> loaded is refused
        super().transition(s)


new_factory = factory_with("TransitionNamesStates", states={"restored": Restored, "loaded": Loaded})
