"""Cgroup layout checks and the cgroup queries the harness asks the simulated kernel.

:class:`CgroupQueries` is a mixin of :class:`~harness.fakes.kernel.SimulatedKernel`: it finds a
hierarchy by controller name (v1 by name, "unified" or any controller of the cgroup2 root for
the unified hierarchy) and answers "who is where" without going through files.
"""

from __future__ import annotations

import errno
import posixpath
from collections.abc import Callable
from typing import NoReturn

from harness.errors import FakeKernelError
from harness.fakes._parse import KernelErrno
from harness.fakes.cgroup.v1 import V1Hierarchy
from harness.fakes.cgroup.v2 import UNIFIED
from harness.fakes.cgroup.v2 import UnifiedHierarchy
from harness.fakes.proc.processes import ProcessTable
from harness.fakes.topology import V1_TO_V2
from harness.fakes.topology import V2_CONTROLLERS
from harness.fakes.topology import Topology

__all__ = ["Cgroups", "CgroupQueries", "check_cgroup_layout"]

Cgroups = V1Hierarchy | UnifiedHierarchy


def check_cgroup_layout(topology: Topology) -> None:
    """Refuse a layout no kernel can have: a controller bound to two hierarchies, a hierarchy
    mounted twice, or a controller cgroup2 does not know.

    Raises:
        FakeKernelError: naming the offending controller.
    """
    v1 = topology.v1_hierarchies
    for name in v1:
        if v1.count(name) > 1:
            raise FakeKernelError(f"v1 hierarchy {name!r} is listed twice in v1_controllers")
    unified = topology.unified_controllers or ()
    for name in unified:
        if name not in V2_CONTROLLERS:
            raise FakeKernelError(
                f"'v2_controllers' must be in {list(V2_CONTROLLERS)!r} (got {name!r})"
            )
    bound = {V1_TO_V2.get(name, name) for name in v1}
    for name in unified:
        if name in bound:
            raise FakeKernelError(
                f"controller {name!r} is bound to a v1 hierarchy and to the unified one"
            )


class CgroupQueries:
    """Harness-side cgroup helpers; the kernel provides the attributes below."""

    hierarchies: dict[str, V1Hierarchy]
    unified: UnifiedHierarchy | None
    _table: ProcessTable
    #: raises the errno as an OSError through the fake filesystem
    _os_error: Callable[[KernelErrno], NoReturn]

    def _hierarchy(self, controller: str) -> Cgroups:
        """The hierarchy ``controller`` names: a v1 one ("cpu", "name=systemd"), or the unified
        one for "unified" and for any controller the unified root has."""
        hier = self.hierarchies.get(controller)
        if hier is not None:
            return hier
        unified = self.unified
        if unified is not None and (controller == UNIFIED or controller in unified.controllers):
            return unified
        names = sorted(self.hierarchies) + ([UNIFIED] if unified is not None else [])
        raise FakeKernelError(f"'controller' must be in {names!r} (got {controller!r})")

    @staticmethod
    def _rel(path: str) -> str:
        return posixpath.normpath("/" + path.strip("/"))

    def move_to_cgroup(self, pid: int, controller: str, path: str) -> None:
        """What a write of ``pid`` to ``cgroup.procs`` of ``path`` in the hierarchy of
        ``controller`` does ("unified" or a v2 controller name: the cgroup2 hierarchy).

        Raises:
            OSError: ESRCH for no such live pid, ENODEV for no such cgroup, ENOSPC for an empty
                v1 cpuset, EBUSY/EOPNOTSUPP for a cgroup2 destination that cannot take it.
        """
        hier = self._hierarchy(controller)
        task = self._table.get(pid)
        try:
            if task is None or task.zombie:
                raise KernelErrno(errno.ESRCH)
            hier.attach(task, self._rel(path))
        except KernelErrno as err:
            self._os_error(err)

    def cgroup_pids(self, controller: str, path: str) -> list[int]:
        """Live pids in exactly that cgroup of ``controller``'s hierarchy."""
        return [t.pid for t in self._hierarchy(controller).tasks_in(self._rel(path))]

    def cgroup_of(self, pid: int, controller: str) -> str:
        """The cgroup path of ``pid`` in ``controller``'s hierarchy (as /proc/<pid>/cgroup).

        Raises:
            FakeKernelError: for no such process or hierarchy.
        """
        hier = self._hierarchy(controller)
        task = self._table.get(pid)
        if task is None:
            raise FakeKernelError(f"no process {pid}")
        return task.cgroups.get(hier.name, "/")

    def cgroup_subtree_pids(self, controller: str, path: str) -> list[int]:
        """Live pids in that cgroup or below it (what keeps it populated)."""
        hier = self._hierarchy(controller)
        return [t.pid for t in hier.subtree_tasks(self._rel(path))]
