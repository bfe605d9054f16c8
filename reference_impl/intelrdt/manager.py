"""The seed's resctrl writer: one group per container, named by the container id.

Finding resctrl: the first ``/proc/self/mountinfo`` line whose filesystem type is ``resctrl``.
CAT is enabled when ``/proc/cpuinfo`` has ``cat_l3`` *and* resctrl is mounted.  The seed caches a
true answer in a package variable; here the answer is cached per :class:`RdtFeatures` object, which
a factory probes once, so that simulated hosts built one after another do not share it.
"""

from __future__ import annotations

import dataclasses
import os

from reference_impl.fileutil import read_file
from reference_impl.fileutil import remove_all
from reference_impl.fileutil import write_file
from reference_impl.mountinfo import MountInfoError
from reference_impl.mountinfo import read_mountinfo

__all__ = [
    "IntelRdtError",
    "IntelRdtManager",
    "NotFoundError",
    "RdtFeatures",
    "find_mountpoint",
    "probe_features",
]


class IntelRdtError(Exception):
    """An error of the resctrl writer, with the seed's text."""


class NotFoundError(IntelRdtError):
    """resctrl is not mounted."""


def find_mountpoint() -> str:
    """``findIntelRdtMountpointDir``.

    Raises:
        NotFoundError: "mountpoint for Intel RDT not found".
        IntelRdtError: for a malformed mountinfo line.
    """
    try:
        mounts = read_mountinfo()
    except MountInfoError as err:
        raise IntelRdtError(str(err)) from err
    for mount in mounts:
        if mount.fstype == "resctrl":
            if not mount.source or not mount.super_options:
                raise IntelRdtError(f"Error found less than 3 fields post '-' in {mount.line!r}")
            return mount.mount_point
    raise NotFoundError("mountpoint for Intel RDT not found")


def _cpu_has_flag(flag: str) -> bool:
    try:
        text = read_file("/proc/cpuinfo")
    except OSError:
        return False
    for line in text.splitlines():
        if line.startswith("flags") and flag in line.split(":", 1)[-1].split():
            return True
    return False


@dataclasses.dataclass(frozen=True, slots=True)
class RdtFeatures:
    """What the host offers: where resctrl is, and whether L3 CAT is enabled."""

    root: str | None
    cat_enabled: bool


def probe_features() -> RdtFeatures:
    """``IsIntelRdtEnabled`` and ``getIntelRdtRoot`` in one look at the host."""
    try:
        root: str | None = find_mountpoint()
    except IntelRdtError:
        root = None
    return RdtFeatures(root=root, cat_enabled=root is not None and _cpu_has_flag("cat_l3"))


class IntelRdtManager:
    """``IntelRdtManager``: apply, set, destroy, path of one container's resctrl group."""

    def __init__(self, features: RdtFeatures, container_id: str, path: str = "") -> None:
        self.features = features
        self.id = container_id
        self.path = path

    def _root(self) -> str:
        if self.features.root is None:
            raise NotFoundError("mountpoint for Intel RDT not found")
        if not os.path.isdir(self.features.root):
            raise IntelRdtError(f"stat {self.features.root}: no such file or directory")
        return self.features.root

    def get_path(self) -> str:
        """The group's directory; computed from the id when not applied yet."""
        if not self.path:
            self.path = os.path.join(self._root(), self.id)
        return self.path

    def apply(self, pid: int) -> None:
        """Make ``<resctrl>/<id>`` (MkdirAll) and write ``pid`` to its ``tasks``, no newline."""
        path = os.path.join(self._root(), self.id)
        try:
            os.makedirs(path, 0o755, exist_ok=True)
        except OSError as err:
            raise IntelRdtError(f"mkdir {path}: {err.strerror}") from err
        if pid != -1:
            try:
                write_file(os.path.join(path, "tasks"), str(pid))
            except OSError as err:
                raise IntelRdtError(f"failed to write {pid} to tasks: {err}") from err
        self.path = path

    def set(self, l3_cache_schema: str) -> None:
        """Write the L3 schema plus a newline to ``schemata``; nothing when it is empty."""
        if not l3_cache_schema:
            return
        path = self.get_path()
        if not path:
            raise IntelRdtError("no such directory for schemata")
        try:
            write_file(os.path.join(path, "schemata"), l3_cache_schema + "\n")
        except OSError as err:
            raise IntelRdtError(f"failed to write {l3_cache_schema} to schemata: {err}") from err

    def destroy(self) -> None:
        """``os.RemoveAll(m.Path)`` and forget the path; an empty path removes nothing."""
        remove_all(self.path)
        self.path = ""
