"""The RDT part of a captured machine: what /proc/cpuinfo, the resctrl mount and its ``info/``
show, read back into a :class:`~harness.fakes.topology.ResctrlTopology`.

Each ``info/`` file maps onto one field (Documentation/arch/x86/resctrl.rst, "Info
directory"); under CDP ``num_closids`` reads halved, so it is doubled back.  Domain ids come
from the default group's ``schemata`` line of each resource, cache sizes from its ``size``
line (``size = cache bytes / cbm length * bits set``, so the size is rounded up to whole KiB).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from harness.hosts.facts import RESCTRL_ROOT
from harness.hosts.facts import cpu_vendor
from harness.hosts.facts import resctrl_mounts

if TYPE_CHECKING:
    from harness.fakes.topology import CacheTopology
    from harness.fakes.topology import MbaTopology
    from harness.fakes.topology import MonitoringTopology
    from harness.fakes.topology import ResctrlTopology

__all__ = ["capture_resctrl"]

#: the default group's lines: schema -> domain -> raw value text
Lines = dict[str, dict[int, str]]


def _read(*parts: str) -> str | None:
    try:
        with open(os.path.join(RESCTRL_ROOT, *parts), encoding="utf-8") as file:
            return file.read().strip()
    except OSError:
        return None


def _lines(name: str) -> Lines:
    """``schemata`` or ``size`` of the default group, parsed (names and values unpadded)."""
    found: Lines = {}
    for line in (_read(name) or "").splitlines():
        schema, _, rest = line.partition(":")
        pairs = [item.partition("=") for item in rest.split(";") if "=" in item]
        found[schema.strip()] = {int(d): v.strip() for d, _, v in pairs}
    return found


def _cache(level: str, cdp: bool, schemata: Lines, sizes: Lines) -> CacheTopology | None:
    """``info/L3`` (``L3DATA`` under CDP) or the L2 equivalent; None when absent."""
    from harness.fakes.topology import CacheTopology

    name = f"{level}DATA" if cdp else level
    mask_text = _read("info", name, "cbm_mask")
    if mask_text is None:
        return None
    mask = int(mask_text, 16)
    closids = int(_read("info", name, "num_closids") or "1") * (2 if cdp else 1)
    domains = schemata.get(name, {})
    size = 0
    for domain, value in domains.items():
        bits = int(value, 16).bit_count()
        if bits and domain in sizes.get(name, {}):
            size = int(sizes[name][domain]) // bits * mask.bit_length()
            break
    return CacheTopology(
        cbm_mask=mask,
        min_cbm_bits=int(_read("info", name, "min_cbm_bits") or "1"),
        num_closids=closids,
        cache_ids=tuple(sorted(domains)),
        shareable_bits=int(_read("info", name, "shareable_bits") or "0", 16),
        cache_bytes=-(-size // 1024) * 1024 if size else CacheTopology().cache_bytes,
        cdp=cdp,
    )


def _mba(options: tuple[str, ...], schemata: Lines, amd: bool) -> MbaTopology | None:
    from harness.fakes.topology import AMD_MAX_MBA_BW
    from harness.fakes.topology import MbaTopology

    closids = _read("info", "MB", "num_closids")
    if closids is None:
        return None
    mbps = "mba_MBps" in options
    values = [int(v) for v in schemata.get("MB", {}).values()]
    top = max(values, default=AMD_MAX_MBA_BW)
    mode = _read("info", "MB", "thread_throttle_mode")
    return MbaTopology(
        bandwidth_gran=int(_read("info", "MB", "bandwidth_gran") or "10"),
        min_bandwidth=int(_read("info", "MB", "min_bandwidth") or "10"),
        delay_linear=_read("info", "MB", "delay_linear") == "1",
        mba_MBps=mbps,
        num_closids=int(closids),
        vendor="amd" if amd else "intel",
        # AMD's limit is every group's default: the default group's largest value
        max_bandwidth=top if amd and not mbps and top != AMD_MAX_MBA_BW else None,
        throttle_mode="per-thread" if mode == "per-thread" else "max",
    )


def _monitoring() -> MonitoringTopology | None:
    from harness.fakes.topology import MonitoringTopology

    rmids = _read("info", "L3_MON", "num_rmids")
    if rmids is None:
        return None
    features = _read("info", "L3_MON", "mon_features") or ""
    return MonitoringTopology(
        num_rmids=int(rmids),
        mon_features=tuple(f for f in features.split() if not f.endswith("_config")),
        max_threshold_occupancy=int(_read("info", "L3_MON", "max_threshold_occupancy") or "0"),
    )


def _unmounted(flags: tuple[str, ...], era: str, amd: bool) -> ResctrlTopology:
    """What the flags alone say: which features, never their sizes."""
    from harness.fakes.topology import CacheTopology
    from harness.fakes.topology import MbaTopology
    from harness.fakes.topology import MonitoringTopology
    from harness.fakes.topology import ResctrlTopology

    l2 = CacheTopology(cdp_capable="cdp_l2" in flags) if "cat_l2" in flags else None
    mba = MbaTopology(vendor="amd" if amd else "intel") if "mba" in flags else None
    mon = MonitoringTopology() if "cqm_llc" in flags else None
    return ResctrlTopology(
        cdp_capable="cdp_l3" in flags,
        l2=l2,
        mba=mba,
        monitoring=mon,
        era=era,  # type: ignore[arg-type]
    )


def capture_resctrl(
    flags: tuple[str, ...], release: str, mounted: bool
) -> tuple[ResctrlTopology | None, bool, list[str]]:
    """(the RDT hardware or None, whether resctrl is mounted, notes on guessed values)."""
    import dataclasses

    from harness.fakes.releases import era_of

    if "cat_l3" not in flags:  # resctrl_mounted is ignored then: keep its default
        return None, True, ["no RDT: /proc/cpuinfo has no cat_l3 flag"]
    era = era_of(release)
    amd = cpu_vendor() == "AuthenticAMD"
    if not mounted:
        note = ("resctrl is not mounted: only the CPU flags were read; every info/ value is a"
                " default, not this CPU's (mount resctrl and capture again)")  # fmt: skip
        return _unmounted(flags, era, amd), False, [note]
    options = tuple(resctrl_mounts()[0].super_options)
    schemata, sizes = _lines("schemata"), _lines("size")
    l3 = _cache("L3", "cdp" in options, schemata, sizes)
    if l3 is None:
        return _unmounted(flags, era, amd), True, ["resctrl is mounted without info/L3"]
    l2 = _cache("L2", "cdpl2" in options, schemata, sizes)
    if l2 is not None:  # a cdpl2 mount implies the capability: the flag says no more
        l2 = dataclasses.replace(l2, cdp_capable="cdp_l2" in flags and not l2.cdp)
    from harness.fakes.topology import ResctrlTopology

    topology = ResctrlTopology(
        cbm_mask=l3.cbm_mask,
        min_cbm_bits=l3.min_cbm_bits,
        num_closids=l3.num_closids,
        cache_ids=l3.cache_ids,
        shareable_bits=l3.shareable_bits,
        l3_cache_bytes=l3.cache_bytes,
        cdp=l3.cdp,
        cdp_capable="cdp_l3" in flags and not l3.cdp,  # a cdp mount implies it
        mba=_mba(options, schemata, amd),
        monitoring=_monitoring(),
        era=era,  # type: ignore[arg-type]
        sparse_masks=_read("info", "L3DATA" if l3.cdp else "L3", "sparse_masks") == "1",
        l2=l2,
    )
    return topology, True, []
