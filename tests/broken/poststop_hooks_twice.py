"""Broken: a destroy that succeeds runs the poststop hooks a second time.  The test of the
poststop hooks checks how often they ran before their state on stdin, so the state rule is not
reached there: the report must say so, not report it passed (issue 14)."""

from __future__ import annotations

from typing import Any

from reference_impl import states
from tests.broken._base import factory_with


def teardown_running_hooks_twice(c: Any) -> None:
    states.destroy(c)
    states.run_poststop_hooks(c)  # the defect: the reference's teardown ran them already


new_factory = factory_with("PoststopHooksTwice", teardown=teardown_running_hooks_twice)
