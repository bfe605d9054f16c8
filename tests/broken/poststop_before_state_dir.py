"""Broken: the poststop hooks run before the state dir is removed (mutant M3 of the audit)."""

from __future__ import annotations

from tests.broken._base import factory_with
from tests.broken._poststop_order import teardown

new_factory = factory_with(
    "PoststopBeforeStateDir", teardown=lambda c: teardown(c, hooks_first=True, reverse=False)
)
