"""This machine in one read-only look: what ``rtgate doctor`` prints and what a report on a real
host records as its host probe."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from harness.hosts.facts.mounts import CgroupLayout
from harness.hosts.facts.mounts import read_layout
from harness.hosts.facts.procs import RDT_FLAGS
from harness.hosts.facts.procs import cpu_flags
from harness.hosts.facts.resctrl import resctrl_absence
from harness.hosts.facts.resctrl import resctrl_info
from harness.hosts.facts.resctrl import resctrl_mounts

__all__ = ["HostFacts", "describe_real", "host_facts", "runtime_version"]


@dataclass(frozen=True, slots=True)
class HostFacts:
    """Everything ``rtgate doctor`` reports about the host."""

    is_root: bool
    kernel: str
    layout: CgroupLayout
    resctrl_mount: str | None
    #: why resctrl cannot be used, or None
    resctrl_absent: str | None
    #: resctrl features: the info/ directories (L3, MB, L3_MON, ...) when mounted
    resctrl_features: tuple[str, ...]
    rdt_flags: tuple[str, ...]
    runtimes: dict[str, tuple[str, str] | None]
    #: per resource of info/, what it offers (see :func:`resctrl_info`)
    resctrl_info: dict[str, dict[str, str]] = field(default_factory=dict)
    #: the resctrl mount's options beyond rw (cdp, cdpl2, mba_MBps, debug)
    resctrl_options: tuple[str, ...] = ()
    #: path of a static busybox for bundles, or None
    busybox: str | None = None


def runtime_version(name: str) -> tuple[str, str] | None:
    """(path, first line of ``NAME --version``) of a runtime on PATH, or None."""
    path = shutil.which(name)
    if path is None:
        return None
    try:
        done = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return path, f"({type(err).__name__}: {err})"
    lines = (done.stdout or done.stderr).strip().splitlines()
    return path, lines[0] if lines else f"(no output, exit {done.returncode})"


def _quiet_flags() -> tuple[str, ...]:
    try:
        return cpu_flags()
    except OSError:
        return ()


def host_facts(runtimes: tuple[str, ...] = ("runc", "crun")) -> HostFacts:
    """Probe the host (read-only)."""
    try:
        found = resctrl_mounts()
    except OSError:
        found = []
    mount = found[0].mount_point if found else None
    options = tuple(o for o in (found[0].super_options if found else ()) if o not in ("rw", "ro"))
    features: tuple[str, ...] = ()
    if mount is not None:
        try:
            features = tuple(sorted(os.listdir(os.path.join(mount, "info"))))
        except OSError:
            features = ()
    flags = _quiet_flags()
    return HostFacts(
        is_root=os.geteuid() == 0,
        kernel=kernel_release(),
        layout=read_layout(),
        resctrl_mount=mount,
        resctrl_absent=resctrl_absence(),
        resctrl_features=features,
        rdt_flags=tuple(f for f in RDT_FLAGS if f in flags),
        runtimes={name: runtime_version(name) for name in runtimes},
        resctrl_info=resctrl_info(mount) if mount is not None else {},
        resctrl_options=options,
        busybox=shutil.which("busybox"),
    )


def kernel_release() -> str:
    """``/proc/sys/kernel/osrelease`` (a simulated kernel renders its own), else uname's."""
    try:
        with open("/proc/sys/kernel/osrelease", encoding="ascii") as file:
            return file.read().strip()
    except OSError:
        return platform.release()


def describe_real() -> dict[str, Any]:
    """What the report says of this machine: kernel, cgroups, resctrl, CPU flags (read-only).

    Plain data: ``harness.report`` computes the host features from these keys
    (``resctrl_mounted``, ``resctrl_features``, ``cpu_rdt_flags``), never from the sentences.
    """
    facts = host_facts(runtimes=())
    return {
        "hostname": os.uname().nodename,
        "kernel": facts.kernel,
        "cgroup_mode": facts.layout.mode,
        "cgroup_v1": sorted(facts.layout.v1),
        "cgroup_v2": facts.layout.v2,
        "cgroup_v2_controllers": list(facts.layout.v2_controllers),
        "resctrl": facts.resctrl_absent or f"mounted at {facts.resctrl_mount}",
        "resctrl_mounted": facts.resctrl_mount is not None,
        "resctrl_features": list(facts.resctrl_features),
        "resctrl_options": list(facts.resctrl_options),
        "cpu_rdt_flags": list(facts.rdt_flags),
    }
