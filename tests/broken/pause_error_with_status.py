"""Broken (runc-1.2): Pause still refuses with the seed's coded error, "container not running
or created: <status>", where runc 1.2 returns ErrNotRunning ("container not running")."""

from __future__ import annotations

from reference_impl.profiles import RUNC_1_2
from reference_impl.profiles import SEED
from tests.broken._base import factory_with

new_factory = factory_with(
    "PauseErrorWithStatus",
    profile_changes={"refusals": {**RUNC_1_2.refusals, "pause": SEED.refusals["pause"]}},
)
