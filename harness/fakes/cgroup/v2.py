"""cgroup v2: the unified hierarchy's cgroups, attach, freeze, kill and rmdir rules.

Semantics are those of reference §2.4 and ``Documentation/admin-guide/cgroup-v2.rst``.  Like
:class:`~harness.fakes.cgroup.v1.V1Hierarchy` this is a model only: it validates and changes
state and says which control files a cgroup has; the kernel makes directories and files, and
re-syncs a child's files when its parent's ``cgroup.subtree_control`` changes (``on_change``).
Task membership is stored on the task under :data:`UNIFIED`.  The files of a cgroup (core and
controller ones) are listed by :mod:`harness.fakes.cgroup.v2_core_files`.
"""

from __future__ import annotations

import errno
import posixpath
import signal
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field

from harness.fakes._parse import INT_MAX
from harness.fakes._parse import KernelErrno
from harness.fakes._parse import kstrtoint
from harness.fakes._parse import strim
from harness.fakes.cgroup.limits import task_to_move
from harness.fakes.cgroup.v2_core_files import cgroup_files
from harness.fakes.cgroup.v2_files import default_values
from harness.fakes.kernfs import ControlFile
from harness.fakes.proc.processes import ProcessTable
from harness.fakes.proc.processes import Task
from harness.fakes.topology import V2_CONTROLLERS

__all__ = ["THREADED_CONTROLLERS", "UNIFIED", "UnifiedHierarchy", "V2Node"]

#: the key of the unified hierarchy in ``Task.cgroups``
UNIFIED = "unified"
#: controllers that work inside threaded subtrees (and are exempt from no-internal-process)
THREADED_CONTROLLERS: frozenset[str] = frozenset({"cpu", "cpuset", "pids"})
#: names the kernel knows but cgroup2 refuses to enable (no v2 interface): EINVAL, not ENOENT
_ALL_KNOWN: frozenset[str] = frozenset(V2_CONTROLLERS) | {"rdma", "misc"}


@dataclass(slots=True)
class V2Node:
    """One cgroup of the unified hierarchy."""

    path: str
    subtree_control: set[str] = field(default_factory=set)
    #: ``cgroup.freeze`` as written to this cgroup
    freeze: bool = False
    #: written ``threaded`` to ``cgroup.type`` (one way)
    threaded: bool = False
    max_descendants: int = INT_MAX
    max_depth: int = INT_MAX
    #: controller interface file values by file name
    values: dict[str, str] = field(default_factory=dict)


def _text(payload: bytes) -> str:
    return payload.decode("utf-8", "replace")


def _limit_text(value: int) -> str:
    return "max" if value == INT_MAX else str(value)


class UnifiedHierarchy:
    """The cgroup2 hierarchy mounted at ``mount`` with ``controllers`` at its root."""

    hierarchy_id = 0
    name = UNIFIED

    def __init__(
        self,
        mount: str,
        controllers: tuple[str, ...],
        table: ProcessTable,
        num_cpus: int,
        on_change: Callable[[str], None] | None = None,
        implicit: tuple[str, ...] = (),
        kill_file: bool = True,
        freeze_file: bool = True,
        swap_files: bool = True,
        namespaced: bool = False,
    ) -> None:
        self.mount = mount
        #: the mount's root is not the kernel's root cgroup but a cgroup namespace's (a
        #: container's): it is neither mixable nor exempt, and has the files of a non-root
        #: cgroup, ``cgroup.type`` among them
        self.namespaced = namespaced
        #: whether groups have ``cgroup.kill`` (Linux >= 5.14)
        self.kill_file = kill_file
        #: whether groups have ``cgroup.freeze`` and a ``frozen`` event (Linux >= 5.2)
        self.freeze_file = freeze_file
        #: whether memory groups have the memory.swap.* files (swap accounting)
        self.swap_files = swap_files
        #: controllers every cgroup has a css of without enabling them (``perf_event``)
        self.implicit = implicit
        #: the root's ``cgroup.controllers``, in the kernel's order
        self.controllers = tuple(c for c in V2_CONTROLLERS if c in controllers)
        self._table = table
        #: CPUs of the host (``cpuset.cpus.effective`` of the root)
        self.num_cpus = num_cpus
        #: called with the path of a cgroup whose set of control files changed
        self.on_change = on_change
        self.nodes: dict[str, V2Node] = {
            "/": V2Node("/", values=default_values() if namespaced else {})
        }

    # -- topology ---------------------------------------------------------------------------
    def ordered(self, names: set[str] | frozenset[str]) -> list[str]:
        """``names`` in the kernel's order of the root's controllers."""
        return [c for c in self.controllers if c in names]

    def _parent(self, path: str) -> V2Node | None:
        return None if path == "/" else self.nodes[posixpath.dirname(path)]

    def children(self, path: str) -> list[str]:
        """Direct child cgroups of ``path``."""
        return [p for p in self.nodes if p != "/" and posixpath.dirname(p) == path]

    def in_subtree(self, path: str, member: str) -> bool:
        """Whether cgroup ``member`` is ``path`` or below it."""
        return path == "/" or member == path or member.startswith(path + "/")

    def tasks_in(self, path: str) -> list[Task]:
        """Live tasks whose unified cgroup is exactly ``path``."""
        return [t for t in self._table.live() if t.cgroups.get(UNIFIED) == path]

    def subtree_tasks(self, path: str) -> list[Task]:
        """Live tasks in ``path`` or below."""
        return [t for t in self._table.live() if self.in_subtree(path, t.cgroups.get(UNIFIED, "/"))]

    def populated(self, path: str) -> bool:
        """``populated`` of ``cgroup.events``: a live task in the cgroup or a descendant."""
        return bool(self.subtree_tasks(path))

    def enabled(self, path: str) -> list[str]:
        """``cgroup.controllers`` of ``path``: what its parent distributes (threaded: only the
        threaded controllers)."""
        parent = self._parent(path)
        names = set(self.controllers) if parent is None else set(parent.subtree_control)
        if self.nodes[path].threaded:
            names &= THREADED_CONTROLLERS
        return self.ordered(names)

    def kernel_root(self, path: str) -> bool:
        """Whether ``path`` is the kernel's root cgroup (``!cgroup_parent``): the mount's root
        unless the hierarchy was mounted inside a cgroup namespace."""
        return path == "/" and not self.namespaced

    # -- thread mode (cgroup_is_valid_domain & co.) -----------------------------------------
    def _thread_root(self, path: str) -> bool:
        return not self.nodes[path].threaded and any(
            self.nodes[c].threaded for c in self.children(path)
        )

    def _valid_domain(self, path: str) -> bool:
        if self.nodes[path].threaded:
            return False
        while path != "/":
            path = posixpath.dirname(path)
            mixable = self.kernel_root(path)
            if (not mixable and self._thread_root(path)) or self.nodes[path].threaded:
                return False
        return True

    def _can_be_thread_root(self, path: str) -> bool:
        node = self.nodes[path]
        if self.kernel_root(path):  # mixable
            return True
        if node.threaded:
            return False
        if any(not self.nodes[c].threaded and self.populated(c) for c in self.children(path)):
            return False
        return not (node.subtree_control - THREADED_CONTROLLERS)

    def _domain_of(self, path: str) -> str:
        while self.nodes[path].threaded:
            path = posixpath.dirname(path)
        return path

    def type_text(self, path: str) -> str:
        """``cgroup.type``: domain, domain threaded, domain invalid or threaded."""
        if self.nodes[path].threaded:
            return "threaded"
        if not self._valid_domain(path):
            return "domain invalid"
        return "domain threaded" if self._thread_root(path) else "domain"

    def write_type(self, path: str, payload: bytes) -> None:
        """``cgroup_type_write``: only ``threaded``, and only when the switch is possible.

        Raises:
            KernelErrno: EINVAL for any other word; EOPNOTSUPP when populated, with domain
                controllers enabled, or when the parent's domain cannot be a thread root.
        """
        if strim(_text(payload)) != "threaded":
            raise KernelErrno(errno.EINVAL)
        node = self.nodes[path]
        if node.threaded:
            return
        if self.populated(path) or node.subtree_control - THREADED_CONTROLLERS:
            raise KernelErrno(errno.EOPNOTSUPP)
        if path == "/":  # an empty namespace's root: its parent, outside, is not modelled,
            raise KernelErrno(errno.EOPNOTSUPP)  # so whether it may be a thread root is not known
        domain = self._domain_of(posixpath.dirname(path))
        if not self._valid_domain(domain) or not self._can_be_thread_root(domain):
            raise KernelErrno(errno.EOPNOTSUPP)
        node.threaded = True
        self.changed(path)

    # -- directories ------------------------------------------------------------------------
    def mkdir(self, path: str) -> V2Node:
        """Create cgroup ``path`` (parent exists, name new); it inherits freezing by being
        below a frozen parent.

        Raises:
            KernelErrno: EINVAL for a name with a newline; EAGAIN beyond an ancestor's
                ``cgroup.max.descendants`` or ``cgroup.max.depth``.
        """
        if "\n" in posixpath.basename(path):
            raise KernelErrno(errno.EINVAL)
        level, ancestor = 1, posixpath.dirname(path)
        while True:
            node = self.nodes[ancestor]
            descendants = sum(
                1 for p in self.nodes if p != ancestor and self.in_subtree(ancestor, p)
            )
            if descendants >= node.max_descendants or level > node.max_depth:
                raise KernelErrno(errno.EAGAIN)
            if ancestor == "/":
                break
            ancestor, level = posixpath.dirname(ancestor), level + 1
        node = V2Node(path, values=default_values())
        self.nodes[path] = node
        return node

    def rmdir(self, path: str) -> None:
        """Remove cgroup ``path`` (frozen or not).

        Raises:
            KernelErrno: EBUSY while populated or with child cgroups.
        """
        if self.children(path) or self.populated(path):
            raise KernelErrno(errno.EBUSY)
        del self.nodes[path]
        parent = posixpath.dirname(path)
        if parent != "/":
            self.changed(parent)  # cgroup.type of a thread root may read differently

    # -- attach -----------------------------------------------------------------------------
    def attach_text(self, path: str, payload: bytes, *, threads: bool = False) -> None:
        """A write to ``cgroup.procs`` (``threads``: ``cgroup.threads``): one pid.

        Raises:
            KernelErrno: EINVAL for garbage or a negative pid; ESRCH for no such pid; the
                destination errors of :meth:`attach`; EOPNOTSUPP for a thread leaving its
                threaded domain.
        """
        task = task_to_move(self._table, payload)
        if task is None:
            return
        source = task.cgroups.get(UNIFIED, "/")
        if threads and self._domain_of(source) != self._domain_of(path):
            raise KernelErrno(errno.EOPNOTSUPP)
        self.attach(task, path)

    def attach(self, task: Task, path: str) -> None:
        """Move ``task`` into ``path`` (``cgroup_migrate_vet_dst``).

        Raises:
            KernelErrno: ENODEV for a removed cgroup; EOPNOTSUPP for an invalid domain; EBUSY
                for a non-root cgroup that distributes domain controllers to children (the
                no-internal-process rule).
        """
        node = self.nodes.get(path)
        if node is None:
            raise KernelErrno(errno.ENODEV)
        if not self._valid_domain(self._domain_of(path)):
            raise KernelErrno(errno.EOPNOTSUPP)
        mixable_or_thread = (
            self.kernel_root(path) or node.threaded or self._can_be_thread_root(path)
        )
        if not mixable_or_thread and node.subtree_control:
            raise KernelErrno(errno.EBUSY)
        task.cgroups[UNIFIED] = path
        self.task_joined(task)

    def charge_fork(self, path: str) -> None:
        """``pids_can_fork`` where the pids controller is enabled: EAGAIN when the child would
        exceed ``pids.max`` of ``path`` or an ancestor; the forking task's cgroup counts it.

        Raises:
            KernelErrno: EAGAIN over a limit.
        """
        current = path
        while not self.kernel_root(current):
            limit = self.nodes[current].values["pids.max"]
            over = limit != "max" and len(self.subtree_tasks(current)) >= int(limit)
            if over and "pids" in self.enabled(current):
                values = self.nodes[path].values
                values["pids.events.max"] = str(int(values.get("pids.events.max", "0")) + 1)
                raise KernelErrno(errno.EAGAIN)
            if current == "/":
                break
            current = posixpath.dirname(current)

    # -- freezer ----------------------------------------------------------------------------
    def freezing(self, path: str) -> bool:
        """True when ``path`` or an ancestor has ``cgroup.freeze`` 1."""
        while True:
            node = self.nodes.get(path)
            if node is not None and node.freeze:
                return True
            if path == "/":
                return False
            path = posixpath.dirname(path)

    def task_joined(self, task: Task) -> None:
        """Re-evaluate ``task`` after it moved, was forked, or its cgroup's freeze changed."""
        if self.freezing(task.cgroups.get(UNIFIED, "/")):
            if task.freeze_resist == 0:
                self._table.freeze2(task)
        else:
            self._table.thaw2(task)

    def frozen(self, path: str) -> bool:
        """``frozen`` of ``cgroup.events``; a read lets resisting tasks of the subtree stop."""
        if not self.freezing(path):
            return False
        pending = [t for t in self.subtree_tasks(path) if not t.frozen2]
        for task in pending:
            if task.freeze_resist > 0:
                task.freeze_resist -= 1
            if task.freeze_resist == 0:
                self._table.freeze2(task)
        return not pending

    def write_freeze(self, path: str, payload: bytes) -> None:
        """``cgroup_freeze_write``: ``kstrtoint(strstrip(buf), 0)``, 0 or 1.

        Raises:
            KernelErrno: EINVAL for a non-number, ERANGE for any number but 0 and 1.
        """
        value = kstrtoint(strim(_text(payload)), 0)
        if value not in (0, 1):
            raise KernelErrno(errno.ERANGE)
        self.nodes[path].freeze = bool(value)
        for task in self.subtree_tasks(path):
            self.task_joined(task)

    def write_kill(self, path: str, payload: bytes) -> None:
        """``cgroup_kill_write``: ``1`` sends SIGKILL to every process of the subtree.

        Raises:
            KernelErrno: EINVAL for a non-number, ERANGE for another number, EOPNOTSUPP in a
                threaded cgroup.
        """
        value = kstrtoint(_text(payload), 0)
        if value != 1:
            raise KernelErrno(errno.ERANGE)
        if self.nodes[path].threaded:
            raise KernelErrno(errno.EOPNOTSUPP)
        for task in self.subtree_tasks(path):
            self._table.deliver(task.pid, signal.SIGKILL)

    # -- subtree_control --------------------------------------------------------------------
    def write_subtree_control(self, path: str, payload: bytes) -> None:
        """``cgroup_subtree_control_write``: ``+name``/``-name`` tokens, last one wins, all or
        nothing.

        Raises:
            KernelErrno: EINVAL for a token without +/- or naming no v2 controller; ENOENT for
                enabling what ``cgroup.controllers`` lacks; EBUSY for disabling what a child
                still distributes or enabling on a non-root cgroup with processes;
                EOPNOTSUPP for domain controllers in a threaded subtree.
        """
        enable: set[str] = set()
        disable: set[str] = set()
        for token in strim(_text(payload)).split(" "):
            if not token:
                continue
            name = token[1:]
            if token[0] not in "+-" or name not in _ALL_KNOWN:
                raise KernelErrno(errno.EINVAL)
            (enable if token[0] == "+" else disable).add(name)
            (disable if token[0] == "+" else enable).discard(name)
        node = self.nodes[path]
        available = set(self.enabled(path))
        for name in sorted(enable):
            if name in node.subtree_control:
                enable.discard(name)
            elif name not in available:
                raise KernelErrno(errno.ENOENT)
        for name in sorted(disable):
            if name not in node.subtree_control:
                disable.discard(name)
            elif any(name in self.nodes[c].subtree_control for c in self.children(path)):
                raise KernelErrno(errno.EBUSY)
        if enable:
            self._vet_enable(path, enable)
        if not enable and not disable:
            return
        node.subtree_control = (node.subtree_control | enable) - disable
        for child in self.children(path):
            self.changed(child)

    def _vet_enable(self, path: str, enable: set[str]) -> None:
        """``cgroup_vet_subtree_control_enable``."""
        if not self._valid_domain(self._domain_of(path)):
            raise KernelErrno(errno.EOPNOTSUPP)
        if self.kernel_root(path):
            return
        if enable - THREADED_CONTROLLERS:
            if self._thread_root(path) or self.nodes[path].threaded:
                raise KernelErrno(errno.EOPNOTSUPP)
        elif self._can_be_thread_root(path) or self.nodes[path].threaded:
            return
        if self.tasks_in(path):
            raise KernelErrno(errno.EBUSY)

    def changed(self, path: str) -> None:
        """Tell the kernel that the set of control files of ``path`` changed."""
        if self.on_change is not None:
            self.on_change(path)

    # -- limits ------------------------------------------------------------------------------
    def write_limit(self, node: V2Node, attr: str, payload: bytes) -> None:
        """``cgroup.max.descendants``/``cgroup.max.depth``: ``max`` or an int >= 0.

        Raises:
            KernelErrno: EINVAL or ERANGE from kstrtoint, ERANGE for a negative number.
        """
        text = strim(_text(payload))
        value = INT_MAX if text == "max" else kstrtoint(text, 0)
        if value < 0:
            raise KernelErrno(errno.ERANGE)
        setattr(node, attr, value)

    # -- control files ----------------------------------------------------------------------
    def control_files(self, path: str) -> list[ControlFile]:
        """The files of cgroup ``path``: the core ones and those of its enabled controllers."""
        return cgroup_files(self, path)
