"""Broken (runc-1.2): destroy reports a failed teardown step with runc 1.2's wrapped error but
goes on as the seed did, so the container ends stopped, its init dropped and its poststop hooks
run, where runc 1.2 returns at the first failure and leaves all that alone (a6f408176)."""

from __future__ import annotations

from typing import Any

from tests.broken._base import every_step_teardown
from tests.broken._base import factory_with


def teardown_going_on(c: Any) -> None:
    every_step_teardown(c, wrap=True)  # the defect: runc 1.2 returns at the first failure


new_factory = factory_with("DestroyContinuesAfterFailure", teardown=teardown_going_on)
