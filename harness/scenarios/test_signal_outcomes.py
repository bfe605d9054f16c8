"""runc 1.2's Signal when something fails or the container is paused: a kill-all whose listing
or cgroup.kill write fails, a kill(2) of a live init that fails, and a signal other than
SIGKILL to a paused container (v1.2.0 container_linux.go:378-427, init_linux.go:697-733)."""

from __future__ import annotations

import errno
import os
import signal
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.cgroup_hosts import boot
from harness.scenarios._support.cgroup_hosts import cgroup_config
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import kill_all_path
from harness.scenarios._support.machines import OnHost
from harness.scenarios._support.skips import skip_for_host
from harness.spec import tables
from harness.subjects.base import Factory


@pytest.mark.requirement("LC-SIGNAL-KILL-ALL-ERROR")
def test_sigkill_whose_kill_all_fails_returns_its_error(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-SIGNAL-KILL-ALL-ERROR"
    cid = host.container_id("ke")
    c = factory.create(cid, config_for(cid, pid_namespace=False))
    c.run(INIT)
    pid = init_pid(c)
    path = kill_all_path(host, profile, cid)
    by_kill_file = os.path.basename(path) == "cgroup.kill"
    # cgroup.kill is written, cgroup.procs read: the step that fails is the one runc makes
    fault = inject(host, "write" if by_kill_file else "read", path, errno.EIO)
    got = error_of(lambda: c.signal(signal.SIGKILL))
    host.clear_faults()
    assert host.fired(fault), "the kill-all never reached the fault"
    key = "kill_all_kill_file_failed" if by_kill_file else "kill_all_list_failed"
    want = tables.message(key, profile, path=path, errno=os.strerror(errno.EIO).lower())
    verify(rule, got == want, f"SIGKILL must fail with {want!r}: {got!r}")
    verify(rule, host.is_alive(pid), f"a failed kill-all must signal nothing: init {pid} is gone")
    if not by_kill_file:
        shown = host.freezer_state(f"/{cid}")
        verify(rule, shown == "THAWED", f"the group frozen for the listing must be thawed: {shown}")


@pytest.mark.parametrize("kind", ["v2", "hybrid"])
@pytest.mark.requirement("LC-SIGNAL-KILL-ALL-ERROR")
def test_sigkill_whose_cgroup_kill_cannot_be_opened(
    on_host: OnHost, kind: str, profile: str, verify: Any
) -> None:
    # cgroups.WriteFile returns a failed open as it is and wraps only a failed write
    # (cgroups/file.go:47-58); only a cgroup.kill that does not exist falls back (init_linux.go:
    # 702-707), so any other open error is the kill-all's
    rule = "LC-SIGNAL-KILL-ALL-ERROR"
    hierarchy, name = tables.kill_all_file(profile, kind)
    with boot(on_host, kind) as (host, factory):
        path = host.cgroup_path("ko")
        c = factory.create(host.container_id("ko"), cgroup_config(path, pid_namespace=False))
        c.run(INIT)
        kill = os.path.join(host.cgroup_dir(hierarchy, path), name)
        if not os.path.exists(kill):
            pytest.skip(f"this kernel has no {kill} (cgroup.kill came in Linux 5.14)")
        fault = inject(host, "open", kill, errno.EIO)
        got = error_of(lambda: c.signal(signal.SIGKILL))
        host.clear_faults()
        assert host.fired(fault), f"the kill-all never opened {kill}"
        eio = os.strerror(errno.EIO).lower()
        # "openat2" where the kernel has it, else os.OpenFile's "open" (cgroups/file.go:143-166)
        wants = [
            tables.message("kill_all_open_failed", profile, op=op, path=kill, errno=eio)
            for op in ("open", "openat2")
        ]
        verify(rule, got in wants, f"SIGKILL must fail with {wants[0]!r}: {got!r}")
        verify(rule, host.is_alive(init_pid(c)), "a failed kill-all must signal nothing")


@pytest.mark.requirement("LC-SIGNAL-PAUSED-OTHER-SIGNAL-KEPT")
def test_sigterm_to_a_paused_container_stays_pending(
    factory: Factory, host: Host, verify: Any
) -> None:
    # 692f6e1 container_linux.go:331-339 never thaws; v1.2.0 :418-425 thaws for SIGKILL alone
    if host.cgroup_mode() == "v2":  # cgroup2's freezer lets a fatal signal end the task at once
        skip_for_host("cgroup v1 freezer", host.describe_cgroups())
    rule = "LC-SIGNAL-PAUSED-OTHER-SIGNAL-KEPT"
    cid = host.container_id("tp")
    c = factory.create(cid, config_for(cid, pid_namespace=True))
    c.run(INIT)
    c.pause()
    pid = init_pid(c)
    got = error_of(lambda: c.signal(signal.SIGTERM))
    verify(rule, got == "no error", f"SIGTERM to a paused container failed: {got!r}")
    shown = host.freezer_state(f"/{cid}")
    verify(rule, shown == "FROZEN", f"only SIGKILL may thaw the group: it is {shown}")
    verify(rule, host.is_alive(pid), f"frozen init {pid} must keep SIGTERM pending: it is gone")
    status = str(c.status())
    verify(rule, status == "paused", f"the container is {status} after SIGTERM, not paused")
    c.resume()
    verify(rule, host.dies(pid), f"the pending SIGTERM must end init {pid} once thawed")
