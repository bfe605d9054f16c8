"""Status of a live container whose v1 freezer shows something other than its own freeze: its
freezer group removed from outside or being removed (ENODEV), a parent group frozen from
outside, a freeze still under way.  The seed reads freezer.state once (692f6e1
container_linux.go:1515-1530); runc 1.2 asks the freezer group's GetState (v1.2.0
cgroups/fs/freezer.go:115-158).  What each profile reads comes from
``harness/spec/lifecycle.toml`` [refresh]."""

from __future__ import annotations

import errno
import os
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.cgroup_hosts import boot
from harness.scenarios._support.cgroup_hosts import cgroup_config
from harness.scenarios._support.cgroup_hosts import kinds
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import path_error
from harness.scenarios._support.containers import raised
from harness.scenarios._support.machines import OnHost
from harness.scenarios._support.skips import slow_task_in
from harness.spec import tables
from harness.subjects.base import Container


def _status(c: Container) -> str:
    """Status() as text, or "error: ..." where it fails."""
    shown: list[str] = []
    err = raised(lambda: shown.append(str(c.status())))
    return f"error: {err}" if err is not None else shown[0]


def _write_freezer(host: Host, path: str, state: str) -> None:
    """Freeze or thaw the v1 group ``path`` from outside, as any administrator may."""
    with open(os.path.join(host.cgroup_dir("freezer", path), "freezer.state"), "w") as f:
        f.write(state)


@pytest.mark.parametrize("kind", kinds("v1", "v2"))
@pytest.mark.requirement("LC-STATUS-FREEZER-GONE")
def test_status_once_the_freezer_group_is_removed(
    on_host: OnHost, kind: str, profile: str, verify: Any
) -> None:
    # 692f6e1 container_linux.go:1521-1526: a freezer.state that is not there is not paused;
    # v1.2.0 cgroups/fs/freezer.go:117-124: Undefined, the not-exist error dropped; on v2
    # fs2/freezer.go:54-63 (a cgroup.freeze that cannot be opened, ignoreNotExistOrNoDeviceError)
    rule = "LC-STATUS-FREEZER-GONE"
    hierarchy = "unified" if kind == "v2" else "freezer"
    with boot(on_host, kind) as (host, factory):
        path = host.cgroup_path("fgone")
        c = factory.create(host.container_id("fgone"), cgroup_config(path))
        c.run(INIT)
        host.move_to_cgroup(init_pid(c), hierarchy, "/")  # init leaves; the group is removed
        os.rmdir(host.cgroup_dir(hierarchy, path))
        got = _status(c)
        want = tables.refreshed_state("freezer_gone", profile)
        verify(rule, got == want, f"Status with the freezer group gone: {got!r}, not {want!r}")


@pytest.mark.requirement("LC-STATUS-FREEZER-ENODEV")
def test_status_when_the_freezer_answers_enodev(on_host: OnHost, profile: str, verify: Any) -> None:
    # 692f6e1 container_linux.go:1521-1527: any read error but not-exist is isPaused's, wrapped;
    # v1.2.0 cgroups/fs/freezer.go:117-124: ENODEV (a group being removed) is Undefined, no error
    rule = "LC-STATUS-FREEZER-ENODEV"
    with boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("fnodev")
        c = factory.create(host.container_id("fnodev"), cgroup_config(path))
        c.run(INIT)
        state = os.path.join(host.cgroup_dir("freezer", path), "freezer.state")
        fault = inject(host, "read", state, errno.ENODEV)
        got = _status(c)
        verify(rule, host.fired(fault), f"Status never read {state}")
        want = tables.refreshed_state("freezer_enodev", profile)
        if want != "error":
            verify(rule, got == want, f"Status with freezer.state ENODEV: {got!r}, not {want!r}")
            return
        cause = path_error("read", state, errno.ENODEV)
        verify(rule, got.startswith("error: ") and "checking if container is paused" in got,
               f"Status must fail as isPaused does: {got!r}")  # fmt: skip
        verify(rule, cause in got, f"Status's error must carry the read's {cause!r}: {got!r}")


@pytest.mark.requirement("LC-STATUS-FREEZER-ENODEV")
def test_status_of_a_paused_container_when_self_freezing_answers_enodev(
    on_host: OnHost, profile: str, verify: Any
) -> None:
    # v1.2.0 cgroups/fs/freezer.go:129-139: FROZEN, then a freezer.self_freezing read that
    # fails with ENODEV is Frozen, no error; the seed reads freezer.state alone (:1521-1529)
    rule = "LC-STATUS-FREEZER-ENODEV"
    with boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("fsnodev")
        c = factory.create(host.container_id("fsnodev"), cgroup_config(path))
        c.run(INIT)
        c.pause()
        self_freezing = os.path.join(host.cgroup_dir("freezer", path), "freezer.self_freezing")
        inject(host, "read", self_freezing, errno.ENODEV)
        got = _status(c)
        host.clear_faults()
        want = tables.refreshed_state("frozen", profile)
        verify(rule, got == want, f"Status with self_freezing ENODEV: {got!r}, not {want!r}")


@pytest.mark.requirement("LC-STATUS-PARENT-FROZEN")
def test_status_while_a_parent_group_is_frozen(on_host: OnHost, profile: str, verify: Any) -> None:
    # 692f6e1 container_linux.go:1521-1529: freezer.state reads FROZEN below a frozen parent;
    # v1.2.0 cgroups/fs/freezer.go:129-145: freezer.self_freezing 0 makes it Thawed
    rule = "LC-STATUS-PARENT-FROZEN"
    with boot(on_host, "v1") as (host, factory):
        parent = host.cgroup_path("pfz")
        path = f"{parent}/c"
        c = factory.create(host.container_id("pfz"), cgroup_config(path))
        c.run(INIT)
        _write_freezer(host, parent, "FROZEN")
        got = _status(c)
        _write_freezer(host, parent, "THAWED")
        want = tables.refreshed_state("ancestor_frozen", profile)
        verify(rule, got == want, f"Status below a frozen parent: {got!r}, not {want!r}")


@pytest.mark.requirement("LC-STATUS-FREEZING-SETTLES")
def test_status_of_a_freeze_under_way_waits_for_it(
    on_host: OnHost, profile: str, verify: Any
) -> None:
    # v1.2.0 cgroups/fs/freezer.go:149-153: FREEZING is read again after 1 ms until it
    # settles; a task that stays unfrozen for a few reads makes the group FREEZING that long
    rule = "LC-STATUS-FREEZING-SETTLES"
    reads = 3
    with boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("fset")
        c = factory.create(host.container_id("fset"), cgroup_config(path))
        c.run(INIT)
        slow = slow_task_in(host, "freezer", path, reads=reads)
        _write_freezer(host, path, "FROZEN")  # someone else freezes the group
        state = os.path.join(host.cgroup_dir("freezer", path), "freezer.state")
        start, before = len(host.operations()), host.system.monotonic()
        got = _status(c)
        slept = host.system.monotonic() - before
        want = tables.refreshed_state("freezing_settles", profile)
        verify(rule, got == want, f"Status of a FREEZING group: {got!r}, not {want!r}")
        polled = [op for op in host.operations()[start:] if op.op == "read" and op.path == state]
        verify(rule, len(polled) >= reads, f"{len(polled)} reads of {state}; FREEZING for {reads}")
        verify(rule, host.is_frozen(slow), f"the slow task {slow} is not frozen after Status")
        if host.virtual_clock:  # 1 ms after each read that found FREEZING, none after FROZEN
            want_s = reads * 0.001
            verify(rule, abs(slept - want_s) < 0.0005, f"slept {slept:.4f} s, not {want_s:.4f}")
