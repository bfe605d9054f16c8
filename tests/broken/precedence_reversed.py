"""Broken: destroy returns the LAST teardown error instead of the first."""

from __future__ import annotations

import signal
from typing import Any

from reference_impl import states
from tests.broken._base import factory_with


def last_error_teardown(c: Any) -> None:
    if "pid" not in c.config.namespaces:
        try:
            states.signal_all_processes(c, signal.SIGKILL)
        except Exception:  # noqa: BLE001
            pass
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
