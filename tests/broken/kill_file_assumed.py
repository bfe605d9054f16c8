"""Broken (runc-1.2): killing every process of a cgroup v2 group always writes cgroup.kill,
never falling back to signalling each where the kernel has none (before Linux 5.14), so on
such a kernel destroy kills nothing and the group stays busy."""

from __future__ import annotations

import os
import signal
from typing import Any

from reference_impl.cgroups import manager as cgroup_managers
from reference_impl.fileutil import write_file
from tests.broken._base import every_step_teardown
from tests.broken._base import factory_with


def teardown_through_the_kill_file(c: Any) -> None:
    if c.profile.kill_all_wanted(c.config.namespaces):
        group = cgroup_managers._unified_group(c.cgroup_manager)
        try:
            if group:
                # the defect: no fallback when the kernel has no cgroup.kill
                write_file(os.path.join(group, "cgroup.kill"), "1")
            else:
                cgroup_managers.kill_all(c.cgroup_manager, c.system, signal.SIGKILL, False)
        except OSError:
            pass  # runc 1.2's destroy ignores the kill-all's error (`_ =`)
    every_step_teardown(c, wrap=True, escape=("cgroup",))


new_factory = factory_with("KillFileAssumed", teardown=teardown_through_the_kill_file)
