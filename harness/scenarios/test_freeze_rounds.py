"""runc's v1 freeze (v1.2.0 cgroups/fs/freezer.go:26-101): FROZEN written and read back in
rounds, THAWED now and then, and the group thawed back whenever the freeze fails.  The seed's
one write and endless read-back is CG-FREEZE and CG-FREEZE-READ-ERROR's.  Counts, pauses and
texts come from ``harness/spec/resources.toml``."""

from __future__ import annotations

import errno
import os
from typing import Any

import pytest

from harness.hosts import Host
from harness.hosts import HostCannot
from harness.hosts.base import KernelOp
from harness.scenarios._support.cgroup_hosts import boot
from harness.scenarios._support.cgroup_hosts import cgroup_config
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import path_error
from harness.scenarios._support.machines import OnHost
from harness.scenarios._support.skips import skip_for_host
from harness.scenarios._support.skips import slow_task_in
from harness.spec import tables
from harness.subjects.base import Container


def _ops_on(host: Host, path: str, since: int) -> list[KernelOp]:
    return [op for op in host.operations()[since:] if op.path == path]


def _written(ops: list[KernelOp]) -> list[str]:
    """The values written with success, in order."""
    return [
        (op.data or b"").decode().strip() for op in ops if op.op == "write" and op.errno is None
    ]


def _verify_thawed(rule: str, verify: Any, host: Host, c: Container, path: str) -> None:
    """A failed freeze left the group thawed and the container running."""
    shown = host.freezer_state(path)
    verify(rule, shown == "THAWED", f"a failed freeze left the freezer {shown}")
    verify(rule, not host.is_frozen(init_pid(c)), "a failed freeze left init frozen")
    status = str(c.status())
    verify(rule, status == "running", f"a failed freeze left the container {status}")


@pytest.mark.requirement("CG-FREEZE-UNABLE")
def test_a_freeze_that_never_settles_gives_up_thawed(on_host: OnHost, verify: Any) -> None:
    # fs/freezer.go:61-101: 1000 rounds; THAWED and 10 ms before every 50th; then "unable to
    # freeze", and the deferred thaw (:29-36)
    rule = "CG-FREEZE-UNABLE"
    loop = tables.v1_freeze_rounds()
    rounds, every = int(loop["rounds"]), int(loop["thaw_every"])
    with boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("funable")
        c = factory.create(host.container_id("funable"), cgroup_config(path))
        c.run(INIT)
        slow_task_in(host, "freezer", path, reads=2 * rounds)  # FREEZING past every round
        state = os.path.join(host.cgroup_dir("freezer", path), "freezer.state")
        start, before = len(host.operations()), host.system.monotonic()
        got = error_of(c.pause)
        slept = host.system.monotonic() - before
        want = tables.resource_message("freezer_unable_v1")
        verify(rule, got == want, f"Pause must fail with {want!r}: {got!r}")
        written = _written(_ops_on(host, state, start))
        frozen, thawed = written.count("FROZEN"), written.count("THAWED")
        verify(rule, frozen == rounds, f"FROZEN written {frozen} times, not {rounds}")
        want_thawed = rounds // every + 1  # before every 50th round, and the last thaw
        verify(rule, thawed == want_thawed, f"THAWED written {thawed} times, not {want_thawed}")
        verify(rule, written[-1:] == ["THAWED"], f"the last write must thaw: {written[-3:]}")
        if host.virtual_clock:
            naps = (rounds // int(loop["read_pause_every"])) * loop["read_pause_s"]
            want_s = (rounds // every) * loop["thaw_pause_s"] + naps
            # exact to the microsecond: the 10 us naps count, one round in 25
            verify(rule, abs(slept - want_s) < 1e-6, f"slept {slept:.6f} s, not {want_s:.6f}")
        _verify_thawed(rule, verify, host, c, path)


@pytest.mark.requirement("CG-FREEZE-READ-ERROR-THAWS")
def test_a_freeze_whose_read_back_fails_thaws(on_host: OnHost, verify: Any) -> None:
    # fs/freezer.go:82-85 returns the read's error; the deferred write of THAWED (:29-36)
    # thaws the group back
    rule = "CG-FREEZE-READ-ERROR-THAWS"
    with boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("fread")
        c = factory.create(host.container_id("fread"), cgroup_config(path))
        c.run(INIT)
        state = os.path.join(host.cgroup_dir("freezer", path), "freezer.state")
        c.pause()  # the first pause of a container may read more than the next ones
        c.resume()
        # a pause that succeeds, counting its reads of freezer.state: the last is the read-back
        counter = inject(host, "read", state, errno.EIO, nth=1 << 30)
        c.pause()
        reads = counter.seen
        host.clear_faults()
        c.resume()
        start = len(host.operations())
        fault = inject(host, "read", state, errno.EIO, nth=reads)
        got = error_of(c.pause)
        assert host.fired(fault), "Pause never read freezer.state back"
        host.clear_faults()
        want = path_error("read", state, errno.EIO)
        verify(rule, got == want, f"Pause must return the read's error {want!r}: {got!r}")
        ops = _ops_on(host, state, start)
        failed = next(i for i, op in enumerate(ops) if op.errno == errno.EIO)
        after = _written(ops[failed:])
        verify(rule, after == ["THAWED"], f"after the failed read it wrote {after}, not THAWED")
        _verify_thawed(rule, verify, host, c, path)


@pytest.mark.requirement("CG-FREEZE-THAWED-MID-FREEZE")
def test_a_group_thawed_from_outside_mid_freeze(on_host: OnHost, verify: Any) -> None:
    # fs/freezer.go:75-81: the 25th round sleeps 10 us between its write of FROZEN and its
    # read; THAWED written by someone else in that sleep is what the read finds: "unexpected
    # state THAWED while freezing" (:95-97), and the deferred thaw (:29-36)
    rule = "CG-FREEZE-THAWED-MID-FREEZE"
    loop = tables.v1_freeze_rounds()
    with boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("fmid")
        c = factory.create(host.container_id("fmid"), cgroup_config(path))
        c.run(INIT)
        slow_task_in(host, "freezer", path, reads=2 * int(loop["read_pause_every"]))
        state = os.path.join(host.cgroup_dir("freezer", path), "freezer.state")
        try:  # the runtime's first sleep of the freeze is the 25th round's, before its read
            host.write_after_sleep(state, "THAWED", loop["read_pause_s"] / 2)
        except HostCannot as why:
            skip_for_host("a write inside a runtime's sleep", str(why))
        got = error_of(c.pause)
        want = tables.resource_message("freezer_unexpected_v1", state="THAWED")
        verify(rule, got == want, f"Pause must fail with {want!r}: {got!r}")
        _verify_thawed(rule, verify, host, c, path)


@pytest.mark.requirement("CG-FREEZE-ROUND-THAW-IGNORED")
def test_a_failed_thaw_between_rounds_is_ignored(on_host: OnHost, verify: Any) -> None:
    # fs/freezer.go:62-69: the thaw before every 50th round is `_ = cgroups.WriteFile(...)`:
    # when it fails the rounds go on, and a group that freezes later is paused
    rule = "CG-FREEZE-ROUND-THAW-IGNORED"
    every = int(tables.v1_freeze_rounds()["thaw_every"])
    with boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("fthaw")
        c = factory.create(host.container_id("fthaw"), cgroup_config(path))
        c.run(INIT)
        # FREEZING past the 50th round and frozen long before the 100th: each round's write
        # and read look at the freezer
        slow = slow_task_in(host, "freezer", path, reads=2 * every + 20)
        state = os.path.join(host.cgroup_dir("freezer", path), "freezer.state")
        start = len(host.operations())
        # the writes: FROZEN in each of the first every - 1 rounds, then the thaw
        fault = inject(host, "write", state, errno.EIO, nth=every)
        got = error_of(c.pause)
        host.clear_faults()
        ops = _ops_on(host, state, start)
        failed = [(op.data or b"").decode().strip() for op in ops if op.errno == errno.EIO]
        verify(rule, host.fired(fault) and failed == ["THAWED"], f"the thaw never failed: {failed}")
        verify(rule, got == "no error", f"Pause must go on after the failed thaw: {got!r}")
        written = _written(ops)
        verify(rule, written[-1:] == ["FROZEN"], f"the last write must freeze: {written[-3:]}")
        shown = host.freezer_state(path)
        verify(rule, shown == "FROZEN", f"the group reads {shown} after Pause")
        verify(rule, host.is_frozen(slow), f"the slow task {slow} is not frozen")
        status = str(c.status())
        verify(rule, status == "paused", f"the container is {status} after Pause")
