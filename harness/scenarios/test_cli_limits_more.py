"""More of config.json's linux.resources through the command line, read back from the
container's own cgroup: memory swappiness and cpu realtime bandwidth (one container, each rule
checked on its own files), the kernel TCP limit, which runc >= 1.0 ignores, and the block IO
throttles of the host's disk.

cgroup v2 has no file for the first three (and runc's fs2 writes none), so those rules boot a
v1 or hybrid host (``cli_on``); the files and values come from ``harness/spec/resources.toml``.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.scenarios._support.cgroup_hosts import MACHINES
from harness.scenarios._support.cgroup_hosts import kinds
from harness.scenarios._support.limits import all_of
from harness.scenarios._support.limits import created
from harness.scenarios._support.limits import has_disk
from harness.scenarios._support.limits import host_disk
from harness.scenarios._support.limits import new_group_has
from harness.scenarios._support.limits import new_v1_group_has
from harness.scenarios._support.limits import read_limit
from harness.scenarios._support.limits import read_named
from harness.scenarios._support.limits import v1_controllers_mounted
from harness.scenarios._support.machines import CliOnHost
from harness.scenarios._support.machines import cgroups_are
from harness.spec.limit_tables import blkio_throttles
from harness.spec.limit_tables import blkio_weight_device
from harness.spec.limit_tables import io_max_line
from harness.spec.limit_tables import more_limits
from harness.spec.limit_tables import network_limits
from harness.subjects.oci import Resources

SWAPPINESS = "CLI-CREATE-SWAPPINESS"
REALTIME = "CLI-CREATE-CPU-RT"
KERNEL_TCP = "CLI-CREATE-KERNEL-TCP"
THROTTLE = "CLI-CREATE-BLKIO-THROTTLE"
NETWORK = "CLI-CREATE-NETWORK"
WEIGHT_DEVICE = "CLI-CREATE-BLKIO-WEIGHT-DEVICE"
#: the batch: swappiness and realtime bandwidth in one container
BATCH = (SWAPPINESS, REALTIME)
V1_KINDS = ["v1", "hybrid"]


@pytest.mark.parametrize("kind", V1_KINDS)
@pytest.mark.requirement(*BATCH)
def test_swappiness_and_realtime_land(cli_on: CliOnHost, kind: str, verify: Any) -> None:
    """memory.swappiness, cpu.rt_period_us and cpu.rt_runtime_us read what config.json gave."""
    values = more_limits()
    want = {
        "swappiness": SWAPPINESS,
        "realtime_period": REALTIME,
        "realtime_runtime": REALTIME,
    }
    bundled = Resources(
        swappiness=values["swappiness"],
        realtime_runtime=values["realtime_runtime"],
        realtime_period=values["realtime_period"],
    )
    with cli_on(MACHINES[kind], cgroups_are(kind)) as (host, cli):
        with created(cli, host, "swap-rt", bundled, BATCH, verify) as cid:
            got = {limit: read_limit(host, kind, cid, limit) for limit in want}
    verify.each(
        *(
            (
                rule,
                got[limit] == str(values[limit]),
                f"{limit}: {got[limit]!r}, not {values[limit]}",
            )
            for limit, rule in want.items()
        )
    )


@pytest.mark.parametrize("kind", V1_KINDS)
@pytest.mark.requirement(KERNEL_TCP)
def test_kernel_tcp_limit_lands(cli_on: CliOnHost, kind: str, verify: Any) -> None:
    """memory.kmem.tcp.limit_in_bytes reads the config's kernelTCP (whole pages, as kept)."""
    limit = more_limits()["kernel_tcp"]
    with cli_on(MACHINES[kind], cgroups_are(kind)) as (host, cli):
        bundled = Resources(kernel_tcp=limit)
        with created(cli, host, "kernel-tcp", bundled, (KERNEL_TCP,), verify) as cid:
            got = read_limit(host, kind, cid, "kernel_tcp")
    verify(KERNEL_TCP, got == str(limit), f"memory.kmem.tcp.limit_in_bytes: {got!r}, not {limit}")


@pytest.mark.parametrize("kind", kinds(*sorted(MACHINES)))
@pytest.mark.requirement(THROTTLE)
def test_blkio_throttles_land(cli_on: CliOnHost, kind: str, verify: Any) -> None:
    """All four throttle lists for the host's disk in one container: on v1 each list's file
    shows "MAJ:MIN RATE" (a failing one names its list); on v2 io.max shows the four keys."""
    rows = blkio_throttles()
    with cli_on(MACHINES[kind], has_disk(kind)) as (host, cli):
        device = host_disk()
        assert device is not None  # has_disk
        major, minor = (int(n) for n in device.split(":"))
        bundled = Resources(blkio_throttle=tuple((r.key, major, minor, r.rate) for r in rows))
        with created(cli, host, "throttle", bundled, (THROTTLE,), verify) as cid:
            if kind == "v2":
                got = {"io.max": read_named(host, "unified", cid, "io.max")}
            else:
                got = {r.v1: read_named(host, "blkio", cid, r.v1) for r in rows}
    want = {"io.max": io_max_line(device)} if kind == "v2" else {
        r.v1: f"{device} {r.rate}" for r in rows
    }  # fmt: skip
    verify.each(*((THROTTLE, got[k] == v, f"{k}: {got[k]!r}, not {v!r}") for k, v in want.items()))


@pytest.mark.requirement(NETWORK)
def test_network_class_and_priority_land(cli_on: CliOnHost, verify: Any) -> None:
    """net_cls.classid reads the class id and net_prio.ifpriomap lists the interface with its
    priority, on a v1 or hybrid host with both hierarchies (the simulated v1-net machine; a
    real host without them skips, naming the v1 hierarchies it has)."""
    class_id, interface, priority = network_limits()
    needs = v1_controllers_mounted("net_cls", "net_prio")
    bundled = Resources(net_class_id=class_id, net_priorities=((interface, priority),))
    with cli_on("v1-net", needs) as (host, cli):
        with created(cli, host, "network", bundled, (NETWORK,), verify) as cid:
            classid = read_named(host, "net_cls", cid, "net_cls.classid")
            priomap = read_named(host, "net_prio", cid, "net_prio.ifpriomap").splitlines()
    line = f"{interface} {priority}"
    verify.each(
        (NETWORK, classid == str(class_id), f"net_cls.classid: {classid!r}, not {class_id}"),
        (NETWORK, line in priomap, f"net_prio.ifpriomap {priomap} lacks {line!r}"),
    )


@pytest.mark.parametrize("kind", V1_KINDS)
@pytest.mark.requirement(WEIGHT_DEVICE)
def test_blkio_weight_device_lands(cli_on: CliOnHost, kind: str, verify: Any) -> None:
    """The disk's own weight is listed in the group's per-device weight file (BFQ's or CFQ's,
    the first a new group has; a host whose groups have neither skips, saying so)."""
    weight, names = blkio_weight_device()
    what = "no CFQ or BFQ per-device weight"
    needs = all_of(new_group_has(kind, "blkio", names, what), has_disk(kind))
    with cli_on(MACHINES[kind], needs) as (host, cli):
        device = host_disk()
        assert device is not None  # has_disk
        major, minor = (int(n) for n in device.split(":"))
        bundled = Resources(blkio_weight_device=((major, minor, weight),))
        with created(cli, host, "weight-device", bundled, (WEIGHT_DEVICE,), verify) as cid:
            present = new_v1_group_has(host, "blkio", names)
            shown = read_named(host, "blkio", cid, present[0]).splitlines()
    line = f"{device} {weight}"
    verify(WEIGHT_DEVICE, line in shown, f"{present[0]} {shown} lacks {line!r}")
