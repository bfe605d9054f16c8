"""What cgroup v2's Set reads before it writes: the group's cgroup.controllers, once per
manager (runc's getControllers), whose failing read is Set's own error."""

from __future__ import annotations

import dataclasses
import errno
import os
from typing import Any

import pytest

from harness.scenarios._support.cgroup_hosts import boot
from harness.scenarios._support.cgroup_hosts import cgroup_config
from harness.scenarios._support.cgroup_hosts import control_value
from harness.scenarios._support.cgroup_hosts import kinds
from harness.scenarios._support.cgroup_hosts import limit_file
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import path_error
from harness.scenarios._support.machines import OnHost


@pytest.mark.parametrize("kind", kinds("v2"))
@pytest.mark.requirement("CG-V2-SET-CONTROLLERS-READ")
def test_set_reads_the_controllers_once_per_manager(
    on_host: OnHost, kind: str, verify: Any
) -> None:
    """The started container's manager read them at start and keeps them: its update goes
    through a failing read; the manager of a loaded container reads them at its first Set."""
    rule = "CG-V2-SET-CONTROLLERS-READ"
    with boot(on_host, kind) as (host, factory):
        cid, group = host.container_id("cr"), host.cgroup_path("cr")
        c = factory.create(cid, cgroup_config(group, pids_limit=10))
        c.run(INIT)
        controllers = os.path.join(host.cgroup_dir("unified", group), "cgroup.controllers")
        pids = limit_file(host, kind, group, "pids_limit")

        def update(limit: int) -> Any:
            return dataclasses.replace(
                c.config, cgroups=cgroup_config(group, pids_limit=limit).cgroups
            )

        inject(host, "read", controllers, errno.EIO, every=True)
        got = error_of(lambda: c.set(update(20)))
        verify(rule, got == "no error", f"the started container's manager read them again: {got!r}")
        value = control_value(pids)
        verify(rule, value == "20", f"its update left pids.max {value}, not 20")
        loaded = factory.load(cid)
        got = error_of(lambda: loaded.set(update(30)))
        want = path_error("read", controllers, errno.EIO)
        verify(
            rule, got == want, f"a loaded container's first Set must fail with {want!r}: {got!r}"
        )
        value = control_value(pids)
        verify(rule, value == "20", f"the failed Set wrote pids.max {value}")
        host.clear_faults()
