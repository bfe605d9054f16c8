"""Simulated machines the suite boots by name, next to the presets of ``--preset``.

A scenario about one kind of machine (a cgroup v2 host, a CDP part with MBA) names it; the
simulated host boots it whatever the run's preset is, and a real run checks that this machine
is of that kind instead.  Naming them here keeps the kernel's topology type out of the suite.
"""

from __future__ import annotations

import dataclasses

from harness.fakes import MbaTopology
from harness.fakes import ResctrlTopology
from harness.fakes import Topology
from harness.fakes.presets import preset
from harness.fakes.topology import BASE_CPU_FLAGS
from harness.fakes.topology import HYBRID_TOPOLOGY
from harness.fakes.topology import V2_TOPOLOGY

__all__ = ["SUITE_MACHINES", "machine"]

#: machines that are not presets: the bare cgroup modes, and CDP with MBA
SUITE_MACHINES: dict[str, Topology] = {
    "cgroup-v1": Topology(),
    "cgroup-v2": V2_TOPOLOGY,
    "cgroup-hybrid": HYBRID_TOPOLOGY,
    # a CDP mount (no info/L3) on a CPU with MBA: CAT is not usable as "L3", MBA is
    "cdp-with-mba": Topology(resctrl=ResctrlTopology(cdp=True, mba=MbaTopology())),
    # cgroup v1 without the memory hierarchy (booted with cgroup_disable=memory)
    "v1-no-memory": Topology(
        v1_controllers=tuple(c for c in Topology().v1_controllers if c != "memory")
    ),
    # cgroup v1 without the cpu hierarchy (a kernel without CONFIG_CGROUP_SCHED)
    "v1-no-cpu": Topology(v1_controllers=tuple(c for c in Topology().v1_controllers if c != "cpu")),
    # cgroup v1 without the devices hierarchy (a kernel without CONFIG_CGROUP_DEVICE)
    "v1-no-devices": Topology(
        v1_controllers=tuple(c for c in Topology().v1_controllers if c != "devices")
    ),
    # cgroup v1 without the freezer hierarchy (a kernel without CONFIG_CGROUP_FREEZER)
    "v1-no-freezer": Topology(
        v1_controllers=tuple(c for c in Topology().v1_controllers if c != "freezer")
    ),
    # cgroup v2 on a 5.2-5.13 kernel: cgroup.freeze, but no cgroup.kill yet
    "v2-no-kill": dataclasses.replace(V2_TOPOLOGY, cgroup_kill=False),
    # cgroup v2 on a 4.5-5.1 kernel: neither cgroup.freeze (nor the frozen event) nor cgroup.kill
    "v2-no-freeze": dataclasses.replace(V2_TOPOLOGY, cgroup_kill=False, cgroup_freeze=False),
    # cgroup v1 with rdma (Linux 4.11) and misc (5.13) hierarchies beside the usual ones, and
    # systemd's named one, which runc 1.2's fs driver joins just before misc
    "v1-rdma-misc": Topology(
        v1_controllers=(*Topology().v1_controllers, "rdma", "name=systemd", "misc")
    ),
    # cgroup v1 with the net_cls and net_prio hierarchies beside the usual ones
    "v1-net": Topology(v1_controllers=(*Topology().v1_controllers, "net_cls", "net_prio")),
    # cgroup v1 whose memory controller does not account swap (swapaccount=0)
    "v1-no-swap": Topology(swap_accounting=False),
    # cgroup v2 whose memory controller does not account swap (swapaccount=0)
    "v2-no-swap": dataclasses.replace(V2_TOPOLOGY, swap_accounting=False),
    # cgroup v2 mounted in a container's cgroup namespace: its root is a non-root cgroup
    "v2-cgroupns": dataclasses.replace(V2_TOPOLOGY, cgroup_namespace=True),
    # a CPU with MBA booted with rdt=!mba: /proc/cpuinfo has the mba flag, resctrl no info/MB
    "mba-disabled": Topology(cpu_flags=(*BASE_CPU_FLAGS, "mba")),
}


def machine(name: str) -> Topology:
    """The topology of preset or suite machine ``name`` (a preset file's machine too, once
    ``--preset-file`` registered it).

    Raises:
        KeyError: neither knows the name (a mistake in the suite, not the user's).
    """
    try:
        return preset(name)
    except KeyError:
        return SUITE_MACHINES[name]
