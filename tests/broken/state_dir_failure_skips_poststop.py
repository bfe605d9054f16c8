"""Broken (seed): when the state dir cannot be removed, destroy stops there: the poststop hooks
never run and the state is not set to stopped (the seed runs every step, then the hooks)."""

from __future__ import annotations

from typing import Any

from tests.broken._base import every_step_teardown
from tests.broken._base import factory_with
from tests.broken._base import kill_all_like_the_seed


def teardown_returning_at_state_dir(c: Any) -> None:
    kill_all_like_the_seed(c)
    # the defect: the state dir's error escapes, before the poststop hooks and the stopped state
    every_step_teardown(c, escape=("state-dir",))


new_factory = factory_with("StateDirFailureSkipsPoststop", teardown=teardown_returning_at_state_dir)
