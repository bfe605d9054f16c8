"""What the config rules share: the skip for a value the runtime's features do not list, the
comparison of a capability set, and a create the spec says must fail.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import pytest

from harness.hosts import Host
from harness.scenarios._support.proc_texts import capability_names
from harness.scenarios._support.runtime_features import announced
from harness.subjects.command_line import CommandLine
from harness.subjects.oci import ContainerConfig
from harness.subjects.oci import Namespace
from harness.subjects.oci.details import ConfigDetails

__all__ = ["accepted", "capability_mismatch", "require_listed"]


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


def accepted(
    cli: CommandLine, host: Host, name: str, change: ConfigDetails | tuple[Namespace, ...]
) -> str:
    """What create said of the container ``name`` with ``change`` (details, or its
    namespaces) when it succeeded; "" when it failed, as it must.  A container created
    anyway is deleted."""
    config = ContainerConfig(args=("/bin/sleep", "600"))
    if isinstance(change, ConfigDetails):
        config = dataclasses.replace(config, details=change)
    else:
        config = dataclasses.replace(config, namespaces=change)
    cid = host.container_id(name)
    result = cli("create", "--bundle", cli.bundle_of(name, config), cid)
    if result.exit_code != 0:
        return ""
    cli("delete", "--force", cid)
    return f"create exited 0 and made the container: {result.describe()}"
