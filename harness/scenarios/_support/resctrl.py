"""The resctrl side of the scenarios: where a group is, what was written to its schemata,
and containers with an intelRdt configuration."""

from __future__ import annotations

import os
from typing import Any

from harness.hosts import Host
from harness.subjects.api import CgroupConfig
from harness.subjects.api import Config
from harness.subjects.api import IntelRdtConfig
from harness.subjects.base import Factory

RESCTRL = "/sys/fs/resctrl"


def create_with_rdt(factory: Factory, host: Host, name: str, **rdt: Any) -> Any:
    """The container called ``name`` on ``host``, with an intelRdt of ``rdt``, created."""
    cid = host.container_id(name)
    return factory.create(cid, rdt_config(cid, **rdt))


def rdt_config(cid: str, **rdt: Any) -> Config:
    """A config whose cgroup path is ``/<cid>`` and whose intelRdt is ``rdt``."""
    return Config(
        namespaces=("pid", "mount"),
        cgroups=CgroupConfig(path=f"/{cid}"),
        intel_rdt=IntelRdtConfig(**rdt),
    )


def mb_schema(host: Host, value: int) -> str:
    """An MB schema of ``value`` on every cache domain of ``host``."""
    return "MB:" + ";".join(f"{d}={value}" for d in host.l3_domains())


def schemata(group: str) -> dict[str, dict[int, str]]:
    """A group's schemata as {resource: {domain: value}}."""
    with open(os.path.join(RESCTRL, group, "schemata"), encoding="ascii") as f:
        lines = [line.strip() for line in f if line.strip()]
    parsed: dict[str, dict[int, str]] = {}
    for line in lines:
        name, _, rest = line.partition(":")
        items = (item.split("=") for item in rest.split(";") if item)
        parsed[name.strip()] = {int(d): v.strip() for d, v in items}
    return parsed


def schemata_writes(host: Host, group: str) -> list[bytes]:
    """Every write to ``group``'s schemata since boot, in order."""
    path = os.path.join(RESCTRL, group, "schemata")
    return [op.data or b"" for op in host.operations() if op.op == "write" and op.path == path]


def last_cmd_status() -> str:
    """What the kernel says of the last resctrl command."""
    with open(os.path.join(RESCTRL, "info", "last_cmd_status"), encoding="ascii") as f:
        return f.read().strip()
