"""The rest of config.json's linux.resources as the command line's create applies them, read
back from the container's own cgroup: memory, cpu quota and period, cpuset, pids (batched in
one container, each rule checked on its own files), the block IO weight, huge pages, device
rules, cgroup v2's ``unified``, and a value the kernel refuses.

Each rule boots the cgroup host it is about (``cli_on``); the files and runc's v1 to v2
conversions come from ``harness/spec/resources.toml``.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.cgroup_hosts import MACHINES
from harness.scenarios._support.cgroup_hosts import kinds
from harness.scenarios._support.command_line import left_by_create
from harness.scenarios._support.limits import created
from harness.scenarios._support.limits import group_has
from harness.scenarios._support.limits import new_v1_group_has
from harness.scenarios._support.limits import read_limit
from harness.scenarios._support.limits import read_named
from harness.scenarios._support.limits import swap_accounted
from harness.scenarios._support.machines import CliOnHost
from harness.scenarios._support.machines import cgroups_are
from harness.scenarios._support.runtime_features import announced_or_skip
from harness.spec import tables
from harness.spec.limit_tables import blkio_weight_files
from harness.spec.limit_tables import cgroup_file
from harness.spec.limit_tables import cpu_max
from harness.spec.limit_tables import io_weight_reads
from harness.spec.limit_tables import memory_swap_v2
from harness.spec.limit_tables import oom_kill_disabled
from harness.spec.limit_tables import refused_cpus
from harness.subjects.command_line import CommandLine
from harness.subjects.oci import DeviceRule
from harness.subjects.oci import Resources

MEMORY = "CLI-CREATE-MEMORY"
CFS = "CLI-CREATE-CPU-CFS"
CPUSET = "CLI-CREATE-CPUSET"
PIDS = "CLI-CREATE-PIDS"
#: the batch: one container whose memory, cpu and pids limits are each read on their own
BATCH = (MEMORY, CFS, CPUSET, PIDS)
#: the values the batch writes (a reservation below the limit, a period other than the
#: kernel's 100000, CPU 0 and memory node 0, which every host has)
RESERVATION = 32 << 20
QUOTA_US, PERIOD_US = 50000, 250000
CPUS, MEMS = "0", "0"
PIDS_LIMIT = 64
#: a block IO weight whose io.weight the spec worked out (blkio_to_io_weight)
BLKIO_WEIGHT = 500
#: 2 MB huge pages, two of them
HUGE_PAGE_SIZE, HUGE_LIMIT = "2MB", 4 << 20
#: deny every device, then allow /dev/net/tun: devices.list must show the latter alone
TUN = DeviceRule(allow=True, type="c", major=10, minor=200, access="rwm")
DEVICE_RULES = (DeviceRule(allow=False, access="rwm"), TUN)
#: a unified map of a threaded and a domain controller's files, and what they read back
UNIFIED = (("pids.max", "42"), ("memory.high", str(128 << 20)))
ALL_KINDS = kinds(*sorted(MACHINES))


def _v1_swap(swap: int) -> str:
    """What memory.memsw.limit_in_bytes reads after the config's swap."""
    return tables.v1_unlimited("memory_swap") if swap == -1 else str(swap)


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.requirement(*BATCH)
def test_memory_cpu_and_pids_land(cli_on: CliOnHost, kind: str, verify: Any) -> None:
    """One container with every one of them; each rule is checked on its own files."""
    row = memory_swap_v2()[0]
    resources = Resources(
        memory_limit=row.memory, memory_reservation=RESERVATION, memory_swap=row.swap,
        cpu_quota=QUOTA_US, cpu_period=PERIOD_US, cpus=CPUS, mems=MEMS, pids_limit=PIDS_LIMIT,
    )  # fmt: skip
    v2 = kind == "v2"
    want = {
        "memory_limit": (MEMORY, str(row.memory)),
        "memory_reservation": (MEMORY, str(RESERVATION)),
        "memory_swap": (MEMORY, row.v2 if v2 else _v1_swap(row.swap)),
        "cpus": (CPUSET, CPUS),
        "mems": (CPUSET, MEMS),
        "pids_limit": (PIDS, str(PIDS_LIMIT)),
    }
    if v2:
        want["cpu_max"] = (CFS, cpu_max(QUOTA_US, PERIOD_US))
    else:
        want.update(cpu_quota=(CFS, str(QUOTA_US)), cpu_period=(CFS, str(PERIOD_US)))
    with cli_on(MACHINES[kind], swap_accounted(kind)) as (host, cli):
        with created(cli, host, "limits", resources, BATCH, verify) as cid:
            got = {limit: read_limit(host, kind, cid, limit) for limit in want}
    verify.each(
        *(
            (rule, got[limit] == value, f"{limit}: {got[limit]!r}, not {value!r}")
            for limit, (rule, value) in want.items()
        )
    )


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.requirement(MEMORY)
def test_swap_equal_to_memory_and_unlimited(cli_on: CliOnHost, kind: str, verify: Any) -> None:
    """Swap equal to the limit (v2: no swap at all, "0") and -1 (v2: "max")."""
    with cli_on(MACHINES[kind], swap_accounted(kind)) as (host, cli):
        for n, row in enumerate(memory_swap_v2()[1:]):
            bundled = Resources(memory_limit=row.memory, memory_swap=row.swap)
            with created(cli, host, f"swap-{n}", bundled, (MEMORY,), verify) as cid:
                got = read_limit(host, kind, cid, "memory_swap")
            want = row.v2 if kind == "v2" else _v1_swap(row.swap)
            verify(MEMORY, got == want, f"swap {row.swap} of {row.memory}: {got!r}, not {want!r}")


@pytest.mark.parametrize("kind", ["v1", "hybrid"])
@pytest.mark.requirement("CLI-CREATE-OOM-KILL-DISABLE")
def test_oom_killer_disabled_on_v1(cli_on: CliOnHost, kind: str, verify: Any) -> None:
    """memory.oom_control's first line says the group's OOM killer is off."""
    rule = "CLI-CREATE-OOM-KILL-DISABLE"
    bundled = Resources(disable_oom_killer=True)
    with cli_on(MACHINES[kind], cgroups_are(kind)) as (host, cli):
        with created(cli, host, "oom-off", bundled, (rule,), verify) as cid:
            shown = read_limit(host, kind, cid, "oom_kill_disable").splitlines()
    want = oom_kill_disabled()
    verify(rule, shown[:1] == [want], f"memory.oom_control shows {shown}, not {want!r} first")


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.requirement("CLI-CREATE-BLKIO-WEIGHT")
def test_blkio_weight_lands_or_is_refused(cli_on: CliOnHost, kind: str, verify: Any) -> None:
    """The first weight file the group has holds the weight (v2's io.weight converted); a v1
    group that can have none makes create fail, cleanly.  (Whether a v2 group can have one
    only an existing group shows: without one the v2 case skips.)"""
    rule = "CLI-CREATE-BLKIO-WEIGHT"
    names = blkio_weight_files(kind)
    hierarchy = "unified" if kind == "v2" else "blkio"
    needs = cgroups_are(kind)
    if kind == "v2":
        needs = group_has(kind, hierarchy, names, "block IO weight (no iocost or BFQ)")
    bundled = Resources(blkio_weight=BLKIO_WEIGHT)
    with cli_on(MACHINES[kind], needs) as (host, cli):
        if kind != "v2" and not new_v1_group_has(host, hierarchy, names):
            _refused(cli, host, "blkio-refused", bundled, rule, verify)
            return
        with created(cli, host, "blkio", bundled, (rule,), verify) as cid:
            group = host.cgroup_dir(hierarchy, f"/{cid}")
            present = [n for n in names if os.path.exists(os.path.join(group, n))]
            verify(rule, present, f"the group has none of {names}")
            got = read_named(host, hierarchy, cid, present[0])
    want = io_weight_reads(present[0], BLKIO_WEIGHT)
    verify(rule, got == want, f"{present[0]} after weight {BLKIO_WEIGHT}: {got!r}, not {want!r}")


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.requirement("CLI-CREATE-HUGETLB")
def test_hugetlb_limit_lands_or_is_refused(cli_on: CliOnHost, kind: str, verify: Any) -> None:
    """hugetlb.2MB.limit_in_bytes on v1, hugetlb.2MB.max on v2; on a v1 or hybrid host whose
    v1 hierarchies have no hugetlb (the simulated hybrid host, like this machine, has it in
    cgroup2, out of the v1 manager's reach) create fails, cleanly."""
    rule = "CLI-CREATE-HUGETLB"
    hierarchy, name = cgroup_file(kind, f"hugetlb_{HUGE_PAGE_SIZE}")
    needs = cgroups_are(kind)
    if kind == "v2":
        needs = group_has(kind, hierarchy, (name,), f"hugetlb controller, {HUGE_PAGE_SIZE} pages")
    bundled = Resources(hugepage_limits=((HUGE_PAGE_SIZE, HUGE_LIMIT),))
    with cli_on(MACHINES[kind], needs) as (host, cli):
        if kind != "v2" and not new_v1_group_has(host, hierarchy, (name,)):
            _refused(cli, host, "hugetlb-refused", bundled, rule, verify)
            return
        with created(cli, host, "hugetlb", bundled, (rule,), verify) as cid:
            got = read_named(host, hierarchy, cid, name)
    verify(rule, got == str(HUGE_LIMIT), f"{name}: {got!r}, not {HUGE_LIMIT}")


@pytest.mark.parametrize("kind", ["v1", "hybrid"])
@pytest.mark.requirement("CLI-CREATE-DEVICES")
def test_device_rules_apply_in_order(cli_on: CliOnHost, kind: str, verify: Any) -> None:
    """Deny all, then allow one: the v1 list holds that one and no longer allows all."""
    rule = "CLI-CREATE-DEVICES"
    allowed = "c 10:200 rwm"
    with cli_on(MACHINES[kind], cgroups_are(kind)) as (host, cli):
        bundled = Resources(devices=DEVICE_RULES)
        with created(cli, host, "devices", bundled, (rule,), verify) as cid:
            listed = read_limit(host, kind, cid, "devices").splitlines()
    verify.each(
        (rule, allowed in listed, f"devices.list {listed} lacks {allowed!r}"),
        (rule, "a *:* rwm" not in listed, f"devices.list {listed} still allows every device"),
    )


@pytest.mark.parametrize("kind", sorted(MACHINES))
@pytest.mark.requirement("CLI-CREATE-UNIFIED")
def test_unified_lands_on_v2_and_is_refused_on_v1(
    cli_on: CliOnHost, kind: str, verify: Any
) -> None:
    """Each file of the map on v2; runc's v1 manager has nowhere to write them, and says so.
    The v2 case is not marked :data:`V2`: the rule is runc's (1.1 and 1.2), and an OCI
    runtime's run, whose profile holds no API rule such as CG-V2-APPLY, must reach it on a
    v2 host."""
    rule = "CLI-CREATE-UNIFIED"
    bundled = Resources(unified=UNIFIED)
    with cli_on(MACHINES[kind], cgroups_are(kind)) as (host, cli):
        if kind != "v2":
            told = _refused(cli, host, "unified-v1", bundled, rule, verify)
            said = "cannot use unified on cgroup v1" in told
            verify(rule, said, f"create must say why: {told!r}")
            return
        with created(cli, host, "unified", bundled, (rule,), verify) as cid:
            got = {name: read_named(host, "unified", cid, name) for name, _ in UNIFIED}
    verify.each(*((rule, got[k] == v, f"{k}: {got[k]!r}, not {v!r}") for k, v in UNIFIED))


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.requirement("CLI-CREATE-RESOURCE-REFUSED")
def test_cpus_the_host_lacks_fail_create(cli_on: CliOnHost, kind: str, verify: Any) -> None:
    """A value only the kernel refuses (the write of cpuset.cpus): create fails cleanly."""
    rule = "CLI-CREATE-RESOURCE-REFUSED"
    with cli_on(MACHINES[kind], cgroups_are(kind)) as (host, cli):
        _refused(cli, host, "no-such-cpu", Resources(cpus=refused_cpus()), rule, verify)


def _refused(cli: Any, host: Any, name: str, resources: Resources, rule: str, verify: Any) -> str:
    """Create with ``resources`` fails and leaves nothing (then a delete --force, which
    cleans up after a runtime that left something); the end of create's stderr."""
    cid = host.container_id(name)
    before = host.live_processes()
    result = cli("create", "--bundle", cli.bundle(name, resources=resources), cid)
    try:
        verify(rule, result.exit_code != 0, f"create must fail: {result.describe()}")
        left = left_by_create(cli, host, cid, before)
        verify(rule, not left, f"the failed create left {left}")
    finally:
        cli("delete", "--force", cid)
    return result.stderr_tail


@pytest.mark.requirement("CLI-FEATURES-CGROUP")
def test_features_announce_the_cgroup_managers(cli: CommandLine, host: Host, verify: Any) -> None:
    """What runc's features says of cgroups, held to on this host: the version it runs is
    announced, and a limit lands there."""
    rule = "CLI-FEATURES-CGROUP"
    document = announced_or_skip(cli)
    cgroup = (document.get("linux") or {}).get("cgroup") or {}
    verify.each(
        *((rule, cgroup.get(v) is True, f"linux.cgroup.{v}: {cgroup}") for v in ("v1", "v2"))
    )
    kind = host.cgroup_mode()
    with created(
        cli, host, "features-pids", Resources(pids_limit=PIDS_LIMIT), (rule,), verify
    ) as cid:
        got = read_limit(host, kind, cid, "pids_limit")
    verify(rule, got == str(PIDS_LIMIT), f"pids.max on this {kind} host: {got!r}")


@pytest.mark.requirement("CLI-FEATURES-INTEL-RDT")
def test_features_announce_intel_rdt(cli: CommandLine, verify: Any) -> None:
    """runc 1.2 says it implements Intel RDT, whatever the host has (features-linux.md:232)."""
    rule = "CLI-FEATURES-INTEL-RDT"
    document = announced_or_skip(cli)
    rdt = (document.get("linux") or {}).get("intelRdt")
    verify(rule, rdt == {"enabled": True}, f"linux.intelRdt: {rdt!r}")
