"""Broken: destroy removes the cgroups and the resctrl group but keeps the state dir, so a
deleted container still answers ``state`` (as stopped) and its id cannot be used again."""

from __future__ import annotations

from typing import Any

from tests.broken._base import every_step_teardown
from tests.broken._base import factory_with
from tests.broken._base import kill_all_like_the_seed


def teardown_keeping_state_dir(c: Any) -> None:
    kill_all_like_the_seed(c)
    every_step_teardown(c, skip=("state-dir",))  # the defect


new_factory = factory_with("StateDirKept", teardown=teardown_keeping_state_dir)
