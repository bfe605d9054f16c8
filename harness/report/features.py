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

from harness.spec.features import FEATURES

__all__ = ["FEATURES", "feature_wording", "host_features"]


#: how a sentence names the hosts with (first) or without (second) a feature whose name is a
#: negation: "without no-rdt" would be a double negative, so they are worded by what hosts have
_NEGATED: dict[str, tuple[str, str]] = {
    "no-rdt": ("without RDT", "with RDT"),
    "resctrl-unmounted": ("with RDT but resctrl unmounted", "with resctrl mounted or without RDT"),
}

# resctrl info/ directories of a real mount -> feature
_INFO_DIRS = {"L3": "cat-l3", "L2": "cat-l2", "L3CODE": "cdp", "L3DATA": "cdp", "MB": "mba",
              "L3_MON": "monitoring", "L2CODE": "cat-l2", "L2DATA": "cat-l2"}  # fmt: skip
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


def feature_wording(feature: str, present: bool) -> str:
    """The hosts that have (``present``) or lack ``feature``, for "fails only on hosts ...":
    ``with cdp``, ``without mba``, and ``without RDT`` for ``no-rdt``, never ``with no-rdt``."""
    if feature in _NEGATED:
        return _NEGATED[feature][0 if present else 1]
    return f"{'with' if present else 'without'} {feature}"


def _simulated(topology: Mapping[str, Any]) -> set[str]:
    found = {f"cgroup-{topology.get('cgroup_mode', 'unknown')}"}
    resctrl = topology.get("resctrl")
    if not isinstance(resctrl, Mapping):
        return found | {"no-rdt"}
    mounted = bool(topology.get("resctrl_mounted"))
    if not (mounted and resctrl.get("cdp")):
        # a cdp mount shows L3CODE and L3DATA in place of L3, as a real host's probe finds
        found.add("cat-l3")
    found.add("resctrl" if mounted else "resctrl-unmounted")
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
