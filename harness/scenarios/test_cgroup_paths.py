"""Placing init in its cgroups: what the cgroup v1 cpuset controller needs of every level
between its mount and the container's group before a task may join it, the error of a
placement the kernel refuses, what a hierarchy that is not mounted fails (the devices one
at Create since runc 1.1, at Start in the seed), and which v1 hierarchies a release joins."""

from __future__ import annotations

import errno
import os
import re
import signal
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.cgroup_hosts import MACHINES
from harness.scenarios._support.cgroup_hosts import boot
from harness.scenarios._support.cgroup_hosts import kinds
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import mode_of
from harness.scenarios._support.containers import state_file
from harness.scenarios._support.containers import umask
from harness.scenarios._support.machines import OnHost
from harness.scenarios._support.machines import v1_with
from harness.scenarios._support.machines import v1_without
from harness.scenarios._support.skips import skip_for_host
from harness.spec import tables
from harness.subjects.api import CgroupConfig
from harness.subjects.api import Config
from harness.subjects.base import Factory

#: what a cpuset must hold before a task can join it
CPUSET_FILES = ("cpuset.cpus", "cpuset.mems")


def _cpuset(host: Host, path: str) -> dict[str, str]:
    directory = host.cgroup_dir("cpuset", path)
    values = {}
    for name in CPUSET_FILES:
        with open(os.path.join(directory, name), encoding="ascii") as f:
            values[name] = f.read().strip()
    return values


@pytest.mark.requirement("CG-CPUSET-PARENTS")
def test_nested_cgroup_paths_get_their_parents_cpusets(
    factory: Factory, host: Host, verify: Any
) -> None:
    rule = "CG-CPUSET-PARENTS"
    if host.cgroup_mode() == "v2" or "cpuset" not in host.v1_hierarchies():
        skip_for_host("cgroup v1 cpuset hierarchy", host.describe_cgroups())
    parent = host.cgroup_path("nest")
    top = _cpuset(host, "/")
    for name in ("a", "b"):  # b finds the parent levels a made
        cid = host.container_id(f"nest-{name}")
        path = f"{parent}/mid/{name}"
        c = factory.create(
            cid, Config(namespaces=("pid", "mount"), cgroups=CgroupConfig(path=path))
        )
        got = error_of(lambda: c.run(INIT))  # noqa: B023 - called at once
        verify(rule, got == "no error", f"a container at {path} must start: {got}")
        pid = c.init_process.pid if c.init_process is not None else None
        verify(rule, pid in host.cgroup_pids("cpuset", path), f"init {pid} not in {path}")
    for level in (parent, f"{parent}/mid", f"{parent}/mid/a", f"{parent}/mid/b"):
        got = _cpuset(host, level)
        verify(rule, got == top, f"{level} holds {got}, not the cpuset root's {top}")


@pytest.mark.parametrize("kind", kinds(*sorted(MACHINES)))
@pytest.mark.requirement("CG-DIR-MODE")
def test_cgroup_directories_are_made_0755(on_host: OnHost, kind: str, verify: Any) -> None:
    # on each kind of host: v1's hierarchies (the named systemd one too), v2's group and a
    # hybrid host's unified join each make their own directories
    rule = "CG-DIR-MODE"
    mask = 0o002  # leaves 0755 as it is, and tells it from 0777 and from 0756
    with boot(on_host, kind) as (host, factory):
        parent = host.cgroup_path("mode")
        cid = host.container_id("dm")
        path = f"{parent}/{cid}"
        config = Config(namespaces=("pid", "mount"), cgroups=CgroupConfig(path=path))
        c = factory.create(cid, config)
        with umask(mask):
            c.run(INIT)
        made = host.cgroup_dirs(parent) + host.cgroup_dirs(path)
        assert made, f"start made no directory for {path}"
        want = tables.directory_mode("cgroup") & ~mask
        for directory in made:
            mode = mode_of(directory)
            verify(rule, mode == want, f"{directory} has mode {mode:04o} under umask {mask:04o}")


@pytest.mark.requirement("CG-APPLY-PROCS-ERROR")
def test_a_refused_placement_names_the_write(factory: Factory, host: Host, verify: Any) -> None:
    cid = host.container_id("pw")
    c = factory.create(cid, config_for(cid))
    hierarchy = "unified" if host.cgroup_mode() == "v2" else "*"  # the first group written
    fault = inject(
        host,
        "write",
        os.path.join(host.cgroup_dir(hierarchy, f"/{cid}"), "cgroup.procs"),
        errno.EIO,
    )
    got = error_of(lambda: c.start(INIT))
    assert host.fired(fault), "the fault never fired"
    eio = os.strerror(errno.EIO).lower()
    cause = re.escape(
        tables.procs_write_error("seed", pid="PID", op="write", path="PATH", errno=eio)
    )
    cause = cause.replace("PID", r"\d+").replace("PATH", r"/\S+/cgroup\.procs")
    text = re.compile(r'applying cgroup configuration for process caused \\?"' + cause)
    verify("CG-APPLY-PROCS-ERROR", text.search(got) is not None, f"start failed with {got!r}")


@pytest.mark.requirement("CG-APPLY-EXISTING")
def test_existing_cgroup_directories_are_joined(factory: Factory, host: Host, verify: Any) -> None:
    cid = host.container_id("ex")
    # v1: hierarchies every profile's manager joins (the seed's subsystem list); a host may
    # mount more (rdma, misc) that a runtime leaves alone
    joined = {"cpuset", "devices", "memory", "pids", "freezer"}
    hierarchies = (
        ["unified"] if host.cgroup_mode() == "v2" else sorted(joined & set(host.v1_hierarchies()))
    )
    for hierarchy in hierarchies:
        os.makedirs(host.cgroup_dir(hierarchy, f"/{cid}"), exist_ok=True)
    c = factory.create(cid, config_for(cid))
    got = error_of(lambda: c.run(INIT))
    verify("CG-APPLY-EXISTING", got == "no error", f"start with the groups there: {got}")
    pid = c.init_process.pid if c.init_process is not None else None
    for hierarchy in hierarchies:
        verify(
            "CG-APPLY-EXISTING",
            pid in host.cgroup_pids(hierarchy, f"/{cid}"),
            f"init {pid} must be in {hierarchy}'s /{cid}",
        )


@pytest.mark.requirement("CG-APPLY-NO-DEVICES")
def test_start_without_the_devices_hierarchy_fails(on_host: OnHost, verify: Any) -> None:
    rule = "CG-APPLY-NO-DEVICES"
    with on_host("v1-no-devices", v1_without("devices")) as (host, factory):
        cid = host.container_id("nd")
        c = factory.create(cid, config_for(cid))
        before = host.live_children()
        got = error_of(lambda: c.start(INIT))
        want = tables.resource_message("devices_not_mounted")
        verify(rule, want in got, f"Start must fail with {want!r}: {got!r}")
        left = host.live_children() - before
        verify(rule, left == set(), f"init must not be left running: pids {sorted(left)}")


@pytest.mark.requirement("LC-FACTORY-NO-DEVICES")
def test_create_without_the_devices_hierarchy_is_refused(on_host: OnHost, verify: Any) -> None:
    # v1.2.0 factory_linux.go:57-60: manager.New computes the v1 paths (cgroups/fs/fs.go:73-79),
    # and the devices hierarchy is fatal there (paths.go:36-46)
    rule = "LC-FACTORY-NO-DEVICES"
    with on_host("v1-no-devices", v1_without("devices")) as (host, factory):
        cid = host.container_id("cnd")
        got = error_of(lambda: factory.create(cid, config_for(cid)))
        want = tables.resource_message("devices_not_mounted")
        verify(rule, got == want, f"Create must be refused with {want!r}: {got!r}")
        made = os.path.exists(os.path.join(host.state_root, cid))
        verify(rule, not made, "a refused Create made the container's state directory")


@pytest.mark.requirement("CG-FREEZE-UNMOUNTED")
def test_pause_without_the_freezer_hierarchy_fails(
    on_host: OnHost, profile: str, verify: Any
) -> None:
    rule = "CG-FREEZE-UNMOUNTED"
    with on_host("v1-no-freezer", v1_without("freezer")) as (host, factory):
        cid = host.container_id("nf")
        c = factory.create(cid, config_for(cid))
        c.run(INIT)
        got = error_of(c.pause)
        want = tables.freeze_without_group(profile)
        verify(rule, got == want, f"Pause must fail with {want!r}: {got!r}")
        status = str(c.status())
        verify(rule, status == "running", f"the failed pause left the container {status}")


#: limits Start cannot write without a hierarchy: (case, the hierarchy, its limits, the file the
#: error names; None: the file is read first, and only runc 1.2 gives the text).  Each subsystem
#: comes before pids in both sources' order (692f6e1 apply_raw.go:20-34; v1.2.0 fs/fs.go:16-32),
#: so pids.max is never written.  With a swap limit the memory group is read before anything
#: is written (692f6e1 memory.go:119-124; v1.2.0 fs/memory.go:81-85), and runc 1.2 words any
#: error of a subsystem without a cgroup as its own (fs/fs.go:181-196); the period's write is
#: the cpu subsystem's first (692f6e1 fs/cpu.go:76-80; v1.2.0 fs/cpu.go:86-102)
_UNMOUNTED = (
    ("memory", "memory", {"memory_limit": 64 << 20}, "memory.limit_in_bytes"),
    ("memory-swap", "memory", {"memory_limit": 64 << 20, "memory_swap": 128 << 20}, None),
    ("cpu", "cpu", {"cpu_period": 50_000, "cpu_quota": 25_000}, "cpu.cfs_period_us"),
)


@pytest.mark.parametrize(
    ("hierarchy", "limits", "file"), [pytest.param(*case[1:], id=case[0]) for case in _UNMOUNTED]
)
@pytest.mark.requirement("CG-SET-UNMOUNTED-SUBSYSTEM")
def test_a_limit_without_its_hierarchy_fails_start(
    on_host: OnHost,
    profile: str,
    verify: Any,
    hierarchy: str,
    limits: dict[str, int],
    file: str | None,
) -> None:
    rule = "CG-SET-UNMOUNTED-SUBSYSTEM"
    with on_host(f"v1-no-{hierarchy}", v1_without(hierarchy)) as (host, factory):
        cid = host.container_id("nm")
        config = CgroupConfig(path=host.cgroup_path("nm"), pids_limit=9, **limits)
        c = factory.create(cid, Config(cgroups=config))
        got = error_of(lambda: c.start(INIT))
        if file is None:
            want = tables.limit_without_group_read_first(profile, hierarchy)
        else:
            want = tables.limit_without_group(profile, hierarchy, file)
        if want is None:  # the source reads a path relative to its working directory
            verify(rule, got != "no error", f"Start with {limits} succeeded")
        else:
            verify(rule, want in got, f"Start must fail with {want!r}: {got!r}")
        pids = [op.path for op in host.operations() if op.op == "write" and "pids.max" in op.path]
        verify(rule, pids == [], f"pids.max was written after the {hierarchy} limit failed: {pids}")


@pytest.mark.requirement("CG-SET-UNMOUNTED-SUBSYSTEM")
def test_a_freezer_state_without_its_hierarchy_fails_set(
    on_host: OnHost, profile: str, verify: Any
) -> None:
    rule = "CG-SET-UNMOUNTED-SUBSYSTEM"
    with on_host("v1-no-freezer", v1_without("freezer")) as (host, factory):
        cid = host.container_id("nfs")
        config = Config(cgroups=CgroupConfig(path=host.cgroup_path("nfs")))
        c = factory.create(cid, config)
        c.run(INIT)
        frozen = Config(cgroups=CgroupConfig(path=host.cgroup_path("nfs"), freezer="FROZEN"))
        got = error_of(lambda: c.set(frozen))
        want = tables.limit_without_group(profile, "freezer", "freezer.state")
        verify(rule, want in got, f"Set must fail with {want!r}: {got!r}")
        status = str(c.status())
        verify(rule, status == "running", f"the failed Set left the container {status}")


@pytest.mark.requirement("CG-V1-RDMA-MISC")
def test_rdma_and_misc_hierarchies_as_the_release_knows_them(
    on_host: OnHost, profile: str, verify: Any
) -> None:
    # 692f6e1 apply_raw.go:19-34 has neither; v1.2.0 fs.go:16-32 has RdmaGroup (rdma.go:15-17,
    # mkdir and join) and NameGroup{"misc", Join}; their paths are m.paths (fs.go:108-141),
    # which state.json records and Destroy removes (:143-147)
    rule = "CG-V1-RDMA-MISC"
    joined = tables.v1_extra_hierarchies(profile)
    with on_host("v1-rdma-misc", v1_with("rdma", "misc")) as (host, factory):
        cid = host.container_id("rdmisc")
        c = factory.create(cid, config_for(cid))
        c.run(INIT)
        pid = init_pid(c)
        recorded = state_file(host, cid).get("cgroup_paths") or {}
        for hierarchy in ("rdma", "misc"):
            directory = host.cgroup_dir(hierarchy, f"/{cid}")
            made, want = os.path.isdir(directory), hierarchy in joined
            verify(rule, made == want, f"{directory} made: {made}, want {want}")
            where = host.cgroup_of(pid, hierarchy)
            verify(rule, (where == f"/{cid}") == want, f"init is in {hierarchy} {where}")
            path = recorded.get(hierarchy)
            shown = directory if want else None
            verify(rule, path == shown, f"state.json's {hierarchy} path {path!r}, not {shown!r}")
        c.signal(signal.SIGKILL)
        c.destroy()
        left = [h for h in ("rdma", "misc") if os.path.isdir(host.cgroup_dir(h, f"/{cid}"))]
        verify(rule, left == [], f"Destroy left the container's group in {left}")
