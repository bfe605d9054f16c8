"""Sub-groups a workload made below the container's cgroup v2 group: a busy one stops
Destroy's removal of its parent (runc 1.2's RemovePath), a threaded one is listed from its
cgroup.threads (runc 1.2's readProcsFile)."""

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
from harness.scenarios._support.containers import init_pid
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


@pytest.mark.parametrize("kind", kinds("v2"))
@pytest.mark.requirement("LC-PROCESSES-THREADED-GROUP")
def test_processes_reads_a_threaded_group_from_its_threads(
    on_host: OnHost, kind: str, verify: Any
) -> None:
    """A workload made a threaded sub-group and put init's thread there: the kernel refuses
    to read that group's cgroup.procs (EOPNOTSUPP), and its cgroup.threads lists the thread."""
    rule = "LC-PROCESSES-THREADED-GROUP"
    with boot(on_host, kind) as (host, factory):
        path = host.cgroup_path("thr")
        c = factory.create(host.container_id("thr"), cgroup_config(path))
        c.run(INIT)
        pid = init_pid(c)
        threaded = os.path.join(host.cgroup_dir("unified", path), "t")
        os.mkdir(threaded)
        with open(os.path.join(threaded, "cgroup.type"), "w", encoding="ascii") as f:
            f.write("threaded")
        with open(os.path.join(threaded, "cgroup.threads"), "w", encoding="ascii") as f:
            f.write(str(pid))
        got: Any = error_of(c.processes)
        listed: list[int] = []
        if got == "no error":
            listed = c.processes()
        verify(rule, got == "no error", f"Processes failed on the threaded group: {got!r}")
        verify(rule, pid in listed, f"Processes listed {listed}, not init {pid}")
