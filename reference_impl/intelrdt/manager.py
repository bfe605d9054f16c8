"""The resctrl writer: one group per container, or a shared group named by its closID.

Finding resctrl: the first ``/proc/self/mountinfo`` line whose filesystem type is ``resctrl``.
CAT is enabled when ``/proc/cpuinfo`` has ``cat_l3``, resctrl is mounted and ``info/L3`` exists;
MBA likewise with ``mba`` and ``info/MB`` (runc from v1.0.0-rc6 on).  The seed asks less: the
``cat_l3`` flag and a mount (692f6e1 intelrdt.go:371-392), so on a host mounted with cdp it
writes whatever ``l3CacheSchema`` says, ``L3CODE``/``L3DATA`` lines included.
The seed caches a true answer in a package variable; here the answer is cached per
:class:`RdtFeatures` object, which a factory probes once, so that simulated hosts built one after
another do not share it.

What came after the seed is driven by the config alone, since the seed's config has none of it:
``memBwSchema`` (written with the L3 line as one value), ``closID`` (join that group; with no
schema it must already exist; it is never removed) and monitoring (``mon_groups/<id>``, removed
at destroy).  A failed kernel operation's error carries ``info/last_cmd_status``, which is the
only place the kernel says why.
"""

from __future__ import annotations

import dataclasses
import os

from reference_impl.configs import IntelRdtConfig
from reference_impl.errors import go_strerror
from reference_impl.fileutil import mkdir_all
from reference_impl.fileutil import read_file
from reference_impl.fileutil import remove_all
from reference_impl.fileutil import write_failed
from reference_impl.fileutil import write_file
from reference_impl.intelrdt.compare import schemata_mismatch
from reference_impl.mountinfo import MountInfoError
from reference_impl.mountinfo import read_mountinfo

__all__ = [
    "IntelRdtError",
    "IntelRdtManager",
    "NotFoundError",
    "RdtFeatures",
    "find_mountpoint",
    "probe_features",
    "schemata_value",
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


def _cpu_flags() -> set[str]:
    try:
        text = read_file("/proc/cpuinfo")
    except OSError:
        return set()
    flags: set[str] = set()
    for line in text.splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[-1].split())
    return flags


@dataclasses.dataclass(frozen=True, slots=True)
class RdtFeatures:
    """What the host offers: where resctrl is, and which of CAT, MBA, monitoring it has."""

    root: str | None
    cat_enabled: bool
    mba_enabled: bool = False
    monitoring: bool = False
    #: ``/proc/cpuinfo`` has ``cat_l3``, whatever ``info/`` holds
    cat_flag: bool = False

    @property
    def enabled(self) -> bool:
        """Intel RDT can be used at all: CAT or MBA."""
        return self.cat_enabled or self.mba_enabled

    @property
    def seed_enabled(self) -> bool:
        """The seed's ``IsIntelRdtEnabled``: the ``cat_l3`` flag and resctrl mounted (692f6e1
        intelrdt.go:371-392), with no look at ``info/``."""
        return self.cat_flag and self.root is not None


def probe_features() -> RdtFeatures:
    """``IsCatEnabled``/``IsMbaEnabled`` and ``getIntelRdtRoot`` in one look at the host."""
    try:
        root: str | None = find_mountpoint()
    except IntelRdtError:
        root = None
    if root is None:
        return RdtFeatures(root=None, cat_enabled=False)
    flags = _cpu_flags()
    info = os.path.join(root, "info")
    return RdtFeatures(
        root=root,
        cat_enabled="cat_l3" in flags and os.path.isdir(os.path.join(info, "L3")),
        cat_flag="cat_l3" in flags,
        mba_enabled="mba" in flags and os.path.isdir(os.path.join(info, "MB")),
        monitoring=os.path.isdir(os.path.join(info, "L3_MON")),  # pragma: no mutate (runc 1.4)
    )


def schemata_value(config: IntelRdtConfig) -> str:
    """What one write to ``schemata`` carries: the L3 line, then the MB line, each ended by a
    newline (the kernel refuses a write without the final one); "" when neither is set."""
    return _lines((config.l3_cache_schema, config.mem_bw_schema))


def _lines(lines: tuple[str, ...]) -> str:
    """The non-empty ``lines``, each ended by a newline."""
    return "".join(line + "\n" for line in lines if line)


def has_schemas(config: IntelRdtConfig) -> bool:
    """Whether ``config`` asks for any schemata write: a closID without one names a group
    that must exist (runc v1.4.0 intelrdt.go:455 counts ``schemata`` too)."""
    return bool(schemata_value(config) or _lines(config.schemata))


class IntelRdtManager:
    """``IntelRdtManager``: apply, set, destroy, path of one container's resctrl group."""

    def __init__(
        self,
        features: RdtFeatures,
        container_id: str,
        path: str = "",
        config: IntelRdtConfig | None = None,
        *,
        era: str,
        compare_closid: bool = False,
    ) -> None:
        self.features = features
        self.id = container_id
        self.path = path
        self.config = config or IntelRdtConfig()
        #: whose error texts: "seed" or "runc-1.1" ("intelrdt: unable to ...")
        self.era = era
        #: an existing closID group must already hold the config's schemas (the runtime-spec;
        #: runc never compares)
        self.compare_closid = compare_closid

    # -- paths ------------------------------------------------------------------------------
    def _root(self) -> str:
        if self.features.root is None:
            raise NotFoundError("mountpoint for Intel RDT not found")
        if not os.path.isdir(self.features.root):
            raise IntelRdtError(f"stat {self.features.root}: no such file or directory")
        return self.features.root

    def group_path(self) -> str:
        """``<resctrl>/<closID>``, or ``<resctrl>/<container id>`` without a closID.  The
        closID is joined below the root as runc >= 1.1 joins it (securejoin), so ``/`` names
        the root itself: the default CLOS (runtime-spec v1.3.0 config-linux.md:747, runc v1.4.0
        intelrdt.go:172-179); the validator refuses it before v1.4.

        Raises:
            NotFoundError: resctrl is not mounted.
        """
        if self.features.root is None:
            raise NotFoundError("mountpoint for Intel RDT not found")
        name = (self.config.clos_id or self.id).lstrip("/")
        return os.path.join(self.features.root, name) if name else self.features.root

    def mon_path(self) -> str:
        """The container's monitoring group below its group."""
        return os.path.join(self.group_path(), "mon_groups", self.id)

    def get_path(self) -> str:
        """The group's directory; computed when not applied yet."""
        if not self.path:
            self.path = self.group_path()
        return self.path

    def _last_cmd(self, message: str) -> IntelRdtError:
        """``newLastCmdError``: the message, plus what ``info/last_cmd_status`` says whenever it
        can be read, "ok" too (runc v1.0.0-rc6, 6c307f8ff; v1.2.0 intelrdt.go:675-681); the
        seed's errors are the message alone."""
        if self.era == "seed":
            return IntelRdtError(message)
        try:
            status = read_file(os.path.join(self._root(), "info", "last_cmd_status")).strip()
        except (OSError, IntelRdtError):
            return IntelRdtError(message)
        return IntelRdtError(f"{message}, last_cmd_status: {status}")

    # -- apply, set, destroy ----------------------------------------------------------------
    def apply(self, pid: int) -> None:
        """Make the group (MkdirAll), record it, write ``pid`` to its ``tasks``; then the
        monitoring group, when asked for.

        Raises:
            IntelRdtError: a closID group without a schema does not exist; mkdir or a tasks
                write failed (with the kernel's last_cmd_status).
        """
        self._root()
        path = self.group_path()
        config = self.config
        if config.clos_id and not has_schemas(config) and not os.path.isdir(path):
            raise IntelRdtError(
                "clos dir not accessible (must be pre-created when l3CacheSchema and"
                f" memBwSchema are empty): stat {path}: no such file or directory"
            )
        if self.compare_closid and config.clos_id and os.path.isdir(path):
            self._check_closid_schemata(path)
        try:
            mkdir_all(path, 0o755)
        except OSError as err:
            failed = err.filename or path
            raise self._last_cmd(f"mkdir {failed}: {go_strerror(err.errno)}") from err
        self.path = path
        if pid != -1:
            self._add_task(path, pid)
        if config.enable_monitoring:
            mon = self.mon_path()
            try:
                mkdir_all(mon, 0o755)
            except OSError as err:
                raise self._last_cmd(f"mkdir {mon}: {go_strerror(err.errno)}") from err
            if pid != -1:
                self._add_task(mon, pid)

    def _check_closid_schemata(self, path: str) -> None:
        """runtime-spec v1.0.2 config-linux.md:523: the group a closID names exists, so its
        schemata must already be what l3CacheSchema and memBwSchema say."""
        given = schemata_value(self.config)
        if not given:
            return
        try:
            current = read_file(os.path.join(path, "schemata"))
        except OSError as err:
            raise IntelRdtError(f"intelrdt: unable to read the schemata of {path}: {err}") from err
        why = schemata_mismatch(given, current)
        if why is not None:
            raise IntelRdtError(
                f"intelrdt: closID {self.config.clos_id!r} names a group whose schemata does"
                f" not match the config's: {why}"
            )

    def _add_task(self, path: str, pid: int) -> None:
        """``WriteIntelRdtTasks``: the seed's error is its own text (intelrdt.go:364-366); runc
        >= 1.1 wraps it in newLastCmdError there and Apply wraps it again, so the status shows
        twice (v1.2.0 intelrdt.go:412-414, 473-474; v1.1.5 :487, 553-554)."""
        try:
            write_file(os.path.join(path, "tasks"), str(pid))
        except OSError as err:
            if self.era == "seed":
                raise self._last_cmd(write_failed(pid, "tasks", err)) from err
            inner = self._last_cmd(f"intelrdt: unable to add pid {pid}: {err}")
            raise self._last_cmd(str(inner)) from err

    def set(self, config: IntelRdtConfig) -> None:
        """Write the schemas of ``config`` to ``schemata`` in one write; nothing when it has
        none.  The writer keeps the config it was made with, whatever closID ``config`` names:
        Destroy follows that one (v1.2.0 intelrdt.go:148-153, 593-673).  ``schemata`` lines
        (runtime-spec v1.3.0) follow in a write of their own, so that they are written last
        and a line of theirs overrides the older fields' for the same domains
        (config-linux.md:763); one write holding both would be refused by the kernel as a
        "Duplicate domain"."""
        for value in (schemata_value(config), _lines(config.schemata)):
            if value:
                self._write_schemata(value)

    def _write_schemata(self, value: str) -> None:
        # never empty: get_path computes the group's path, and a writer exists only where the
        # factory found resctrl mounted (the seed's writeFile "no such directory" cannot happen)
        path = self.get_path()
        try:
            write_file(os.path.join(path, "schemata"), value)
        except OSError as err:
            shown = value.rstrip("\n")
            if self.era == "seed":
                raise self._last_cmd(write_failed(shown, "schemata", err)) from err
            raise self._last_cmd(f"intelrdt: unable to write {shown}: {err}") from err

    def destroy(self) -> None:
        """Remove the group it made (``os.RemoveAll``); a closID group is never removed, only
        the container's monitoring group in it.  The seed's empty path removes nothing; runc
        >= 1.1 removes ``GetPath()``, which computes the group's path when it is empty
        (v1.2.0 libcontainer/intelrdt/intelrdt.go:482-504)."""
        if self.config.clos_id:
            if self.config.enable_monitoring and self.path:
                remove_all(os.path.join(self.path, "mon_groups", self.id))
        else:
            remove_all(self.path if self.era == "seed" else self.get_path())
        self.path = ""
