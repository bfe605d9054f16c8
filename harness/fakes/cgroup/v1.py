"""cgroup v1: one hierarchy per controller, its cgroups, control files, attach and rmdir rules.

Semantics are those of reference §2.1–2.3.  A hierarchy is a model only: it validates and
changes state and says which control files a cgroup has (:class:`ControlFile`); the kernel makes
the directories and files in the fake filesystem.  Task membership is stored on the tasks
(``task.cgroups[hierarchy]``).  Only live tasks count (zombies are not listed and do not keep a
cgroup busy).
"""

from __future__ import annotations

import errno
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field

from harness.fakes._parse import PAGE_COUNTER_MAX_BYTES
from harness.fakes._parse import KernelErrno
from harness.fakes._parse import kstrtoul
from harness.fakes._parse import page_counter_memparse
from harness.fakes._parse import strim
from harness.fakes.cgroup.limits import HUGE_PAGE
from harness.fakes.cgroup.limits import parse_pids_max
from harness.fakes.cgroup.limits import task_to_move
from harness.fakes.cgroup.v1_devices import DevicesState
from harness.fakes.cgroup.v1_devices import device_files
from harness.fakes.cgroup.v1_freezer import V1Freezer
from harness.fakes.cgroup.v1_stats import stat_defaults
from harness.fakes.cgroup.v1_stats import stat_files
from harness.fakes.kernfs import ControlFile
from harness.fakes.proc.processes import ProcessTable
from harness.fakes.proc.processes import Task

__all__ = ["CgroupNode", "V1Hierarchy", "parse_cpulist"]

#: memory.limit_in_bytes when unlimited (PAGE_COUNTER_MAX pages, as v1 prints it)
UNLIMITED_BYTES = PAGE_COUNTER_MAX_BYTES
#: hugetlb.2MB.limit_in_bytes when unlimited (PAGE_COUNTER_MAX rounded down to huge pages)
UNLIMITED_HUGE = PAGE_COUNTER_MAX_BYTES // HUGE_PAGE * HUGE_PAGE


@dataclass(slots=True)
class CgroupNode:
    """One cgroup directory of a hierarchy and the values of its plain control files."""

    path: str
    values: dict[str, str] = field(default_factory=dict)
    #: freezer: this cgroup itself was written FROZEN
    self_freezing: bool = False
    #: devices: the default behaviour and exceptions (devices hierarchy only)
    devices: DevicesState | None = None


def _const(text: str) -> Callable[[], str]:
    """A show function for a file whose text never changes."""
    return lambda: text


def parse_cpulist(text: str, limit: int) -> frozenset[int]:
    """``cpulist_parse``: "0-3,8" style; empty means none.

    Raises:
        KernelErrno: EINVAL for malformed lists or ids >= ``limit``.
    """
    text = strim(text)
    ids: set[int] = set()
    if not text:
        return frozenset()
    for part in text.split(","):
        low_s, dash, high_s = part.partition("-")
        if not low_s.isdigit() or (dash and not high_s.isdigit()):
            raise KernelErrno(errno.EINVAL)
        low = int(low_s)
        high = int(high_s) if dash else low
        if low > high or high >= limit:
            raise KernelErrno(errno.EINVAL)
        ids.update(range(low, high + 1))
    return frozenset(ids)


def format_cpulist(ids: frozenset[int]) -> str:
    """``%*pbl``: ascending ranges, "0-1,3"."""
    runs: list[str] = []
    for i in sorted(ids):
        if runs and runs[-1].split("-")[-1] == str(i - 1):
            runs[-1] = f"{runs[-1].split('-')[0]}-{i}"
        else:
            runs.append(str(i))
    return ",".join(runs)


class V1Hierarchy:
    """A v1 hierarchy with one controller, mounted at ``mount``."""

    def __init__(
        self,
        name: str,
        hierarchy_id: int,
        mount: str,
        table: ProcessTable,
        num_cpus: int,
        bfq: bool = True,
        swap_files: bool = True,
    ) -> None:
        self.name = name
        self.hierarchy_id = hierarchy_id
        self.mount = mount
        self._table = table
        self._num_cpus = num_cpus
        self._bfq = bfq
        #: whether memory groups have the memory.memsw.* files (swap accounting)
        self._swap_files = swap_files
        self.nodes: dict[str, CgroupNode] = {}
        self.freezer: V1Freezer | None = V1Freezer(self, table) if name == "freezer" else None
        self.nodes["/"] = self._new_node("/")

    # -- topology ---------------------------------------------------------------------------
    def children(self, path: str) -> list[str]:
        """Direct child cgroups of ``path``."""
        return [p for p in self.nodes if p != "/" and posixpath.dirname(p) == path]

    def in_subtree(self, path: str, member: str) -> bool:
        """True when cgroup ``member`` is ``path`` or below it."""
        return path == "/" or member == path or member.startswith(path + "/")

    def tasks_in(self, path: str) -> list[Task]:
        """Live tasks whose cgroup in this hierarchy is exactly ``path``."""
        return [t for t in self._table.live() if t.cgroups.get(self.name) == path]

    def subtree_tasks(self, path: str) -> list[Task]:
        """Live tasks in ``path`` or any cgroup below it."""
        return [
            t for t in self._table.live() if self.in_subtree(path, t.cgroups.get(self.name, "/"))
        ]

    # -- directories ------------------------------------------------------------------------
    def mkdir(self, path: str) -> CgroupNode:
        """Create cgroup ``path`` (its parent exists, the name is new).

        Raises:
            KernelErrno: EINVAL for a name with a newline.
        """
        if "\n" in posixpath.basename(path):
            raise KernelErrno(errno.EINVAL)
        node = self._new_node(path)
        self.nodes[path] = node
        return node

    def rmdir(self, path: str) -> None:
        """Remove cgroup ``path``.

        Raises:
            KernelErrno: EBUSY while a live task is in it or it has child cgroups.
        """
        if self.children(path) or self.tasks_in(path):
            raise KernelErrno(errno.EBUSY)
        del self.nodes[path]

    def charge_fork(self, path: str) -> None:
        """``pids_can_fork`` for a task forking in cgroup ``path``: a pids hierarchy refuses
        when the child would exceed ``pids.max`` there or above; the forking task's cgroup
        counts a ``max`` event in ``pids.events``.

        Raises:
            KernelErrno: EAGAIN over a limit.
        """
        if self.name != "pids":
            return
        current = path
        while current != "/":
            limit = self.nodes[current].values["pids.max"]
            if limit != "max" and len(self.subtree_tasks(current)) >= int(limit):
                values = self.nodes[path].values
                values["pids.events.max"] = str(int(values.get("pids.events.max", "0")) + 1)
                raise KernelErrno(errno.EAGAIN)
            current = posixpath.dirname(current)

    def rename(self, old: str, new: str) -> None:
        """``cgroup1_rename`` within the parent: the cgroup, its subtree and its tasks follow.

        Raises:
            KernelErrno: EINVAL for a new name with a newline.
        """
        if "\n" in posixpath.basename(new):
            raise KernelErrno(errno.EINVAL)

        def moved(path: str) -> str:
            return new + path[len(old) :] if path == old or path.startswith(old + "/") else path

        self.nodes = {moved(p): n for p, n in self.nodes.items()}
        for path, node in self.nodes.items():
            node.path = path
        for task in self._table.tasks():
            if self.name in task.cgroups:
                task.cgroups[self.name] = moved(task.cgroups[self.name])

    # -- attach -----------------------------------------------------------------------------
    def attach_text(self, path: str, payload: bytes) -> None:
        """A write to ``cgroup.procs`` or ``tasks``: one pid, ``kstrtoint(strstrip(buf), 0)``.

        pid 0 means the writer, which the simulation does not model: the write succeeds and
        moves nothing.  A zombie is found but not moved (the kernel skips exiting tasks).

        Raises:
            KernelErrno: EINVAL for garbage, several pids or a negative pid; ESRCH for no such
                pid; ENOSPC when the cpuset has no CPUs or memory nodes.
        """
        task = task_to_move(self._table, payload)
        if task is None:
            return
        self.attach(task, path)

    def attach(self, task: Task, path: str) -> None:
        """Move ``task`` into cgroup ``path`` of this hierarchy.

        Raises:
            KernelErrno: ENODEV for a removed cgroup; ENOSPC for a cpuset without CPUs/mems.
        """
        node = self.nodes.get(path)
        if node is None:
            raise KernelErrno(errno.ENODEV)
        cpuset = self.name == "cpuset" and path != "/"
        if cpuset and not (node.values["cpuset.cpus"] and node.values["cpuset.mems"]):
            raise KernelErrno(errno.ENOSPC)
        task.cgroups[self.name] = path
        if self.freezer is not None:
            self.freezer.task_joined(task)

    # -- control files ----------------------------------------------------------------------
    def control_files(self, path: str) -> list[ControlFile]:
        """The control files of cgroup ``path``, in the order ``ls`` would not care about."""
        node = self.nodes[path]
        root = path == "/"
        files = [
            ControlFile("cgroup.procs", lambda: self._show_pids(path), self._attach_to(path)),
            ControlFile("tasks", lambda: self._show_pids(path), self._attach_to(path)),
            self._flag(node, "cgroup.clone_children"),
            self._flag(node, "notify_on_release"),
        ]
        if root:
            files.append(ControlFile("cgroup.sane_behavior", lambda: "0\n"))
            files.append(self._text(node, "release_agent"))
        files.extend(self._controller_files(node, root))
        return files

    def _new_node(self, path: str) -> CgroupNode:
        node = CgroupNode(path)
        parent = self.nodes.get(posixpath.dirname(path)) if path != "/" else None
        # cgroup_create: both flags are inherited from the parent
        for flag in ("cgroup.clone_children", "notify_on_release"):
            node.values[flag] = parent.values[flag] if parent is not None else "0"
        node.values["release_agent"] = ""
        clone = parent is not None and parent.values["cgroup.clone_children"] == "1"
        everything = format_cpulist(frozenset(range(self._num_cpus)))
        defaults = {
            "cpu": {"cpu.shares": "1024", "cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "-1"},
            "cpuset": {
                "cpuset.cpus": everything if parent is None else "",
                "cpuset.mems": "0" if parent is None else "",
            },
            "memory": {"memory.limit_in_bytes": str(UNLIMITED_BYTES)},
            "pids": {"pids.max": "max"},
            "hugetlb": {"hugetlb.2MB.limit_in_bytes": str(UNLIMITED_HUGE)},
        }.get(self.name, {})
        node.values.update(defaults)
        node.values.update(stat_defaults(self.name, parent is None))
        if self.name == "devices":
            node.devices = parent.devices.copy() if parent and parent.devices else DevicesState()
        if clone and parent is not None and self.name == "cpuset":
            node.values["cpuset.cpus"] = parent.values["cpuset.cpus"]
            node.values["cpuset.mems"] = parent.values["cpuset.mems"]
        return node

    def _show_pids(self, path: str) -> str:
        return "".join(f"{t.pid}\n" for t in self.tasks_in(path))

    def _attach_to(self, path: str) -> Callable[[bytes], None]:
        return lambda payload: self.attach_text(path, payload)

    def _flag(self, node: CgroupNode, name: str) -> ControlFile:
        def store(payload: bytes) -> None:
            value = kstrtoul(strim(payload.decode("utf-8", "replace")), 0)
            node.values[name] = "1" if value else "0"

        return ControlFile(name, lambda: node.values[name] + "\n", store)

    def _text(self, node: CgroupNode, name: str) -> ControlFile:
        def store(payload: bytes) -> None:
            node.values[name] = strim(payload.decode("utf-8", "replace"))

        return ControlFile(name, lambda: node.values[name] + "\n", store)

    def _int_file(
        self, node: CgroupNode, name: str, check: Callable[[int], int] | None = None
    ) -> ControlFile:
        """A signed integer value; ``check`` validates (raising EINVAL) and may clamp."""

        def store(payload: bytes) -> None:
            text = strim(payload.decode("utf-8", "replace"))
            negative = text.startswith("-")
            magnitude = kstrtoul(text[1:] if negative else text, 0)
            value = -magnitude if negative else magnitude
            node.values[name] = str(check(value) if check is not None else value)

        return ControlFile(name, lambda: node.values[name] + "\n", store)

    def _controller_files(self, node: CgroupNode, root: bool) -> list[ControlFile]:
        extra = stat_files(self.name, node.values, root, self._num_cpus, swap=self._swap_files)
        if not self._bfq:  # BFQ's blkcg policy is not registered: none of its files
            extra = [f for f in extra if not f.name.startswith("blkio.bfq.")]
        return self._modelled_files(node, root) + extra

    def _modelled_files(self, node: CgroupNode, root: bool) -> list[ControlFile]:
        values = node.values
        if self.name == "freezer" and self.freezer is not None and not root:
            return self.freezer.control_files(node)
        if self.name == "pids":
            return self._pids_files(node, root)
        if self.name == "cpu":
            return [
                self._int_file(node, "cpu.shares", lambda v: max(2, min(v, 262144))),
                self._int_file(
                    node, "cpu.cfs_period_us", lambda v: self._bandwidth(node, v, False)
                ),
                self._int_file(node, "cpu.cfs_quota_us", lambda v: self._bandwidth(node, v, True)),
            ]
        if self.name == "cpuacct":
            return [
                ControlFile("cpuacct.usage", _const("0\n")),
                ControlFile("cpuacct.stat", _const("user 0\nsystem 0\n")),
            ]
        if self.name == "cpuset":
            return self._cpuset_files(node)
        if self.name == "memory":
            return [
                ControlFile(
                    "memory.limit_in_bytes",
                    lambda: values["memory.limit_in_bytes"] + "\n",
                    lambda p: self._store_memory_limit(node, root, p),
                ),
                ControlFile("memory.usage_in_bytes", _const("0\n")),
            ]
        if self.name == "devices":
            assert node.devices is not None
            above = None if root else self.nodes[posixpath.dirname(node.path)].devices
            return device_files(node.devices, above, lambda: bool(self.children(node.path)))
        if self.name == "hugetlb":
            return [
                ControlFile(
                    "hugetlb.2MB.limit_in_bytes",
                    lambda: values["hugetlb.2MB.limit_in_bytes"] + "\n",
                    lambda p: self._store_hugetlb_limit(node, root, p),
                ),
                ControlFile("hugetlb.2MB.usage_in_bytes", _const("0\n")),
            ]
        return []

    def _pids_files(self, node: CgroupNode, root: bool) -> list[ControlFile]:
        if root:
            return []  # pids' cftypes are all CFTYPE_NOT_ON_ROOT
        values = node.values
        return [
            ControlFile("pids.current", lambda: f"{len(self.subtree_tasks(node.path))}\n"),
            ControlFile("pids.events", lambda: f"max {values.get('pids.events.max', '0')}\n"),
            ControlFile(
                "pids.max",
                lambda: values["pids.max"] + "\n",
                lambda p: self._store_pids_max(node, p),
            ),
        ]

    def _cpuset_files(self, node: CgroupNode) -> list[ControlFile]:
        values = node.values
        return [
            ControlFile(
                "cpuset.cpus",
                lambda: values["cpuset.cpus"] + "\n",
                lambda p: self._store_cpuset(node, "cpuset.cpus", p, self._num_cpus),
            ),
            ControlFile(
                "cpuset.mems",
                lambda: values["cpuset.mems"] + "\n",
                lambda p: self._store_cpuset(node, "cpuset.mems", p, 1),
            ),
        ]

    # -- validators -------------------------------------------------------------------------
    def _bandwidth(self, node: CgroupNode, value: int, quota: bool) -> int:
        """A cfs period or quota write: the value's own bounds, then ``__cfs_schedulable``:
        in v1 no cgroup may get a larger quota/period ratio than its nearest limited ancestor
        (EINVAL), whether the change is to the child or to the ancestor."""
        value = self._cfs(node.path == "/", value, quota)

        def ratio(path: str) -> int | None:
            values = self.nodes[path].values
            runtime = value if path == node.path and quota else int(values["cpu.cfs_quota_us"])
            period = value if path == node.path and not quota else int(values["cpu.cfs_period_us"])
            return None if runtime < 0 else (runtime << 20) // period

        effective: dict[str, int | None] = {"/": None}
        for path in sorted((p for p in self.nodes if p != "/"), key=lambda p: p.count("/")):
            own, above = ratio(path), effective[posixpath.dirname(path)]
            if own is not None and above is not None and own > above:
                raise KernelErrno(errno.EINVAL)
            effective[path] = above if own is None else own
        return value

    @staticmethod
    def _cfs(root: bool, value: int, quota: bool) -> int:
        """cfs period 1 ms..1 s; quota -1 or >= 1 ms; nothing on the root (reference §2.3)."""
        if root:
            raise KernelErrno(errno.EINVAL)
        if quota:
            if value < 0:
                return -1
            if value < 1000:
                raise KernelErrno(errno.EINVAL)
            return value
        if not 1000 <= value <= 1_000_000:
            raise KernelErrno(errno.EINVAL)
        return value

    @staticmethod
    def _store_pids_max(node: CgroupNode, payload: bytes) -> None:
        """``max`` or 0 <= n < PIDS_MAX (``pids_max_write``)."""
        limit = parse_pids_max(payload)
        node.values["pids.max"] = "max" if limit is None else str(limit)

    def _store_cpuset(self, node: CgroupNode, name: str, payload: bytes, limit: int) -> None:
        """A cpu/mem list that must lie within the parent's; the root's is read-only (EACCES)."""
        if node.path == "/":
            raise KernelErrno(errno.EACCES)
        ids = parse_cpulist(payload.decode("utf-8", "replace"), limit)
        parent = self.nodes[posixpath.dirname(node.path)]
        allowed = parse_cpulist(parent.values[name], limit)
        if not ids <= allowed:
            raise KernelErrno(errno.EINVAL)
        node.values[name] = format_cpulist(ids)

    def _store_memory_limit(self, node: CgroupNode, root: bool, payload: bytes) -> None:
        """``mem_cgroup_write``: ``-1`` or a ``memparse`` size rounded down to pages; the root
        has no limit to set (EINVAL), and with swap accounted no limit may exceed
        memory+swap's (``mem_cgroup_resize_max``: EINVAL)."""
        if root:
            raise KernelErrno(errno.EINVAL)
        limit = page_counter_memparse(strim(payload.decode("utf-8", "replace")), "-1")
        value = UNLIMITED_BYTES if limit is None else limit
        if self._swap_files and value > int(node.values["memory.memsw.limit_in_bytes"]):
            raise KernelErrno(errno.EINVAL)
        node.values["memory.limit_in_bytes"] = str(value)

    @staticmethod
    def _store_hugetlb_limit(node: CgroupNode, root: bool, payload: bytes) -> None:
        """``hugetlb_cgroup_write``: like memory, rounded down to whole huge pages; not on the
        root (EINVAL)."""
        if root:
            raise KernelErrno(errno.EINVAL)
        limit = page_counter_memparse(strim(payload.decode("utf-8", "replace")), "-1")
        value = UNLIMITED_HUGE if limit is None else limit // HUGE_PAGE * HUGE_PAGE
        node.values["hugetlb.2MB.limit_in_bytes"] = str(value)
