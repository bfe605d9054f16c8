"""What a runtime says it implements (``<runtime> features``, runtime-spec features.md), and
the rules that hang on it.

A rule of a later runtime-spec field (v1.3.0's ``linux.intelRdt.schemata``) holds a runtime to
it only when the runtime announces the field: one that does not gets the rule as a skip saying
so, one that announces it and then fails it fails the rule.  A runtime without a ``features``
command announces nothing.  Output that is not the JSON object features.md describes is the
runtime's failure, with the command as evidence.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.subjects.command_line import CommandLine

__all__ = [
    "announced",
    "announced_or_skip",
    "features_faults",
    "require_announced",
    "require_oci_version",
]

#: the ociVersion a bundle declares for a rule of runtime-spec v1.3.0
OCI_VERSION_1_3 = "1.3.0"
#: the properties the Features structure may hold, by where they are: the top level
#: (runtime-spec v1.3.0 features.md:14-17, 31, 48, 124, 129, 145), ``linux``
#: (features-linux.md:7, 26, 79, 102, 170, 185, 200, 231, 252, 271) and ``linux.intelRdt``
#: (:234-237); it MUST NOT hold others (features.md:19)
DEFINED: dict[str, frozenset[str]] = {
    "": frozenset({"ociVersionMin", "ociVersionMax", "hooks", "mountOptions", "linux",
                   "annotations", "potentiallyUnsafeConfigAnnotations"}),
    "linux": frozenset({"namespaces", "capabilities", "cgroup", "seccomp", "apparmor",
                        "selinux", "memoryPolicy", "intelRdt", "mountExtensions", "netDevices"}),
    "linux.intelRdt": frozenset({"enabled", "schemata", "monitoring"}),
}  # fmt: skip


def announced(cli: CommandLine) -> dict[str, Any] | None:
    """The runtime's features document; None when it has no ``features`` command (a non-zero
    exit).  Fails the test when the command succeeds with something that is not a JSON
    object."""
    result = cli("features")
    if result.exit_code != 0:
        return None
    try:
        document = json.loads(result.stdout)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        pytest.fail(f"`features` printed no JSON object: {result.describe()}", pytrace=False)
    return document


def announced_or_skip(cli: CommandLine) -> dict[str, Any]:
    """The runtime's features document; a skip saying so when it has no features command
    (a runtime MAY provide one, features.md:3)."""
    document = announced(cli)
    if document is None:
        last = cli.records[-1]
        pytest.skip(
            "the runtime has no features command (a runtime MAY provide one, features.md:3): "
            f"`features` exited {last.exit_code}: {last.stderr_tail.strip()[-200:]}"
        )
    return document


def require_announced(cli: CommandLine, path: str) -> str:
    """Skip unless the runtime's features set ``path`` (``linux.intelRdt.schemata``) true;
    the ociVersion a bundle of the rule then declares: 1.3.0 when the runtime's
    ``ociVersionMax`` reaches it, else the subject's."""
    document = announced(cli)
    if document is None:
        last = cli.records[-1]
        pytest.skip(
            f"the runtime has no features command, so it announces no {path} "
            f"(`features` exited {last.exit_code}: {last.stderr_tail.strip()[-200:]})"
        )
    node = _at(document, path)
    if node is not True:
        pytest.skip(f"the runtime does not announce {path} in its features (it says {node!r})")
    return OCI_VERSION_1_3 if _reaches(document.get("ociVersionMax"), OCI_VERSION_1_3) else ""


def require_oci_version(cli: CommandLine, wanted: str, rule: str) -> str:
    """Skip unless the runtime's features say it accepts ociVersion ``wanted`` (a rule of
    that spec version's semantics with no features key of its own, ``rule`` in words); the
    version its bundles then declare."""
    document = announced(cli)
    highest = None if document is None else document.get("ociVersionMax")
    if not _reaches(highest, wanted):
        said = "has no features command" if document is None else f"says ociVersionMax {highest!r}"
        pytest.skip(f"{rule} is runtime-spec v{wanted}'s, and the runtime {said}")
    return wanted


def features_faults(document: dict[str, Any]) -> list[str]:
    """What in a features ``document`` breaks features.md:14-19: ociVersionMin and
    ociVersionMax are REQUIRED SemVer strings (config.md:17), the max not below the min, and
    no property is one the spec does not define.  Empty when nothing does."""
    faults = []
    versions = {key: document.get(key) for key in ("ociVersionMin", "ociVersionMax")}
    for key, value in versions.items():
        if _semver(value) is None:
            faults.append(f"{key} is {value!r}, not a SemVer string")
    if not faults and not _reaches(versions["ociVersionMax"], versions["ociVersionMin"]):
        faults.append(f"ociVersionMax is below ociVersionMin: {versions}")
    for where, defined in DEFINED.items():
        node = _at(document, where)
        unknown = sorted(set(node) - defined) if isinstance(node, dict) else []
        if unknown:
            faults.append(f"{where or 'its top level'} holds properties not defined: {unknown}")
    return faults


def _at(document: dict[str, Any], path: str) -> Any:
    """The value at the dotted ``path`` of ``document`` (itself for ""); None when absent."""
    node: Any = document
    for key in filter(None, path.split(".")):
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _semver(version: Any) -> tuple[int, int, int, int, str] | None:
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


def _reaches(version: Any, wanted: Any) -> bool:
    """Whether the SemVer ``version`` (a pre-release such as 1.0.2-dev counts as below its
    release) is ``wanted`` or later."""
    mine, goal = _semver(version), _semver(wanted)
    return mine is not None and goal is not None and mine >= goal
