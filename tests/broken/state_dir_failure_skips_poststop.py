"""Broken (seed): when the state dir cannot be removed, destroy stops there: the poststop hooks
never run and the state is not set to stopped (the seed runs every step, then the hooks)."""

from __future__ import annotations

from typing import Any

from reference_impl import states
from reference_impl.fileutil import remove_all
from tests.broken._base import factory_with
from tests.broken._base import kill_all_like_the_seed


def teardown_returning_at_state_dir(c: Any) -> None:
    kill_all_like_the_seed(c)
    first: BaseException | None = None
    steps = [c.cgroup_manager.destroy]
    if c.intel_rdt_manager is not None:
        steps.append(c.intel_rdt_manager.destroy)
    for action in steps:
        try:
            action()
        except Exception as err:  # noqa: BLE001 - the first error is kept, the rest go on
            first = first or err
    remove_all(c.root)  # the defect: its error escapes here, before the poststop hooks
    c.init_process = None
    try:
        states.run_poststop_hooks(c)
    except Exception as err:  # noqa: BLE001
        first = first or err
    c.state = c.state_for("stopped")
    if first is not None:
        raise first


new_factory = factory_with("StateDirFailureSkipsPoststop", teardown=teardown_returning_at_state_dir)
