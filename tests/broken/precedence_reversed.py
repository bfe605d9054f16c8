"""Broken: destroy returns the LAST teardown error instead of the first."""

from __future__ import annotations

from typing import Any

from reference_impl import states
from tests.broken._base import factory_with
from tests.broken._base import kill_all_like_the_seed


def last_error_teardown(c: Any) -> None:
    kill_all_like_the_seed(c)
    steps = [c.cgroup_manager.destroy]
    if c.intel_rdt_manager is not None:
        steps.append(c.intel_rdt_manager.destroy)
    steps.append(lambda: states.remove_all(c.root))
    steps.append(lambda: states.run_poststop_hooks(c))
    last: BaseException | None = None
    for step in steps:
        try:
            step()
        except Exception as err:  # noqa: BLE001
            last = err  # the defect: a later error overwrites an earlier one
    c.init_process = None
    c.state = c.state_for("stopped")
    if last is not None:
        raise last


new_factory = factory_with("PrecedenceReversed", teardown=last_error_teardown)
