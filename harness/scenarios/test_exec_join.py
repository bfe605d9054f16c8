"""How runc 1.2 puts a process started in a running container into the container's cgroups
where the seed did otherwise: a gone cgroup is an error, and on cgroup v2 a refused write is
tried again in init's cgroup (v1.2.0 process_linux.go:164-185)."""

from __future__ import annotations

import errno
import os
import re
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.cgroup_hosts import boot
from harness.scenarios._support.cgroup_hosts import kinds
from harness.scenarios._support.containers import EXTRA
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import joined_pid
from harness.scenarios._support.machines import OnHost
from harness.scenarios._support.skips import skip_for_host
from harness.spec import tables
from harness.subjects.base import Factory


@pytest.mark.requirement("LC-EXEC-CGROUP-GONE-ERROR")
def test_extra_process_fails_on_a_cgroup_that_is_gone(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-EXEC-CGROUP-GONE-ERROR"
    kept = {host.process_hierarchy(), "devices", "freezer", "cpuset"}
    spare = [h for h in host.v1_hierarchies() if h not in kept]
    if host.cgroup_mode() == "v2" or not spare:
        skip_for_host("cgroup v1 hierarchy a container can lose", host.describe_cgroups())
    cid = host.container_id("cx")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    gone = spare[0]
    host.move_to_cgroup(init_pid(c), gone, "/")  # a cgroup with a task cannot be removed
    directory = host.cgroup_dir(gone, f"/{cid}")
    os.rmdir(directory)
    before = host.live_children()
    got = error_of(lambda: c.start(EXTRA))
    pid = joined_pid(got, rule, profile, verify)
    if pid is not None:
        procs = os.path.join(directory, "cgroup.procs")
        enoent = os.strerror(errno.ENOENT).lower()
        want = tables.procs_write_error(profile, pid=pid, op="open", path=procs, errno=enoent)
        verify(rule, got.endswith(want), f"the cause must be {want!r}: {got!r}")
    left = host.live_children() - before
    verify(rule, not left, f"the extra process must not be left running: {sorted(left)}")


@pytest.mark.requirement("LC-EXEC-JOIN-INIT-CGROUP")
def test_extra_process_refused_by_its_v2_group_joins_inits(on_host: OnHost, verify: Any) -> None:
    """Init is moved to a child group (as a container's own nesting does), then the write
    to the container's group is refused once: the extra process must land in init's group."""
    rule = "LC-EXEC-JOIN-INIT-CGROUP"
    with boot(on_host, "v2") as (host, factory):
        cid = host.container_id("ji")
        c = factory.create(cid, config_for(cid))
        c.run(INIT)
        child = f"/{cid}/init"
        os.mkdir(host.cgroup_dir("unified", child))
        host.move_to_cgroup(init_pid(c), "unified", child)
        procs = os.path.join(host.cgroup_dir("unified", f"/{cid}"), "cgroup.procs")
        fault = inject(host, "write", procs, errno.EBUSY)
        before = host.live_children()
        got = error_of(lambda: c.start(EXTRA))
        assert host.fired(fault), "the fault never fired"
        verify(rule, got == "no error", f"Start must succeed in init's cgroup: {got!r}")
        new = sorted(host.live_children() - before)
        verify(rule, len(new) == 1, f"the extra process must run: new pids {new}")
        for pid in new:
            where = host.cgroup_of(pid, "unified")
            verify(rule, where == child, f"it must join init's {child}, not {where!r}")


@pytest.mark.requirement("LC-EXEC-WITHOUT-INIT")
@pytest.mark.parametrize("kind", kinds("v1", "v2"))
def test_a_process_that_is_not_init_in_a_container_without_init(
    on_host: OnHost, kind: str, profile: str, verify: Any
) -> None:
    """No init: the cgroups are only the paths the manager planned (made at init's Apply), so
    the first write fails with ENOENT, and on v2 there is no init cgroup to try instead."""
    rule = "LC-EXEC-WITHOUT-INIT"
    with boot(on_host, kind) as (host, factory):
        cid = host.container_id("noinit")
        c = factory.create(cid, config_for(cid))
        logged = len(host.operations())
        before = host.live_children()
        got = error_of(lambda: c.start(EXTRA))
        pid = joined_pid(got, rule, profile, verify)
        if pid is not None:
            cause = re.search(rf"failed to write {pid}: open (\S+)/cgroup\.procs: (.+)$", got)
            found = cause.group(1) if cause else None
            ours = found is not None and found.endswith(f"/{cid}")
            verify(rule, ours, f"the cause must be the open of a group of the container: {got!r}")
            enoent = os.strerror(errno.ENOENT).lower()
            verify(rule, bool(cause) and cause.group(2) == enoent, f"not ENOENT: {got!r}")
        # on v2 no fallback: a write outside the container's own groups (init's cgroup of
        # /proc/<pid>/cgroup, had the runtime a pid to read it of) must not be tried
        tried = [op.path for op in host.operations()[logged:] if op.op == "write"]
        elsewhere = [path for path in tried if f"/{cid}/" not in path]
        verify(rule, not elsewhere, f"a write was tried outside the container: {elsewhere}")
        left = host.live_children() - before
        verify(rule, not left, f"the process must not be left running: {sorted(left)}")
        status = str(c.status())
        verify(rule, status == "stopped", f"the container without init reads {status}")
