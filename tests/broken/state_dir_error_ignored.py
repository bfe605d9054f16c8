"""Broken (runc-1.2): destroy removes the state dir as best it can and ignores a failure, so a
delete that left the state dir behind exits 0 and runs the poststop hooks (runc 1.2 returns
"unable to remove container state dir" at once)."""

from __future__ import annotations

from typing import Any

from reference_impl import states
from reference_impl.fileutil import remove_all
from reference_impl.profiles import TeardownStep
from tests.broken._base import factory_with
from tests.broken._base import kill_all_like_the_seed


def teardown_ignoring_state_dir(c: Any) -> None:
    kill_all_like_the_seed(c)
    steps: list[tuple[TeardownStep, Any]] = [("cgroup", c.cgroup_manager.destroy)]
    if c.intel_rdt_manager is not None:
        steps.append(("rdt", c.intel_rdt_manager.destroy))
    for step, action in steps:
        try:
            action()
        except Exception as err:
            raise c.profile.wrap_step_error(step, err) from err
    try:
        remove_all(c.root)
    except OSError:
        pass  # the defect: what is left of the state dir is left silently
    c.init_process = None
    try:
        states.run_poststop_hooks(c)
    finally:
        c.state = c.state_for("stopped")


new_factory = factory_with("StateDirErrorIgnored", teardown=teardown_ignoring_state_dir)
