"""The intelRdt a rule gives a container when all it needs is a resctrl group the runtime
makes and removes itself, in the form this host and the profile's runtime allow.

A rule about teardown (a group whose removal fails, say) is not about L3 CAT: on a host
mounted with cdp, or with MBA alone, it runs all the same, with the schema that host has,
or with none where a mounted resctrl is all the profile's runtime needs.
"""

from __future__ import annotations

from harness.hosts import Host
from harness.hosts.facts import MOUNTINFO
from harness.hosts.facts import resctrl_mounts
from harness.scenarios._support.rdt_cli import free_closids
from harness.scenarios._support.rdt_cli import mba_usable
from harness.scenarios._support.rdt_cli import valid_mb_schema
from harness.scenarios._support.skips import skip_for_host
from harness.spec.resource_tables import rdt_group_needs

#: what the skip calls the feature such a rule lacks
FEATURE = "a resctrl group the runtime makes"


def own_group_fields(host: Host, profile: str) -> dict[str, str]:
    """intelRdt fields (as :class:`~harness.subjects.oci.IntelRdt` and the API's
    ``IntelRdtConfig`` name them) with which ``profile``'s runtime makes a group of its own on
    ``host``, named for the container and removed at its delete: an ``L3:`` schema where L3
    CAT is usable, else an ``MB:`` schema where MBA is and the profile makes groups with it,
    else nothing at all where a mounted resctrl is enough for the profile
    (:func:`~harness.spec.resource_tables.rdt_group_needs`).  Otherwise a skip naming what
    the probes found."""
    fields, reason = _own_group(host, profile)
    if fields is None:
        skip_for_host(FEATURE, reason)
    return fields


def own_group_if_any(host: Host, profile: str) -> dict[str, str] | None:
    """:func:`own_group_fields`, or None where the host has no such group to give."""
    return _own_group(host, profile)[0]


def _own_group(host: Host, profile: str) -> tuple[dict[str, str] | None, str]:
    needs = rdt_group_needs(profile)
    unmounted = resctrl_unavailable(host)
    if unmounted is not None:
        return None, unmounted
    found: list[str] = []
    l3 = host.rdt_unavailable()
    if l3 is None and _closid_free(found):
        return {"l3_cache_schema": host.l3_schema("f")}, ""
    found.append(l3 or "")
    if not needs or "MB" in needs:
        mb = mba_usable(host)
        if mb is None:
            return {"mem_bw_schema": valid_mb_schema()}, ""
        found.append(mb)
    if not needs and _closid_free(found):
        return {}, ""
    wants = " or ".join(f"info/{name}" for name in needs) or "a free CLOSID"
    said = "; ".join(dict.fromkeys(reason for reason in found if reason))
    where = host.describe()
    said = said if where in said else f"{said} ({where})"
    return None, f"{said}; profile {profile}'s runtime needs {wants}"


def resctrl_unavailable(host: Host) -> str | None:
    """Why ``host`` has no mounted resctrl, or None when it has one (of whatever resources:
    a rule about the paths a runtime finds there needs no more)."""
    if resctrl_mounts():
        return None
    return f"resctrl is not mounted: {MOUNTINFO} has no resctrl line ({host.describe()})"


def _closid_free(found: list[str]) -> bool:
    """Whether a CLOSID is free for one more group; if not, why, added to ``found``."""
    free, groups = free_closids()
    if free < 1:
        found.append(f"resctrl has no free CLOSID for a new group: {groups} groups hold them all")
    return free >= 1
