"""The runtime-spec releases, and which of a run's rules hold for the ociVersion its bundles
declare: the one place the catalog's ``spec_version``, ``--oci-version`` and a runtime's
``features`` (``ociVersionMax``) are compared.

A rule comes from one release (its ``spec_version``).  A bundle whose config.json declares an
older ociVersion asks the runtime for that older release's semantics, so the rule does not hold
for it: a run whose bundles all declare one version (``--oci-version``) skips the rules of later
releases, and a rule that raises its bundles to its own version needs a runtime whose
``ociVersionMax`` reaches it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = [
    "SPEC_RELEASES",
    "holds_for",
    "newest",
    "pinned_skip_reason",
    "raised_version",
    "reaches",
    "semver_key",
    "unknown_release",
]

#: every runtime-spec release, oldest first, with its date: the tags v1.0.0 to v1.3.0 of
#: github.com/opencontainers/runtime-spec (specs-go/version.go, VersionDev "" at each)
SPEC_RELEASES: dict[str, str] = {
    "1.0.0": "2017-07-12",
    "1.0.1": "2017-10-30",
    "1.0.2": "2020-03-25",
    "1.1.0": "2023-06-28",
    "1.2.0": "2024-01-26",
    "1.2.1": "2025-02-25",
    "1.3.0": "2025-11-02",
}


def unknown_release(value: object) -> str | None:
    """What is wrong with ``value`` as a runtime-spec release, led by "must"; None when it is
    one of :data:`SPEC_RELEASES`."""
    if value in SPEC_RELEASES:
        return None
    return f"must be a runtime-spec release, one of {', '.join(SPEC_RELEASES)} (got {value!r})"


def semver_key(version: Any) -> tuple[int, int, int, int, str] | None:
    """A sort key of the SemVer ``version`` (major, minor, patch, 1 for a release and 0 for a
    pre-release such as 1.0.2-dev, which comes before it, the pre-release); None when it is
    not one.  Pre-releases of one version compare as text, which is enough for an order of
    a release's own tags."""
    if not isinstance(version, str):
        return None
    core, _, pre = version.partition("+")[0].partition("-")
    parts = core.split(".")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        return None
    major, minor, patch = (int(part) for part in parts)
    return (major, minor, patch, 0 if pre else 1, pre)


def reaches(version: Any, wanted: Any) -> bool:
    """Whether the SemVer ``version`` (a pre-release such as 1.0.2-dev counts as below its
    release) is ``wanted`` or later; False when either is not SemVer."""
    mine, goal = semver_key(version), semver_key(wanted)
    return mine is not None and goal is not None and mine >= goal


def holds_for(rule_version: str | None, declared: str) -> bool:
    """Whether a rule of runtime-spec ``rule_version`` holds for a bundle declaring ociVersion
    ``declared``: a rule of no version (the factory API's) always does."""
    return rule_version is None or reaches(declared, rule_version)


def raised_version(rule_version: str | None, declared: str, runtime_max: Any) -> str | None:
    """The ociVersion the bundles of a test of a rule of ``rule_version`` declare: ``declared``
    (the run's) when the rule holds for it, else the rule's own when the runtime's
    ``ociVersionMax`` reaches it; None when neither (the rule cannot be checked)."""
    if holds_for(rule_version, declared):
        return declared
    return rule_version if reaches(runtime_max, rule_version) else None


def newest(versions: Iterable[str | None]) -> str | None:
    """The latest of ``versions`` (Nones left out); None when there is none."""
    known = [v for v in versions if semver_key(v) is not None]
    return max(known, key=semver_key, default=None)  # type: ignore[arg-type, return-value]


def pinned_skip_reason(rules: dict[str, str | None], declared: str) -> str | None:
    """Why a test of ``rules`` (id: spec_version) does not run when every bundle of the run
    declares ``declared`` (``--oci-version``); None when all of them hold for it.  A test of a
    later rule skips whole, even when it checks older rules too: its checks would be read
    against bundles of a version the later rule does not hold for."""
    later = {i: v for i, v in sorted(rules.items()) if not holds_for(v, declared)}
    if not later:
        return None
    wanted = newest(later.values())
    named = ", ".join(f"{i} (runtime-spec v{v})" for i, v in later.items())
    verb = "does" if len(later) == 1 else "do"
    return (
        f"not of this run's spec version: {named} {verb} not hold for ociVersion {declared}, "
        f"which this run's bundles declare (--oci-version {declared}); run with --oci-version "
        f"{wanted} or later to check it"
    )
