"""resctrl at /sys/fs/resctrl: groups, CLOSIDs, tasks, status.

Semantics of reference §1.1–1.13.  CTRL_MON groups are made only in the root, MON groups only
in a ``mon_groups`` directory; the lowest free CLOSID is taken (RMIDs come from
:mod:`harness.fakes.resctrl.rmids`); rmdir of a group with tasks succeeds and sends them to the
default group (a MON group's to its parent).  Every command clears ``info/last_cmd_status``
first, except the early checks the kernel makes before that.  A task's ``resctrl_group`` is the
path of its innermost group (a MON group when it has one).  CPU writes live in
:mod:`harness.fakes.resctrl.cpu_groups`, schemata and mode writes in
:mod:`harness.fakes.resctrl.allocation`, renames in :mod:`harness.fakes.resctrl.rename`, and
the files are laid out by :mod:`harness.fakes.resctrl.files`.
"""

from __future__ import annotations

import errno
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Literal

from harness.fakes._parse import KernelErrno
from harness.fakes._parse import kstrtoint
from harness.fakes._parse import strim
from harness.fakes.proc.processes import ProcessTable
from harness.fakes.proc.processes import Task
from harness.fakes.resctrl.era import EraTraits
from harness.fakes.resctrl.era import traits
from harness.fakes.resctrl.rmids import RmidAllocator
from harness.fakes.resctrl.schemata import MBA_MAX_MBPS
from harness.fakes.resctrl.schemata import Schema
from harness.fakes.resctrl.schemata import Staged
from harness.fakes.resctrl.schemata import schemas_of
from harness.fakes.topology import ResctrlTopology

__all__ = ["Mode", "ResctrlFs", "ResctrlGroup"]

Mode = Literal["shareable", "exclusive", "pseudo-locksetup", "pseudo-locked"]
#: size of the kernel's ``last_cmd_status`` buffer
LAST_CMD_SIZE = 512


@dataclass(slots=True)
class ResctrlGroup:
    """A CTRL_MON group ("/" is the default group, CLOSID 0) or a MON group."""

    path: str
    kind: Literal["ctrl", "mon"]
    closid: int
    #: None on a system without monitoring
    rmid: int | None
    #: schema -> domain -> value (a MON group reads its parent's)
    config: Staged = field(default_factory=dict)
    mode: Mode = "shareable"
    #: CPUs assigned to the group (bitmask)
    cpus: int = 0
    #: for a MON group, the path of its CTRL_MON group
    parent: str = "/"
    #: (schema, domain, cbm) of the region this group pseudo-locked
    plr: tuple[str, int, int] | None = None


def ctrl_path_of(path: str) -> str:
    """The CTRL_MON group of a group path ("/g/mon_groups/m" -> "/g", "/mon_groups/m" -> "/")."""
    if "/mon_groups/" in path:
        return path.split("/mon_groups/", 1)[0] or "/"
    return path


class ResctrlFs:
    """The resctrl filesystem model of one mount."""

    def __init__(
        self, topo: ResctrlTopology, table: ProcessTable, num_cpus: int, *, debug: bool = False
    ) -> None:
        self.topo = topo
        #: mounted with ``-o debug``: groups show ``ctrl_hw_id`` and ``mon_hw_id``
        self.debug = debug
        #: told (group path, True) when a group enters locksetup and its tasks and cpus files
        #: lose every permission, (path, False) when it leaves locksetup for another mode
        self.on_restrict: Callable[[str, bool], None] | None = None
        self.era: EraTraits = traits(topo.era)
        self.schemas: list[Schema] = schemas_of(topo)
        self._table = table
        self.num_cpus = num_cpus
        mon = topo.monitoring
        root = ResctrlGroup("/", "ctrl", 0, 0 if mon is not None else None, self._defaults())
        root.cpus = (1 << num_cpus) - 1
        self.groups: dict[str, ResctrlGroup] = {"/": root}
        #: accumulated last_cmd_status text, each message ending in a newline
        self.last_cmd = ""
        #: the group of the writing process (pid 0 in ``tasks``), which is not a simulated task
        self.writer_group = "/"
        #: (rmid, domain, event) -> counter value read from mon_data
        #: (``"Unavailable"`` or ``"Error"`` instead of a number reads as that word)
        self.counters: dict[tuple[int, int, str], int | str] = {}
        #: the RMID allocator (empty without monitoring)
        self.rmids = RmidAllocator(mon.num_rmids if mon is not None else 1, self._busy)
        #: ``info/L3_MON/max_threshold_occupancy`` as last written
        self.max_threshold_occupancy = mon.max_threshold_occupancy if mon is not None else 0

    # -- sizes ------------------------------------------------------------------------------
    @property
    def num_closids(self) -> int:
        """``closids_supported``: the smallest num_closid over all schemas."""
        return min(s.num_closid for s in self.schemas)

    def _defaults(self) -> Staged:
        """Full masks, and MB at the vendor's maximum (or U32_MAX MBps under mba_MBps)."""
        mba = self.topo.mba
        mb_default = 0 if mba is None else MBA_MAX_MBPS if mba.mba_MBps else mba.max_bw
        return {
            s.name: {d: (s.alloc.cbm_mask if s.kind == "cache" else mb_default) for d in s.domains}
            for s in self.schemas
        }

    # -- last_cmd_status --------------------------------------------------------------------
    def status(self) -> str:
        """``info/last_cmd_status``: ``ok`` when no message is pending; the kernel keeps the
        text in a 512-byte ``seq_buf``, so a longer one reads cut to 511 bytes."""
        text = self.last_cmd or "ok\n"
        data = text.encode()
        if len(data) >= LAST_CMD_SIZE:
            return data[: LAST_CMD_SIZE - 1].decode("utf-8", "replace")
        return text

    def _say(self, key: str, **fields: object) -> None:
        self.last_cmd += self.era.text(key, **fields) + "\n"

    def fail(self, err: int, key: str | None = None, **fields: object) -> KernelErrno:
        """The error to raise for ``err``, after adding ``key``'s text to last_cmd_status."""
        if key is not None:
            self._say(key, **fields)
        return KernelErrno(err)

    # -- lookup -----------------------------------------------------------------------------
    def group(self, path: str) -> ResctrlGroup:
        """The group at ``path``.

        Raises:
            KernelErrno: ENODEV when it was removed (a stale handle).
        """
        group = self.groups.get(path)
        if group is None:
            raise KernelErrno(errno.ENODEV)
        return group

    def ctrl_groups(self) -> list[ResctrlGroup]:
        """CTRL_MON groups, the default group first."""
        return [g for g in self.groups.values() if g.kind == "ctrl"]

    def mon_groups_of(self, ctrl: str) -> list[ResctrlGroup]:
        """MON groups whose CTRL_MON group is ``ctrl``."""
        return [g for g in self.groups.values() if g.kind == "mon" and g.parent == ctrl]

    def allocated(self) -> list[ResctrlGroup]:
        """CTRL_MON groups holding a CLOSID (a pseudo-locked group has given its up)."""
        return [g for g in self.ctrl_groups() if g.mode != "pseudo-locked"]

    def locked_region(self, schema: Schema, domain: int) -> int:
        """The pseudo-locked CBM in ``domain`` of the schema's cache level (0 if none)."""
        for g in self.ctrl_groups():
            if g.plr is not None and g.plr[0][:2] == schema.level and g.plr[1] == domain:
                return g.plr[2]
        return 0

    # -- groups -----------------------------------------------------------------------------
    def mkdir(self, path: str) -> ResctrlGroup:
        """mkdir of ``path`` (relative to the mount, e.g. "/c1"); the parent exists, it is new.

        Raises:
            KernelErrno: EINVAL for a newline in the name; EPERM outside the root and the
                ``mon_groups`` dirs; ENOSPC "Out of CLOSIDs", "Out of RMIDs", "No space on
                <schema>:<id>";
                EINVAL "Pseudo-locking in progress" for a MON group of a locking group.
        """
        name = posixpath.basename(path)
        parent = posixpath.dirname(path)
        if "\n" in name:
            raise KernelErrno(errno.EINVAL)
        if parent == "/":
            kind: Literal["ctrl", "mon"] = "ctrl"
        elif (
            self.topo.monitoring is not None
            and posixpath.basename(parent) == "mon_groups"
            and name != "mon_groups"
            and (posixpath.dirname(parent) in self.groups)
        ):
            kind = "mon"
        else:
            raise KernelErrno(errno.EPERM)
        self.last_cmd = ""
        if kind == "mon":
            ctrl = self.groups[posixpath.dirname(parent)]
            if ctrl.mode in ("pseudo-locksetup", "pseudo-locked"):
                raise self.fail(errno.EINVAL, "locking_in_progress")
            group = ResctrlGroup(path, "mon", ctrl.closid, self._alloc_rmid(), parent=ctrl.path)
            self.groups[path] = group
            return group
        used = {g.closid for g in self.allocated()}
        free = [c for c in range(1, self.num_closids) if c not in used]
        if not free:
            raise self.fail(errno.ENOSPC, "out_of_closids")
        rmid = self._alloc_rmid() if self.topo.monitoring is not None else None
        group = ResctrlGroup(path, "ctrl", free[0], rmid)
        try:
            group.config = self._initial_config(group)
        except KernelErrno:
            self.rmids.release(rmid)
            raise
        self.groups[path] = group
        return group

    def _alloc_rmid(self) -> int:
        try:
            return self.rmids.alloc()
        except KernelErrno as err:
            raise self.fail(err.errno, "out_of_rmids") from None

    def _busy(self, rmid: int) -> bool:
        """Whether the RMID's llc_occupancy is above ``max_threshold_occupancy`` anywhere."""
        mon = self.topo.monitoring
        if mon is None or "llc_occupancy" not in mon.mon_features:
            return False
        values = [self.counters.get((rmid, d, "llc_occupancy"), 0) for d in self.topo.cache_ids]
        return any(isinstance(v, int) and v > self.max_threshold_occupancy for v in values)

    def _initial_config(self, group: ResctrlGroup) -> Staged:
        """``rdtgroup_init_alloc``: per cache domain, shareable bits, other shareable groups'
        bits and unused bits, then the first contiguous run; MB at its default."""
        config = self._defaults()
        for schema in self.schemas:
            if schema.kind != "cache":
                continue
            cache = schema.alloc
            full = (1 << cache.cbm_len) - 1
            for domain in schema.domains:
                new = used = cache.shareable_bits
                for other in self.allocated():
                    if other is group or other.mode == "pseudo-locksetup":
                        continue
                    ctrl = other.config[schema.name][domain]
                    peer = other.config[schema.peer][domain] if schema.peer else 0
                    used |= ctrl | peer
                    if other.mode == "shareable":
                        new |= ctrl | peer
                used |= self.locked_region(schema, domain)
                new |= ~used & full
                if new.bit_count() < cache.min_cbm_bits:
                    raise self.fail(errno.ENOSPC, "no_space", schema=schema.name, domain=domain)
                config[schema.name][domain] = _first_run(new) if new else 0
        return config

    def rmdir(self, path: str) -> None:
        """rmdir: tasks and CPUs go to the default group (a MON group's to its parent); the
        CLOSID and RMIDs are freed; a CTRL_MON group's MON groups go with it.

        Raises:
            KernelErrno: EBUSY for the root (a mount point), EPERM for ``info``, ``mon_groups``,
                ``mon_data`` and everything below them.
        """
        if path == "/":
            raise KernelErrno(errno.EBUSY)
        group = self.groups.get(path)
        parent = posixpath.dirname(path)
        if group is None or (group.kind == "mon" and posixpath.basename(parent) != "mon_groups"):
            raise KernelErrno(errno.EPERM)
        self.last_cmd = ""
        root = self.groups["/"]
        if group.kind == "mon":
            self.move_members(path, group.parent)
            self.rmids.release(group.rmid)
            del self.groups[path]
            return
        for mon in self.mon_groups_of(path):
            self.rmids.release(mon.rmid)
            del self.groups[mon.path]
        self.rmids.release(group.rmid)
        for task in self._table.tasks():
            if ctrl_path_of(task.resctrl_group) == path:
                task.resctrl_group = "/"
        if ctrl_path_of(self.writer_group) == path:
            self.writer_group = "/"
        root.cpus |= group.cpus
        del self.groups[path]

    def move_members(self, old: str, new: str) -> None:
        """Every task (and the writer) whose innermost group is ``old`` now is in ``new``."""
        for task in self._table.tasks():
            if task.resctrl_group == old:
                task.resctrl_group = new
        if self.writer_group == old:
            self.writer_group = new

    # -- tasks ------------------------------------------------------------------------------
    def members(self, path: str) -> list[Task]:
        """Live tasks of the group; a CTRL_MON group's include those of its MON groups."""
        group = self.groups[path]
        if group.kind == "mon":
            return [t for t in self._table.live() if t.resctrl_group == path]
        return [t for t in self._table.live() if ctrl_path_of(t.resctrl_group) == path]

    def tasks_of(self, path: str) -> list[int]:
        """Live pids in the group; a CTRL_MON group lists its MON groups' tasks too."""
        return [t.pid for t in self.members(path)]

    def write_tasks(self, path: str, payload: bytes) -> None:
        """``tasks``: move pids into the group (comma lists on newer kernels, stop at the first
        error); pid 0 is the writer itself.

        Raises:
            KernelErrno: EINVAL "Task list parsing error pid <s>" / "Invalid pid <n>" (old
                kernels: EINVAL before the status is cleared); ESRCH "No task <n>" (plus "Error
                while processing task <n>" on newer kernels); EINVAL "Pseudo-locking in
                progress", "Can't move task to different control group".
        """
        text = payload.decode("utf-8", "replace")
        if not self.era.pid_lists:
            try:
                pid = kstrtoint(strim(text), 0)
            except KernelErrno:
                raise KernelErrno(errno.EINVAL) from None
            if pid < 0:
                raise KernelErrno(errno.EINVAL)
        group = self.group(path)
        self.last_cmd = ""
        if group.mode in ("pseudo-locksetup", "pseudo-locked"):
            raise self.fail(errno.EINVAL, "locking_in_progress")
        if not self.era.pid_lists:
            self._move(pid, group)
            return
        rest: str | None = text
        while rest and rest[0] != "\n":
            token, sep, tail = rest.partition(",")
            rest = tail if sep else None
            item = strim(token)
            try:
                pid = kstrtoint(item, 0)
            except KernelErrno:
                raise self.fail(errno.EINVAL, "task_parse", text=item) from None
            if pid < 0:
                raise self.fail(errno.EINVAL, "invalid_pid", pid=pid)
            try:
                self._move(pid, group)
            except KernelErrno as err:
                raise self.fail(err.errno, "task_error", pid=pid) from None

    def _move(self, pid: int, group: ResctrlGroup) -> None:
        """``rdtgroup_move_task``."""
        if pid == 0:
            current = self.writer_group
        else:
            task = self._table.get(pid)
            if task is None:
                raise self.fail(errno.ESRCH, "no_task", pid=pid)
            current = task.resctrl_group
        if group.kind == "mon" and ctrl_path_of(current) != group.parent:
            raise self.fail(errno.EINVAL, "other_control_group")
        if pid == 0:
            self.writer_group = group.path
        else:
            task.resctrl_group = group.path

    # -- schemata ---------------------------------------------------------------------------
    def schemas_for(self, group: ResctrlGroup) -> dict[str, Schema]:
        """Schemas the group can see (its CLOSID is below their num_closid)."""
        return {s.name: s for s in self.schemas if group.closid < s.num_closid}

    # -- info/L3_MON ----------------------------------------------------------------------
    def write_threshold(self, payload: bytes) -> None:
        """``max_threshold_occupancy``: ``kstrtouint`` base 0, at most the cache size.

        Raises:
            KernelErrno: EINVAL for garbage or too large a value (no last_cmd_status text).
        """
        try:
            value = kstrtoint(strim(payload.decode("utf-8", "replace")), 0)
        except KernelErrno:
            raise KernelErrno(errno.EINVAL) from None
        if value < 0 or value > self.topo.l3_cache_bytes:
            raise KernelErrno(errno.EINVAL)
        self.max_threshold_occupancy = value

    # -- unmount ----------------------------------------------------------------------------
    def kill(self) -> None:
        """``rdt_kill_sb``: every task (and the writer) back to the default group."""
        for task in self._table.tasks():
            task.resctrl_group = "/"
        self.writer_group = "/"


def _first_run(mask: int) -> int:
    """``cbm_ensure_valid``: the lowest contiguous run of 1-bits of ``mask``."""
    low = (mask & -mask).bit_length() - 1
    run = 0
    while mask >> (low + run) & 1:
        run += 1
    return ((1 << run) - 1) << low
