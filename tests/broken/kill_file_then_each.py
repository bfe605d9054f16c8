"""Broken (runc-1.2): killing every process writes cgroup.kill and then, as if the kernel had
none, freezes the group, lists and signals each pid and thaws it again, where runc 1.2 returns
as soon as the write succeeds (v1.2.0 init_linux.go:701-710)."""

from __future__ import annotations

import contextlib
import os
import signal
from typing import Any

from reference_impl.cgroups import manager as cgroup_managers
from reference_impl.cgroups.writer import CgroupError
from reference_impl.fileutil import write_control_file
from tests.broken._base import every_step_teardown
from tests.broken._base import factory_with


def teardown_killing_twice(c: Any) -> None:
    if c.profile.kill_all_wanted(c.config.namespaces):
        group = cgroup_managers._unified_group(c.cgroup_manager)
        with contextlib.suppress(OSError, CgroupError):  # runc 1.2's destroy ignores it (`_ =`)
            if group:
                write_control_file(os.path.join(group, "cgroup.kill"), "1")
            # the defect: the fallback runs after a cgroup.kill that worked
            cgroup_managers.kill_all(
                c.cgroup_manager, c.system, signal.SIGKILL, use_kill_file=False, waits=False
            )
    every_step_teardown(c, wrap=True, escape=("cgroup",))


new_factory = factory_with("KillFileThenEach", teardown=teardown_killing_twice)
