"""Start, Run and Exec when a step goes wrong: the runtime cannot fork, init's fds or stat
cannot be read, a Run whose start fails, an Exec that cannot remove exec.fifo, the poststart
hooks' state unreadable, and what a start that kills its init warns of."""

from __future__ import annotations

import errno
import logging
import os
import re
from typing import Any

import pytest

from harness.hosts import HookProgram
from harness.hosts import Host
from harness.scenarios._support.containers import EXTRA
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import install_hooks
from harness.scenarios._support.containers import layers_missing
from harness.scenarios._support.containers import path_error
from harness.scenarios._support.containers import state_file
from harness.spec import start_errors
from harness.spec import tables
from harness.subjects.base import Factory


@pytest.mark.requirement("LC-START-INIT-STAT-UNREADABLE")
def test_start_whose_init_stat_cannot_be_read(factory: Factory, host: Host, verify: Any) -> None:
    rule = "LC-START-INIT-STAT-UNREADABLE"
    cid = host.container_id("su")
    c = factory.create(cid, config_for(cid))
    # the first read of a process's stat after create is the new init's (nothing runs before)
    fault = inject(host, "open", "/proc/*/stat", errno.ENOENT)
    got = error_of(lambda: c.start(INIT))
    host.clear_faults()
    assert host.fired(fault), "Start never read the new init's /proc/<pid>/stat"
    verify(rule, got == "no error", f"an unreadable stat of init failed Start: {got!r}")
    pid = c.init_process.pid
    assert host.start_time(pid) != 0, "a simulated process started at 0 would hide the check"
    saved = state_file(host, cid).get("init_process_start")
    verify(rule, saved == 0, f"state.json's init_process_start is {saved!r}, not 0")
    shown = str(c.status())
    verify(rule, shown == "stopped", f"with start time {saved!r} the container reads {shown}")


@pytest.mark.requirement("LC-RUN-START-ERROR")
def test_run_whose_start_fails_releases_nothing(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-RUN-START-ERROR"
    cid = host.container_id("rf")
    hooks = install_hooks(host, pre=HookProgram.exit(2))
    c = factory.create(cid, config_for(cid, prestart=(hooks["pre"],)))
    got = error_of(lambda: c.run(INIT))
    want = tables.hook_failed(2, "", "", profile)
    verify(rule, want in got, f"Run must return the failed start's error ({want!r}): {got!r}")
    fifo = os.path.join(host.state_root, cid, "exec.fifo")
    verify(rule, not os.path.exists(fifo), "a failed Run left exec.fifo behind")
    status = str(c.status())
    verify(rule, status == "stopped", f"after a failed Run the container is {status}")


@pytest.mark.requirement("LC-START-FORK-ERROR")
@pytest.mark.parametrize("which", ["init", "setns"])
@pytest.mark.parametrize("err", [errno.EAGAIN, errno.ENOMEM], ids=["EAGAIN", "ENOMEM"])
def test_start_whose_fork_fails(
    factory: Factory, host: Host, profile: str, which: str, err: int, verify: Any
) -> None:
    """The runtime cannot fork (EAGAIN: its pids limit; ENOMEM: no memory for the child's
    structures): Start returns the fork's own error in its layers, and nothing was made or
    started for the process."""
    rule = "LC-START-FORK-ERROR"
    cid = host.container_id(f"fk-{which}-{errno.errorcode[err].lower()}")
    c = factory.create(cid, config_for(cid))
    process = INIT if which == "init" else EXTRA
    if which == "setns":
        c.run(INIT)
    before = host.live_children()
    fault = inject(host, "fork", process.args[0], err)
    got = error_of(lambda: c.start(process))
    host.clear_faults()
    assert host.fired(fault), f"Start never forked {process.args[0]}"
    layers = start_errors.start_step_error_layers(f"spawn_{which}", profile)
    missing = layers_missing(got, layers, profile)
    verify(rule, missing is None, f"{missing!r} is missing, or out of order: {got!r}")
    cause = f"fork/exec {_ANY_PATH}: {os.strerror(err).lower()}"
    verify(rule, re.search(cause, got) is not None, f"the cause must be Go's {cause!r}: {got!r}")
    started = host.live_children() - before
    verify(rule, not started, f"a failed fork left processes {sorted(started)}")
    if which == "init":
        fifo = os.path.join(host.state_root, cid, "exec.fifo")
        verify(rule, not os.path.exists(fifo), "a failed fork of init left exec.fifo behind")
        verify(rule, not host.cgroup_dirs(f"/{cid}"), "a failed fork of init made cgroups")
        verify(rule, str(c.status()) == "stopped", f"the container is {c.status()}")
    else:
        verify(rule, str(c.status()) == "running", f"the container is {c.status()}")


#: the binary the runtime forks (runc: itself, /proc/self/exe), which no rule names
_ANY_PATH = r"/\S+"


@pytest.mark.requirement("LC-START-TERMINATE-WARNED")
@pytest.mark.parametrize("kind", ["prestart", "poststart"])
def test_a_start_that_kills_its_init_warns_as_its_source_does(
    factory: Factory,
    host: Host,
    profile: str,
    kind: str,
    caplog: pytest.LogCaptureFixture,
    verify: Any,
) -> None:
    """A failing hook makes the start kill the init it started; what the kill and the wait for
    it return is warned of in the seed ("signal: killed") and dropped by runc 1.2."""
    rule = "LC-START-TERMINATE-WARNED"
    cid = host.container_id(f"tw-{kind}")
    hooks = install_hooks(host, bad=HookProgram.exit(3))
    c = factory.create(cid, config_for(cid, **{kind: (hooks["bad"],)}))
    with caplog.at_level(logging.WARNING):
        got = error_of(lambda: c.start(INIT))
    assert got != "no error", f"a failing {kind} hook did not fail start"
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    want = tables.start_failure_warnings("terminate", profile)
    verify(rule, warned == want, f"the start must warn {want}: it warned {warned}")


@pytest.mark.requirement("LC-START-PIPE-FDS")
def test_init_fds_the_runtime_may_not_read_are_recorded_empty(
    factory: Factory, host: Host, verify: Any
) -> None:
    rule = "LC-START-PIPE-FDS"
    cid = host.container_id("pf-perm")
    c = factory.create(cid, config_for(cid))
    fault = inject(host, "readlink", "/proc/*/fd/1", errno.EPERM)
    got = error_of(lambda: c.start(INIT))
    host.clear_faults()
    assert host.fired(fault), "Start never read init's fd 1"
    verify(rule, got == "no error", f"an fd the runtime may not read failed Start: {got!r}")
    pid = init_pid(c)
    want = [os.readlink(f"/proc/{pid}/fd/0"), "", os.readlink(f"/proc/{pid}/fd/2")]
    recorded = state_file(host, cid).get("external_descriptors")
    verify(rule, recorded == want, f"external_descriptors {recorded}, not {want}")


@pytest.mark.requirement("LC-START-PIPE-FDS")
def test_init_fds_that_cannot_be_read_fail_start(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-START-PIPE-FDS"
    cid = host.container_id("pf-eio")
    c = factory.create(cid, config_for(cid))
    before = host.live_children()
    fault = inject(host, "readlink", "/proc/*/fd/0", errno.EIO)
    got = error_of(lambda: c.start(INIT))
    host.clear_faults()
    assert host.fired(fault), "Start never read init's fd 0"
    named = re.search(r"pipe fds for pid (\d+)", got)
    verify(rule, named is not None, f"Start must name the pid whose fds it read: {got!r}")
    if named is not None:
        pid = named.group(1)
        layers = [
            layer.format(pid=pid)
            for layer in start_errors.start_step_error_layers("pipe_fds", profile)
        ]
        missing = layers_missing(got, layers, profile)
        verify(rule, missing is None, f"{missing!r} is missing, or out of order: {got!r}")
        cause = path_error("readlink", f"/proc/{pid}/fd/0", errno.EIO)
        verify(rule, cause in got, f"the cause must be {cause!r}: {got!r}")
    left = host.live_children() - before
    verify(rule, not left, f"the failed start left processes {sorted(left)}")
    verify(rule, not host.cgroup_dirs(f"/{cid}"), "the failed start left cgroups")
    verify(rule, str(c.status()) == "stopped", f"the container is {c.status()}")
    # when the fds are read: before the container's cgroups are made, or after
    ops = [(op.op, op.path) for op in host.operations()]
    group = host.cgroup_dir(host.process_hierarchy(), f"/{cid}")
    made = [i for i, (op, path) in enumerate(ops) if op == "mkdir" and path == group]
    read = next(i for i, (op, path) in enumerate(ops) if op == "readlink" and path.endswith("/0"))
    when = "after_apply" if made and made[0] < read else "before_apply"
    want = tables.pipe_fds_read(profile)
    verify(rule, when == want, f"init's fds were read {when}, not {want}: {ops}")


@pytest.mark.requirement("LC-EXEC-REMOVE-ERROR")
def test_exec_whose_fifo_cannot_be_removed(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-EXEC-REMOVE-ERROR"
    cid = host.container_id("xr")
    c = factory.create(cid, config_for(cid))
    c.start(INIT)
    fifo = os.path.join(host.state_root, cid, "exec.fifo")
    fault = inject(host, "unlink", fifo, errno.EIO)
    got = error_of(c.exec)
    assert host.fired(fault), f"Exec never removed {fifo}"
    eio = os.strerror(errno.EIO).lower()
    want = tables.message("exec_fifo_remove_failed", profile, path=fifo, errno=eio) or "no error"
    verify(rule, got == want, f"Exec whose removal of the fifo fails must return {want!r}: {got!r}")
    verify(rule, os.path.exists(fifo), f"the fifo that could not be removed is gone: {fifo}")


@pytest.mark.requirement("LC-START-POSTSTART-REFRESH-ERROR")
def test_start_whose_poststart_state_cannot_be_read(
    factory: Factory, host: Host, verify: Any
) -> None:
    # v1.2.0 container_linux.go:356-361: currentOCIState refreshes before the poststart hooks
    rule = "LC-START-POSTSTART-REFRESH-ERROR"
    cid = host.container_id("pr")
    hooks = install_hooks(host, post=HookProgram.exit(0))
    c = factory.create(cid, config_for(cid, poststart=(hooks["post"],)))
    v2 = host.cgroup_mode() == "v2"
    group = host.cgroup_dir("unified" if v2 else "freezer", f"/{cid}")
    freezer = os.path.join(group, "cgroup.freeze" if v2 else "freezer.state")
    # nothing of the start reads the freezer before that refresh (Create's check came before)
    fault = inject(host, "read", freezer, errno.EIO)
    got = error_of(lambda: c.start(INIT))
    assert host.fired(fault), f"Start never read {freezer}"
    want = path_error("read", freezer, errno.EIO)
    verify(rule, got == want, f"Start must return the refresh's own error {want!r}: {got!r}")
    runs = host.hook_runs(hooks["post"])
    verify(rule, not runs, f"no poststart hook may run after the failed refresh: {runs}")
    pid = c.init_process.pid if c.init_process is not None else None
    verify(rule, pid is not None and host.is_alive(pid), f"init {pid} must be left alive")
    fifo = os.path.join(host.state_root, cid, "exec.fifo")
    verify(rule, not os.path.exists(fifo), "the failed start must remove exec.fifo")
