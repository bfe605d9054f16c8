"""The cgroup probes: v1 (every hierarchy, plus freezer, memory and pids specifics) and v2.

Each probe works only in groups it asked the context for, with processes the context spawned for
it, and records every kernel answer.  Facts probed are those of reference §1.14, §2.1–2.4.
"""

from __future__ import annotations

from collections.abc import Iterator

from harness.fidelity._cgroup_common import COMMON
from harness.fidelity._cgroup_common import ProbeFn
from harness.fidelity._cgroup_common import move_by_tasks
from harness.fidelity._cgroup_common import read_only_probe
from harness.fidelity._cgroup_v1 import V1_EXTRA
from harness.fidelity._cgroup_v2 import V2_EXTRA
from harness.fidelity._model import Family
from harness.fidelity._model import Probe

__all__ = ["V1_READ_ONLY", "v1_probes", "v2_probes"]


#: a file each v1 hierarchy has in every non-root group that has no write permission
V1_READ_ONLY: dict[str, str] = {
    "cpu": "cpu.stat",
    "cpuacct": "cpuacct.stat",
    "cpuset": "cpuset.effective_cpus",
    "memory": "memory.usage_in_bytes",
    "devices": "devices.list",
    "freezer": "freezer.self_freezing",
    "blkio": "blkio.throttle.io_serviced",
    "pids": "pids.current",
    "hugetlb": "hugetlb.2MB.usage_in_bytes",
}


def _probe(name: str, family: Family, mount: str, fn: ProbeFn) -> Probe:
    summary = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
    return Probe(name, family, mount, fn, summary)


def v1_probes(hierarchy: str, mount: str) -> Iterator[Probe]:
    """The probes of one v1 hierarchy (``hierarchy`` as in /proc/self/cgroup, e.g. "memory"
    or "name=systemd")."""
    label = hierarchy.removeprefix("name=")
    for suffix, fn in (*COMMON, ("move-by-tasks", move_by_tasks)):
        yield _probe(f"v1.{label}.{suffix}", "cgroup-v1", mount, fn)
    read_only = V1_READ_ONLY.get(hierarchy)
    if read_only is not None:
        probe = read_only_probe(read_only)
        yield _probe(f"v1.{label}.write-read-only-file", "cgroup-v1", mount, probe)
    for suffix, fn in V1_EXTRA.get(hierarchy, ()):
        yield _probe(f"v1.{label}.{suffix}", "cgroup-v1", mount, fn)


def v2_probes(mount: str) -> Iterator[Probe]:
    """The probes of the unified hierarchy mounted at ``mount``."""
    for suffix, fn in (*COMMON, ("write-read-only-file", read_only_probe("cgroup.events"))):
        yield _probe(f"v2.{suffix}", "cgroup-v2", mount, fn)
    for suffix, fn in V2_EXTRA:
        yield _probe(f"v2.{suffix}", "cgroup-v2", mount, fn)
