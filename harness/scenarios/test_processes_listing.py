"""Processes: the pids of the container's cgroup and every group below it, and what it answers
when the listing fails, when the group is gone while init lives or with it, and before any
start (also when the group Start will use already holds a process)."""

from __future__ import annotations

import dataclasses
import errno
import json
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
from harness.scenarios._support.skips import skip_for_host
from harness.spec import process_tables
from harness.spec import tables
from harness.subjects.base import Container
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
    listed, got = _listing(c)
    host.clear_faults()
    assert host.fired(fault), f"the listing never read {procs}"
    eio = os.strerror(errno.EIO).lower()
    want = tables.message("processes_read_failed", profile, path=procs, errno=eio) or "no error"
    verify(rule, got == want, f"Processes returned {got!r}, not {want!r}")
    if listed is not None:
        verify(rule, listed == [], f"the group whose read failed must list nothing: {listed}")


@pytest.mark.requirement("LC-PROCESSES-LSTAT-ERROR")
def test_processes_whose_walk_cannot_lstat_the_group(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    # both walks start with an Lstat of the group and hand its error to the callback: runc's
    # returns it and only not-exist may then be dropped (v1.2.0 getallpids.go:10-27,
    # container_linux.go:114-136), the seed's returns nil for what is not a cgroup.procs
    rule = "LC-PROCESSES-LSTAT-ERROR"
    cid = host.container_id("ls")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    group = host.cgroup_dir(host.process_hierarchy(), f"/{cid}")
    walk = _WalkFailure(rule, "root_lstat", group, [init_pid(c)], [])
    walk.judge(host, c, "lstat", profile, verify)


@pytest.mark.requirement("LC-PROCESSES-ENTRY-LSTAT")
@pytest.mark.parametrize("entry", ["cgroup.procs", "sub-group"])
def test_processes_whose_walk_cannot_lstat_an_entry(
    factory: Factory, host: Host, profile: str, verify: Any, entry: str
) -> None:
    # the seed's walk lstats each entry it lists, runc's takes their types from the listing
    rule = "LC-PROCESSES-ENTRY-LSTAT"
    cid = host.container_id("le")
    c = factory.create(cid, config_for(cid, pid_namespace=False))
    c.run(INIT)
    group, sub, below = _with_sub_group(host, c, cid)
    look, path = ("procs_lstat", os.path.join(group, "cgroup.procs"))
    if entry == "sub-group":
        look, path = ("subgroup_lstat", sub)
    walk = _WalkFailure(rule, look, path, [init_pid(c)], [below], errno.ENOMEM)
    walk.judge(host, c, "lstat", profile, verify)


@pytest.mark.requirement("LC-PROCESSES-SUBGROUP-UNLISTED")
def test_processes_whose_walk_cannot_list_a_sub_group(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-PROCESSES-SUBGROUP-UNLISTED"
    cid = host.container_id("lu")
    c = factory.create(cid, config_for(cid, pid_namespace=False))
    c.run(INIT)
    _group, sub, below = _with_sub_group(host, c, cid)
    walk = _WalkFailure(rule, "subgroup_unlisted", sub, [init_pid(c)], [below], errno.EACCES)
    walk.judge(host, c, "opendir", profile, verify)


def _with_sub_group(host: Host, c: Container, cid: str) -> tuple[str, str, int]:
    """The container's listed group, a sub-group made in it from outside, and a child of init
    moved there (the container's own, so its destroy kills it)."""
    hierarchy = host.process_hierarchy()
    group = host.cgroup_dir(hierarchy, f"/{cid}")
    # named to sort before cgroup.procs: a walk that stops at it never reads the group's own
    sub = os.path.join(group, "a-sub")
    os.mkdir(sub)
    below = host.fork(init_pid(c))
    host.move_to_cgroup(below, hierarchy, f"/{cid}/a-sub")
    return group, sub, below


@dataclasses.dataclass(frozen=True)
class _WalkFailure:
    """One look of the walk that fails (EIO unless told), and what Processes must answer
    (lifecycle.toml [processes.walk])."""

    rule: str
    look: str
    path: str
    group_pids: list[int]
    sub_pids: list[int]
    #: the look's errno: the walks must hand on the one the kernel gave
    err: int = errno.EIO

    def judge(self, host: Host, c: Container, op: str, profile: str, verify: Any) -> None:
        fault = inject(host, op, self.path, self.err)
        listed, got = _listing(c)
        host.clear_faults()
        template, lists = process_tables.processes_walk(self.look, profile)
        # a walk that lists everything with no error is the same whether or not it took the
        # look (runc's takes no lstat of an entry); any other outcome must come of the fault
        unaffected = (template, lists) == ("", "all")
        assert unaffected or host.fired(fault), f"the walk never took {op} of {self.path}"
        text = os.strerror(self.err).lower()
        want = template.format(path=self.path, errno=text) if template else "no error"
        # the seed's SystemError puts where it was made before its text
        verify(self.rule, got.endswith(want), f"Processes returned {got!r}, not {want!r}")
        if listed is not None:
            pids = {"nothing": [], "group": self.group_pids, "all": self.group_pids + self.sub_pids}
            wanted = sorted(pids[lists])
            verify(self.rule, sorted(listed) == wanted, f"listed {listed}, not {wanted}")


@pytest.mark.requirement("LC-PROCESSES-LOADED-NO-DEVICES")
def test_processes_of_a_loaded_container_without_a_devices_path(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    # runc's v1 manager keeps a loaded container's saved paths as they are and walks its
    # devices path, "" when the state names none (v1.2.0 cgroups/fs/fs.go:63-85, 226-228): the
    # walk's lstat of "" is the group's own (lifecycle.toml [processes.walk] root_lstat)
    rule = "LC-PROCESSES-LOADED-NO-DEVICES"
    if host.cgroup_mode() == "v2":
        skip_for_host("cgroup v1 devices hierarchy", host.describe_cgroups())
    cid = host.container_id("nd")
    factory.create(cid, config_for(cid)).run(INIT)
    path = os.path.join(host.state_root, cid, "state.json")
    with open(path, encoding="utf-8") as f:
        state = json.load(f)
    del state["cgroup_paths"]["devices"]
    with open(path, "w", encoding="utf-8") as f:
        json.dump(state, f)
    loaded = factory.load(cid)
    listed, got = _listing(loaded)
    template, lists = process_tables.processes_walk("root_lstat", profile)
    enoent = os.strerror(errno.ENOENT).lower()
    want = template.format(path="", errno=enoent) if template else "no error"
    verify(rule, got.endswith(want), f"Processes returned {got!r}, not {want!r}")
    if listed is not None:
        verify(rule, lists == "nothing" and listed == [], f"Processes listed {listed}")


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
    listed, got = _listing(c)
    want = tables.message("processes_group_gone", profile, path=group) or "no error"
    verify(rule, got == want, f"Processes returned {got!r}, not {want!r}")
    if listed is not None:
        verify(rule, listed == [], f"Processes must list nothing: {listed}")


@pytest.mark.requirement("LC-PROCESSES-NOT-STARTED")
def test_processes_of_a_container_never_started(factory: Factory, host: Host, verify: Any) -> None:
    rule = "LC-PROCESSES-NOT-STARTED"
    cid = host.container_id("pn")
    c = factory.create(cid, config_for(cid))
    listed, got = _listing(c)
    verify(rule, got == "no error", f"Processes must not fail: {got}")
    verify(rule, listed == [], f"Processes must list nothing: {listed}")


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
    try:
        host.move_to_cgroup(outsider, hierarchy, f"/{cid}")
        listed, got = _listing(c)
    finally:
        host.move_to_cgroup(outsider, hierarchy, "/")
        os.rmdir(group)
    want = [outsider] if process_tables.processes_list_group_before_start(profile) else []
    verify(rule, got == "no error", f"Processes must not fail: {got}")
    verify(rule, listed == want, f"Processes listed {listed}, not {want}")


@pytest.mark.requirement("LC-PROCESSES-AFTER-DESTROY")
def test_processes_after_destroy_lists_nothing(factory: Factory, host: Host, verify: Any) -> None:
    # the seed walks the emptied devices path "" and finds nothing (692f6e1 cgroups/utils.go:
    # 426-445); runc 1.2's walk fails with not-exist, which ignoreCgroupError drops once
    # neither init nor the group is left (v1.2.0 container_linux.go:114-136)
    rule = "LC-PROCESSES-AFTER-DESTROY"
    cid = host.container_id("pd")
    c = _destroyed(factory, host, cid)
    listed, got = _listing(c)
    verify(rule, got == "no error", f"Processes after destroy must not fail: {got}")
    verify(rule, listed == [], f"Processes must list nothing: {listed}")


@pytest.mark.requirement("LC-PROCESSES-GONE-OTHER-ERROR")
def test_processes_after_destroy_drops_only_not_exist(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    # runc 1.2's ignoreCgroupError drops the walk's error only when it is not-exist
    # (errors.Is(err, os.ErrNotExist)); WalkDir's Lstat of the gone group failing otherwise
    # (ENOMEM) is Processes' error (v1.2.0 container_linux.go:114-136, getallpids.go:10-16)
    rule = "LC-PROCESSES-GONE-OTHER-ERROR"
    cid = host.container_id("po")
    c = _destroyed(factory, host, cid)
    group = host.cgroup_dir(host.process_hierarchy(), f"/{cid}")
    fault = inject(host, "lstat", group, errno.ENOMEM)
    got = error_of(c.processes)
    host.clear_faults()
    assert host.fired(fault), f"Processes never took lstat of {group}"
    cause = f"lstat {group}: {os.strerror(errno.ENOMEM).lower()}"
    want = tables.message("processes_failed", profile, cause=cause)
    verify(rule, got == want, f"Processes must fail with {want!r}: {got!r}")


def _listing(c: Container) -> tuple[list[int] | None, str]:
    """What Processes listed (None when it failed) and its error's text ("no error")."""
    listed: list[list[int]] = []
    err = raised(lambda: listed.append(c.processes()))
    return (listed[0] if listed else None), ("no error" if err is None else str(err))


def _destroyed(factory: Factory, host: Host, cid: str) -> Container:
    """A container that ran, whose init died of SIGKILL, destroyed: neither init nor its
    cgroups are left (setup: a failure here is no rule's)."""
    c = factory.create(cid, config_for(cid, pid_namespace=True))
    c.run(INIT)
    pid = init_pid(c)
    c.signal(signal.SIGKILL)
    assert host.dies(pid), f"init {pid} did not die of SIGKILL"
    c.destroy()
    assert host.cgroup_dirs(f"/{cid}") == [], "destroy left the container's cgroups"
    return c
