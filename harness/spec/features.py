"""The names of host features: what ``--require``, expectations, the catalog's
``host_features`` and fleet reports all speak of.

They are the vocabulary of the rules (a rule of MBA hosts needs ``mba``), so they live with the
rules; :mod:`harness.report.features` derives a host's from what probing it found.
"""

from __future__ import annotations

__all__ = ["FEATURES"]

#: every name :func:`harness.report.features.host_features` can return, with what it means
#: (for docs and checks)
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
