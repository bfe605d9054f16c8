"""The v1 memory group's own ways (fs/memory.go of each source): a limit the kernel refuses as
below the usage, and a limit of -1 that lifts swap as well, swap first (any other leaves swap
as it is), after reading the group's memory, and only where the kernel accounts swap.  Files,
values and texts come from ``harness/spec/resources.toml``."""

from __future__ import annotations

import errno
import os
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
from harness.scenarios._support.machines import v1_memory_without
from harness.spec import tables
from harness.subjects.api import CgroupConfig
from harness.subjects.api import Config

#: the limit a container is made with, and the lower one an update asks for
_MADE = 64 << 20
_LOWER = 1 << 20


@pytest.mark.requirement("CG-SET-MEMORY-BUSY")
def test_v1_memory_limit_below_the_usage(on_host: OnHost, profile: str, verify: Any) -> None:
    # mem_cgroup_resize_max answers EBUSY when the usage cannot be reclaimed below the limit;
    # the seed reports the write (692f6e1 fs/memory.go:145-148, apply_raw.go:314-316), runc
    # reads the usage and the peak usage (v1.2.0 fs/memory.go:37-58)
    rule = "CG-SET-MEMORY-BUSY"
    with boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("mbusy")
        c = factory.create(host.container_id("mbusy"), cgroup_config(path, memory_limit=_MADE))
        c.run(INIT)
        limit = limit_file(host, "v1", path, "memory_limit")
        fault = inject(host, "write", limit, errno.EBUSY)
        got = error_of(lambda: c.set(cgroup_config(path, memory_limit=_LOWER)))
        assert host.fired(fault), "Set never wrote memory.limit_in_bytes"
        usage, peak = (
            control_value(os.path.join(os.path.dirname(limit), name))
            for name in tables.memory_usage_files()
        )
        busy = os.strerror(errno.EBUSY).lower()
        want = tables.memory_limit_busy(
            profile, value=_LOWER, path=limit, errno=busy, usage=usage, peak=peak
        )
        verify(rule, got == want, f"Set must fail with {want!r}: {got!r}")
        kept = control_value(limit)
        verify(rule, kept == str(_MADE), f"memory.limit_in_bytes reads {kept}, not {_MADE}")


@pytest.mark.requirement("CG-SET-MEMORY-UNLIMITED-SWAP")
def test_v1_memory_minus_one_lifts_swap_first(on_host: OnHost, verify: Any) -> None:
    # 692f6e1 fs/memory.go:108-135 and v1.2.0 fs/memory.go:69-98: memory -1 with no swap limit
    # given sets swap to -1 where memory.memsw.limit_in_bytes exists, and writes it first
    rule = "CG-SET-MEMORY-UNLIMITED-SWAP"
    unlimited = tables.v1_unlimited("memory_swap")
    with boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("mswap")
        c = factory.create(host.container_id("mswap"), cgroup_config(path, memory_limit=_MADE))
        c.run(INIT)
        swap = limit_file(host, "v1", path, "memory_swap")
        limit = limit_file(host, "v1", path, "memory_limit")
        with open(swap, "w", encoding="ascii") as f:
            f.write(str(2 * _MADE))  # a swap limit, as an administrator may have set it
        # any other limit, swap not given: memory.limit_in_bytes alone (692f6e1 memory.go:
        # 144-154; v1.2.0 memory.go:101-106, setSwap of 0 writes nothing)
        got = error_of(lambda: c.set(cgroup_config(path, memory_limit=_LOWER)))
        verify(rule, got == "no error", f"Set of memory {_LOWER} failed: {got!r}")
        kept = control_value(swap)
        verify(rule, kept == str(2 * _MADE), f"Set of {_LOWER} changed swap to {kept!r}")
        fault = inject(host, "write", limit, errno.EIO)
        got = error_of(lambda: c.set(cgroup_config(path, memory_limit=-1)))
        assert host.fired(fault), "Set of memory -1 never wrote memory.limit_in_bytes"
        host.clear_faults()
        eio = os.strerror(errno.EIO).lower()
        verify(rule, eio in got.lower(), f"the refused memory limit must fail Set: {got!r}")
        before = control_value(swap)
        verify(rule, before == unlimited, f"swap must be lifted before the limit: {before!r}")
        with open(swap, "w", encoding="ascii") as f:
            f.write(str(2 * _MADE))
        got = error_of(lambda: c.set(cgroup_config(path, memory_limit=-1)))
        verify(rule, got == "no error", f"Set of memory -1 failed: {got!r}")
        for name, file in (("swap", swap), ("memory", limit)):
            value = control_value(file)
            verify(rule, value == unlimited, f"{name} after -1 reads {value!r}, not {unlimited!r}")


@pytest.mark.requirement("CG-SET-MEMORY-UNLIMITED-READS")
def test_v1_memory_minus_one_reads_first(on_host: OnHost, profile: str, verify: Any) -> None:
    # 692f6e1 fs/memory.go:119-124 reads the memory data (getMemoryData, 267-313) and v1.2.0
    # fs/memory.go:81-85 the current limit before swap is lifted; each file is made unreadable
    # in turn
    rule = "CG-SET-MEMORY-UNLIMITED-READS"
    reads = tables.memory_unlimited_reads(profile)
    with boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("mread")
        c = factory.create(host.container_id("mread"), cgroup_config(path, memory_limit=_MADE))
        c.run(INIT)
        swap = limit_file(host, "v1", path, "memory_swap")
        for name in tables.memory_read_candidates():
            made = error_of(lambda: c.set(cgroup_config(path, memory_limit=_MADE)))
            assert made == "no error", f"Set of memory {_MADE} failed: {made!r}"
            with open(swap, "w", encoding="ascii") as f:
                f.write(str(2 * _MADE))  # a swap limit, as an administrator may have set it
            target = os.path.join(os.path.dirname(swap), name)
            fault = inject(host, "read", target, errno.EIO)
            got = error_of(lambda: c.set(cgroup_config(path, memory_limit=-1)))
            fired = host.fired(fault)
            host.clear_faults()
            if name not in reads:
                verify(rule, not fired and got == "no error", f"{name} was read: {got!r}")
                continue
            eio = os.strerror(errno.EIO).lower()
            shown = fired and eio in got.lower() and target in got
            verify(rule, shown, f"Set must fail with the read of {target}: {got!r}")
            kept = control_value(swap)
            verify(rule, kept == str(2 * _MADE), f"swap lifted after a failed read: {kept!r}")


@pytest.mark.requirement("CG-SET-MEMORY-SWAP-UNACCOUNTED")
def test_v1_memory_minus_one_without_swap_accounting(on_host: OnHost, verify: Any) -> None:
    # 692f6e1 fs/memory.go:108-116 and v1.2.0 fs/memory.go:69-77 lift swap only where
    # memory.memsw.limit_in_bytes exists; without it -1 is memory.limit_in_bytes' alone
    rule = "CG-SET-MEMORY-SWAP-UNACCOUNTED"
    swap_file = tables.v1_limit_file("memory_swap")[1]
    with on_host("v1-no-swap", v1_memory_without(swap_file)) as (host, factory):
        path = host.cgroup_path("nosw1")
        c = factory.create(host.container_id("nosw1"), cgroup_config(path, memory_limit=_MADE))
        c.run(INIT)
        got = error_of(lambda: c.set(cgroup_config(path, memory_limit=-1)))
        verify(rule, got == "no error", f"Set of memory -1 must succeed: {got!r}")
        memory = control_value(limit_file(host, "v1", path, "memory_limit"))
        want = tables.v1_unlimited("memory_limit")
        verify(
            rule, memory == want, f"memory.limit_in_bytes after -1 reads {memory!r}, not {want!r}"
        )
        # a swap limit given with it is the config's, written as given to the missing file
        swap = 2 * _MADE
        got = error_of(lambda: c.set(cgroup_config(path, memory_limit=-1, memory_swap=swap)))
        named = swap_file in got and str(swap) in got
        verify(rule, named, f"Set of memory -1, swap {swap} must fail writing {swap}: {got!r}")


@pytest.mark.requirement("CG-SET-SWAPPINESS")
def test_v1_swappiness_range(on_host: OnHost, profile: str, verify: Any) -> None:
    # 692f6e1 fs/memory.go:187-195 and v1.2.0 fs/memory.go:129-137: -1 is "not given", 0 to
    # 100 are written as given, anything above is refused before any write
    rule = "CG-SET-SWAPPINESS"
    with boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("mswp")
        c = factory.create(host.container_id("mswp"), cgroup_config(path))
        c.run(INIT)
        swappiness = limit_file(host, "v1", path, "swappiness")
        for value in (0, 100):
            config = Config(cgroups=CgroupConfig(path=path, memory_swappiness=value))
            got = error_of(lambda: c.set(config))  # noqa: B023 - called at once
            shown = control_value(swappiness)
            verify(rule, got == "no error" and shown == str(value),
                   f"swappiness {value}: {got!r}, memory.swappiness reads {shown!r}")  # fmt: skip
        for value in (-1, 101):
            config = Config(cgroups=CgroupConfig(path=path, memory_swappiness=value))
            got = error_of(lambda: c.set(config))  # noqa: B023 - called at once
            want = "no error" if value == -1 else tables.swappiness_invalid(profile, value)
            verify(rule, got == want, f"swappiness {value}: {got!r}, not {want!r}")
            shown = control_value(swappiness)
            verify(rule, shown == "100", f"swappiness {value} changed the file to {shown!r}")
