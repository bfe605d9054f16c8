"""The container configuration the reference runtime takes (libcontainer's ``configs.Config``).

Only what the state machine, the cgroup manager, the resctrl writer and hooks look at is here.
Field names are Python's; ``to_json``/``from_json`` use the seed's JSON keys for state.json.
"""

from __future__ import annotations

import dataclasses
from typing import Any

__all__ = [
    "CgroupConfig",
    "Config",
    "DeviceRule",
    "Hook",
    "Hooks",
    "IntelRdtConfig",
    "Process",
]


@dataclasses.dataclass(frozen=True, slots=True)
class Hook:
    """One hook program (``configs.Command``): run with the state JSON on stdin."""

    path: str
    args: tuple[str, ...] = ()
    env: tuple[str, ...] = ()
    #: seconds; None waits for ever
    timeout: float | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Hooks:
    prestart: tuple[Hook, ...] = ()
    poststart: tuple[Hook, ...] = ()
    poststop: tuple[Hook, ...] = ()
    #: runtime-spec 1.0.2 ``createRuntime``: run during create right after prestart, as runc
    #: >= 1.0 does (``initProcess.start``, procHooks); last, so positional uses keep working
    create_runtime: tuple[Hook, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class DeviceRule:
    """``devices.Rule``: allow or deny ``access`` to devices of ``type`` ("a", "c", "b"),
    ``major``/``minor`` -1 for any (``*``)."""

    allow: bool
    type: str = "a"
    major: int = -1
    minor: int = -1
    access: str = "rwm"

    def cgroup_text(self) -> str:
        """The rule as devices.allow and devices.deny take it: ``c 10:200 rwm``."""
        major = "*" if self.major < 0 else str(self.major)
        minor = "*" if self.minor < 0 else str(self.minor)
        return f"{self.type} {major}:{minor} {self.access}"


@dataclasses.dataclass(frozen=True, slots=True)
class CgroupConfig:
    """Where the container's cgroups go, and the resources set on them."""

    #: cgroup path below each hierarchy's root, e.g. "/mycontainer"
    path: str = ""
    #: joined existing cgroups (hierarchy -> absolute dir); never created, never removed
    paths: dict[str, str] | None = None
    #: "FROZEN", "THAWED" or "" (undefined): the freezer state Set applies
    freezer: str = ""
    #: memory limit in bytes; 0 leaves it alone, -1 is unlimited (``Resources.Memory``)
    memory_limit: int = 0
    #: most tasks the cgroup may hold; 0 leaves it alone, -1 is unlimited (``PidsLimit``)
    pids_limit: int = 0
    #: v1 ``cpu.shares``; 0 leaves it alone.  The v2 manager does not read it: a caller
    #: converts it to ``cpu_weight`` (runc's specconv)
    cpu_shares: int = 0
    #: v2 ``cpu.weight`` (1..10000); 0 leaves it alone
    cpu_weight: int = 0
    #: soft limit in bytes (v1 memory.soft_limit_in_bytes, v2 memory.low); 0 leaves it alone
    memory_reservation: int = 0
    #: memory plus swap in bytes, as v1 counts it; 0 leaves it alone, -1 is unlimited
    memory_swap: int = 0
    #: the v1 memory controller's OOM killer off for the group (memory.oom_control)
    oom_kill_disable: bool = False
    #: cfs quota and period in microseconds; 0 leaves each alone, a quota of -1 lifts it
    cpu_quota: int = 0
    cpu_period: int = 0
    #: cpu and memory-node lists ("0-1,3"); "" leaves them as inherited
    cpuset_cpus: str = ""
    cpuset_mems: str = ""
    #: relative block IO weight (10..1000); 0 leaves it alone
    blkio_weight: int = 0
    #: (page size such as "2MB", limit in bytes) for each huge page size limited
    hugetlb: tuple[tuple[str, int], ...] = ()
    #: device rules in order; none leaves the devices cgroup as it is
    devices: tuple[DeviceRule, ...] = ()
    #: cgroup v2 files by name, written as given; None when the config has no ``unified``
    unified: dict[str, str] | None = None
    #: v1 memory.swappiness (0..100); -1 leaves it alone (runc's nil)
    memory_swappiness: int = -1
    #: v1 memory.kmem.tcp.limit_in_bytes; 0 leaves it alone (the seed writes it, runc >= 1.0
    #: ignores it)
    kernel_tcp: int = 0
    #: v1 cpu.rt_period_us and cpu.rt_runtime_us; 0 leaves each alone
    cpu_rt_period: int = 0
    cpu_rt_runtime: int = 0
    #: block IO throttles: (kind, major, minor, rate) with kind "read_bps", "write_bps",
    #: "read_iops" or "write_iops", in runc's order of the kinds
    blkio_throttle: tuple[tuple[str, int, int, int], ...] = ()
    #: per-device block IO weights: (major, minor, weight), in order
    blkio_weight_device: tuple[tuple[int, int, int], ...] = ()
    #: v1 net_cls.classid; 0 leaves it alone
    net_cls_classid: int = 0
    #: v1 net_prio.ifpriomap entries: (interface, priority), in order
    net_prio_ifpriomap: tuple[tuple[str, int], ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class IntelRdtConfig:
    """``configs.IntelRdt``: the seed's L3 schema line, and what runc added later."""

    l3_cache_schema: str = ""
    #: one ``MB:`` line (runc v1.0.0-rc6); written together with the L3 line
    mem_bw_schema: str = ""
    #: the resctrl group to join instead of one named by the container id (runc v1.1.0)
    clos_id: str = ""
    #: make ``mon_groups/<container id>`` in the group for monitoring (runc v1.4.0)
    enable_monitoring: bool = False
    #: whole schemata lines (runtime-spec v1.3.0 ``schemata``), written after the two above
    schemata: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class Config:
    """What a container is made from."""

    #: namespaces the container gets of its own: "pid", "mount", "net", ...
    namespaces: tuple[str, ...] = ("pid",)
    cgroups: CgroupConfig | None = None
    intel_rdt: IntelRdtConfig | None = None
    hooks: Hooks | None = None
    #: "key=value" strings; "bundle=<dir>" is what hooks report as the bundle
    labels: tuple[str, ...] = ()
    #: the OCI version the config was written for; hooks report it as ociVersion
    version: str = "1.0.0"

    def label(self, key: str) -> str:
        """``utils.SearchLabels``: the value of ``key=...`` or ""."""
        prefix = key + "="
        for label in self.labels:
            if label.startswith(prefix):
                return label[len(prefix) :]
        return ""

    def annotations(self) -> dict[str, str]:
        """``utils.Annotations``: every "key=value" label but the bundle, as a map (v1.2.0
        libcontainer/utils/utils.go:101-115); specconv keeps config.json's annotations there."""
        found: dict[str, str] = {}
        for label in self.labels:
            name, sep, value = label.partition("=")
            if sep and name != "bundle":
                found[name] = value
        return found

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Config:
        cgroups = data.get("cgroups")
        rdt = data.get("intel_rdt")
        hooks = data.get("hooks")
        return cls(
            namespaces=tuple(data.get("namespaces", ())),
            cgroups=CgroupConfig(
                path=cgroups.get("path", ""),
                paths=cgroups.get("paths"),
                freezer=cgroups.get("freezer", ""),
                memory_limit=cgroups.get("memory_limit", 0),
                pids_limit=cgroups.get("pids_limit", 0),
                cpu_shares=cgroups.get("cpu_shares", 0),
                cpu_weight=cgroups.get("cpu_weight", 0),
                **_resources_from_json(cgroups),
            )
            if cgroups is not None
            else None,
            intel_rdt=IntelRdtConfig(
                l3_cache_schema=rdt.get("l3_cache_schema", ""),
                mem_bw_schema=rdt.get("mem_bw_schema", ""),
                clos_id=rdt.get("clos_id", ""),
                enable_monitoring=bool(rdt.get("enable_monitoring", False)),
                schemata=tuple(rdt.get("schemata", ())),
            )
            if rdt is not None
            else None,
            hooks=Hooks(
                **{
                    kind: tuple(_hook_from_json(h) for h in hooks.get(kind, ()))
                    for kind in ("prestart", "poststart", "poststop", "create_runtime")
                }
            )
            if hooks is not None
            else None,
            labels=tuple(data.get("labels", ())),
            version=data.get("version", ""),
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Process:
    """A process to start in the container: its init, or one more (exec)."""

    args: tuple[str, ...]
    env: tuple[str, ...] = ()
    cwd: str = "/"
    #: True for the container's first process
    init: bool = True


def _resources_from_json(cgroups: dict[str, Any]) -> dict[str, Any]:
    """The resources beyond the seed's first four, as state.json keeps them."""
    plain = ("memory_reservation", "memory_swap", "cpu_quota", "cpu_period", "blkio_weight")
    plain += ("kernel_tcp", "cpu_rt_period", "cpu_rt_runtime")
    found: dict[str, Any] = {name: cgroups.get(name, 0) for name in plain}
    found["memory_swappiness"] = cgroups.get("memory_swappiness", -1)
    found["net_cls_classid"] = cgroups.get("net_cls_classid", 0)
    found["net_prio_ifpriomap"] = tuple(
        (str(name), int(prio)) for name, prio in cgroups.get("net_prio_ifpriomap", ())
    )
    found["blkio_weight_device"] = tuple(
        (int(major), int(minor), int(weight))
        for major, minor, weight in cgroups.get("blkio_weight_device", ())
    )
    found["blkio_throttle"] = tuple(
        (str(kind), int(major), int(minor), int(rate))
        for kind, major, minor, rate in cgroups.get("blkio_throttle", ())
    )
    found["oom_kill_disable"] = bool(cgroups.get("oom_kill_disable", False))
    found["cpuset_cpus"] = cgroups.get("cpuset_cpus", "")
    found["cpuset_mems"] = cgroups.get("cpuset_mems", "")
    found["hugetlb"] = tuple((str(size), int(limit)) for size, limit in cgroups.get("hugetlb", ()))
    found["devices"] = tuple(DeviceRule(**rule) for rule in cgroups.get("devices", ()))
    found["unified"] = cgroups.get("unified")
    return found


def _hook_from_json(data: dict[str, Any]) -> Hook:
    return Hook(
        path=data["path"],
        args=tuple(data.get("args", ())),
        env=tuple(data.get("env", ())),
        timeout=data.get("timeout"),
    )


def _to_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    return value
