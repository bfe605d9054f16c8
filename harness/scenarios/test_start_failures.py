"""Start, Run and Exec when a step goes wrong: the new init's stat cannot be read, a Run whose
start fails, an Exec that cannot remove exec.fifo, the poststart hooks' state unreadable."""

from __future__ import annotations

import errno
import os
from typing import Any

import pytest

from harness.hosts import HookProgram
from harness.hosts import Host
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import install_hooks
from harness.scenarios._support.containers import path_error
from harness.scenarios._support.containers import state_file
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
