"""What a :class:`~harness.fakes.topology.Topology` may not say: values no machine has.

A hand-edited preset file can hold any number; the simulated kernel trusts its topology, so an
impossible one (an empty cache mask, ``min_cbm_bits`` longer than the mask, an MB minimum above
its maximum, ``mba_MBps`` on a machine that could not mount with it) is refused here, before
anything boots, with one sentence per problem.
"""

from __future__ import annotations

from harness.fakes.topology import CacheTopology
from harness.fakes.topology import MbaTopology
from harness.fakes.topology import MonitoringTopology
from harness.fakes.topology import ResctrlTopology
from harness.fakes.topology import Topology

__all__ = ["MON_EVENTS", "topology_problems"]

#: the events ``info/L3_MON/mon_features`` can list
MON_EVENTS = ("llc_occupancy", "mbm_total_bytes", "mbm_local_bytes")


def topology_problems(topology: Topology) -> list[str]:
    """Every impossible value of ``topology``, as ``<where>: <what>`` sentences (empty: none)."""
    problems = []
    if topology.num_cpus < 1:
        problems.append(f"num_cpus: must be at least 1 (got {topology.num_cpus})")
    if len(set(topology.v1_controllers)) != len(topology.v1_controllers):
        problems.append("v1_controllers: a hierarchy is named twice")
    rdt = topology.resctrl
    if rdt is not None:
        problems += _resctrl(rdt)
    return problems


def _resctrl(rdt: ResctrlTopology) -> list[str]:
    problems = _cache("resctrl", rdt.l3)
    if rdt.l3_cache_bytes < 1:
        problems.append("resctrl.l3_cache_bytes: must be positive")
    if rdt.l2 is not None:
        problems += _cache("resctrl.l2", rdt.l2)
    if rdt.mba is not None:
        problems += _mba(rdt.mba, rdt.monitoring)
    if rdt.monitoring is not None:
        problems += _monitoring(rdt.monitoring)
    return problems


def _cache(where: str, cache: CacheTopology) -> list[str]:
    """A cache level: a contiguous mask from bit 0 (CPUID reports a length), sane sizes."""
    problems = []
    mask = cache.cbm_mask
    if mask < 1 or mask & (mask + 1):
        problems.append(f"{where}.cbm_mask: must be contiguous 1-bits from bit 0 (got {mask:#x})")
    if not 0 <= cache.min_cbm_bits <= cache.cbm_len:
        problems.append(f"{where}.min_cbm_bits: must be 0..{cache.cbm_len} (got "
                        f"{cache.min_cbm_bits})")  # fmt: skip
    if cache.shareable_bits & ~mask:
        problems.append(f"{where}.shareable_bits: must lie inside cbm_mask")
    if cache.num_closids < (2 if cache.cdp else 1):
        problems.append(f"{where}.num_closids: too few (got {cache.num_closids})")
    ids = cache.cache_ids
    if not ids or list(ids) != sorted(set(ids)) or ids[0] < 0:
        problems.append(f"{where}.cache_ids: must be distinct, ascending, non-negative ids")
    if cache.cache_bytes < 1:
        problems.append(f"{where}.cache_bytes: must be positive")
    return problems


def _mba(mba: MbaTopology, mon: MonitoringTopology | None) -> list[str]:
    problems = []
    if mba.bandwidth_gran < 1:
        problems.append("resctrl.mba.bandwidth_gran: must be at least 1")
    if not 0 <= mba.min_bandwidth <= mba.max_bw:
        problems.append(f"resctrl.mba.min_bandwidth: must be 0..{mba.max_bw}")
    if mba.num_closids < 1:
        problems.append("resctrl.mba.num_closids: must be at least 1")
    local = mon is not None and "mbm_local_bytes" in mon.mon_features
    if mba.mba_MBps and not (local and mba.delay_linear):
        problems.append("resctrl.mba.mba_MBps: needs linear delay and mbm_local_bytes monitoring "
                        "(the kernel refuses such a mount)")  # fmt: skip
    return problems


def _monitoring(mon: MonitoringTopology) -> list[str]:
    problems = []
    if mon.num_rmids < 1:
        problems.append("resctrl.monitoring.num_rmids: must be at least 1")
    unknown = [e for e in mon.mon_features if e not in MON_EVENTS]
    if unknown:
        problems.append(f"resctrl.monitoring.mon_features: unknown events {unknown} "
                        f"(known: {', '.join(MON_EVENTS)})")  # fmt: skip
    return problems
