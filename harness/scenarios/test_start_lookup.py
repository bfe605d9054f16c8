"""Start of a process whose program cannot be found: runc's init looks it up with Go's
exec.LookPath once the parent is done with it (the cgroups, the limits, the prestart hooks; for
a process started in a running container, once it joined them), and the start fails with Go's
text in the start's layers, leaving no process of it behind."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

import pytest

from harness.hosts import HookProgram
from harness.hosts import Host
from harness.scenarios._support.command_line import eventually
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import install_hooks
from harness.scenarios._support.containers import program_of
from harness.spec import start_errors
from harness.spec import tables
from harness.subjects.api import Process

RULE = "LC-START-PROGRAM-NOT-FOUND"
ON_PATH = "LC-START-PROGRAM-ON-PATH"
#: the process's $PATH, searched for a name without a slash
SEARCH = "PATH=/usr/bin:/bin"
CASES = ("missing", "not_in_path", "not_executable", "directory")


def _program(host: Host, cid: str, case: str) -> str:
    """A program name that ``case`` says cannot be run: a path that is not there, a name no
    $PATH directory holds, a file without an x bit, or a directory."""
    if case == "missing":
        return f"/no/such/{cid}"
    if case == "not_in_path":
        return f"no-such-{cid}"
    directory = host.bundle_dir(cid)
    os.makedirs(directory, exist_ok=True)
    if case == "directory":
        return directory
    path = os.path.join(directory, "not-executable")
    with open(path, "w", encoding="ascii") as f:
        f.write("#!/bin/sh\n")
    os.chmod(path, 0o644)
    return path


def _error_matches(got: str, which: str, case: str, name: str, profile: str) -> str | None:
    """What ``got`` lacks of the lookup's error in the profile's layers, or None: runc's plain
    ``<layer>: `` wrapping exactly, or the seed's ``<cause> caused "<quoted error>"`` (whose
    Go source line no rule knows) ending in the quoted exec.LookPath text."""
    layers = start_errors.start_step_error_layers(f"lookup_{which}", profile)
    cause = start_errors.program_lookup_cause(case, name, profile)
    if not start_errors.errors_quoted(profile):
        want = "".join(f"{layer}: " for layer in layers) + cause
        return None if got == want else want
    (layer,) = layers  # one SystemError around init's own, which has no cause of its own
    tail = f'{layer} caused "{start_errors.go_quoted(cause)}"'
    return None if got.endswith(tail) else tail


@pytest.mark.requirement(RULE)
@pytest.mark.parametrize("case", CASES)
def test_init_whose_program_cannot_be_found(
    factory: Any, host: Host, profile: str, case: str, verify: Any
) -> None:
    """Init looks its program up after the cgroups and the prestart hooks: the hook ran with
    init's pid, init was placed in the group, then the start fails, init is gone, the container
    stopped, exec.fifo removed, and the groups removed where the profile's failed start does."""
    cid = host.container_id(f"lk-{case.replace('_', '-')}")
    name = _program(host, cid, case)
    hooks = install_hooks(host, pre=HookProgram.exit(0))
    c = factory.create(cid, config_for(cid, prestart=(hooks["pre"],)))
    before = host.live_children()
    logged = len(host.operations())
    got = error_of(lambda: c.start(Process(args=(name, "x"), env=(SEARCH,))))
    missing = _error_matches(got, "init", case, name, profile)
    verify(RULE, missing is None, f"Start must fail with {missing!r}: {got!r}")
    runs = host.hook_runs(hooks["pre"])
    verify(RULE, len(runs) == 1, f"the prestart hook ran {len(runs)} times before the lookup")
    pid = json.loads(runs[0].stdin)["pid"] if runs else 0
    placed = [
        op.path
        for op in host.operations()[logged:]
        if op.op == "write" and op.path.endswith(f"/{cid}/cgroup.procs")
    ]
    verify(RULE, bool(placed), "init was not placed in the container's cgroups before it failed")
    verify(RULE, pid > 0 and not host.is_alive(pid), f"init {pid} is still alive")
    left = host.live_children() - before
    verify(RULE, not left, f"the failed start left processes {sorted(left)}")
    verify(RULE, str(c.status()) == "stopped", f"the container is {c.status()}, not stopped")
    fifo = os.path.join(host.state_root, cid, "exec.fifo")
    verify(RULE, not os.path.exists(fifo), "the failed start left exec.fifo behind")
    removed = tables.failed_start_removes_groups(profile)
    dirs = host.cgroup_dirs(f"/{cid}")
    verify(RULE, not dirs if removed else bool(dirs), f"after the failed start the groups: {dirs}")


@pytest.mark.requirement(RULE)
@pytest.mark.parametrize("case", CASES)
def test_exec_whose_program_cannot_be_found(
    factory: Any, host: Host, profile: str, case: str, verify: Any
) -> None:
    """A process started in a running container looks its program up once it joined the
    container's cgroups: the start fails, the process is gone, the container runs on, in its
    groups (on an L3 CAT host, its resctrl group too, which a runtime could remove: the kernel
    lets a group with tasks go)."""
    cid = host.container_id(f"lx-{case.replace('_', '-')}")
    name = _program(host, cid, case)
    rdt = host.rdt_unavailable() is None
    c = factory.create(cid, config_for(cid, l3_schema=host.l3_schema("f") if rdt else None))
    c.run(INIT)
    before = host.live_children()
    logged = len(host.operations())
    extra = Process(args=(name, "x"), env=(SEARCH,), init=False)
    got = error_of(lambda: c.start(extra))
    missing = _error_matches(got, "setns", case, name, profile)
    verify(RULE, missing is None, f"Start must fail with {missing!r}: {got!r}")
    joined = [
        op.path
        for op in host.operations()[logged:]
        if op.op == "write" and op.path.endswith(f"/{cid}/cgroup.procs")
    ]
    verify(RULE, bool(joined), "the process did not join the container's cgroups before failing")
    left = host.live_children() - before
    verify(RULE, not left, f"the failed start left processes {sorted(left)}")
    verify(RULE, str(c.status()) == "running", f"the container is {c.status()}, not running")
    dirs = host.cgroup_dirs(f"/{cid}")
    verify(RULE, bool(dirs), "the failed exec removed the container's cgroups")
    if rdt:
        group = host.resctrl_group(cid)
        verify(RULE, os.path.isdir(group), f"the failed exec removed the resctrl group {group}")


def _program_on_path(host: Host, cid: str) -> tuple[str, str]:
    """A name only the process's own $PATH finds: (the name, that PATH entry).  Its first
    directory is not there, its second holds a file of that name without an x bit, its third
    an executable one (a link to init's program); the runtime's $PATH names none of them."""
    root = host.bundle_dir(cid)
    name = f"rtgate-{cid}"
    absent, plain, found = (os.path.join(root, d) for d in ("absent", "plain", "bin"))
    for directory in (plain, found):
        os.makedirs(directory, exist_ok=True)
    with open(os.path.join(plain, name), "w", encoding="ascii") as f:
        f.write("#!/bin/sh\n")
    os.chmod(os.path.join(plain, name), 0o644)
    os.symlink(os.path.realpath(INIT.args[0]), os.path.join(found, name))
    return name, f"PATH={absent}:{plain}:{found}"


def _argv(pid: int) -> list[str] | None:
    """``pid``'s cmdline, None once it is gone."""
    try:
        return program_of(pid)[0]
    except OSError:
        return None


@pytest.mark.requirement(ON_PATH)
@pytest.mark.parametrize("which", ["init", "setns"])
def test_a_name_without_a_slash_is_found_in_the_process_path(
    factory: Any, host: Host, which: str, verify: Any
) -> None:
    """Init sets the process's Env as its own before it looks the name up, so the directories
    searched are the process's, in order, and a candidate that cannot run is passed over."""
    cid = host.container_id(f"lp-{which}")
    name, search = _program_on_path(host, cid)
    process = Process(args=(name, "infinity"), env=(search,), init=which == "init")
    c = factory.create(cid, config_for(cid))
    if which == "setns":
        c.run(INIT)
    before = host.live_children()
    got = error_of(lambda: c.run(process) if process.init else c.start(process))
    verify(ON_PATH, got == "no error", f"Start of {name!r} with {search} must succeed: {got!r}")
    new = host.live_children() - before
    verify(ON_PATH, len(new) == 1, f"Start must leave one process running {name!r}: {new}")
    if process.init and got == "no error":
        verify(ON_PATH, new == {init_pid(c)}, f"init {init_pid(c)} is not the new process {new}")
    want = list(process.args)
    for pid in new:
        eventually(host, lambda pid=pid: _argv(pid) == want)
        argv = _argv(pid)
        verify(ON_PATH, argv == want, f"{which} {pid} runs {argv}, not {want}")


@pytest.mark.requirement("LC-START-TERMINATE-WARNED")
@pytest.mark.parametrize("which", ["init", "setns"])
def test_a_start_whose_process_reported_its_error_warns_as_its_source_does(
    factory: Any,
    host: Host,
    profile: str,
    which: str,
    caplog: pytest.LogCaptureFixture,
    verify: Any,
) -> None:
    """The process looked its program up, reported the failure and ended, and the seed's
    parent waited for it: terminate's kill then finds it done, which the seed warns of."""
    rule = "LC-START-TERMINATE-WARNED"
    cid = host.container_id(f"tw-lookup-{which}")
    c = factory.create(cid, config_for(cid))
    if which == "setns":
        c.run(INIT)
    process = Process(args=(f"/no/such/{cid}",), init=which == "init")
    with caplog.at_level(logging.WARNING):
        got = error_of(lambda: c.start(process))
    assert got != "no error", "a program that is not there did not fail start"
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    want = tables.start_failure_warnings("init_error", profile)
    verify(rule, warned == want, f"the start must warn {want}: it warned {warned}")
