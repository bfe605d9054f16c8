"""Host features: the short names expectations are keyed on and fleet reports group hosts by.

A host probe is a nested description whose shape depends on the host kind (a simulated
preset's topology, or what ``describe_real`` read from a real machine); both carry typed
keys (``topology.resctrl_mounted``, ``resctrl_mounted``, ``cpu_rdt_flags``, ...), and only those
are read here, never the sentences meant for people.  Expectations and fleet
matrices need something flatter and comparable: a sorted tuple of names such as
``cgroup-v1``, ``resctrl``, ``cat-l3``, ``cdp``, ``mba``, ``monitoring`` or ``no-rdt``.
The same names come out of both shapes, so an expectation written for CDP parts applies
whether the CDP host was simulated or real.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["FEATURES", "host_features"]

#: every name :func:`host_features` can return, with what it means (for docs and checks)
FEATURES: dict[str, str] = {
    "cgroup-v1": "cgroup v1 hierarchies only",
    "cgroup-v2": "one unified cgroup2 hierarchy",
    "cgroup-hybrid": "v1 controllers and a cgroup2 hierarchy side by side (systemd hybrid)",
    "resctrl": "resctrl is mounted",
    "resctrl-unmounted": "the CPU has RDT but resctrl is not mounted",
    "no-rdt": "no RDT: no resctrl and no RDT CPU flags",
    "cat-l3": "L3 cache allocation",
    "cat-l2": "L2 cache allocation",
    "cdp": "resctrl mounted with code/data prioritization (L3CODE and L3DATA)",
    "cdp-capable": "the CPU can do CDP, whether or not resctrl is mounted with it",
    "mba": "memory bandwidth allocation",
    "monitoring": "resctrl monitoring (CMT/MBM)",
    "kernel-4.x": "a 4.x kernel's resctrl texts",
}

# resctrl info/ directories of a real mount -> feature
_INFO_DIRS = {"L3": "cat-l3", "L2": "cat-l2", "L3CODE": "cdp", "L3DATA": "cdp", "MB": "mba",
              "L3_MON": "monitoring"}  # fmt: skip
_RDT_FLAGS = ("rdt_a", "cat_l3", "cat_l2", "cdp_l3", "cdp_l2", "mba", "cqm", "cqm_llc")


def host_features(probe: Mapping[str, Any]) -> tuple[str, ...]:
    """The features of the host a probe describes, sorted; empty when the probe says nothing."""
    topology = probe.get("topology")
    if isinstance(topology, Mapping):
        found = _simulated(topology)
    elif "cgroup_mode" in probe:
        found = _real(probe)
    else:
        found = set()
    return tuple(sorted(found))


def _simulated(topology: Mapping[str, Any]) -> set[str]:
    found = {f"cgroup-{topology.get('cgroup_mode', 'unknown')}"}
    resctrl = topology.get("resctrl")
    if not isinstance(resctrl, Mapping):
        return found | {"no-rdt"}
    found.add("cat-l3")
    found.add("resctrl" if topology.get("resctrl_mounted") else "resctrl-unmounted")
    if resctrl.get("cdp"):
        found.update(("cdp", "cdp-capable"))
    if resctrl.get("cdp_capable"):
        found.add("cdp-capable")
    if resctrl.get("l2"):  # L2 CAT; its cdpl2 is not "cdp", which names L3CODE/L3DATA
        found.add("cat-l2")
    if resctrl.get("mba"):
        found.add("mba")
    if resctrl.get("monitoring"):
        found.add("monitoring")
    if resctrl.get("era") == "4.x":
        found.add("kernel-4.x")
    return found


def _real(probe: Mapping[str, Any]) -> set[str]:
    found = {f"cgroup-{probe.get('cgroup_mode', 'unknown')}"}
    flags = set(probe.get("cpu_rdt_flags") or ())
    mounted = probe.get("resctrl_mounted") is True
    if mounted:
        found.add("resctrl")
        found.update(_INFO_DIRS[d] for d in probe.get("resctrl_features") or () if d in _INFO_DIRS)
    elif flags & set(_RDT_FLAGS):
        found.add("resctrl-unmounted")
    else:
        found.add("no-rdt")
    if "cdp_l3" in flags or "cdp" in found:
        found.add("cdp-capable")
    if not mounted:
        found.update(f for f, flag in (("cat-l3", "cat_l3"), ("mba", "mba")) if flag in flags)
    return found
