"""Processes: the pids of the container's cgroup and every group below it, and what it answers
when the listing fails, when the group is gone while init lives or with it, and before any
start (also when the group Start will use already holds a process)."""

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
from harness.scenarios._support.containers import path_error
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


@pytest.mark.requirement("LC-PROCESSES-READ-ERROR")
def test_processes_whose_read_of_the_pids_fails(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-PROCESSES-READ-ERROR"
    cid = host.container_id("pr")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    procs = os.path.join(host.cgroup_dir(host.process_hierarchy(), f"/{cid}"), "cgroup.procs")
    fault = inject(host, "read", procs, errno.EIO)  # the open succeeds, its read fails
    listed: list[list[int]] = []
    err = raised(lambda: listed.append(c.processes()))
    host.clear_faults()
    assert host.fired(fault), f"the listing never read {procs}"
    got = "no error" if err is None else str(err)
    eio = os.strerror(errno.EIO).lower()
    want = tables.message("processes_read_failed", profile, path=procs, errno=eio) or "no error"
    verify(rule, got == want, f"Processes returned {got!r}, not {want!r}")
    if err is None:
        verify(rule, listed == [[]], f"the group whose read failed must list nothing: {listed}")


@pytest.mark.requirement("LC-PROCESSES-LSTAT-ERROR")
def test_processes_whose_walk_cannot_lstat_the_group(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    # v1.2.0 cgroups/getallpids.go:10-27: filepath.WalkDir starts with an Lstat of the group
    # and hands its error to the callback, which returns it; only not-exist may then be
    # dropped (container_linux.go:114-136), and this group exists
    rule = "LC-PROCESSES-LSTAT-ERROR"
    cid = host.container_id("ls")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    group = host.cgroup_dir(host.process_hierarchy(), f"/{cid}")
    fault = inject(host, "lstat", group, errno.EIO)
    got = error_of(c.processes)
    host.clear_faults()
    assert host.fired(fault), f"the listing never looked at {group}"
    want = tables.message("processes_failed", profile, cause=path_error("lstat", group, errno.EIO))
    verify(rule, got == want, f"Processes must fail with {want!r}: {got!r}")


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


@pytest.mark.requirement("LC-PROCESSES-NOT-STARTED-GROUP-FILLED")
def test_processes_before_start_of_a_group_filled_outside(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    # the seed's manager has its paths from Apply (692f6e1 apply_raw.go:237-240, a Walk of "");
    # runc 1.2's computes them when Create makes it (v1.2.0 factory_linux.go:57, fs/fs.go:63-85,
    # fs2/fs2.go:28-42) and walks the group Start will use
    rule = "LC-PROCESSES-NOT-STARTED-GROUP-FILLED"
    cid = host.container_id("pf")
    c = factory.create(cid, config_for(cid))
    hierarchy = host.process_hierarchy()
    group = host.cgroup_dir(hierarchy, f"/{cid}")
    os.makedirs(group)
    outsider = host.start_process()
    listed: list[list[int]] = []
    try:
        host.move_to_cgroup(outsider, hierarchy, f"/{cid}")
        err = raised(lambda: listed.append(c.processes()))
    finally:
        host.move_to_cgroup(outsider, hierarchy, "/")
        os.rmdir(group)
    want = [outsider] if tables.processes_list_group_before_start(profile) else []
    verify(rule, err is None, f"Processes must not fail: {err}")
    verify(rule, listed == [want], f"Processes listed {listed[0] if listed else None}, not {want}")


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


@pytest.mark.requirement("LC-PROCESSES-GONE-OTHER-ERROR")
def test_processes_after_destroy_drops_only_not_exist(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    # runc 1.2's ignoreCgroupError drops the walk's error only when it is not-exist
    # (errors.Is(err, os.ErrNotExist)); WalkDir's Lstat of the gone group failing otherwise
    # (ENOMEM) is Processes' error (v1.2.0 container_linux.go:114-136, getallpids.go:10-16)
    rule = "LC-PROCESSES-GONE-OTHER-ERROR"
    cid = host.container_id("po")
    c = factory.create(cid, config_for(cid, pid_namespace=True))
    c.run(INIT)
    pid = init_pid(c)
    c.signal(signal.SIGKILL)
    assert host.dies(pid), f"init {pid} did not die of SIGKILL"
    c.destroy()
    assert host.cgroup_dirs(f"/{cid}") == [], "destroy left the container's cgroups"
    group = host.cgroup_dir(host.process_hierarchy(), f"/{cid}")
    fault = inject(host, "lstat", group, errno.ENOMEM)
    got = error_of(c.processes)
    host.clear_faults()
    assert host.fired(fault), f"Processes never took lstat of {group}"
    cause = f"lstat {group}: {os.strerror(errno.ENOMEM).lower()}"
    want = tables.message("processes_failed", profile, cause=cause)
    verify(rule, got == want, f"Processes must fail with {want!r}: {got!r}")
