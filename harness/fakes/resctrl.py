"""resctrl (Intel RDT L3 CAT) at /sys/fs/resctrl: groups, CLOSIDs, schemata, tasks, status.

Semantics of reference §1.2–1.13 for an allocation-only system (no monitoring, no CDP, no MBA):
CTRL_MON groups can be made only in the root; the lowest free CLOSID is taken; rmdir of a group
with tasks succeeds and sends them to the default group.  Every command clears
``info/last_cmd_status`` first, except the early checks the kernel makes before clearing it.
"""

from __future__ import annotations

import errno
import posixpath
from dataclasses import dataclass

from harness.errors import FakeKernelError
from harness.fakes._parse import KernelErrno
from harness.fakes._parse import kstrtoint
from harness.fakes._parse import strim
from harness.fakes.kernfs import ControlFile
from harness.fakes.processes import ProcessTable
from harness.fakes.schemata import Schemata
from harness.fakes.schemata import SchemataError
from harness.fakes.schemata import format_schemata
from harness.fakes.schemata import parse_schemata
from harness.fakes.topology import ResctrlTopology

__all__ = ["ResctrlFs", "ResctrlGroup"]

RESOURCE = "L3"


@dataclass(slots=True)
class ResctrlGroup:
    """A CTRL_MON group: "/" is the default group (CLOSID 0)."""

    path: str
    closid: int
    schemata: Schemata
    mode: str = "shareable"


class ResctrlFs:
    """The resctrl filesystem model."""

    def __init__(self, topo: ResctrlTopology, table: ProcessTable, num_cpus: int) -> None:
        self.topo = topo
        self._table = table
        self._num_cpus = num_cpus
        full = {d: topo.cbm_mask for d in topo.cache_ids}
        self.groups: dict[str, ResctrlGroup] = {"/": ResctrlGroup("/", 0, {RESOURCE: full})}
        #: accumulated last_cmd_status text, each message ending in a newline
        self.last_cmd = ""

    # -- last_cmd_status --------------------------------------------------------------------
    def status(self) -> str:
        """``info/last_cmd_status``: ``ok`` when no message is pending."""
        return self.last_cmd or "ok\n"

    def _fail(self, err: int, message: str | None) -> KernelErrno:
        if message is not None:
            self.last_cmd += message + "\n"
        return KernelErrno(err)

    # -- groups -----------------------------------------------------------------------------
    def mkdir(self, path: str) -> ResctrlGroup:
        """mkdir of ``path`` (relative to the mount, e.g. "/c1"); parent exists, name is new.

        Raises:
            KernelErrno: EINVAL for a newline in the name; EPERM outside the root (no monitoring
                is modelled); ENOSPC "Out of CLOSIDs" or "No space on L3:<id>".
        """
        if "\n" in posixpath.basename(path):
            raise KernelErrno(errno.EINVAL)
        if posixpath.dirname(path) != "/":
            raise KernelErrno(errno.EPERM)
        self.last_cmd = ""
        used = {g.closid for g in self.groups.values()}
        free = [c for c in range(1, self.topo.num_closids) if c not in used]
        if not free:
            raise self._fail(errno.ENOSPC, "Out of CLOSIDs")
        schemata = {RESOURCE: {d: self._initial_cbm(d) for d in self.topo.cache_ids}}
        group = ResctrlGroup(path, free[0], schemata)
        self.groups[path] = group
        return group

    def _initial_cbm(self, domain: int) -> int:
        """Not any exclusive group's bits; the first contiguous run of what is left."""
        taken = 0
        for group in self.groups.values():
            if group.mode == "exclusive":
                taken |= group.schemata[RESOURCE][domain]
        avail = self.topo.cbm_mask & ~taken
        if not avail:
            raise self._fail(errno.ENOSPC, f"No space on {RESOURCE}:{domain}")
        low = (avail & -avail).bit_length() - 1
        run = 0
        while avail >> (low + run) & 1:
            run += 1
        if run < self.topo.min_cbm_bits:
            raise self._fail(errno.ENOSPC, f"No space on {RESOURCE}:{domain}")
        return ((1 << run) - 1) << low

    def rmdir(self, path: str) -> None:
        """rmdir: the group's tasks go back to the default group; its CLOSID is freed.

        Raises:
            KernelErrno: EBUSY for the root (a mount point), EPERM for ``info`` and below.
        """
        if path == "/":
            raise KernelErrno(errno.EBUSY)
        if path == "/info" or path.startswith("/info/"):
            raise KernelErrno(errno.EPERM)
        self.last_cmd = ""
        for task in self._table.tasks():
            if task.resctrl_group == path:
                task.resctrl_group = "/"
        del self.groups[path]

    # -- tasks ------------------------------------------------------------------------------
    def tasks_of(self, path: str) -> list[int]:
        """Live pids whose group is ``path`` (the root lists those in no other group)."""
        return [t.pid for t in self._table.live() if t.resctrl_group == path]

    def write_tasks(self, path: str, payload: bytes) -> None:
        """Modern ``tasks`` write: comma-separated pids, moved in order, stop at the first error.

        pid 0 (the writer) is accepted and moves nothing: the writer is not modelled.

        Raises:
            KernelErrno: EINVAL "Task list parsing error pid <s>" / "Invalid pid <n>"; ESRCH
                "No task <n>" plus "Error while processing task <n>".
        """
        self.last_cmd = ""
        rest: str | None = payload.decode("utf-8", "replace")
        while rest and rest[0] not in "\n":
            token, sep, tail = rest.partition(",")
            rest = tail if sep else None
            text = strim(token)
            try:
                pid = kstrtoint(text, 0)
            except KernelErrno:
                raise self._fail(errno.EINVAL, f"Task list parsing error pid {text}") from None
            if pid < 0:
                raise self._fail(errno.EINVAL, f"Invalid pid {pid}")
            if pid == 0:
                continue
            task = self._table.get(pid)
            if task is None:
                self._fail(errno.ESRCH, f"No task {pid}")
                raise self._fail(errno.ESRCH, f"Error while processing task {pid}")
            task.resctrl_group = path

    # -- schemata and mode ------------------------------------------------------------------
    def write_schemata(self, path: str, payload: bytes) -> None:
        """Parse and apply a schemata write, all or nothing.

        Raises:
            KernelErrno: EINVAL, with the message in last_cmd_status (see ``schemata``).
        """
        group = self.groups[path]
        try:
            if payload.endswith(b"\n"):
                self.last_cmd = ""
            group.schemata = parse_schemata(
                payload, group.schemata, self.topo, lambda d, m: self._overlap(group, d, m)
            )
        except SchemataError as err:
            raise self._fail(errno.EINVAL, err.message) from None

    def _overlap(self, group: ResctrlGroup, domain: int, mask: int) -> str | None:
        """``rdtgroup_cbm_overlaps``: exclusive groups' bits are off limits to everyone, and an
        exclusive group may not share bits with any other group."""
        for other in self.groups.values():
            exclusive = other is not group and other.mode == "exclusive"
            if exclusive and other.schemata[RESOURCE][domain] & mask:
                return "Overlaps with exclusive group"
        if group.mode == "exclusive" and self.overlaps_others(group, {domain: mask}):
            return "Overlaps with other group"
        return None

    def overlaps_others(self, group: ResctrlGroup, masks: dict[int, int]) -> bool:
        """Whether ``masks`` share bits with another group or with ``shareable_bits``."""
        for domain, mask in masks.items():
            if mask & self.topo.shareable_bits:
                return True
            for other in self.groups.values():
                if other is not group and other.schemata[RESOURCE][domain] & mask:
                    return True
        return False

    def write_mode(self, path: str, payload: bytes) -> None:
        """``mode``: shareable or exclusive (pseudo-locking is not modelled).

        Raises:
            KernelErrno: EINVAL without a trailing newline (status untouched), "Schemata
                overlaps", "Unknown or unsupported mode".
            FakeKernelError: for the pseudo-lock modes.
        """
        if not payload.endswith(b"\n"):
            raise KernelErrno(errno.EINVAL)
        self.last_cmd = ""
        group = self.groups[path]
        mode = strim(payload.decode("utf-8", "replace"))
        if mode == group.mode:
            return
        if mode in ("pseudo-locksetup", "pseudo-locked"):
            raise FakeKernelError("resctrl pseudo-locking is not modelled")
        if mode == "exclusive":
            if self.overlaps_others(group, group.schemata[RESOURCE]):
                raise self._fail(errno.EINVAL, "Schemata overlaps")
        elif mode != "shareable":
            raise self._fail(errno.EINVAL, "Unknown or unsupported mode")
        group.mode = mode

    def size(self, path: str) -> str:
        """``size``: bytes of L3 each domain's mask covers."""
        per_bit = self.topo.l3_cache_bytes // self.topo.cbm_len
        masks = self.groups[path].schemata[RESOURCE]
        return (
            f"{RESOURCE}:"
            + ";".join(f"{d}={per_bit * (m).bit_count()}" for d, m in sorted(masks.items()))
            + "\n"
        )

    # -- files ------------------------------------------------------------------------------
    def group_files(self, path: str) -> list[ControlFile]:
        """cpus, cpus_list, mode, schemata, size, tasks."""
        group = self.groups[path]
        root = path == "/"
        cpus = (1 << self._num_cpus) - 1 if root else 0
        cpus_list = (
            f"0-{self._num_cpus - 1}" if root and self._num_cpus > 1 else ("0" if root else "")
        )

        def no_cpus(payload: bytes) -> None:
            raise FakeKernelError("writes to resctrl cpus/cpus_list are not modelled")

        return [
            ControlFile("cpus", lambda: f"{cpus:x}\n", no_cpus),
            ControlFile("cpus_list", lambda: cpus_list + "\n", no_cpus),
            ControlFile("mode", lambda: group.mode + "\n", lambda p: self.write_mode(path, p)),
            ControlFile(
                "schemata",
                lambda: format_schemata(group.schemata),
                lambda p: self.write_schemata(path, p),
            ),
            ControlFile("size", lambda: self.size(path)),
            ControlFile(
                "tasks",
                lambda: "".join(f"{pid}\n" for pid in self.tasks_of(path)),
                lambda p: self.write_tasks(path, p),
            ),
        ]

    def info_files(self) -> dict[str, list[ControlFile]]:
        """Directory (relative to the mount) -> its files, for ``info``."""
        topo = self.topo
        return {
            "/info": [ControlFile("last_cmd_status", self.status)],
            "/info/L3": [
                ControlFile("cbm_mask", lambda: f"{topo.cbm_mask:x}\n"),
                ControlFile("min_cbm_bits", lambda: f"{topo.min_cbm_bits}\n"),
                ControlFile("num_closids", lambda: f"{topo.num_closids}\n"),
                ControlFile("shareable_bits", lambda: f"{topo.shareable_bits:x}\n"),
                ControlFile("bit_usage", self.bit_usage),
            ],
        }

    def bit_usage(self) -> str:
        """``bit_usage``: per domain, MSB first, one of 0 H X S E per bit."""
        parts = []
        for domain in self.topo.cache_ids:
            chars = []
            for bit in reversed(range(self.topo.cbm_len)):
                hw = self.topo.shareable_bits >> bit & 1
                modes = {
                    g.mode for g in self.groups.values() if g.schemata[RESOURCE][domain] >> bit & 1
                }
                if "exclusive" in modes:
                    chars.append("E")
                elif modes:
                    chars.append("X" if hw else "S")
                else:
                    chars.append("H" if hw else "0")
            parts.append(f"{domain}=" + "".join(chars))
        return ";".join(parts) + "\n"
