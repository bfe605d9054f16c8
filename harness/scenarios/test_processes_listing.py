"""Processes: the pids of the container's cgroup and every group below it, and what it answers
when the listing fails, when the group is gone while init lives, and before any start (the
group its config names, if someone made and filled it)."""

from __future__ import annotations

import errno
import os
import signal
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import raised
from harness.spec import tables
from harness.subjects.base import Factory


@pytest.mark.requirement("LC-PROCESSES-ERROR")
def test_processes_whose_listing_fails_names_it(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-PROCESSES-ERROR"
    cid = host.container_id("pl")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    # the pids are listed from the devices group (v1) or the unified one (v2), whatever file
    # the profile's kill-all writes to
    procs = os.path.join(host.cgroup_dir(host.process_hierarchy(), f"/{cid}"), "cgroup.procs")
    fault = inject(host, "open", procs, errno.EIO)
    got = error_of(c.processes)
    assert host.fired(fault), "the fault never fired"
    eio = os.strerror(errno.EIO).lower()
    want = tables.message("processes_failed", profile, cause="").rstrip('"')
    verify(rule, want in got, f"Processes must fail with {want!r}: {got!r}")
    # readProcsFile's open error, Go's *PathError (692f6e1 cgroups/utils.go:275-278)
    cause = f"{procs}: {eio}"
    verify(rule, cause in got, f"the listing's own error {cause!r} must be the cause: {got!r}")


@pytest.mark.requirement("LC-PROCESSES-GROUP-GONE")
def test_processes_when_the_listed_group_is_gone(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-PROCESSES-GROUP-GONE"
    cid = host.container_id("pg")
    c = factory.create(cid, config_for(cid, pid_namespace=True))
    c.run(INIT)
    # From outside: init leaves the group the pids are listed from, which is then removed
    hierarchy = host.process_hierarchy()
    host.move_to_cgroup(init_pid(c), hierarchy, "/")
    group = host.cgroup_dir(hierarchy, f"/{cid}")
    os.rmdir(group)
    listed: list[list[int]] = []
    err = raised(lambda: listed.append(c.processes()))
    got = "no error" if err is None else str(err)
    want = tables.message("processes_group_gone", profile, path=group) or "no error"
    verify(rule, got == want, f"Processes returned {got!r}, not {want!r}")
    if err is None:
        verify(rule, listed == [[]], f"Processes must list nothing: {listed}")


@pytest.mark.requirement("LC-PROCESSES-NOT-STARTED")
def test_processes_of_a_container_never_started(factory: Factory, host: Host, verify: Any) -> None:
    rule = "LC-PROCESSES-NOT-STARTED"
    cid = host.container_id("pn")
    c = factory.create(cid, config_for(cid))
    listed: list[list[int]] = []
    err = raised(lambda: listed.append(c.processes()))
    verify(rule, err is None, f"Processes must not fail: {err}")
    verify(rule, listed == [[]], f"Processes must list nothing: {listed[0] if listed else None}")


@pytest.mark.requirement("LC-PROCESSES-NOT-STARTED-GROUP-HELD")
def test_processes_before_start_walks_the_named_group(
    factory: Factory, host: Host, verify: Any
) -> None:
    """The group is made and entered from outside after Create, so Create's own check of it
    (LC-FACTORY-CGROUP-NOT-EMPTY) passes; the host is put back as it was."""
    rule = "LC-PROCESSES-NOT-STARTED-GROUP-HELD"
    cid = host.container_id("ph")
    c = factory.create(cid, config_for(cid))
    hierarchy = host.process_hierarchy()
    group = host.cgroup_dir(hierarchy, f"/{cid}")
    os.makedirs(group)
    outsider = host.start_process()
    host.move_to_cgroup(outsider, hierarchy, f"/{cid}")
    listed: list[list[int]] = []
    try:
        err = raised(lambda: listed.append(c.processes()))
    finally:
        host.move_to_cgroup(outsider, hierarchy, "/")
        os.rmdir(group)
    verify(rule, err is None, f"Processes must not fail: {err}")
    got = listed[0] if listed else None
    verify(rule, got == [outsider], f"Processes listed {got}, not the outsider {outsider}")


@pytest.mark.requirement("LC-PROCESSES-AFTER-DESTROY")
def test_processes_after_destroy_lists_nothing(factory: Factory, host: Host, verify: Any) -> None:
    # the seed walks the emptied devices path "" and finds nothing (692f6e1 cgroups/utils.go:
    # 426-445); runc 1.2's walk fails with not-exist, which ignoreCgroupError drops once
    # neither init nor the group is left (v1.2.0 container_linux.go:114-136)
    rule = "LC-PROCESSES-AFTER-DESTROY"
    cid = host.container_id("pd")
    c = factory.create(cid, config_for(cid, pid_namespace=True))
    c.run(INIT)
    pid = init_pid(c)
    c.signal(signal.SIGKILL)
    assert host.dies(pid), f"init {pid} did not die of SIGKILL"
    c.destroy()
    assert host.cgroup_dirs(f"/{cid}") == [], "destroy left the container's cgroups"
    listed: list[list[int]] = []
    err = raised(lambda: listed.append(c.processes()))
    verify(rule, err is None, f"Processes after destroy must not fail: {err}")
    verify(rule, listed == [[]], f"Processes must list nothing: {listed[0] if listed else None}")
