"""What a runtime says it implements (``<runtime> features``, runtime-spec features.md), and
the rules that hang on it.

A rule of a field a runtime MAY claim (``linux.intelRdt.schemata``, a namespace name in
``linux.namespaces``) holds a runtime to it only when the runtime claims it
(:func:`require_claimed`): one that does not gets the rule as a skip saying so, one that claims
it and then fails it fails the rule.  A rule of a later runtime-spec release than the run's
bundles declare raises its bundles to its own release where the runtime's ``ociVersionMax``
reaches it, else skips (:func:`require_oci_version`; the release is the catalog's
``spec_version``, compared in harness/spec/versions.py).  A runtime without a ``features``
command claims nothing.  Output that is not the JSON object features.md describes is the
runtime's failure, with the command as evidence.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.spec.versions import holds_for
from harness.spec.versions import reaches
from harness.spec.versions import semver_key
from harness.subjects.command_line import CommandLine

__all__ = [
    "announced",
    "announced_or_skip",
    "claims",
    "features_faults",
    "require_announced",
    "require_claimed",
    "require_oci_version",
]

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


def claims(document: dict[str, Any], path: str, name: str | None = None) -> bool:
    """Whether a features ``document`` claims field ``path``: with ``name``, a list of names
    there (``linux.namespaces``, ``linux.capabilities``, ``mountOptions``, ``hooks``,
    ``linux.seccomp.actions``) holds it; without, a boolean there (``linux.intelRdt.enabled``,
    ``linux.cgroup.v2``) is true.  An absent or null field claims nothing: features.md:9 lets
    every property but the two versions be left out, which says "unknown", not "no"."""
    node = _at(document, path)
    if name is None:
        return node is True
    return isinstance(node, list) and name in node


def require_claimed(cli: CommandLine, path: str, name: str | None = None) -> dict[str, Any]:
    """Skip the test unless the runtime's ``features`` claims field ``path`` (with ``name``: a
    list of names there holds it; without: a boolean there is true), as :func:`claims` reads
    it; the features document when it does.

    Call it where a rule holds a runtime only to what it claims::

        require_claimed(cli, "linux.namespaces", "user")
        require_claimed(cli, "linux.intelRdt.enabled")

    The skip says what the runtime said instead (no features command, the field absent, its
    value).  Output that is no JSON object fails the test; so does a field of the wrong type
    (a list where a boolean is asked for, or the other way), the runtime's fault too.
    """
    document = announced(cli)
    what = f"{name!r} in {path}" if name is not None else path
    if document is None:
        last = cli.records[-1]
        pytest.skip(
            f"the runtime has no features command, so it claims no {what} "
            f"(`features` exited {last.exit_code}: {last.stderr_tail.strip()[-200:]})"
        )
    node = _at(document, path)
    wrong = (node is not None) and (
        not isinstance(node, list) if name is not None else not isinstance(node, bool)
    )
    if wrong:
        kind = "a list of names" if name is not None else "a boolean"
        pytest.fail(f"`features` says {path} is {node!r}, not {kind} (features.md)", pytrace=False)
    if not claims(document, path, name):
        pytest.skip(f"the runtime's features do not claim {what}: {path} is {node!r}")
    return document


def require_announced(cli: CommandLine, path: str) -> str:
    """Skip unless the runtime's features set ``path`` (``linux.intelRdt.schemata``) true and
    its bundles can declare an ociVersion the test's rules hold for; that version
    (:func:`require_oci_version`)."""
    document = require_claimed(cli, path)
    return _declared(cli, document, path)


def require_oci_version(cli: CommandLine, rule: str) -> str:
    """The ociVersion this test's bundles declare: the run's (``cli.oci_version``) when the
    test's rules hold for it, else the release they come from (``cli.rule_version``, the
    catalog's ``spec_version``) where the runtime's features say ``ociVersionMax`` reaches it;
    else the test skips, saying so (``rule`` in words)."""
    if holds_for(cli.rule_version, cli.oci_version):
        return cli.oci_version
    return _declared(cli, announced(cli), rule)


def _declared(cli: CommandLine, document: dict[str, Any] | None, rule: str) -> str:
    """:func:`require_oci_version` with the features ``document`` read already."""
    wanted = cli.rule_version
    if wanted is None or holds_for(wanted, cli.oci_version):
        return cli.oci_version
    highest = None if document is None else document.get("ociVersionMax")
    if not reaches(highest, wanted):
        said = "has no features command" if document is None else f"says ociVersionMax {highest!r}"
        pytest.skip(
            f"{rule} is runtime-spec v{wanted}'s and the run's bundles declare ociVersion "
            f"{cli.oci_version}; a bundle may declare v{wanted} only where the runtime accepts "
            f"it, and the runtime {said}"
        )
    return wanted


def features_faults(document: dict[str, Any]) -> list[str]:
    """What in a features ``document`` breaks features.md:14-19: ociVersionMin and
    ociVersionMax are REQUIRED SemVer strings (config.md:17), the max not below the min, and
    no property is one the spec does not define.  Empty when nothing does."""
    faults = []
    versions = {key: document.get(key) for key in ("ociVersionMin", "ociVersionMax")}
    for key, value in versions.items():
        if semver_key(value) is None:
            faults.append(f"{key} is {value!r}, not a SemVer string")
    if not faults and not reaches(versions["ociVersionMax"], versions["ociVersionMin"]):
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
