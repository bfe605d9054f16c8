"""An OCI bundle's config.json as the reference's :class:`Config` (runc's ``specconv``).

Only what the reference acts on is read: the process, the namespaces (a ``path`` makes a joined
namespace, written ``"pid=/proc/1/ns/pid"``), ``linux.cgroupsPath``, the resources users set
most, ``linux.intelRdt``, the hooks the seed knows (prestart, poststart, poststop) and runtime-spec
1.0.2's ``createRuntime``.
"""

from __future__ import annotations

import json
import os
from typing import Any

from reference_impl.cgroups.fs2 import shares_to_weight
from reference_impl.configs import CgroupConfig
from reference_impl.configs import Config
from reference_impl.configs import DeviceRule
from reference_impl.configs import Hook
from reference_impl.configs import Hooks
from reference_impl.configs import IntelRdtConfig
from reference_impl.configs import Process
from reference_impl.oci_refusals import refusals

__all__ = ["BundleError", "load_bundle"]

#: runtime-spec namespace types -> the reference's names
_NAMESPACES = {"pid": "pid", "mount": "mount", "network": "net", "ipc": "ipc", "uts": "uts",
               "user": "user", "cgroup": "cgroup"}  # fmt: skip


class BundleError(Exception):
    """The bundle cannot be used: no config.json, bad JSON, or a required field missing."""


def load_bundle(
    bundle: str, container_id: str, refuse_as_spec_says: bool = True
) -> tuple[Config, Process]:
    """Read ``<bundle>/config.json``: the container's config and its init process; values
    the runtime-spec calls errors are refused, only those runc refuses unless
    ``refuse_as_spec_says``.

    Raises:
        BundleError: with a message naming the file and what is wrong.
    """
    path = os.path.join(bundle, "config.json")
    try:
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
    except FileNotFoundError:
        raise BundleError(f"open {path}: no such file or directory") from None
    except (OSError, ValueError) as err:
        raise BundleError(f"{path}: {err}") from None
    if not isinstance(spec, dict):
        raise BundleError(f"{path}: not a JSON object")
    process = spec.get("process")
    if not isinstance(process, dict) or not process.get("args"):
        raise BundleError(f"{path}: process.args is required")
    refused = refusals(spec, refuse_as_spec_says)
    if refused:
        raise BundleError(f"{path}: {'; '.join(refused)}")
    linux = spec.get("linux") or {}
    config = Config(
        namespaces=_namespaces(linux.get("namespaces") or []),
        cgroups=_cgroups(linux, container_id),
        intel_rdt=_intel_rdt(linux.get("intelRdt")),
        hooks=_hooks(spec.get("hooks") or {}),
        labels=(*_annotation_labels(spec), f"bundle={os.path.abspath(bundle)}"),
        version=str(spec.get("ociVersion", "")),
    )
    init = Process(
        args=tuple(str(a) for a in process["args"]),
        env=tuple(str(e) for e in process.get("env") or ()),
        cwd=str(process.get("cwd") or "/"),
    )
    return config, init


def _annotation_labels(spec: dict[str, Any]) -> tuple[str, ...]:
    """config.json's annotations as the "key=value" labels specconv makes of them, before the
    bundle's (692f6e1 libcontainer/specconv/spec_linux.go:172-181; v1.2.0 :359-369)."""
    annotations = spec.get("annotations") or {}
    if not isinstance(annotations, dict):
        return ()
    return tuple(f"{key}={value}" for key, value in annotations.items())


def _namespaces(entries: list[dict[str, Any]]) -> tuple[str, ...]:
    names = []
    for entry in entries:
        name = _NAMESPACES.get(str(entry.get("type")), str(entry.get("type")))
        names.append(f"{name}={entry['path']}" if entry.get("path") else name)
    return tuple(names)


def _cgroups(linux: dict[str, Any], container_id: str) -> CgroupConfig:
    resources = linux.get("resources") or {}
    memory = resources.get("memory") or {}
    pids = resources.get("pids") or {}
    cpu = resources.get("cpu") or {}
    network = resources.get("network") or {}
    path = str(linux.get("cgroupsPath") or f"/{container_id}")
    unified = resources.get("unified")
    return CgroupConfig(
        path=path if path.startswith("/") else f"/{path}",
        memory_limit=int(memory.get("limit") or 0),
        memory_reservation=int(memory.get("reservation") or 0),
        memory_swap=int(memory.get("swap") or 0),
        oom_kill_disable=bool(memory.get("disableOOMKiller")),
        pids_limit=int(pids.get("limit") or 0),
        cpu_shares=int(cpu.get("shares") or 0),
        # specconv fills the v2 weight from the shares (v1.2.0 spec_linux.go:813-818)
        cpu_weight=shares_to_weight(int(cpu.get("shares") or 0)),
        cpu_quota=int(cpu.get("quota") or 0),
        cpu_period=int(cpu.get("period") or 0),
        cpuset_cpus=str(cpu.get("cpus") or ""),
        cpuset_mems=str(cpu.get("mems") or ""),
        blkio_weight=int((resources.get("blockIO") or {}).get("weight") or 0),
        hugetlb=tuple(
            (str(entry["pageSize"]), int(entry["limit"]))
            for entry in resources.get("hugepageLimits") or ()
        ),
        devices=tuple(_device_rule(rule) for rule in resources.get("devices") or ()),
        # an empty map is none at all (v1.1.5 spec_linux.go:825-831)
        unified={str(k): str(v) for k, v in unified.items()} if unified else None,
        memory_swappiness=int(memory["swappiness"]) if "swappiness" in memory else -1,
        kernel_tcp=int(memory.get("kernelTCP") or 0),
        cpu_rt_period=int(cpu.get("realtimePeriod") or 0),
        cpu_rt_runtime=int(cpu.get("realtimeRuntime") or 0),
        blkio_throttle=_throttles(resources.get("blockIO") or {}),
        blkio_weight_device=tuple(
            (int(entry["major"]), int(entry["minor"]), int(entry.get("weight") or 0))
            for entry in (resources.get("blockIO") or {}).get("weightDevice") or ()
        ),
        net_cls_classid=int(network.get("classID") or 0),
        net_prio_ifpriomap=tuple(
            (str(entry["name"]), int(entry["priority"]))
            for entry in network.get("priorities") or ()
        ),
    )


#: linux.resources.blockIO's throttle lists -> the kind runc keeps them as, in its order
#: (v1.1.5 libcontainer/specconv/spec_linux.go:770-797)
_THROTTLE_KEYS = (
    ("throttleReadBpsDevice", "read_bps"),
    ("throttleWriteBpsDevice", "write_bps"),
    ("throttleReadIOPSDevice", "read_iops"),
    ("throttleWriteIOPSDevice", "write_iops"),
)


def _throttles(block_io: dict[str, Any]) -> tuple[tuple[str, int, int, int], ...]:
    """Every throttle entry as (kind, major, minor, rate), the kinds in runc's order."""
    return tuple(
        (kind, int(entry["major"]), int(entry["minor"]), int(entry.get("rate") or 0))
        for key, kind in _THROTTLE_KEYS
        for entry in block_io.get(key) or ()
    )


def _device_rule(rule: dict[str, Any]) -> DeviceRule:
    """A ``linux.resources.devices`` entry as specconv reads it: no type is "a", no number
    is any (v1.1.5 libcontainer/specconv/spec_linux.go:674-703)."""
    major, minor = rule.get("major"), rule.get("minor")
    return DeviceRule(
        allow=bool(rule.get("allow")),
        type=str(rule.get("type") or "a"),
        major=-1 if major is None else int(major),
        minor=-1 if minor is None else int(minor),
        access=str(rule.get("access") or "rwm"),
    )


def _intel_rdt(rdt: dict[str, Any] | None) -> IntelRdtConfig | None:
    if rdt is None:
        return None
    return IntelRdtConfig(
        l3_cache_schema=str(rdt.get("l3CacheSchema") or ""),
        mem_bw_schema=str(rdt.get("memBwSchema") or ""),
        clos_id=str(rdt.get("closID") or ""),
        enable_monitoring=bool(rdt.get("enableMonitoring", False)),
        schemata=tuple(str(line) for line in rdt.get("schemata") or ()),
    )


def _hooks(hooks: dict[str, Any]) -> Hooks:
    def read(kind: str) -> tuple[Hook, ...]:
        return tuple(
            Hook(
                path=str(h["path"]),
                args=tuple(str(a) for a in h.get("args") or ()),
                env=tuple(str(e) for e in h.get("env") or ()),
                timeout=float(h["timeout"]) if h.get("timeout") else None,
            )
            for h in hooks.get(kind) or ()
        )

    return Hooks(
        prestart=read("prestart"),
        poststart=read("poststart"),
        poststop=read("poststop"),
        create_runtime=read("createRuntime"),
    )
