"""Named simulated hosts: the machines rtgate users run on, as one ``Topology`` each.

A preset is chosen with ``rtgate run --preset NAME``; the report records its name and what it
describes, so a fleet merge can group results by host features.  The presets of real machines
(:data:`SOURCES` says where each value comes from) live in :mod:`harness.fakes.machine_presets`;
a machine read from a preset file (``--preset-file``) is registered here under its own name
for the run that loaded it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from harness.fakes.machine_presets import MACHINE_PRESETS
from harness.fakes.machine_presets import SOURCES
from harness.fakes.preset_file import PresetFile
from harness.fakes.topology import DEFAULT_TOPOLOGY
from harness.fakes.topology import HYBRID_TOPOLOGY
from harness.fakes.topology import V2_TOPOLOGY
from harness.fakes.topology import MbaTopology
from harness.fakes.topology import MonitoringTopology
from harness.fakes.topology import ResctrlTopology
from harness.fakes.topology import Topology

__all__ = ["DEFAULT_PRESET", "PRESETS", "SOURCES", "describe", "preset", "register_file"]

DEFAULT_PRESET = "v1-cat"

#: name -> (one line for listings, the topology)
PRESETS: dict[str, tuple[str, Topology]] = {
    "v1-cat": (
        "cgroup v1, L3 CAT on two cache domains (11-bit masks, 16 CLOSIDs)",
        DEFAULT_TOPOLOGY,
    ),
    "xeon-2s-cat-mba": (
        "two-socket Xeon: cgroup v1, L3 CAT (11-bit masks, 16 CLOSIDs), CDP-capable but not"
        " mounted with cdp, MBA (10% steps), monitoring with 176 RMIDs, 16 CPUs",
        Topology(
            resctrl=ResctrlTopology(
                cbm_mask=0x7FF,
                min_cbm_bits=1,
                num_closids=16,
                cache_ids=(0, 1),
                l3_cache_bytes=39424 * 1024,
                cdp_capable=True,
                mba=MbaTopology(bandwidth_gran=10, min_bandwidth=10),
                monitoring=MonitoringTopology(num_rmids=176),
            ),
            num_cpus=16,
        ),
    ),
    "xeon-cdp": (
        "cgroup v1, resctrl mounted with cdp: L3CODE and L3DATA instead of L3, 8 CLOSIDs",
        Topology(resctrl=ResctrlTopology(cdp=True, cbm_mask=0xFFFFF, min_cbm_bits=2)),
    ),
    "kernel-4x": (
        "cgroup v1, L3 CAT on a 4.x kernel: its texts and unpadded schemata lines",
        Topology(resctrl=ResctrlTopology(era="4.x")),
    ),
    "small-closids": (
        "cgroup v1, L3 CAT with 8-bit masks, 2 min bits, 4 CLOSIDs on one cache domain",
        Topology(
            resctrl=ResctrlTopology(cbm_mask=0xFF, min_cbm_bits=2, num_closids=4, cache_ids=(0,))
        ),
    ),
    "v2-cat": (
        "cgroup v2 only (one unified hierarchy at /sys/fs/cgroup, as systemd sets up by default)"
        " with L3 CAT",
        V2_TOPOLOGY,
    ),
    "hybrid-cat": (
        "systemd hybrid cgroups (v1 controllers, name=systemd, hugetlb in cgroup2 at"
        " /sys/fs/cgroup/unified) with L3 CAT",
        HYBRID_TOPOLOGY,
    ),
    "hybrid-no-rdt": (
        "the machine rtgate is developed on: systemd hybrid cgroups, no RDT",
        dataclasses.replace(HYBRID_TOPOLOGY, resctrl=None),
    ),
    "no-rdt": (
        "cgroup v1, a CPU without RDT: no cat_l3 flag, no /sys/fs/resctrl",
        Topology(resctrl=None),
    ),
    "rdt-unmounted": (
        "cgroup v1, a CPU with L3 CAT but resctrl not mounted",
        Topology(resctrl_mounted=False),
    ),
}


PRESETS.update(MACHINE_PRESETS)

#: machines of preset files loaded by this process: name -> (summary, topology)
_FROM_FILES: dict[str, tuple[str, Topology]] = {}


def register_file(loaded: PresetFile) -> None:
    """Make the machine of a preset file known by its name (``--preset-file``).

    Raises:
        ValueError: the name is a shipped preset's, for another machine (a report would name
            the shipped machine for the file's).
    """
    shipped = PRESETS.get(loaded.name)
    if shipped is not None and shipped[1] != loaded.topology:
        raise ValueError(
            f"its name {loaded.name!r} is a shipped preset's, whose machine differs: give the "
            "file's machine a name of its own"
        )
    _FROM_FILES[loaded.name] = (loaded.summary, loaded.topology)


def _lookup(name: str) -> tuple[str, Topology]:
    found = _FROM_FILES.get(name)
    return found if found is not None else PRESETS[name]


def preset(name: str) -> Topology:
    """The topology of preset ``name`` (shipped, or from a preset file loaded in this run).

    Raises:
        KeyError: no such preset (callers turn it into a usage error).
    """
    return _lookup(name)[1]


def describe(name: str) -> dict[str, Any]:
    """What the report says of the host: the preset and its topology as plain data."""
    summary, topology = _lookup(name)
    return {"preset": name, "summary": summary, "topology": _plain(topology)}


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value
