"""``features``: what the runtime says it implements, as runtime-spec features.md shapes it.

runc has the command from v1.1.0 (features.go); the seed's 692f6e1 has none.  Only what the
gate reads is said: the ociVersion range (features.md:14-19, REQUIRED), ``linux.cgroup`` (the
cgroup managers, features-linux.md:77-98) and ``linux.intelRdt`` (features-linux.md:229-238),
which runc 1.1.5 leaves out, runc 1.2 fills with ``enabled`` and
the runtime-spec v1.3 profile with ``schemata`` and ``monitoring`` too.
"""

from __future__ import annotations

from typing import Any

from reference_impl.profiles import Profile

__all__ = ["features_document"]

#: the oldest ociVersion every release with ``features`` accepts (runc features.go:33)
OCI_VERSION_MIN = "1.0.0"


def features_document(profile: Profile) -> dict[str, Any] | None:
    """The features ``profile``'s release prints; None when it has no such command."""
    if profile.features_oci_max is None:
        return None
    document: dict[str, Any] = {
        "ociVersionMin": OCI_VERSION_MIN,
        "ociVersionMax": profile.features_oci_max,
    }
    linux: dict[str, Any] = {}
    if profile.features_cgroup:
        linux["cgroup"] = dict.fromkeys(profile.features_cgroup, True)
    if profile.features_intel_rdt:
        linux["intelRdt"] = dict.fromkeys(profile.features_intel_rdt, True)
    if linux:
        document["linux"] = linux
    return document
