"""Broken (runc-1.2): destroy reports a failed teardown step with runc 1.2's wrapped error but
goes on as the seed did, so the container ends stopped, its init dropped and its poststop hooks
run, where runc 1.2 returns at the first failure and leaves all that alone (a6f408176)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reference_impl import states
from reference_impl.fileutil import remove_all
from tests.broken._base import factory_with


def teardown_going_on(c: Any) -> None:
    steps: list[tuple[Any, Callable[[], None]]] = [("cgroup", c.cgroup_manager.destroy)]
    if c.intel_rdt_manager is not None:
        steps.append(("rdt", c.intel_rdt_manager.destroy))
    steps.append(("state-dir", lambda: remove_all(c.root)))
    first: BaseException | None = None
    for step, action in steps:
        try:
            action()
        except Exception as err:  # noqa: BLE001
            first = first or c.profile.wrap_step_error(step, err)  # the defect: no return
    c.init_process = None
    try:
        states.run_poststop_hooks(c)
    except Exception as err:  # noqa: BLE001
        first = first or err
    c.state = c.state_for("stopped")
    if first is not None:
        raise first


new_factory = factory_with("DestroyContinuesAfterFailure", teardown=teardown_going_on)
