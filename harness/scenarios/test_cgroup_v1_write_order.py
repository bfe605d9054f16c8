"""Set on cgroup v1 where the order of two writes decides whether the kernel takes them: a
memory limit with a swap (memory+swap) limit, and a cfs period the kernel refuses until the
quota is written.  The kernel's own checks are the judge: memory.limit_in_bytes may never
exceed memory.memsw.limit_in_bytes, so a write in the wrong order is refused with EINVAL.
Which profile lifts swap, and which retries the period, comes from ``harness/spec``."""

from __future__ import annotations

import errno
import os
from functools import partial
from typing import Any

import pytest

from harness.scenarios._support.cgroup_hosts import boot
from harness.scenarios._support.cgroup_hosts import cgroup_config
from harness.scenarios._support.cgroup_hosts import control_value
from harness.scenarios._support.cgroup_hosts import limit_file
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import inject
from harness.scenarios._support.machines import OnHost
from harness.spec import tables

_MIB = 1 << 20
#: (memory, memory+swap) of each Set in turn: as made; both raised past the old memory+swap
#: (swap must go first); both lowered under the old memory (memory must go first)
_STEPS = ((64 * _MIB, 128 * _MIB), (256 * _MIB, 512 * _MIB), (32 * _MIB, 48 * _MIB))
#: the swap limit given with a memory limit of -1
_SWAP_WITH_UNLIMITED = 1024 * _MIB
#: the quota and period a container is made with, and the ones Set asks for
_CFS_MADE = (50_000, 100_000)
_CFS_SET = (25_000, 50_000)


@pytest.mark.requirement("CG-SET-MEMORY-SWAP-ORDER")
def test_v1_memory_and_swap_in_the_order_the_kernel_takes(
    on_host: OnHost, profile: str, verify: Any
) -> None:
    rule = "CG-SET-MEMORY-SWAP-ORDER"
    with boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("msord")
        memory, swap = _STEPS[0]
        config = cgroup_config(path, memory_limit=memory, memory_swap=swap)
        c = factory.create(host.container_id("msord"), config)
        c.run(INIT)
        files = {
            "memory": limit_file(host, "v1", path, "memory_limit"),
            "memory+swap": limit_file(host, "v1", path, "memory_swap"),
        }
        for memory, swap in _STEPS[1:]:
            got = error_of(
                partial(c.set, cgroup_config(path, memory_limit=memory, memory_swap=swap))
            )
            verify(rule, got == "no error", f"Set of memory {memory}, swap {swap}: {got!r}")
            for (name, file), want in zip(files.items(), (memory, swap), strict=True):
                value = control_value(file)
                verify(rule, value == str(want), f"{name} reads {value!r} after Set of {want}")
        # memory -1 with a swap limit: lifted with it, both unlimited and taken; or the swap
        # as given, under which the kernel refuses an unlimited memory (EINVAL)
        given = cgroup_config(path, memory_limit=-1, memory_swap=_SWAP_WITH_UNLIMITED)
        got = error_of(lambda: c.set(given))
        if tables.memory_unlimited_overrides_swap(profile):
            verify(rule, got == "no error", f"Set of memory -1 with swap given failed: {got!r}")
            value, want = control_value(files["memory+swap"]), tables.v1_unlimited("memory_swap")
            verify(rule, value == want, f"memory -1 with swap given: swap reads {value!r}")
        else:
            einval = os.strerror(errno.EINVAL).lower()
            refused = einval in got.lower() and os.path.basename(files["memory"]) in got
            verify(rule, refused, f"memory -1 over a swap of {_SWAP_WITH_UNLIMITED}: {got!r}")


@pytest.mark.requirement("CG-SET-MEMORY-SWAP-ORDER")
def test_v1_memory_and_swap_read_the_group_first(
    on_host: OnHost, profile: str, verify: Any
) -> None:
    # what decides the order is read first, the same reads as for a limit of -1 (692f6e1
    # memory.go:119-124 getMemoryData; v1.2.0 memory.go:81-85): each file made unreadable in
    # turn, a read one fails Set before anything is written, another is never read
    rule = "CG-SET-MEMORY-SWAP-ORDER"
    reads = tables.memory_unlimited_reads(profile)
    with boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("msread")
        memory, swap = _STEPS[0]
        c = factory.create(
            host.container_id("msread"), cgroup_config(path, memory_limit=memory, memory_swap=swap)
        )
        c.run(INIT)
        swap_file = limit_file(host, "v1", path, "memory_swap")
        raised = cgroup_config(path, memory_limit=_STEPS[1][0], memory_swap=_STEPS[1][1])
        for name in tables.memory_read_candidates():
            target = os.path.join(os.path.dirname(swap_file), name)
            fault = inject(host, "read", target, errno.EIO)
            got = error_of(lambda: c.set(raised))
            fired = host.fired(fault)
            host.clear_faults()
            if name not in reads:
                verify(rule, not fired and got == "no error", f"{name} was read: {got!r}")
            else:
                eio = os.strerror(errno.EIO).lower()
                shown = fired and eio in got.lower() and target in got
                verify(rule, shown, f"Set must fail with the read of {target}: {got!r}")
                kept = control_value(swap_file)
                verify(rule, kept == str(swap), f"swap written after a failed read: {kept!r}")
            back = error_of(
                partial(c.set, cgroup_config(path, memory_limit=memory, memory_swap=swap))
            )
            assert back == "no error", f"Set back to memory {memory}, swap {swap}: {back!r}"


@pytest.mark.requirement("CG-SET-CFS-PERIOD-RETRY")
def test_v1_period_refused_until_the_quota_is_written(
    on_host: OnHost, profile: str, verify: Any
) -> None:
    rule = "CG-SET-CFS-PERIOD-RETRY"
    einval = os.strerror(errno.EINVAL).lower()
    with boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("cfsre")
        quota, period = _CFS_MADE
        made = cgroup_config(path, cpu_quota=quota, cpu_period=period)
        c = factory.create(host.container_id("cfsre"), made)
        c.run(INIT)
        quota_file = limit_file(host, "v1", path, "cpu_quota")
        period_file = limit_file(host, "v1", path, "cpu_period")
        fault = inject(host, "write", period_file, errno.EINVAL)
        new_quota, new_period = _CFS_SET
        got = error_of(
            lambda: c.set(cgroup_config(path, cpu_quota=new_quota, cpu_period=new_period))
        )
        assert host.fired(fault), "Set never wrote cpu.cfs_period_us"
        host.clear_faults()
        shown = control_value(quota_file), control_value(period_file)
        if tables.cfs_period_retried(profile):
            verify(rule, got == "no error", f"a period refused once must be retried: {got!r}")
            wanted = (str(new_quota), str(new_period))
            verify(rule, shown == wanted, f"quota and period read {shown}, not {wanted}")
        else:
            verify(rule, einval in got.lower(), f"the refused period must fail Set: {got!r}")
            verify(rule, shown[0] == str(quota), f"the quota was written: it reads {shown[0]}")
        # no quota given: the refusal is Set's error, and the period stays
        before = control_value(period_file)
        fault = inject(host, "write", period_file, errno.EINVAL)
        got = error_of(lambda: c.set(cgroup_config(path, cpu_period=new_period * 2)))
        assert host.fired(fault), "Set never wrote cpu.cfs_period_us"
        verify(rule, einval in got.lower(), f"with no quota a refused period fails Set: {got!r}")
        after = control_value(period_file)
        verify(rule, after == before, f"the period reads {after}, not {before} as before")
