"""How cgroup v2's Apply makes the container's group (runc's CreateCgroupPath): level by
level, each level's mode checked against the config's controllers, the root's controllers
enabled on the way whatever a level refuses, and the levels it made removed when it fails."""

from __future__ import annotations

import errno
import os
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.cgroup_hosts import V2
from harness.scenarios._support.cgroup_hosts import boot
from harness.scenarios._support.cgroup_hosts import cgroup_config
from harness.scenarios._support.cgroup_hosts import control_value
from harness.scenarios._support.cgroup_hosts import kinds
from harness.scenarios._support.cgroup_hosts import limit_file
from harness.scenarios._support.cgroup_hosts import read_text
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import path_error
from harness.scenarios._support.machines import OnHost
from harness.scenarios._support.machines import v2_namespace_root_threaded
from harness.spec import tables


def _unified(host: Host, path: str) -> str:
    return host.cgroup_dir("unified", path)


def _thread_root(host: Host, name: str) -> str:
    """The cgroup path ``name``, made a thread root ("domain threaded"): its child ``t`` is
    threaded."""
    root = host.cgroup_path(name)
    os.makedirs(_unified(host, f"{root}/t"))
    with open(os.path.join(_unified(host, f"{root}/t"), "cgroup.type"), "w") as f:
        f.write("threaded")
    return root


@pytest.mark.parametrize("kind", kinds("v2"))
@pytest.mark.requirement("CG-V2-CREATE-UNDONE")
def test_a_failed_create_removes_the_levels_it_made(
    on_host: OnHost, kind: str, verify: Any
) -> None:
    """The refused mkdir of the leaf undoes its new parent, not an old one; a removal that is
    refused too (EBUSY) is dropped: the parent stays and the start fails with the mkdir's error
    (create.go:99-106 defers a bare os.Remove)."""
    rule = "CG-V2-CREATE-UNDONE"
    with boot(on_host, kind) as (host, factory):
        made, kept, busy = (host.cgroup_path(f"un-{n}") for n in ("new", "old", "busy"))
        os.makedirs(_unified(host, kept))
        for name, parent in (("un-new", made), ("un-old", kept), ("un-busy", busy)):
            c = factory.create(host.container_id(name), cgroup_config(f"{parent}/leaf"))
            leaf = _unified(host, f"{parent}/leaf")
            fault = inject(host, "mkdir", leaf, errno.EACCES)
            if parent == busy:
                inject(host, "rmdir", _unified(host, busy), errno.EBUSY)
            got = error_of(lambda: c.run(INIT))  # noqa: B023 - called at once
            host.clear_faults()
            assert host.fired(fault), f"start never made {leaf}"
            want = path_error("mkdir", leaf, errno.EACCES)
            verify(rule, want in got, f"start past the refused mkdir of {leaf}: {got!r}")
        verify(rule, not os.path.isdir(_unified(host, made)), f"the failed start left {made}")
        verify(rule, os.path.isdir(_unified(host, kept)), f"it removed {kept}, made by another")
        verify(rule, os.path.isdir(_unified(host, busy)), f"{busy} is gone: its rmdir was refused")


@pytest.mark.parametrize("kind", kinds("v2"))
@pytest.mark.requirement("CG-V2-CREATE-MODE-REFUSED")
def test_a_level_in_thread_mode_refuses_domain_controllers(
    on_host: OnHost, kind: str, verify: Any
) -> None:
    """A level with a threaded child (a thread root, "domain threaded") stops a container with
    a memory limit below it; when its mode cannot be read the error is the next level's:
    "domain invalid" for a new group beside the threaded one, "threaded" for the threaded
    group itself (the mode's read error is dropped)."""
    rule = "CG-V2-CREATE-MODE-REFUSED"
    with boot(on_host, kind) as (host, factory):
        root = _thread_root(host, "tm")
        # name: (the container's group, the root's mode unread, the refusing level, its mode)
        cases = {
            "read": (f"{root}/c", False, root, "domain threaded mode"),
            "unread": (f"{root}/c", True, f"{root}/c", "an invalid state"),
            "threaded": (f"{root}/t/c", True, f"{root}/t", "threaded mode"),
        }
        for name, (group, unread, level, mode) in cases.items():
            c = factory.create(
                host.container_id(f"tm-{name}"), cgroup_config(group, memory_limit=1 << 26)
            )
            if unread:
                inject(host, "read", os.path.join(_unified(host, root), "cgroup.type"), errno.EIO)
            got = error_of(lambda: c.run(INIT))  # noqa: B023 - called at once
            host.clear_faults()
            want = tables.resource_message(
                "v2_domain_controllers_refused", path=_unified(host, level), mode=mode
            )
            verify(rule, want in got, f"start must fail with {want!r}: {got!r}")
            left = os.path.isdir(_unified(host, group))
            verify(rule, not left, f"the refused start left {group}")


#: one limit of each domain controller's (runc's isMemorySet, isIoSet, isCpuSet and
#: isHugeTlbSet, v1.2.0 fs2/memory.go:35-37, io.go:17-24, cpu.go:16-18, hugetlb.go:13-15)
_DOMAIN_LIMITS: dict[str, dict[str, Any]] = {
    "memory": {"memory_limit": 1 << 26},
    "swap": {"memory_swap": 1 << 27},
    "reservation": {"memory_reservation": 1 << 25},
    "cpu-weight": {"cpu_weight": 100},
    "cpu-quota": {"cpu_quota": 50_000},
    "cpu-period": {"cpu_period": 50_000},
    "io-weight": {"blkio_weight": 500},
    "io-throttle": {"blkio_throttle": (("read_bps", 8, 0, 1 << 20),)},
    "io-weight-device": {"blkio_weight_device": ((8, 0, 300),)},
    "hugetlb": {"hugetlb": (("2MB", 4 << 20),)},
}


@pytest.mark.parametrize("kind", kinds("v2"))
@pytest.mark.requirement("CG-V2-CREATE-MODE-REFUSED")
def test_each_domain_controller_is_refused_in_thread_mode(
    on_host: OnHost, kind: str, verify: Any
) -> None:
    """A thread root ("domain threaded") stops a container with any one domain controller's
    limit below it, each on its own."""
    rule = "CG-V2-CREATE-MODE-REFUSED"
    with boot(on_host, kind) as (host, factory):
        root = _thread_root(host, "dc")
        want = tables.resource_message(
            "v2_domain_controllers_refused", path=_unified(host, root), mode="domain threaded mode"
        )
        for name, limits in _DOMAIN_LIMITS.items():
            group = f"{root}/{name}"
            c = factory.create(host.container_id(f"dc-{name}"), cgroup_config(group, **limits))
            got = error_of(lambda: c.run(INIT))  # noqa: B023 - called at once
            verify(rule, want in got, f"{name}: start must fail with {want!r}: {got!r}")


@V2
@pytest.mark.requirement("CG-V2-CREATE-MOUNT-ROOT-UNCHECKED")
def test_the_mount_root_in_thread_mode_is_not_checked(on_host: OnHost, verify: Any) -> None:
    """In a cgroup namespace the mount's own group is an ordinary one, with a mode: "domain
    threaded" beside a threaded child.  runc starts at the first level below it (create.go:94),
    which the kernel makes "domain invalid" there: that level refuses the memory limit."""
    rule = "CG-V2-CREATE-MOUNT-ROOT-UNCHECKED"
    with on_host("v2-cgroupns", v2_namespace_root_threaded) as (host, factory):
        mount = _unified(host, "/")
        if read_text(os.path.join(mount, "cgroup.type")).strip() == "domain":
            # only the simulated machine (a real host must already be so): a threaded child
            threads = _unified(host, host.cgroup_path("mr-threads"))
            os.mkdir(threads)
            with open(os.path.join(threads, "cgroup.type"), "w") as f:
                f.write("threaded")
        mode = read_text(os.path.join(mount, "cgroup.type")).strip()
        group = host.cgroup_path("mr/c")
        first = _unified(host, "/" + group.lstrip("/").split("/")[0])
        c = factory.create(host.container_id("mr"), cgroup_config(group, memory_limit=1 << 26))
        got = error_of(lambda: c.run(INIT))
        refused = tables.resource_message
        want = refused("v2_domain_controllers_refused", path=first, mode="an invalid state")
        verify(rule, want in got, f"start must fail at {first} with {want!r}: {got!r}")
        at_mount = refused("v2_domain_controllers_refused", path=mount, mode=f"{mode} mode")
        verify(rule, at_mount not in got, f"start checked the mount's own group: {got!r}")
        verify(rule, not os.path.isdir(first), f"the refused start left {first}")


@pytest.mark.parametrize("kind", kinds("v2"))
@pytest.mark.requirement("CG-V2-ENABLE-ONE-BY-ONE")
def test_a_refused_enable_is_tried_controller_by_controller(
    on_host: OnHost, kind: str, verify: Any
) -> None:
    rule = "CG-V2-ENABLE-ONE-BY-ONE"
    with boot(on_host, kind) as (host, factory):
        parent = host.cgroup_path("ob")
        c = factory.create(
            host.container_id("ob"), cgroup_config(f"{parent}/leaf", memory_limit=1 << 26)
        )
        control = os.path.join(_unified(host, parent), "cgroup.subtree_control")
        fault = inject(host, "write", control, errno.EINVAL)
        got = error_of(lambda: c.run(INIT))
        host.clear_faults()
        assert host.fired(fault), f"start never enabled controllers in {control}"
        verify(rule, got == "no error", f"a refused enable in {control} failed start: {got!r}")
        # the refusal was of that one write: each controller of the root, written alone, is
        # taken (create.go:84-85 enables the root's cgroup.controllers)
        offered = read_text(os.path.join(_unified(host, "/"), "cgroup.controllers")).split()
        enabled = read_text(control).split()
        missing = sorted(set(offered) - set(enabled))
        verify(rule, not missing, f"{control} lacks {missing} after the one-by-one writes")
        value = control_value(limit_file(host, kind, f"{parent}/leaf", "memory_limit"))
        verify(rule, value == str(1 << 26), f"the memory limit below it is {value!r}")


@pytest.mark.parametrize("kind", kinds("v2"))
@pytest.mark.requirement("CG-V2-CREATE-INVALID-THREADED")
def test_a_level_in_an_invalid_domain_is_made_threaded(
    on_host: OnHost, kind: str, verify: Any
) -> None:
    """Below a thread root a new group is "domain invalid": without domain controllers runc
    makes it threaded, and the container's init goes there (the kernel lets a process into a
    threaded group, probed on this machine's 6.x kernel).  A refused switch is dropped
    (create.go:126): the start goes on, and the kernel refuses init in the still invalid
    group (EOPNOTSUPP), which is the start's error."""
    rule = "CG-V2-CREATE-INVALID-THREADED"
    with boot(on_host, kind) as (host, factory):
        root = _thread_root(host, "it")
        c = factory.create(host.container_id("it"), cgroup_config(f"{root}/c", pids_limit=9))
        got = error_of(lambda: c.run(INIT))
        verify(rule, got == "no error", f"start below a thread root failed: {got!r}")
        group = _unified(host, f"{root}/c")
        mode = read_text(os.path.join(group, "cgroup.type")).strip()
        verify(rule, mode == "threaded", f"{group} is {mode!r}, not threaded")
        threads = read_text(os.path.join(group, "cgroup.threads")).split()
        pid = init_pid(c)
        verify(rule, str(pid) in threads, f"init {pid} is not in {group}: {threads}")
        pids = control_value(limit_file(host, kind, f"{root}/c", "pids_limit"))
        verify(rule, pids == "9", f"the pids limit of the threaded group is {pids!r}")
        refused = _unified(host, f"{root}/r")
        r = factory.create(host.container_id("it-r"), cgroup_config(f"{root}/r", pids_limit=9))
        fault = inject(host, "write", os.path.join(refused, "cgroup.type"), errno.EIO)
        got = error_of(lambda: r.run(INIT))
        host.clear_faults()
        assert host.fired(fault), f"start never made {refused} threaded"
        want = path_error("write", os.path.join(refused, "cgroup.procs"), errno.EOPNOTSUPP)
        verify(rule, want in got, f"a refused switch to threaded must end in {want!r}: {got!r}")
