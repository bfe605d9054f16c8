"""The limits on v1, v2 and hybrid hosts: Set writes them to the kernel's files and they read
back from there, a failed Set puts the old ones back, and the v1 edge values (-1, 0, clamped
cpu shares) are written as each source writes them.  Files, values and texts come from
``harness/spec/resources.toml``.
"""

from __future__ import annotations

import dataclasses
import errno
import os
from typing import Any

import pytest

from harness.scenarios._support.cgroup_hosts import MACHINES
from harness.scenarios._support.cgroup_hosts import V2
from harness.scenarios._support.cgroup_hosts import boot
from harness.scenarios._support.cgroup_hosts import cgroup_config
from harness.scenarios._support.cgroup_hosts import control_value
from harness.scenarios._support.cgroup_hosts import kinds
from harness.scenarios._support.cgroup_hosts import limit_file
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import make_init_gone
from harness.scenarios._support.containers import path_error
from harness.scenarios._support.machines import OnHost
from harness.scenarios._support.machines import v2_without
from harness.spec import tables
from harness.subjects.api import Config
from harness.subjects.base import Container


def _start_sets(c: Container, rule: str, verify: Any) -> None:
    """Run init: the start is where the config's limits are set, so its failure is the rule's."""
    got = error_of(lambda: c.run(INIT))
    verify(rule, got == "no error", f"a start that sets the limit failed: {got!r}")


@pytest.mark.parametrize("kind", kinds(*sorted(MACHINES)))
@pytest.mark.requirement("CG-SET-MEMORY")
def test_memory_limit_lands(on_host: OnHost, kind: str, verify: Any) -> None:
    with boot(on_host, kind) as (host, factory):
        config = cgroup_config(host.cgroup_path("mem"), memory_limit=256 << 20)
        c = factory.create(host.container_id("mem"), config)
        _start_sets(c, "CG-SET-MEMORY", verify)
        got = control_value(limit_file(host, kind, host.cgroup_path("mem"), "memory_limit"))
        verify("CG-SET-MEMORY", got == str(256 << 20), f"memory limit {got!r}, not {256 << 20}")


@pytest.mark.parametrize("kind", kinds(*sorted(MACHINES)))
@pytest.mark.requirement("CG-SET-PIDS")
def test_pids_limit_lands(on_host: OnHost, kind: str, verify: Any) -> None:
    with boot(on_host, kind) as (host, factory):
        config = cgroup_config(host.cgroup_path("pl"), pids_limit=42)
        c = factory.create(host.container_id("pl"), config)
        _start_sets(c, "CG-SET-PIDS", verify)
        got = control_value(limit_file(host, kind, host.cgroup_path("pl"), "pids_limit"))
        verify("CG-SET-PIDS", got == "42", f"pids limit {got!r}, not 42")


@pytest.mark.parametrize("kind", kinds(*sorted(MACHINES)))
@pytest.mark.parametrize("shares", sorted(tables.shares_to_weight()))
@pytest.mark.requirement("CG-SET-CPU")
def test_cpu_shares_land(on_host: OnHost, kind: str, shares: int, verify: Any) -> None:
    """The config as runc's specconv makes it from config.json: the shares, and their v2
    weight beside them."""
    weight = tables.shares_to_weight()[shares]
    with boot(on_host, kind) as (host, factory):
        config = cgroup_config(host.cgroup_path("cs"), cpu_shares=shares, cpu_weight=weight)
        c = factory.create(host.container_id("cs"), config)
        _start_sets(c, "CG-SET-CPU", verify)
        wanted = weight if kind == "v2" else shares
        got = control_value(limit_file(host, kind, host.cgroup_path("cs"), "cpu_shares"))
        verify("CG-SET-CPU", got == str(wanted), f"cpu shares {shares} gave {got!r}, not {wanted}")


@pytest.mark.parametrize("kind", kinds("v2"))
@pytest.mark.requirement("CG-SET-CPU")
def test_cpu_weight_lands_on_v2(on_host: OnHost, kind: str, verify: Any) -> None:
    with boot(on_host, kind) as (host, factory):
        config = cgroup_config(host.cgroup_path("cw"), cpu_weight=250)
        c = factory.create(host.container_id("cw"), config)
        _start_sets(c, "CG-SET-CPU", verify)
        got = control_value(limit_file(host, kind, host.cgroup_path("cw"), "cpu_weight"))
        verify("CG-SET-CPU", got == "250", f"cpu weight 250 gave {got!r}")


@pytest.mark.parametrize("kind", kinds("v2"))
@pytest.mark.requirement("CG-V2-SET-SHARES-UNUSED")
def test_cpu_shares_alone_write_no_weight_on_v2(on_host: OnHost, kind: str, verify: Any) -> None:
    rule = "CG-V2-SET-SHARES-UNUSED"
    with boot(on_host, kind) as (host, factory):
        path = limit_file(host, kind, host.cgroup_path("cn"), "cpu_weight")
        c = factory.create(host.container_id("cn"), cgroup_config(host.cgroup_path("cn")))
        c.run(INIT)
        before = control_value(path)
        update = cgroup_config(host.cgroup_path("cn"), cpu_shares=1024).cgroups
        got = error_of(lambda: c.set(dataclasses.replace(c.config, cgroups=update)))
        verify(rule, got == "no error", f"Set of cpu shares alone failed: {got!r}")
        after = control_value(path)
        verify(rule, after == before, f"shares alone changed cpu.weight from {before} to {after}")


@pytest.mark.parametrize("kind", kinds(*sorted(MACHINES)))
@pytest.mark.requirement("CG-SET-UPDATE")
def test_set_updates_a_running_container(on_host: OnHost, kind: str, verify: Any) -> None:
    rule = "CG-SET-UPDATE"
    with boot(on_host, kind) as (host, factory):
        config = cgroup_config(host.cgroup_path("up"), pids_limit=10, memory_limit=64 << 20)
        c = factory.create(host.container_id("up"), config)
        c.run(INIT)
        new = cgroup_config(host.cgroup_path("up"), pids_limit=20, memory_limit=128 << 20)
        got = error_of(lambda: c.set(new))
        verify(rule, got == "no error", f"Set of new limits failed: {got!r}")
        pids = control_value(limit_file(host, kind, host.cgroup_path("up"), "pids_limit"))
        verify(rule, pids == "20", f"pids limit {pids!r} after Set, not 20")
        memory = control_value(limit_file(host, kind, host.cgroup_path("up"), "memory_limit"))
        want = str(128 << 20)
        verify(rule, memory == want, f"memory limit {memory!r} after Set, not {want}")


#: the limit a Set writes last of memory and pids: memory before pids on v1 (692f6e1
#: fs/apply_raw.go:20-34), pids before memory on v2 (v1.2.0 cgroups/fs2/fs2.go:173-180)
_WRITTEN_LAST = {"v1": "pids_limit", "hybrid": "pids_limit", "v2": "memory_limit"}
_OLD = {"pids_limit": 10, "memory_limit": 64 << 20}
_NEW = {"pids_limit": 20, "memory_limit": 128 << 20}


@pytest.mark.parametrize("kind", kinds(*sorted(MACHINES)))
@pytest.mark.requirement("CG-SET-RESTORED")
def test_set_whose_write_fails_puts_the_old_limits_back(
    on_host: OnHost, kind: str, verify: Any
) -> None:
    rule = "CG-SET-RESTORED"
    with boot(on_host, kind) as (host, factory):
        path = host.cgroup_path("sb")
        c = factory.create(host.container_id("sb"), cgroup_config(path, **_OLD))
        c.run(INIT)
        files = {limit: limit_file(host, kind, path, limit) for limit in _OLD}
        fault = inject(host, "write", files[_WRITTEN_LAST[kind]], errno.EIO)
        got = error_of(lambda: c.set(cgroup_config(path, **_NEW)))
        assert host.fired(fault), "the fault never fired"
        eio = os.strerror(errno.EIO).lower()
        verify(rule, eio in got.lower(), f"Set must return the write's error: {got!r}")
        for limit, file in files.items():
            value = control_value(file)
            verify(rule, value == str(_OLD[limit]), f"{file} reads {value} after the failed Set")


@pytest.mark.parametrize("kind", kinds(*sorted(MACHINES)))
@pytest.mark.requirement("CG-SET-FREEZER-INVALID")
def test_set_of_a_freezer_state_that_is_none_fails(on_host: OnHost, kind: str, verify: Any) -> None:
    # v1 FreezerGroup.Set's default case (692f6e1 freezer.go:49, v1.2.0 :106-107); v2
    # setFreezer's (v1.2.0 fs2/freezer.go:26-27), which also fails before cgroup.freeze
    rule = "CG-SET-FREEZER-INVALID"
    state = "FREEZING"  # what freezer.state may read, but no state a config may ask for
    with boot(on_host, kind) as (host, factory):
        path = host.cgroup_path("fi")
        config = cgroup_config(path)
        c = factory.create(host.container_id("fi"), config)
        c.run(INIT)
        assert config.cgroups is not None
        limits = dataclasses.replace(config.cgroups, freezer=state)
        bad = dataclasses.replace(config, cgroups=limits)
        got = error_of(lambda: c.set(bad))
        mode = "v2" if kind == "v2" else "v1"
        want = tables.resource_message(f"freezer_invalid_{mode}", state=state)
        verify(rule, got == want, f"want {want!r}, got {got!r}")
        status = str(c.status())
        verify(rule, status == "running", f"a refused freezer state left it {status}")


@pytest.mark.parametrize("kind", kinds(*sorted(MACHINES)))
@pytest.mark.requirement("CG-SET-STOPPED")
def test_set_of_a_stopped_container_is_refused(
    on_host: OnHost, kind: str, profile: str, verify: Any
) -> None:
    rule = "CG-SET-STOPPED"
    with boot(on_host, kind) as (host, factory):
        path = host.cgroup_path("ss")
        c = factory.create(host.container_id("ss"), cgroup_config(path, **_OLD))
        c.run(INIT)
        make_init_gone(host, c)
        got = error_of(lambda: c.set(cgroup_config(path, **_NEW)))
        want = tables.message("set_refused", profile)
        verify(rule, want in got, f"Set of a stopped container must fail with {want!r}: {got!r}")
        for limit in _OLD:
            value = control_value(limit_file(host, kind, path, limit))
            verify(rule, value == str(_OLD[limit]), f"{limit} reads {value} after the refused Set")


# -- pids and killing -------------------------------------------------------------------------


# -- v1 edge values, as the seed's fs manager writes them -------------------------------------
def _set_under(rule: str, verify: Any, c: Container, config: Config) -> None:
    """``c.set(config)``; its failure is a failed check of ``rule``, not a bare error."""
    try:
        c.set(config)
    except Exception as err:  # noqa: BLE001 - whatever it raised, the rule failed
        verify(rule, False, f"Set failed: {err}")


@pytest.mark.requirement("CG-SET-UNLIMITED")
def test_v1_minus_one_lifts_the_limits(on_host: OnHost, verify: Any) -> None:
    # pids.go:30-36 writes "max" for a negative limit (the kernel refuses "-1" there);
    # memory.go:145-148 writes "-1", which the kernel reads as unlimited
    with boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("unl")
        c = factory.create(
            host.container_id("unl"), cgroup_config(path, pids_limit=8, memory_limit=1 << 26)
        )
        c.run(INIT)
        _set_under(
            "CG-SET-UNLIMITED", verify, c, cgroup_config(path, pids_limit=-1, memory_limit=-1)
        )
        for limit in ("pids_limit", "memory_limit"):
            got = control_value(limit_file(host, "v1", path, limit))
            want = tables.v1_unlimited(limit)
            verify("CG-SET-UNLIMITED", got == want, f"{limit} -1 must read back {want!r}: {got!r}")


@pytest.mark.requirement("CG-V2-SET-UNLIMITED")
@V2
def test_v2_minus_one_lifts_the_limits_and_other_negatives_fail(
    on_host: OnHost, verify: Any
) -> None:
    # fs2/memory.go:18-33 numToStr: -1 alone is "max"; cgroups/utils.go:419-425: memory -1
    # without a swap limit lifts swap too; the kernel refuses a negative number (EINVAL)
    rule = "CG-V2-SET-UNLIMITED"
    with boot(on_host, "v2") as (host, factory):
        path = host.cgroup_path("unl2")
        made = cgroup_config(path, pids_limit=8, memory_limit=1 << 26)
        c = factory.create(host.container_id("unl2"), made)
        c.run(INIT)
        swap = limit_file(host, "v2", path, "memory_swap")
        with open(swap, "w", encoding="ascii") as f:
            f.write("0")  # no swap, as an administrator may have set it
        _set_under(rule, verify, c, cgroup_config(path, pids_limit=-1, memory_limit=-1))
        for limit in ("pids_limit", "memory_limit", "memory_swap"):
            got = control_value(limit_file(host, "v2", path, limit))
            want = tables.v2_unlimited(limit)
            verify(rule, got == want, f"{limit} after -1 must read back {want!r}: {got!r}")
        einval = os.strerror(errno.EINVAL).lower()
        for limit in ("pids_limit", "memory_limit"):
            new = cgroup_config(path, **{limit: -5})
            got = error_of(lambda: c.set(new))  # noqa: B023 - called at once
            verify(rule, einval in got.lower(), f"{limit} -5 must fail with EINVAL: {got!r}")


@pytest.mark.requirement("CG-V2-SWAP-UNACCOUNTED")
def test_v2_minus_one_without_swap_accounting(on_host: OnHost, verify: Any) -> None:
    # fs2/memory.go:54-61: without swap accounting memory.swap.max is missing (ENOENT), and
    # lifting it to "max" is skipped quietly
    rule = "CG-V2-SWAP-UNACCOUNTED"
    with on_host("v2-no-swap", v2_without("memory.swap.max")) as (host, factory):
        path = host.cgroup_path("nosw")
        c = factory.create(host.container_id("nosw"), cgroup_config(path, memory_limit=1 << 26))
        c.run(INIT)
        got = error_of(lambda: c.set(cgroup_config(path, memory_limit=-1)))
        verify(rule, got == "no error", f"Set of memory -1 must succeed: {got!r}")
        memory = control_value(limit_file(host, "v2", path, "memory_limit"))
        want = tables.v2_unlimited("memory_limit")
        verify(rule, memory == want, f"memory.max after -1 must read back {want!r}: {memory!r}")


@pytest.mark.requirement("CG-V2-SWAP-UNACCOUNTED")
def test_v2_minus_one_whose_swap_write_fails(on_host: OnHost, verify: Any) -> None:
    # fs2/memory.go:54-61 skips only a missing file: any other error of the swap write fails
    # Set, before memory.max is written
    rule = "CG-V2-SWAP-UNACCOUNTED"
    with boot(on_host, "v2") as (host, factory):
        path = host.cgroup_path("swf")
        c = factory.create(host.container_id("swf"), cgroup_config(path, memory_limit=1 << 26))
        c.run(INIT)
        swap = os.path.join(host.cgroup_dir("unified", path), "memory.swap.max")
        fault = inject(host, "write", swap, errno.EIO)
        got = error_of(lambda: c.set(cgroup_config(path, memory_limit=-1)))
        assert host.fired(fault), "Set of memory -1 never wrote memory.swap.max"
        eio = os.strerror(errno.EIO).lower()
        verify(rule, eio in got.lower(), f"a refused swap write must fail Set: {got!r}")
        memory = control_value(limit_file(host, "v2", path, "memory_limit"))
        verify(rule, memory == str(1 << 26), f"memory.max was written after it: {memory!r}")


@pytest.mark.parametrize("kind", kinds(*sorted(MACHINES)))
@pytest.mark.requirement("CG-SET-ZERO-UNCHANGED")
def test_zero_leaves_the_limits(on_host: OnHost, kind: str, verify: Any) -> None:
    # 692f6e1 fs/pids.go:30, memory.go:145, cpu.go:71 (v1); v1.2.0 fs2/pids.go:16-18,
    # memory.go:35-37, cpu.go:16-18 (v2): a zero value is skipped, not written
    limits = {"pids_limit": 8, "memory_limit": 1 << 26, "cpu_shares": 512}
    with boot(on_host, kind) as (host, factory):
        path = host.cgroup_path("zero")
        c = factory.create(host.container_id("zero"), cgroup_config(path, **limits))
        c.run(INIT)
        files = {limit: limit_file(host, kind, path, limit) for limit in limits}
        before = {limit: control_value(file) for limit, file in files.items()}
        zero = cgroup_config(path, pids_limit=0, memory_limit=0, cpu_shares=0)
        _set_under("CG-SET-ZERO-UNCHANGED", verify, c, zero)
        for limit, file in files.items():
            got = control_value(file)
            verify(
                "CG-SET-ZERO-UNCHANGED",
                got == before[limit],
                f"{limit} 0 changed {before[limit]!r} to {got!r}",
            )


@pytest.mark.requirement("CG-SET-CPU-CLAMPED")
def test_v1_clamped_cpu_shares_fail_set(on_host: OnHost, verify: Any) -> None:
    # apply_raw.go:205-209 reads cpu.shares back after the write; 353-357 name the clamped value
    low, high = tables.v1_cpu_shares_bounds()
    cases = {low - 1: ("cpu_shares_min", low), high + 1: ("cpu_shares_max", high)}
    with boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("clamp")
        c = factory.create(host.container_id("clamp"), cgroup_config(path, cpu_shares=1024))
        c.run(INIT)
        for shares, (key, kept) in cases.items():
            want = tables.resource_message(key, shares=kept)
            new = cgroup_config(path, cpu_shares=shares)
            got = error_of(lambda: c.set(new))  # noqa: B023 - called at once
            verify(
                "CG-SET-CPU-CLAMPED", got == want, f"shares {shares}: want {want!r}, got {got!r}"
            )


@pytest.mark.requirement("CG-SET-CPU-CLAMPED-IN-PLACE")
def test_v1_clamped_cpu_shares_end_set_before_pids(on_host: OnHost, verify: Any) -> None:
    # v1.2.0 fs/cpu.go:73-83 reads cpu.shares back right after its write; fs/fs.go:16-31 sets
    # cpu before pids and Set returns the first error: a pids.max that cannot be written is
    # never reached (the seed's CheckCpushares comes after it, and its write error wins)
    rule = "CG-SET-CPU-CLAMPED-IN-PLACE"
    low, high = tables.v1_cpu_shares_bounds()
    cases = {
        low - 1: ("cpu_shares_min_in_place", low),
        high + 1: ("cpu_shares_max_in_place", high),
    }
    with boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("inplace")
        made = cgroup_config(path, cpu_shares=1024, pids_limit=8)
        c = factory.create(host.container_id("inplace"), made)
        c.run(INIT)
        pids = limit_file(host, "v1", path, "pids_limit")
        for shares, (key, kept) in cases.items():
            want = tables.resource_message(key, shares=kept)
            inject(host, "write", pids, errno.EIO)
            new = cgroup_config(path, cpu_shares=shares, pids_limit=16)
            got = error_of(lambda: c.set(new))  # noqa: B023 - called at once
            host.clear_faults()
            verify(rule, got == want, f"shares {shares}: want {want!r}, got {got!r}")


@pytest.mark.requirement("CG-SET-CPU-READ-ERROR")
def test_v1_cpu_shares_read_back_error_ends_set(on_host: OnHost, verify: Any) -> None:
    # v1.2.0 fs/cpu.go:73-77: the read-back of cpu.shares right after its write fails, and Set
    # returns that error before pids.max (fs/fs.go:16-31, 181-196), whose write would fail
    rule = "CG-SET-CPU-READ-ERROR"
    with boot(on_host, "v1") as (host, factory):
        path = host.cgroup_path("cpuread")
        made = cgroup_config(path, cpu_shares=1024, pids_limit=8)
        c = factory.create(host.container_id("cpuread"), made)
        c.run(INIT)
        shares = limit_file(host, "v1", path, "cpu_shares")
        read = inject(host, "read", shares, errno.EIO)
        inject(host, "write", limit_file(host, "v1", path, "pids_limit"), errno.EIO)
        got = error_of(lambda: c.set(cgroup_config(path, cpu_shares=512, pids_limit=16)))
        host.clear_faults()
        assert host.fired(read), "Set never read cpu.shares back"
        want = path_error("read", shares, errno.EIO)
        verify(rule, got == want, f"Set must return the read's error {want!r}: {got!r}")
