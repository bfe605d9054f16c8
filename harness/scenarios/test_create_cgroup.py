"""Create checks the cgroup the config names before it makes anything: runc >= 1.1 refuses a
config without one, and one that holds processes or is frozen (v1.2.0 factory_linux.go:57-87),
on each kind of host, and fails when it cannot read either; Load on a v2 host checks the saved
paths.

The group is made and filled (or frozen) from outside, as another tool or an earlier run would
leave it; each test puts the host back as it found it.
"""

from __future__ import annotations

import errno
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.cgroup_hosts import MACHINES
from harness.scenarios._support.cgroup_hosts import boot
from harness.scenarios._support.cgroup_hosts import cgroup_config
from harness.scenarios._support.cgroup_hosts import kinds
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import inject
from harness.scenarios._support.machines import OnHost
from harness.spec import tables
from harness.subjects.api import Config
from harness.subjects.base import Factory


@contextmanager
def _group_made_outside(host: Host, hierarchy: str, path: str) -> Iterator[str]:
    """The directory of cgroup ``path`` in ``hierarchy``, made for the test and removed after."""
    group = host.cgroup_dir(hierarchy, path)
    os.makedirs(group)
    try:
        yield group
    finally:
        os.rmdir(group)


def _refused(host: Host, factory: Any, name: str, path: str) -> tuple[str, bool]:
    """Create's error for a container in cgroup ``path``, and whether it made a state dir."""
    cid = host.container_id(name)
    got = error_of(lambda: factory.create(cid, cgroup_config(path)))
    return got, os.path.exists(os.path.join(host.state_root, cid))


@pytest.mark.parametrize("kind", kinds(*sorted(MACHINES)))
@pytest.mark.requirement("LC-FACTORY-CGROUP-NOT-EMPTY")
def test_create_refuses_a_cgroup_that_holds_processes(
    on_host: OnHost, kind: str, profile: str, verify: Any
) -> None:
    # factory_linux.go:62-78: Exists() and GetAllPids() ask the v1 devices group (or the v2 one)
    rule = "LC-FACTORY-CGROUP-NOT-EMPTY"
    hierarchy = "unified" if kind == "v2" else "devices"
    with boot(on_host, kind) as (host, factory):
        path = host.cgroup_path("busy")
        with _group_made_outside(host, hierarchy, path):
            outsider = host.start_process()
            host.move_to_cgroup(outsider, hierarchy, path)
            try:
                got, made = _refused(host, factory, "busy", path)
            finally:
                host.move_to_cgroup(outsider, hierarchy, "/")
        want = tables.message("cgroup_not_empty", profile, count=1)
        verify(rule, got == want, f"Create must be refused with {want!r}: {got!r}")
        verify(rule, not made, "a refused Create made the container's state directory")


@pytest.mark.requirement("LC-FACTORY-NO-CGROUPS")
def test_create_refuses_a_config_without_cgroups(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-FACTORY-NO-CGROUPS"
    cid = host.container_id("nocg")
    got = error_of(lambda: factory.create(cid, Config(cgroups=None)))
    want = tables.message("cgroups_nil", profile)
    verify(rule, got == want, f"Create must be refused with {want!r}: {got!r}")
    made = os.path.exists(os.path.join(host.state_root, cid))
    verify(rule, not made, "a refused Create made the container's state directory")


@pytest.mark.parametrize("kind", kinds(*sorted(MACHINES)))
@pytest.mark.requirement("LC-FACTORY-CGROUP-FROZEN")
def test_create_refuses_a_frozen_cgroup(
    on_host: OnHost, kind: str, profile: str, verify: Any
) -> None:
    # factory_linux.go:80-87: GetFreezerState asks the freezer group (v1) or cgroup.freeze (v2)
    rule = "LC-FACTORY-CGROUP-FROZEN"
    hierarchy = "unified" if kind == "v2" else "freezer"
    name, frozen, thawed = tables.freezer_file(kind)
    with boot(on_host, kind) as (host, factory):
        path = host.cgroup_path("cold")
        with _group_made_outside(host, hierarchy, path) as group:
            _write(os.path.join(group, name), frozen)
            try:
                got, made = _refused(host, factory, "cold", path)
            finally:
                _write(os.path.join(group, name), thawed)
        want = tables.message("cgroup_frozen", profile)
        verify(rule, got == want, f"Create must be refused with {want!r}: {got!r}")
        verify(rule, not made, "a refused Create made the container's state directory")


def _write(path: str, value: str) -> None:
    with open(path, "w", encoding="ascii") as f:
        f.write(value)


#: the check of each read: the hierarchy of the group it reads, and the file
_CHECK_READS = {
    "pids": ({"v1": "devices", "hybrid": "devices", "v2": "unified"}, "cgroup.procs"),
    "freezer": ({"v1": "freezer", "hybrid": "freezer", "v2": "unified"}, ""),
}


@pytest.mark.parametrize("kind", kinds(*sorted(MACHINES)))
@pytest.mark.parametrize("check", sorted(_CHECK_READS))
@pytest.mark.requirement("LC-FACTORY-CGROUP-CHECK-ERROR")
def test_create_whose_cgroup_check_cannot_read(
    on_host: OnHost, kind: str, check: str, profile: str, verify: Any
) -> None:
    # factory_linux.go:68-73 (the pids of an existing group), 79-84 (the freezer state)
    rule = "LC-FACTORY-CGROUP-CHECK-ERROR"
    hierarchies, name = _CHECK_READS[check]
    name = name or tables.freezer_file("v2" if kind == "v2" else "v1")[0]
    with boot(on_host, kind) as (host, factory):
        path = host.cgroup_path(f"rd{check[0]}")
        with _group_made_outside(host, hierarchies[kind], path) as group:
            target = os.path.join(group, name)
            fault = inject(host, "open", target, errno.EIO)
            got, made = _refused(host, factory, f"rd{check[0]}", path)
            assert host.fired(fault), f"Create never read {target}"
        context = tables.message(f"cgroup_{check}_unreadable", profile)
        eio = os.strerror(errno.EIO).lower()
        # cgroups.OpenFile's *PathError: "openat2" where the kernel has it, else "open"
        want = rf"{re.escape(context)}: (open|openat2) {re.escape(target)}: {re.escape(eio)}"
        shown = re.fullmatch(want, got) is not None
        verify(rule, shown, f"Create must fail with the read's error, {want!r}: {got!r}")
        verify(rule, not made, "a failed Create made the container's state directory")


def _spoiled_paths(group: str, how: str) -> tuple[dict[str, str], str]:
    """cgroup_paths for a v2 container whose group is ``group``, spoiled ``how``, and the cause
    runc's getUnifiedPath gives (fmt's %+v of the map, sorted by key; %q of the path)."""
    if how == "two-paths":
        other = os.path.join(os.path.dirname(group), "other")
        return {"": group, "a": other}, f"expected a single path, got map[:{group} a:{other}]"
    unclean = f"{group}/../{os.path.basename(group)}"
    return {"": unclean}, f'invalid path: "{unclean}"'


@pytest.mark.parametrize("how", ["two-paths", "unclean"])
@pytest.mark.requirement("LC-FACTORY-LOAD-PATHS-INCONSISTENT")
def test_load_of_inconsistent_v2_paths(
    on_host: OnHost, how: str, profile: str, verify: Any
) -> None:
    rule = "LC-FACTORY-LOAD-PATHS-INCONSISTENT"
    with boot(on_host, "v2") as (host, factory):
        cid = host.container_id(f"ip-{how}")
        factory.create(cid, cgroup_config(f"/{cid}")).run(INIT)
        path = os.path.join(host.state_root, cid, "state.json")
        with open(path, encoding="utf-8") as f:
            state = json.load(f)
        state["cgroup_paths"], cause = _spoiled_paths(host.cgroup_dir("unified", f"/{cid}"), how)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(state, f)
        got = error_of(lambda: factory.load(cid))
        want = tables.message("load_paths_inconsistent", profile, cause=cause)
        verify(rule, got == want, f"Load with {how} must fail with {want!r}: {got!r}")
