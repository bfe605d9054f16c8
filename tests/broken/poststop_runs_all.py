"""Broken: every poststop hook runs even after one failed (what the runtime-spec asks, not
what the seed does)."""

from __future__ import annotations

from typing import Any

from reference_impl import states
from tests.broken._base import factory_with
from tests.broken._base import kill_all_like_the_seed
from tests.broken._base import run_poststop_hook


def teardown_running_every_hook(c: Any) -> None:
    kill_all_like_the_seed(c)
    first: BaseException | None = None
    steps = [c.cgroup_manager.destroy]
    if c.intel_rdt_manager is not None:
        steps.append(c.intel_rdt_manager.destroy)
    steps.append(lambda: states.remove_all(c.root))
    for step in steps:
        try:
            step()
        except Exception as err:  # noqa: BLE001
            first = first or err
    c.init_process = None
    hooks = c.config.hooks.poststop if c.config.hooks is not None else ()
    for hook in hooks:
        try:
            run_poststop_hook(c, hook)
        except Exception as err:  # noqa: BLE001
            first = first or err  # the defect: the loop goes on after a failing hook
    c.state = c.state_for("stopped")
    if first is not None:
        raise first


new_factory = factory_with("PoststopRunsAll", teardown=teardown_running_every_hook)
