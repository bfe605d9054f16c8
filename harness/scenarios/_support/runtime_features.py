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

__all__ = ["announced", "require_announced", "require_oci_version"]

#: the ociVersion a bundle declares for a rule of runtime-spec v1.3.0
OCI_VERSION_1_3 = "1.3.0"


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
    node: Any = document
    for key in path.split("."):
        node = node.get(key) if isinstance(node, dict) else None
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


def _reaches(version: Any, wanted: str) -> bool:
    """Whether the SemVer ``version`` (a pre-release such as 1.0.2-dev counts as below its
    release) is ``wanted`` or later."""
    if not isinstance(version, str):
        return False
    core, _, pre = version.partition("-")
    try:
        mine = tuple(int(part) for part in core.split("."))
    except ValueError:
        return False
    goal = tuple(int(part) for part in wanted.split("."))
    return mine > goal or (mine == goal and not pre)
