"""Broken: destroy of a restored container ignores every error of stat on its checkpoint, not
only "does not exist" (mutant M5 of the audit), and tears down anyway."""

from __future__ import annotations

import os

from reference_impl import states
from tests.broken._base import factory_with


class Restored(states.RestoredState):
    def destroy(self) -> None:
        try:
            os.stat(os.path.join(self.c.root, "checkpoint"))
        except OSError:  # the defect: ELOOP, EACCES, ... are swallowed too
            pass
        self.c.teardown()


new_factory = factory_with("RestoredStatErrorSwallowed", states={"restored": Restored})
