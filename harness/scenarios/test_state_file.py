"""state.json: what it holds (its keys, init's namespaces), the mode it is created with, and
a start or Set whose saving of it fails (written in place in the seed, through a temporary file
renamed over it in runc 1.2)."""

from __future__ import annotations

import errno
import os
import re
from typing import Any

import pytest

from harness.hosts import Host
from harness.hosts.facts import resctrl_mounts
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import mode_of
from harness.scenarios._support.containers import path_error
from harness.scenarios._support.containers import pids_limit_file
from harness.scenarios._support.containers import start_with_fault
from harness.scenarios._support.containers import state_file
from harness.scenarios._support.containers import state_name
from harness.scenarios._support.containers import umask
from harness.scenarios._support.containers import with_pids_limit
from harness.scenarios._support.machines import OnHost
from harness.scenarios._support.machines import resctrl_unmounted
from harness.spec import tables
from harness.subjects.base import Factory


@pytest.mark.requirement("LC-STATE-FILE-KEYS")
def test_state_file_holds_the_seeds_state(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-STATE-FILE-KEYS"
    cid = host.container_id("sk")
    c = factory.create(cid, config_for(cid))
    c.start(INIT)
    state = state_file(host, cid)
    want = tables.state_file_keys(profile)
    verify(rule, set(state) == want, f"state.json keys {sorted(state)}, want {sorted(want)}")
    verify(rule, state.get("rootless") is False, f"rootless is {state.get('rootless')!r}")
    pid = init_pid(c)
    verify(rule, state.get("init_process_pid") == pid, f"init_process_pid is not {pid}")
    fds = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in range(3)]
    shown = state.get("external_descriptors")
    verify(rule, shown == fds, f"external_descriptors {shown!r}, init's fds 0-2 point to {fds}")


@pytest.mark.requirement("LC-START-SAVE-ERROR")
def test_start_whose_state_file_cannot_be_written(
    factory: Factory, host: Host, verify: Any
) -> None:
    rule = "LC-START-SAVE-ERROR"
    cid = host.container_id("sv")
    c = factory.create(cid, config_for(cid))
    state_path = os.path.join(host.state_root, cid, "state.json")
    got = start_with_fault(host, c, "open", state_path, errno.EIO)
    want = path_error("open", state_path, errno.EIO)
    verify(rule, got == want, f"Start must fail with {want!r}: {got!r}")
    verify(rule, state_name(c) == "created", f"the failed save left the state {state_name(c)}")
    pid = c.init_process.pid if c.init_process is not None else None
    verify(rule, pid is not None and host.is_alive(pid), f"init {pid} must be left alive")


@pytest.mark.requirement("LC-STATE-NAMESPACE-PATHS")
def test_state_file_names_inits_namespaces(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-STATE-NAMESPACE-PATHS"
    cid = host.container_id("sn")
    config = config_for(cid)
    c = factory.create(cid, config)
    c.start(INIT)
    shown = state_file(host, cid).get("namespace_paths")
    kinds = tuple(ns.partition("=")[0] for ns in config.namespaces)
    want = tables.namespace_paths(
        profile, kinds, init_pid(c), lambda name: os.path.lexists(f"/proc/self/ns/{name}")
    )
    verify(rule, shown == want, f"namespace_paths {shown}, want {want}")


@pytest.mark.requirement("LC-STATE-FILE-MODE")
def test_state_file_mode(factory: Factory, host: Host, profile: str, verify: Any) -> None:
    rule = "LC-STATE-FILE-MODE"
    writing = tables.state_file_writing(profile)
    cid = host.container_id("sm")
    c = factory.create(cid, config_for(cid))
    mask = 0o022
    with umask(mask):
        c.start(INIT)
    mode = mode_of(os.path.join(host.state_root, cid, "state.json"))
    want = writing.mode & ~mask
    verify(
        rule,
        mode == want,
        f"state.json has mode {mode:04o}; {writing.mode:04o} less the umask {mask:04o} is"
        f" {want:04o}",
    )


@pytest.mark.requirement("LC-START-SAVE-RENAME-ERROR")
def test_start_whose_state_rename_fails(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-START-SAVE-RENAME-ERROR"
    writing = tables.state_file_writing(profile)
    cid = host.container_id("sr")
    c = factory.create(cid, config_for(cid))
    directory = os.path.join(host.state_root, cid)
    state_path = os.path.join(directory, "state.json")
    fault = inject(host, "rename", os.path.join(directory, f"{writing.temp_prefix}*"), errno.EIO)
    got = error_of(lambda: c.start(INIT))
    assert host.fired(fault), "the fault never fired"
    layers = "".join(f"{layer}: " for layer in writing.save_layers)
    temp = re.escape(os.path.join(directory, writing.temp_prefix)) + r"\d+"
    eio = os.strerror(errno.EIO).lower()
    want = f"^{re.escape(layers)}rename {temp} {re.escape(state_path)}: {re.escape(eio)}$"
    verify(rule, re.match(want, got) is not None, f"Start must fail with {want!r}: {got!r}")
    left = sorted(n for n in os.listdir(directory) if n.startswith(writing.temp_prefix))
    verify(rule, not left, f"the temporary state file must be removed: {left}")
    verify(rule, not os.path.exists(state_path), "no state.json may be written")
    pid = c.init_process.pid if c.init_process is not None else None
    verify(rule, pid is not None and not host.is_alive(pid), f"init {pid} must be terminated")


@pytest.mark.requirement("LC-STATE-RDT-PATH")
def test_state_file_rdt_path_without_intel_rdt(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-STATE-RDT-PATH"
    cid = host.container_id("rp")
    c = factory.create(cid, config_for(cid))  # no intelRdt
    c.start(INIT)
    shown = state_file(host, cid).get("intel_rdt_path")
    group = host.resctrl_group(cid) if resctrl_mounts() else None
    want = tables.state_rdt_path_without_intel_rdt(profile, group)
    mounted = "mounted" if group else "not mounted"
    verify(rule, shown == want, f"intel_rdt_path {shown!r} (resctrl {mounted}), want {want!r}")


@pytest.mark.requirement("LC-STATE-RDT-PATH")
def test_state_file_rdt_path_without_resctrl(on_host: OnHost, profile: str, verify: Any) -> None:
    """The other half of the rule on every run: a machine where resctrl is not mounted."""
    rule = "LC-STATE-RDT-PATH"
    with on_host("rdt-unmounted", resctrl_unmounted) as (host, factory):
        cid = host.container_id("ru")
        c = factory.create(cid, config_for(cid))  # no intelRdt
        c.start(INIT)
        shown = state_file(host, cid).get("intel_rdt_path")
        want = tables.state_rdt_path_without_intel_rdt(profile, None)
        verify(rule, shown == want, f"intel_rdt_path {shown!r} without resctrl, want {want!r}")


def _arm_save_fault(host: Host, profile: str, directory: str) -> tuple[Any, str]:
    """A fault on the step of saving state.json that can fail after its old content is gone
    (the seed's write after os.Create truncated it) or while it is still there (runc 1.2's
    rename of the temporary file): the fault, and a pattern of the error it causes."""
    writing = tables.state_file_writing(profile)
    state_path = os.path.join(directory, "state.json")
    eio = re.escape(os.strerror(errno.EIO).lower())
    if writing.written == "in-place":
        fault = inject(host, "write", state_path, errno.EIO)
        return fault, f"write {re.escape(state_path)}: {eio}"
    fault = inject(host, "rename", os.path.join(directory, f"{writing.temp_prefix}*"), errno.EIO)
    temp = re.escape(os.path.join(directory, writing.temp_prefix)) + r"\d+"
    return fault, f"rename {temp} {re.escape(state_path)}: {eio}"


@pytest.mark.requirement("LC-SET-SAVE-ERROR")
def test_set_whose_state_file_cannot_be_saved(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-SET-SAVE-ERROR"
    writing = tables.state_file_writing(profile)
    cid = host.container_id("ss")
    config = with_pids_limit(config_for(cid), 10)
    c = factory.create(cid, config)
    c.run(INIT)
    directory = os.path.join(host.state_root, cid)
    state_path = os.path.join(directory, "state.json")
    before = _read(state_path)
    fault, want = _arm_save_fault(host, profile, directory)
    got = error_of(lambda: c.set(with_pids_limit(config, 20)))
    assert host.fired(fault), "the fault never fired"
    verify(rule, re.fullmatch(want, got) is not None, f"Set must fail with {want!r}: {got!r}")
    limit = _read(pids_limit_file(host, f"/{cid}")).strip()
    verify(rule, limit == "20", f"the limits are written before the save: pids limit {limit}")
    left = _read(state_path)
    # os.Create truncated it before the write failed; a failed rename leaves the old one
    kept = "" if writing.written == "in-place" else before
    verify(rule, left == kept, f"state.json after the failed save is {left[:60]!r}...")
    prefix = writing.temp_prefix
    temps = sorted(n for n in os.listdir(directory) if prefix and n.startswith(prefix))
    verify(rule, not temps, f"the temporary state file must be removed: {temps}")


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()
