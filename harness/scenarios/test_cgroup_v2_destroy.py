"""cgroup v2's Destroy of a group whose sub-group is busy (runc 1.2's RemovePath): the sub-group
is tried with its retries, and its failure stops the removal of the group above it."""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest

from harness.scenarios._support.cgroup_hosts import boot
from harness.scenarios._support.cgroup_hosts import cgroup_config
from harness.scenarios._support.cgroup_hosts import kinds
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.machines import OnHost
from harness.spec import tables


@pytest.mark.parametrize("kind", kinds("v2"))
@pytest.mark.requirement("CG-V2-DESTROY-BUSY-SUBGROUP")
def test_a_busy_subgroup_stops_the_removal_of_its_parent(
    on_host: OnHost, kind: str, profile: str, verify: Any
) -> None:
    rule = "CG-V2-DESTROY-BUSY-SUBGROUP"
    busy = tables.cgroup_busy(profile)
    with boot(on_host, kind) as (host, factory):
        path = host.cgroup_path("bs")
        c = factory.create(host.container_id("bs"), cgroup_config(path))
        c.run(INIT)
        group = host.cgroup_dir("unified", path)
        sub = os.path.join(group, "s")
        os.mkdir(sub)
        outsider = host.start_process()
        host.move_to_cgroup(outsider, "unified", f"{path}/s")
        c.signal(signal.SIGKILL)
        start = len(host.operations())
        got = error_of(c.destroy)
        want = tables.teardown_error("cgroup", busy.error("v2", {"": sub}), profile)
        verify(rule, got == want, f"destroy must fail on the busy sub-group with {want!r}: {got!r}")
        ops = host.operations()[start:]
        tried = [op for op in ops if op.op == "rmdir" and op.path == group]
        verify(rule, len(tried) == 1, f"{group} was tried {len(tried)} times, not once (fast path)")
        on_sub = [op for op in ops if op.op == "rmdir" and op.path == sub]
        verify(rule, len(on_sub) == busy.rmdirs, f"{sub}: {len(on_sub)} rmdirs, not {busy.rmdirs}")
