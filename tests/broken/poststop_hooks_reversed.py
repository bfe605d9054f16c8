"""Broken: the poststop hooks run last to first (mutant M8 of the audit)."""

from __future__ import annotations

from tests.broken._base import factory_with
from tests.broken._poststop_order import teardown

new_factory = factory_with(
    "PoststopReversed", teardown=lambda c: teardown(c, hooks_first=False, reverse=True)
)
