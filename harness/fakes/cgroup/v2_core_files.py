"""The files of a cgroup2 cgroup: the core ones (``cgroup.*``, ``cpu.stat``) and those of its
enabled controllers, as :meth:`~harness.fakes.cgroup.v2.UnifiedHierarchy.control_files` lists
them to the kernel.

Each core file shows the hierarchy's state and sends a write to the hierarchy's method for it; the
controllers' own files are :mod:`harness.fakes.cgroup.v2_files`', the pressure files
:mod:`harness.fakes.cgroup.v2_psi`'.
"""

from __future__ import annotations

import errno
import posixpath
from collections.abc import Callable
from typing import TYPE_CHECKING

from harness.fakes._parse import INT_MAX
from harness.fakes._parse import KernelErrno
from harness.fakes.cgroup.v2_files import controller_files
from harness.fakes.cgroup.v2_psi import pressure_files
from harness.fakes.cgroup.v2_psi import pressure_switch
from harness.fakes.kernfs import ControlFile

if TYPE_CHECKING:
    from harness.fakes.cgroup.v2 import UnifiedHierarchy

__all__ = ["SUBSYS_ORDER", "cgroup_files"]

#: the kernel's subsystem ids (``cgroup_subsys.h``): the order of ``cgroup.stat``'s lines
SUBSYS_ORDER: tuple[str, ...] = (
    "cpuset", "cpu", "cpuacct", "io", "memory", "devices", "freezer", "net_cls", "perf_event",
    "net_prio", "hugetlb", "pids", "rdma", "misc",
)  # fmt: skip


def _limit_text(value: int) -> str:
    return "max" if value == INT_MAX else str(value)


def cgroup_files(hier: UnifiedHierarchy, path: str) -> list[ControlFile]:
    """The files of cgroup ``path``: the core ones and those of its enabled controllers."""
    files = _core_files(hier, path)
    if hier.kernel_root(path):
        return files
    files += _child_files(hier, path)
    node = hier.nodes[path]
    for name in hier.enabled(path):
        files += controller_files(
            name,
            node.values,
            _effective(hier, path),
            hier.num_cpus,
            lambda: len(hier.subtree_tasks(path)),
        )
    if not hier.swap_files:
        return [f for f in files if not f.name.startswith("memory.swap.")]
    return files


def _core_files(hier: UnifiedHierarchy, path: str) -> list[ControlFile]:
    """The core files every cgroup has, the root included."""
    node = hier.nodes[path]
    return [
        ControlFile(
            "cgroup.procs",
            lambda: _show_procs(hier, path),
            lambda p: hier.attach_text(path, p),
        ),
        ControlFile(
            "cgroup.threads",
            lambda: "".join(f"{t.pid}\n" for t in hier.tasks_in(path)),
            lambda p: hier.attach_text(path, p, threads=True),
        ),
        ControlFile("cgroup.controllers", lambda: " ".join(hier.enabled(path)) + "\n"),
        ControlFile(
            "cgroup.subtree_control",
            lambda: " ".join(hier.ordered(node.subtree_control)) + "\n",
            lambda p: hier.write_subtree_control(path, p),
        ),
        ControlFile(
            "cgroup.max.descendants",
            lambda: _limit_text(node.max_descendants) + "\n",
            lambda p: hier.write_limit(node, "max_descendants", p),
        ),
        ControlFile(
            "cgroup.max.depth",
            lambda: _limit_text(node.max_depth) + "\n",
            lambda p: hier.write_limit(node, "max_depth", p),
        ),
        ControlFile("cgroup.stat", lambda: _stat(hier, path)),
        ControlFile("cpu.stat", lambda: _cpu_stat(hier, path)),
        ControlFile("cpu.stat.local", lambda: _cpu_stat_local(hier, path)),
        pressure_switch(node.values, lambda: hier.changed(path)),
        *pressure_files(node.values),
    ]


def _child_files(hier: UnifiedHierarchy, path: str) -> list[ControlFile]:
    """The core files of every cgroup but the root."""
    node = hier.nodes[path]
    files = [
        ControlFile(
            "cgroup.type",
            lambda: hier.type_text(path) + "\n",
            lambda p: hier.write_type(path, p),
        ),
        ControlFile("cgroup.events", lambda: _events(hier, path)),
        ControlFile(
            "cgroup.freeze",
            lambda: f"{int(node.freeze)}\n",
            lambda p: hier.write_freeze(path, p),
        ),
        ControlFile("cgroup.kill", None, lambda p: hier.write_kill(path, p)),
        ControlFile("cgroup.stat.local", lambda: "frozen_usec 0\n"),
    ]
    missing = {"cgroup.kill": not hier.kill_file, "cgroup.freeze": not hier.freeze_file}
    return [f for f in files if not missing.get(f.name, False)]


def _events(hier: UnifiedHierarchy, path: str) -> str:
    """``cgroup.events``: ``populated``, and ``frozen`` on a kernel with the freezer."""
    text = f"populated {int(hier.populated(path))}\n"
    return text + f"frozen {int(hier.frozen(path))}\n" if hier.freeze_file else text


def _show_procs(hier: UnifiedHierarchy, path: str) -> str:
    if hier.nodes[path].threaded:
        raise KernelErrno(errno.EOPNOTSUPP)
    return "".join(f"{t.pid}\n" for t in hier.tasks_in(path))


def _stat(hier: UnifiedHierarchy, path: str) -> str:
    """``cgroup_stat_show``: descendants, then per subsystem on this hierarchy (in the kernel's
    subsystem order) its live css count in the subtree, 0 without a css here."""
    subtree = [p for p in hier.nodes if hier.in_subtree(path, p)]
    subsystems = [s for s in SUBSYS_ORDER if s in hier.controllers or s in hier.implicit]

    def css_count(name: str) -> int:
        if not _has_css(hier, path, name):
            return 0
        return sum(1 for p in subtree if _has_css(hier, p, name))

    lines = [f"nr_descendants {len(subtree) - 1}"]
    lines += [f"nr_subsys_{name} {css_count(name)}" for name in subsystems]
    lines += ["nr_dying_descendants 0"]
    lines += [f"nr_dying_subsys_{name} 0" for name in subsystems]
    return "\n".join(lines) + "\n"


def _has_css(hier: UnifiedHierarchy, path: str, name: str) -> bool:
    """The root has every subsystem's css, others the implicit and the enabled ones."""
    return hier.kernel_root(path) or name in hier.implicit or name in hier.enabled(path)


def _cpu_stat(hier: UnifiedHierarchy, path: str) -> str:
    """``cpu.stat``, a core file of every cgroup; the cpu controller adds throttling."""
    text = "usage_usec 0\nuser_usec 0\nsystem_usec 0\nnice_usec 0\n"
    if _throttles(hier, path):
        text += "nr_periods 0\nnr_throttled 0\nthrottled_usec 0\nnr_bursts 0\nburst_usec 0\n"
    return text


def _cpu_stat_local(hier: UnifiedHierarchy, path: str) -> str:
    """``cpu.stat.local``: this cgroup's own throttling, empty without the cpu controller."""
    return "throttled_usec 0\n" if _throttles(hier, path) else ""


def _throttles(hier: UnifiedHierarchy, path: str) -> bool:
    """Whether the cpu controller (bandwidth control) acts on ``path``."""
    return not hier.kernel_root(path) and "cpu" in hier.enabled(path)


def _effective(hier: UnifiedHierarchy, path: str) -> Callable[[str], str]:
    """How ``*.effective`` files of ``path`` resolve: own value, else the parent's."""

    def lookup(name: str) -> str:
        current = path
        while not hier.kernel_root(current):
            value = hier.nodes[current].values.get(name, "")
            if value or current == "/":
                return value
            current = posixpath.dirname(current)
        return ""

    return lookup
