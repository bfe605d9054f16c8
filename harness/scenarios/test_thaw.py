"""Resume's thaw of the v1 freezer: the seed writes THAWED and reads freezer.state back until
it shows THAWED (692f6e1 cgroups/fs/freezer.go:29-45), runc >= 1.0 writes THAWED and reads
nothing back (v1.2.0 cgroups/fs/freezer.go:102-103)."""

from __future__ import annotations

import errno
import os
from typing import Any

import pytest

from harness.hosts import Host
from harness.hosts.base import KernelOp
from harness.scenarios._support.cgroup_hosts import boot
from harness.scenarios._support.cgroup_hosts import cgroup_config
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import inject
from harness.scenarios._support.machines import OnHost
from harness.subjects.base import Container
from harness.subjects.base import Factory


def _paused(host: Host, factory: Factory, name: str) -> tuple[Container, str, str]:
    """A paused container in its own v1 groups, their path and its freezer.state; it was
    paused and resumed once before, as the first pause of a container may read more than the
    next."""
    path = host.cgroup_path(name)
    c = factory.create(host.container_id(name), cgroup_config(path))
    c.run(INIT)
    c.pause()
    c.resume()
    c.pause()
    return c, path, os.path.join(host.cgroup_dir("freezer", path), "freezer.state")


def _after_thaw(ops: list[KernelOp], path: str) -> list[KernelOp] | None:
    """The operations on ``path`` after the first write of THAWED to it, None without one."""
    mine = [op for op in ops if op.path == path]
    for i, op in enumerate(mine):
        if op.op == "write" and op.errno is None and (op.data or b"").strip() == b"THAWED":
            return mine[i + 1 :]
    return None


def _resume_reads(host: Host, c: Container, state: str) -> int:
    """How often a Resume that succeeds reads ``state``, the container paused again after it."""
    counter = inject(host, "read", state, errno.EIO, nth=1 << 30)
    c.resume()
    reads = int(counter.seen)
    host.clear_faults()
    c.pause()
    return reads


@pytest.mark.requirement("CG-THAW-READ-ERROR")
def test_resume_returns_the_thaw_read_back_error(on_host: OnHost, verify: Any) -> None:
    # 692f6e1 fs/freezer.go:29-45: THAWED is written and read back like FROZEN; a read-back
    # that fails is Set's error, which Freeze and Resume return (container_linux.go:561-563)
    rule = "CG-THAW-READ-ERROR"
    with boot(on_host, "v1") as (host, factory):
        c, _, state = _paused(host, factory, "tread")
        reads = _resume_reads(host, c, state)
        start = len(host.operations())
        fault = inject(host, "read", state, errno.EIO, nth=reads)  # a good Resume's last read
        got = error_of(c.resume)
        host.clear_faults()
        after = _after_thaw(host.operations()[start:], state)
        failed = [op for op in after or [] if op.op == "read" and op.errno == errno.EIO]
        verify(rule, host.fired(fault) and failed, f"no failed read after the thaw: {after}")
        eio = os.strerror(errno.EIO).lower()
        verify(rule, eio in got.lower(), f"Resume must return the read-back's error: {got!r}")


@pytest.mark.requirement("CG-THAW-NOT-READ-BACK")
def test_resume_reads_nothing_back_after_the_thaw(on_host: OnHost, verify: Any) -> None:
    # v1.2.0 fs/freezer.go:102-103: `case configs.Thawed: return cgroups.WriteFile(...)`; a
    # read of freezer.state that would fail right after Resume's own reads is never made
    rule = "CG-THAW-NOT-READ-BACK"
    with boot(on_host, "v1") as (host, factory):
        c, path, state = _paused(host, factory, "tnone")
        reads = _resume_reads(host, c, state)
        start = len(host.operations())
        inject(host, "read", state, errno.EIO, nth=reads + 1)
        got = error_of(c.resume)
        host.clear_faults()
        after = _after_thaw(host.operations()[start:], state)
        verify(rule, after is not None, "Resume did not write THAWED")
        read_back = [op for op in after or [] if op.op == "read"]
        verify(rule, read_back == [], f"Resume read {state} after its thaw: {read_back}")
        verify(rule, got == "no error", f"Resume must not fail: {got!r}")
        shown = host.freezer_state(path)
        verify(rule, shown == "THAWED", f"the group reads {shown} after Resume")
