"""Start's placement and Set of the limits: all of it done before the prestart hooks run; a
Set that fails names the step inside the sync loop's context, which step it is depends on
whether the config has a mount namespace, and the resctrl group made before it is still the
container's to remove."""

from __future__ import annotations

import dataclasses
import errno
import os
from typing import Any

import pytest

from harness.hosts import HookProgram
from harness.hosts import Host
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import install_hooks
from harness.scenarios._support.containers import pids_limit_file
from harness.spec import start_errors
from harness.subjects.base import Factory

#: the mount namespace a container joins by path: runc asks Contains(NEWNS), whatever the path
JOINED_MOUNT_NAMESPACE = "mount=/proc/1/ns/mnt"


@pytest.mark.parametrize(
    ("phase", "namespaces"),
    [
        ("ready", ("pid",)),
        ("procHooks", ("pid", "mount")),
        ("procHooks", ("pid", JOINED_MOUNT_NAMESPACE)),
    ],  # fmt: skip
    ids=["ready", "procHooks", "procHooks-joined-mount"],
)
@pytest.mark.requirement("LC-START-SET-ERROR")
def test_start_whose_cgroup_set_fails_names_the_step(
    factory: Factory,
    host: Host,
    profile: str,
    phase: str,
    namespaces: tuple[str, ...],
    verify: Any,
) -> None:
    rule = "LC-START-SET-ERROR"
    joined = "-joined" if JOINED_MOUNT_NAMESPACE in namespaces else ""
    cid = host.container_id(f"ss-{phase.lower()}{joined}")
    base = config_for(cid)
    config = dataclasses.replace(
        base,
        namespaces=namespaces,
        cgroups=dataclasses.replace(base.cgroups, pids_limit=10),
    )
    c = factory.create(cid, config)
    fault = inject(host, "write", pids_limit_file(host, f"/{cid}"), errno.EIO)
    got = error_of(lambda: c.start(INIT))
    assert host.fired(fault), "the fault never fired"
    step, loop = start_errors.start_set_error(profile, phase)
    eio = os.strerror(errno.EIO).lower()
    verify(rule, step in got, f"Start must name the step {step!r}: {got!r}")
    verify(rule, loop in got, f"Start must name the sync loop {loop!r}: {got!r}")
    verify(
        rule,
        got.index(loop) < got.index(step) if step in got and loop in got else False,
        f"the step's context must be inside the loop's: {got!r}",
    )
    verify(rule, eio in got.lower(), f"Start must carry the write's error: {got!r}")


@pytest.mark.requirement("RDT-DESTROY-AFTER-FAILED-SET")
def test_destroy_after_a_failed_set_removes_the_resctrl_group(
    factory: Factory, host: Host, rdt_group: dict[str, str], verify: Any
) -> None:
    rule = "RDT-DESTROY-AFTER-FAILED-SET"
    cid = host.container_id("fs-rdt")
    base = config_for(cid, rdt=rdt_group)
    config = dataclasses.replace(base, cgroups=dataclasses.replace(base.cgroups, pids_limit=10))
    c = factory.create(cid, config)
    # the cgroup limits are set before the schema: the group is made, its schema never written
    fault = inject(host, "write", pids_limit_file(host, f"/{cid}"), errno.EIO)
    assert error_of(lambda: c.start(INIT)) != "no error", "the failed Set must fail Start"
    assert host.fired(fault), "the fault never fired"
    host.clear_faults()
    got = error_of(c.destroy)
    verify(rule, got == "no error", f"Destroy must succeed: {got!r}")
    group = host.resctrl_group(cid)
    verify(rule, not os.path.exists(group), f"Destroy left the resctrl group {group}")


def _prestart_sees_placed_and_limited(host: Host, cid: str, namespaces: tuple[str, ...]) -> Any:
    """A config of ``namespaces`` with a pids limit, a prestart hook and, where the host has
    resctrl, an L3 schema; and the hook's path."""
    hook = install_hooks(host, pre=HookProgram.exit(0))["pre"]
    schema = None if host.rdt_unavailable() is not None else host.l3_schema("f")
    base = config_for(cid, prestart=(hook,), l3_schema=schema)
    cgroups = dataclasses.replace(base.cgroups, pids_limit=10)
    return dataclasses.replace(base, namespaces=namespaces, cgroups=cgroups), hook


@pytest.mark.parametrize("namespaces", [("pid", "mount"), ("pid",)], ids=["mount", "no-mount"])
@pytest.mark.requirement("LC-START-RESOURCES-BEFORE-PRESTART")
def test_init_is_placed_and_limited_before_the_prestart_hooks(
    factory: Factory, host: Host, namespaces: tuple[str, ...], verify: Any
) -> None:
    rule = "LC-START-RESOURCES-BEFORE-PRESTART"
    cid = host.container_id(f"rb-{len(namespaces)}")
    config, hook = _prestart_sees_placed_and_limited(host, cid, namespaces)
    c = factory.create(cid, config)
    start = len(host.operations())
    c.start(INIT)
    pid = init_pid(c)
    done = [(op.op, op.path) for op in host.operations()[start:] if op.errno is None]
    ran = [i for i, (op, path) in enumerate(done) if op == "exec" and path == hook]
    verify(rule, len(ran) == 1, f"the prestart hook must run once: {ran}")
    procs = os.path.join(host.cgroup_dir(host.process_hierarchy(), f"/{cid}"), "cgroup.procs")
    wanted = {
        "init placed in its cgroup": procs,
        "the pids limit": pids_limit_file(host, f"/{cid}"),
    }
    if config.intel_rdt is not None:
        group = host.resctrl_group(cid)
        wanted["init placed in its resctrl group"] = os.path.join(group, "tasks")
        wanted["the L3 schema"] = os.path.join(group, "schemata")
    hook_at = ran[0] if ran else -1
    for what, path in wanted.items():
        writes = [i for i, (op, p) in enumerate(done) if op == "write" and p == path]
        verify(rule, bool(writes), f"{what}: {path} was never written for init {pid}")
        before = bool(writes) and writes[0] < hook_at
        verify(
            rule, before, f"{what} ({path}, write #{writes[:1]}) must precede the hook #{hook_at}"
        )
