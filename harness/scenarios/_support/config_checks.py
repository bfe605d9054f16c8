"""What the config rules share: the skip for a value the runtime's features do not list, the
comparison of a capability set, and a create the spec says must fail.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.proc_texts import capability_names
from harness.scenarios._support.runtime_features import announced
from harness.subjects.command_line import CommandLine
from harness.subjects.oci import ContainerConfig

__all__ = ["capability_mismatch", "created", "require_listed"]


def require_listed(cli: CommandLine, path: str, values: Iterable[str]) -> None:
    """Skip when the runtime's features list ``path`` (``linux.capabilities``,
    ``mountOptions``, ``linux.namespaces``) without every one of ``values``.

    features-linux.md and features.md call such a list what the runtime supports, and its
    absence unknown: a runtime without a features command, or whose document leaves the list
    out, claims nothing unsupported, so the rule runs."""
    document = announced(cli)
    node = document
    for key in path.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, list):
        return
    unlisted = sorted(set(values) - set(node))
    if unlisted:
        pytest.skip(
            f"the runtime's features list {path} without {unlisted}, which the rule's config "
            f"uses: it does not claim to support them"
        )


def capability_mismatch(
    status: dict[str, str], field: str, wanted: tuple[str, ...]
) -> tuple[bool, str]:
    """Whether init's ``field`` (CapBnd, CapEff, ...) of /proc/<pid>/status holds exactly
    ``wanted``, and what differs."""
    mask = status.get(field)
    if mask is None:
        return False, f"init's /proc/1/status has no {field}"
    held = capability_names(mask)
    extra, lacking = sorted(held - set(wanted)), sorted(set(wanted) - held)
    return (
        not extra and not lacking,
        f"init's {field} {mask} lacks {lacking} and holds {extra} beyond the set asked",
    )


def created(cli: CommandLine, host: Host, name: str, fields: dict[str, Any]) -> tuple[bool, str]:
    """Whether create of the container ``name`` made it, from a sleeping container's config
    with ``fields`` replaced (``details``, ``namespaces``, ``oci_version``), and what create
    said.  A container created is deleted."""
    config = dataclasses.replace(ContainerConfig(args=("/bin/sleep", "600")), **fields)
    cid = host.container_id(name)
    result = cli("create", "--bundle", cli.bundle_of(name, config), cid)
    if result.exit_code == 0:
        cli("delete", "--force", cid)
    return result.exit_code == 0, result.describe()
