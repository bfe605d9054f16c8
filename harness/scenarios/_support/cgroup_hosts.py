"""The hosts the cgroup manager's rules are checked on (v1, v2, hybrid), and the control files
a container's limits must be read back from there.

Each test asks ``on_host`` for the kind of host it is about: a simulated run boots it whatever
the run's preset is, so a v2 rule is checked on every run; a real run uses this machine when it
is of that kind and skips, naming its cgroup mode, when not.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.machines import OnHost
from harness.scenarios._support.machines import cgroups_are
from harness.spec import tables
from harness.subjects.api import CgroupConfig
from harness.subjects.api import Config

__all__ = [
    "MACHINES",
    "V2",
    "boot",
    "cgroup_config",
    "control_value",
    "kinds",
    "limit_file",
    "read_text",
]

#: the machine each cgroup mode is checked on (harness/hosts/machines.py)
MACHINES = {"v1": "cgroup-v1", "v2": "cgroup-v2", "hybrid": "cgroup-hybrid"}
#: the rule that brings cgroup v2 (runc v1.0.0-rc9): a v2 case runs only where it holds, so
#: never under the seed, which knows cgroup v1 alone
V2 = pytest.mark.needs("CG-V2-APPLY")


def kinds(*names: str) -> list[Any]:
    """The cgroup modes a test is parametrized over, the v2 case marked :data:`V2`."""
    return [pytest.param(k, marks=V2) if k == "v2" else k for k in names]


def boot(on_host: OnHost, kind: str) -> Any:
    """``on_host`` for a host whose cgroups are ``kind``."""
    return on_host(MACHINES[kind], cgroups_are(kind))


def cgroup_config(path: str, *, pid_namespace: bool = True, **limits: int) -> Config:
    """A container in its own cgroup ``path`` with ``limits``, in a private PID namespace
    unless told otherwise."""
    namespaces = ("pid", "mount") if pid_namespace else ("mount",)
    return Config(namespaces=namespaces, cgroups=CgroupConfig(path=path, **limits))


def read_text(path: str) -> str:
    with open(path, encoding="ascii") as f:
        return f.read()


def control_value(path: str) -> str:
    """A control file's value; the file must be the kernel's (kernfs reports st_size 0), not a
    regular file a write with O_CREAT left where the controller's file was missing."""
    __tracebackhide__ = True
    assert os.path.exists(path), f"{path} does not exist: is its controller enabled?"
    assert os.stat(path).st_size == 0, f"{path} is not a kernel control file"
    return read_text(path).strip()


def limit_file(host: Host, kind: str, path: str, limit: str) -> str:
    """Where ``limit`` of the container at ``path`` must land on a host of ``kind``."""
    if kind == "v2":
        return os.path.join(host.cgroup_dir("unified", path), tables.v2_file(limit))
    hierarchy, name = tables.v1_limit_file(limit)
    return os.path.join(host.cgroup_dir(hierarchy, path), name)
