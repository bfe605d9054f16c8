"""The cgroup v1 freezer (reference §2.2): FROZEN/THAWED writes, lazy FREEZING -> FROZEN reads.

A cgroup is *freezing* when it or an ancestor was written FROZEN.  A task in a freezing cgroup is
frozen at once, unless it resists: ``Task.freeze_resist`` is the number of ``freezer.state`` reads
that still find it unfrozen (so a test can observe FREEZING).  A read reports FROZEN only when
every live task of the subtree is frozen; an empty freezing cgroup reads FROZEN at once.  Thawing a
task delivers a fatal signal that was held while it was frozen.
"""

from __future__ import annotations

import errno
import posixpath
from typing import TYPE_CHECKING

from harness.fakes._parse import KernelErrno
from harness.fakes._parse import strim
from harness.fakes.kernfs import ControlFile
from harness.fakes.proc.processes import ProcessTable
from harness.fakes.proc.processes import Task

if TYPE_CHECKING:
    from harness.fakes.cgroup.v1 import CgroupNode
    from harness.fakes.cgroup.v1 import V1Hierarchy

__all__ = ["V1Freezer"]


class V1Freezer:
    """Freezer state of one v1 hierarchy named ``freezer``."""

    def __init__(self, hierarchy: V1Hierarchy, table: ProcessTable) -> None:
        self._hier = hierarchy
        self._table = table

    def freezing(self, path: str) -> bool:
        """True when ``path`` or one of its ancestors is self-freezing."""
        while True:
            node = self._hier.nodes.get(path)
            if node is not None and node.self_freezing:
                return True
            if path == "/":
                return False
            path = posixpath.dirname(path)

    def parent_freezing(self, path: str) -> bool:
        """True when an ancestor (not ``path`` itself) is self-freezing."""
        return path != "/" and self.freezing(posixpath.dirname(path))

    def state(self, path: str) -> str:
        """What a read of ``freezer.state`` shows; the read itself lets resisting tasks yield."""
        if not self.freezing(path):
            return "THAWED"
        pending = [t for t in self._hier.subtree_tasks(path) if not t.frozen]
        for task in pending:
            if task.freeze_resist > 0:
                task.freeze_resist -= 1
            if task.freeze_resist == 0:
                self._table.freeze(task)
        return "FREEZING" if pending else "FROZEN"

    def write_state(self, path: str, payload: bytes) -> None:
        """Write ``freezer.state``: exactly THAWED or FROZEN after ``strstrip``.

        Raises:
            KernelErrno: EINVAL for anything else (FREEZING included).
        """
        text = strim(payload.decode("utf-8", "replace"))
        if text not in ("THAWED", "FROZEN"):
            raise KernelErrno(errno.EINVAL)
        self._hier.nodes[path].self_freezing = text == "FROZEN"
        for task in self._hier.subtree_tasks(path):
            self.task_joined(task)

    def task_joined(self, task: Task) -> None:
        """Re-evaluate ``task`` after it moved or its cgroup's state changed."""
        if self.freezing(task.cgroups.get(self._hier.name, "/")):
            if task.freeze_resist == 0:
                self._table.freeze(task)
        else:
            self._table.thaw(task)

    def control_files(self, node: CgroupNode) -> list[ControlFile]:
        """``freezer.state`` (rw), ``freezer.self_freezing`` and ``freezer.parent_freezing``."""
        path = node.path
        return [
            ControlFile(
                "freezer.state",
                lambda: self.state(path) + "\n",
                lambda payload: self.write_state(path, payload),
            ),
            ControlFile("freezer.self_freezing", lambda: f"{int(node.self_freezing)}\n"),
            ControlFile("freezer.parent_freezing", lambda: f"{int(self.parent_freezing(path))}\n"),
        ]
