"""The intelRdt a rule gives a container when all it needs is a resctrl group the runtime
makes and removes itself, in the form this host and the profile's runtime allow.

A rule about teardown (a group whose removal fails, say) is not about L3 CAT: on a host
mounted with cdp, or with MBA alone, it runs all the same, with the schema that host takes
(:mod:`.rdt_schema`), or with none where a mounted resctrl is all the profile's runtime needs.
"""

from __future__ import annotations

from harness.hosts import Host
from harness.scenarios._support.rdt_schema import resctrl_unavailable
from harness.scenarios._support.rdt_schema import schema_form_or_reason
from harness.scenarios._support.skips import skip_for_host
from harness.spec.resource_tables import rdt_group_without_schema

__all__ = ["FEATURE", "own_group_fields", "own_group_if_any", "resctrl_unavailable"]

#: what the skip calls the feature such a rule lacks
FEATURE = "a resctrl group the runtime makes"


def own_group_fields(host: Host, profile: str) -> dict[str, str]:
    """intelRdt fields (as :class:`~harness.subjects.oci.IntelRdt` and the API's
    ``IntelRdtConfig`` name them) with which ``profile``'s runtime makes a group of its own on
    ``host``, named for the container and removed at its delete: a schema of the first form
    the host takes (:func:`~.rdt_schema.schema_form_or_reason`), else nothing at all where a
    mounted resctrl is enough for the profile
    (:func:`~harness.spec.resource_tables.rdt_group_without_schema`).  Otherwise a skip naming
    what the probes found."""
    fields, reason = _own_group(host, profile)
    if fields is None:
        skip_for_host(FEATURE, reason)
    return fields


def own_group_if_any(host: Host, profile: str) -> dict[str, str] | None:
    """:func:`own_group_fields`, or None where the host has no such group to give."""
    return _own_group(host, profile)[0]


def _own_group(host: Host, profile: str) -> tuple[dict[str, str] | None, str]:
    form, reason = schema_form_or_reason(host, profile)
    if form is not None:
        return form.fields("a"), ""
    unmounted = resctrl_unavailable(host)
    if unmounted is not None or "free CLOSID" in reason:
        return None, reason
    if rdt_group_without_schema(profile):
        return {}, ""
    return None, f"{reason}, and no group without one"
