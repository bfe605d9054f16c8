"""``rtgate doctor --capture FILE``: this machine as a preset file, to run the simulated suite on.

Read-only, through ``open`` and ``os`` at the real paths (:mod:`harness.hosts.facts`), so the
simulated kernel of a preset captures the same way a real host does.  What is captured:

* the cgroup layout: mode, v1 hierarchies, the cgroup2 root's controllers (and implicit ones),
  the cpuset root's ``cgroup.clone_children``, BFQ's blkio files, swap accounting (v1 memsw
  files), a namespaced cgroup2 root (its ``cgroup.type``);
* /proc/cpuinfo: the flags (beyond the RDT ones the topology implies), the number of CPUs, the
  vendor (AMD's MBA);
* the kernel release (``/proc/sys/kernel/osrelease``): the resctrl era, and on cgroup2 whether
  ``cgroup.freeze`` and ``cgroup.kill`` exist (:mod:`harness.fakes.releases`);
* resctrl: absent (no ``cat_l3`` flag), present but unmounted, or mounted with its options
  (``cdp``, ``cdpl2``, ``mba_MBps``); every ``info/`` resource (L3 or L3CODE/L3DATA, L2 or
  L2CODE/L2DATA, MB, L3_MON); domain ids and cache sizes from the default group's ``schemata``
  and ``size``.

See :data:`NOT_CAPTURED` for what is not.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
from typing import TYPE_CHECKING

from harness.hosts.facts import CgroupLayout
from harness.hosts.facts import bfq_registered
from harness.hosts.facts import cpu_count
from harness.hosts.facts import cpu_flags
from harness.hosts.facts import read_layout
from harness.hosts.facts import resctrl_mounts
from harness.hosts.facts.machine import kernel_release
from harness.hosts.resctrl_capture import capture_resctrl

if TYPE_CHECKING:  # harness.fakes is imported when first used (see fidelity's twin)
    from harness.fakes import Topology
    from harness.fakes.preset_file import PresetFile

__all__ = ["NOT_CAPTURED", "capture_preset", "cgroup_fields"]

#: what a captured file cannot say of the host, written on top of every captured file
NOT_CAPTURED = (
    "not captured: the groups that exist now (their schemata, bit_usage, tasks), the 'debug'"
    " mount option, pseudo-locking support (only a mode write would tell: false), swap"
    " accounting on a pure cgroup v2 host (true assumed), the CPU model (the simulated"
    " /proc/cpuinfo names a fixed Intel or AMD part), L3 sizes beyond what the size file"
    " shows (rounded up to whole KiB)",
)


def _clone_children(layout: CgroupLayout) -> bool:
    mount = layout.v1.get("cpuset")
    if mount is None:
        return False
    try:
        with open(f"{mount}/cgroup.clone_children", encoding="utf-8") as file:
            return file.read().strip() == "1"
    except OSError:
        return False


def cgroup_fields(layout: CgroupLayout) -> dict[str, object]:
    """Topology arguments of the cgroup layout and the CPU count (None: the host shows
    nothing to say, the field keeps its default); shared with fidelity's simulated twin."""
    return {
        "cgroup_mode": layout.mode if layout.mode != "none" else "v1",
        # named hierarchies ride along as "name=<x>", mounted at /sys/fs/cgroup/<x>
        "v1_controllers": tuple(layout.v1),
        "v2_controllers": layout.v2_controllers if layout.v2 is not None else None,
        "v2_implicit": layout.v2_implicit if layout.v2 is not None else None,
        "num_cpus": cpu_count(),
        "cpuset_clone_children": _clone_children(layout),
        "bfq": bfq_registered(layout),
    }


def _kernel_fields(layout: CgroupLayout, release: str) -> dict[str, object]:
    """What only some kernels have: cgroup2's freeze and kill files, swap accounting, a
    namespaced cgroup2 root.  Fields unused by the host's cgroup mode keep their defaults."""
    from harness.fakes.releases import cgroup2_features

    fields: dict[str, object] = {}
    memory = layout.v1.get("memory")
    if memory is not None:
        fields["swap_accounting"] = os.path.exists(f"{memory}/memory.memsw.limit_in_bytes")
    if layout.v2 is not None:
        freeze, kill = cgroup2_features(release)
        fields.update(cgroup_freeze=freeze, cgroup_kill=kill)
        fields["cgroup_namespace"] = os.path.exists(f"{layout.v2}/cgroup.type")
    return fields


def _host_topology(release: str) -> tuple[Topology, list[str]]:
    """The topology of this host, and notes on what was guessed."""
    from harness.fakes import Topology

    layout = read_layout()
    fields = {k: v for k, v in cgroup_fields(layout).items() if v is not None}
    fields.update(_kernel_fields(layout, release))
    if layout.mode == "v2":
        fields.pop("v1_controllers", None)  # unused on a v2 host: keep the default
    flags = cpu_flags()
    resctrl, mounted, notes = capture_resctrl(flags, release, bool(resctrl_mounts()))
    implied = {"cat_l3", "rdt_a"} | set(resctrl.rdt_cpu_flags() if resctrl else ())
    fields["cpu_flags"] = tuple(f for f in flags if f not in implied)
    topology = Topology(resctrl=resctrl, resctrl_mounted=mounted, **fields)  # type: ignore[arg-type]
    # a pure v2 root offering every controller is written as the default (false: all)
    auto = dataclasses.replace(topology, v2_controllers=None).unified_controllers
    if topology.cgroup_mode == "v2" and topology.v2_controllers == auto:
        topology = dataclasses.replace(topology, v2_controllers=None)
    return topology, notes


def _summary(topology: Topology, release: str) -> str:
    rdt = topology.resctrl
    if rdt is None:
        what = "no RDT"
    else:
        parts = [f"L3 CAT {rdt.cbm_len}-bit masks, {rdt.num_closids} CLOSIDs"]
        parts += ["CDP on" if rdt.cdp else "CDP-capable"] if rdt.has_cdp else []
        parts += [f"L2 CAT {rdt.l2.cbm_len}-bit masks"] if rdt.l2 is not None else []
        parts += [f"{rdt.mba.vendor} MBA"] if rdt.mba is not None else []
        parts += ["monitoring"] if rdt.monitoring is not None else []
        parts += [] if topology.resctrl_mounted else ["resctrl not mounted"]
        what = ", ".join(parts)
    return f"captured: cgroup {topology.cgroup_mode}, {what}, {topology.num_cpus} CPUs, {release}"


def capture_preset(
    name: str | None = None, summary: str | None = None
) -> tuple[PresetFile, list[str]]:
    """This host as a preset (named ``captured-<hostname>`` unless ``name`` is given), and the
    notes a captured file starts with (what is not captured, what was guessed)."""
    from harness.fakes.preset_file import PresetFile

    release = kernel_release()
    topology, notes = _host_topology(release)
    host = os.uname().nodename
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    source = f"rtgate doctor --capture on {host}, {when}, kernel {release}"
    preset = PresetFile(
        name or f"captured-{host}", summary or _summary(topology, release), source, topology
    )
    return preset, [*NOT_CAPTURED, *notes]
