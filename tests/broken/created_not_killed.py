"""Broken: destroy of a created container sends init no SIGKILL (mutant M2 of the audit): only
destroy's kill-all step, when it runs, ends init."""

from __future__ import annotations

from reference_impl import states
from tests.broken._base import factory_with


class Created(states.CreatedState):
    def destroy(self) -> None:
        self.c.teardown()  # the defect: no SIGKILL to init first


new_factory = factory_with("CreatedNotKilled", states={"created": Created})
