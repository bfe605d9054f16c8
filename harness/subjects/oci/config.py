"""A container's ``config.json``, from a few frozen dataclasses.

Only what rtgate's scenarios vary is a field; the rest is the minimum runc and crun accept
(runtime-spec ``config.md`` and ``config-linux.md``): a root filesystem in ``rootfs``, process 0:0
without a terminal, and the mounts /proc, /dev (tmpfs), /dev/pts, /dev/shm and /sys.  Keys are the
runtime-spec's own (``ociVersion``, ``cgroupsPath``, ``createRuntime``, ``intelRdt``, ``closID``,
``l3CacheSchema``, ``memBwSchema``), and a key is left out rather than written empty when the
spec calls the field OPTIONAL.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from typing import Literal

from harness.subjects.oci.details import ConfigDetails

__all__ = [
    "DEFAULT_ENV",
    "DEFAULT_NAMESPACES",
    "HOOK_PHASES",
    "ContainerConfig",
    "DeviceRule",
    "Hook",
    "Hooks",
    "IntelRdt",
    "Namespace",
    "Resources",
]

#: the ``ociVersion`` written unless a subject says otherwise: crun 1.8 refuses anything but 1.0.x
DEFAULT_OCI_VERSION = "1.0.2"
DEFAULT_ENV = ("PATH=/bin:/usr/bin:/sbin:/usr/sbin", "TERM=xterm")

NamespaceType = Literal["pid", "network", "mount", "ipc", "uts", "user", "cgroup"]

#: the hook lists of ``config.md``, in the order a runtime reaches them
HOOK_PHASES = (
    "prestart",
    "createRuntime",
    "createContainer",
    "startContainer",
    "poststart",
    "poststop",
)


@dataclasses.dataclass(frozen=True, slots=True)
class Hook:
    """One entry of a hook list: ``path`` is absolute, ``timeout`` in seconds and > 0 if set."""

    path: str
    args: tuple[str, ...] = ()
    env: tuple[str, ...] = ()
    timeout: int | None = None

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"path": self.path}
        if self.args:
            entry["args"] = list(self.args)
        if self.env:
            entry["env"] = list(self.env)
        if self.timeout is not None:
            entry["timeout"] = self.timeout
        return entry


@dataclasses.dataclass(frozen=True, slots=True)
class Hooks:
    """The six hook lists; the field names are ``config.md``'s."""

    prestart: tuple[Hook, ...] = ()
    createRuntime: tuple[Hook, ...] = ()  # the spec's camelCase keys
    createContainer: tuple[Hook, ...] = ()
    startContainer: tuple[Hook, ...] = ()
    poststart: tuple[Hook, ...] = ()
    poststop: tuple[Hook, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The non-empty lists, in :data:`HOOK_PHASES` order."""
        return {
            phase: [hook.to_json() for hook in getattr(self, phase)]
            for phase in HOOK_PHASES
            if getattr(self, phase)
        }


@dataclasses.dataclass(frozen=True, slots=True)
class Namespace:
    """A namespace of ``linux.namespaces``: a new one, or the one at ``path`` joined."""

    type: NamespaceType
    path: str | None = None

    def to_json(self) -> dict[str, str]:
        entry = {"type": self.type}
        if self.path is not None:
            entry["path"] = self.path
        return entry


#: new pid, network, ipc, uts and mount namespaces, as ``runc spec`` writes them
DEFAULT_NAMESPACES = (
    Namespace("pid"),
    Namespace("network"),
    Namespace("ipc"),
    Namespace("uts"),
    Namespace("mount"),
)


@dataclasses.dataclass(frozen=True, slots=True)
class IntelRdt:
    """``linux.intelRdt``: a CLOS and its schemata lines (runtime-spec 1.0.2 to 1.2), and
    v1.3.0's whole ``schemata`` lines and ``enableMonitoring`` (config-linux.md:754-755)."""

    clos_id: str | None = None
    l3_cache_schema: str | None = None
    mem_bw_schema: str | None = None
    schemata: tuple[str, ...] | None = None
    enable_monitoring: bool | None = None

    def to_json(self) -> dict[str, Any]:
        pairs: tuple[tuple[str, Any], ...] = (
            ("closID", self.clos_id),
            ("l3CacheSchema", self.l3_cache_schema),
            ("memBwSchema", self.mem_bw_schema),
            ("schemata", list(self.schemata) if self.schemata is not None else None),
            ("enableMonitoring", self.enable_monitoring),
        )
        return {key: value for key, value in pairs if value is not None}


@dataclasses.dataclass(frozen=True, slots=True)
class DeviceRule:
    """One entry of ``linux.resources.devices``: allow or deny ``access`` to devices of
    ``type`` ("a", "c" or "b") and the numbers given (None: any)."""

    allow: bool
    type: str = "a"
    major: int | None = None
    minor: int | None = None
    access: str = "rwm"

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"allow": self.allow, "type": self.type, "access": self.access}
        if self.major is not None:
            entry["major"] = self.major
        if self.minor is not None:
            entry["minor"] = self.minor
        return entry


@dataclasses.dataclass(frozen=True, slots=True)
class Resources:
    """The ``linux.resources`` a scenario sets (config-linux.md): bytes, a task count, relative
    weights, cfs microseconds, cpu and memory-node lists, huge page limits by page size, device
    rules, and cgroup v2 files by name (``unified``)."""

    memory_limit: int | None = None
    pids_limit: int | None = None
    cpu_shares: int | None = None
    memory_reservation: int | None = None
    memory_swap: int | None = None
    disable_oom_killer: bool | None = None
    cpu_quota: int | None = None
    cpu_period: int | None = None
    cpus: str | None = None
    mems: str | None = None
    blkio_weight: int | None = None
    hugepage_limits: tuple[tuple[str, int], ...] = ()
    devices: tuple[DeviceRule, ...] = ()
    unified: tuple[tuple[str, str], ...] = ()
    #: memory.swappiness (0..100) and kernelTCP in bytes
    swappiness: int | None = None
    kernel_tcp: int | None = None
    #: realtime scheduling: runtime and period in microseconds
    realtime_runtime: int | None = None
    realtime_period: int | None = None
    #: blockIO throttles: (list key such as "throttleReadBpsDevice", major, minor, rate)
    blkio_throttle: tuple[tuple[str, int, int, int], ...] = ()
    #: blockIO.weightDevice: (major, minor, weight)
    blkio_weight_device: tuple[tuple[int, int, int], ...] = ()
    #: network: the net_cls class id and (interface, priority) pairs for net_prio
    net_class_id: int | None = None
    net_priorities: tuple[tuple[str, int], ...] = ()

    def to_json(self) -> dict[str, Any]:
        resources: dict[str, Any] = {}
        memory = _present(
            limit=self.memory_limit,
            reservation=self.memory_reservation,
            swap=self.memory_swap,
            disableOOMKiller=self.disable_oom_killer,
            swappiness=self.swappiness,
            kernelTCP=self.kernel_tcp,
        )
        cpu = _present(
            shares=self.cpu_shares,
            quota=self.cpu_quota,
            period=self.cpu_period,
            cpus=self.cpus,
            mems=self.mems,
            realtimeRuntime=self.realtime_runtime,
            realtimePeriod=self.realtime_period,
        )
        groups = (("memory", memory), ("cpu", cpu), ("pids", _present(limit=self.pids_limit)))
        resources.update((key, value) for key, value in groups if value)
        network: dict[str, Any] = _present(classID=self.net_class_id)
        if self.net_priorities:
            network["priorities"] = [{"name": n, "priority": p} for n, p in self.net_priorities]
        if network:
            resources["network"] = network
        block_io = _throttles(self.blkio_throttle)
        if self.blkio_weight is not None:
            block_io["weight"] = self.blkio_weight
        if self.blkio_weight_device:
            block_io["weightDevice"] = [
                {"major": major, "minor": minor, "weight": weight}
                for major, minor, weight in self.blkio_weight_device
            ]
        if block_io:
            resources["blockIO"] = block_io
        if self.hugepage_limits:
            resources["hugepageLimits"] = [
                {"pageSize": size, "limit": limit} for size, limit in self.hugepage_limits
            ]
        if self.devices:
            resources["devices"] = [rule.to_json() for rule in self.devices]
        if self.unified:
            resources["unified"] = dict(self.unified)
        return resources


def _present(**fields: Any) -> dict[str, Any]:
    """The fields that are set, by their config.json key."""
    return {key: value for key, value in fields.items() if value is not None}


def _mounts() -> list[dict[str, Any]]:
    """The mounts every container gets (those of ``runc spec`` that a busybox shell needs)."""
    dev_options = ["nosuid", "strictatime", "mode=755", "size=65536k"]
    pts_options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]
    shm_options = ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]
    return [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": dev_options},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": pts_options},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": shm_options},
        {
            "destination": "/sys",
            "type": "sysfs",
            "source": "sysfs",
            "options": ["nosuid", "noexec", "nodev", "ro"],
        },
    ]


@dataclasses.dataclass(frozen=True, slots=True)
class ContainerConfig:
    """What a scenario chooses about one container; :meth:`to_json` is its ``config.json``."""

    args: tuple[str, ...] = ("sleep", "600")
    cwd: str = "/"
    env: tuple[str, ...] = DEFAULT_ENV
    hostname: str | None = None
    namespaces: tuple[Namespace, ...] = DEFAULT_NAMESPACES
    #: absolute (``/name``) puts the groups at the top of each hierarchy
    cgroups_path: str | None = None
    hooks: Hooks = Hooks()
    intel_rdt: IntelRdt | None = None
    resources: Resources | None = None
    oci_version: str = DEFAULT_OCI_VERSION
    readonly_root: bool = False
    terminal: bool = False
    #: the rest of config.json a config rule sets (harness/subjects/oci/details.py)
    details: ConfigDetails | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``config.json`` document, as plain JSON values."""
        linux: dict[str, Any] = {"namespaces": [ns.to_json() for ns in self.namespaces]}
        if self.cgroups_path is not None:
            linux["cgroupsPath"] = self.cgroups_path
        if self.resources is not None:
            linux["resources"] = self.resources.to_json()
        if self.intel_rdt is not None:
            linux["intelRdt"] = self.intel_rdt.to_json()
        document: dict[str, Any] = {
            "ociVersion": self.oci_version,
            "process": {
                "terminal": self.terminal,
                "user": {"uid": 0, "gid": 0},
                "args": list(self.args),
                "env": list(self.env),
                "cwd": self.cwd,
            },
            "root": {"path": "rootfs", "readonly": self.readonly_root},
            "mounts": _mounts(),
            "linux": linux,
        }
        if self.hostname is not None:
            document["hostname"] = self.hostname
        hooks = self.hooks.to_json()
        if hooks:
            document["hooks"] = hooks
        if self.details is not None:
            self.details.apply(document)
        return document


def _throttles(entries: tuple[tuple[str, int, int, int], ...]) -> dict[str, Any]:
    """blockIO's throttle lists: each key's entries as {major, minor, rate}, in order."""
    lists: dict[str, Any] = {}
    for key, major, minor, rate in entries:
        lists.setdefault(key, []).append({"major": major, "minor": minor, "rate": rate})
    return lists
