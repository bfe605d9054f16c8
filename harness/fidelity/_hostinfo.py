"""What this host offers, read from /proc and /sys only (no writes): for ``rtgate doctor`` and
for building probes and the simulated twin of the machine.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from dataclasses import dataclass
from dataclasses import field

__all__ = [
    "RDT_FLAGS",
    "CgroupLayout",
    "HostFacts",
    "cpu_flags",
    "host_facts",
    "read_layout",
    "resctrl_absence",
    "resctrl_info",
    "runtime_version",
]

CGROUP_ROOT = "/sys/fs/cgroup"
RESCTRL_ROOT = "/sys/fs/resctrl"
#: the info/<resource>/ files that describe what a resource offers, in the order they are shown
RESCTRL_INFO_FILES = ("cbm_mask", "min_cbm_bits", "num_closids", "shareable_bits", "sparse_masks",
                      "bandwidth_gran", "min_bandwidth", "delay_linear", "num_rmids",
                      "mon_features")  # fmt: skip
#: the /proc/cpuinfo flags of Intel RDT (allocation and monitoring) and AMD's equivalents
RDT_FLAGS = ("rdt_a", "cat_l3", "cat_l2", "cdp_l3", "cdp_l2", "mba", "cqm", "cqm_llc",
             "cqm_occup_llc", "cqm_mbm_total", "cqm_mbm_local", "smba", "bmec")  # fmt: skip


@dataclass(frozen=True, slots=True)
class CgroupLayout:
    """The cgroup mounts of the host, as /proc/self/mountinfo lists them."""

    #: v1 hierarchy name ("memory", "cpu,cpuacct", "name=systemd") -> mount point
    v1: dict[str, str] = field(default_factory=dict)
    #: mount point of the unified (v2) hierarchy, if any
    v2: str | None = None
    #: controllers the v2 root offers (its cgroup.controllers)
    v2_controllers: tuple[str, ...] = ()
    #: controllers on the v2 hierarchy that its cgroup.controllers hides (implicit ones such as
    #: perf_event): the v2 root's cgroup.stat counts them
    v2_implicit: tuple[str, ...] = ()

    @property
    def mode(self) -> str:
        """One of "v1", "v2", "hybrid" (both) or "none"."""
        if self.v1 and self.v2:
            return "hybrid"
        if self.v1:
            return "v1"
        return "v2" if self.v2 else "none"


def _unescape(field_text: str) -> str:
    return (
        field_text.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n")
        .replace("\\134", "\\")
    )  # fmt: skip


def _mountinfo(path: str = "/proc/self/mountinfo") -> list[tuple[str, str, str]]:
    """(mount point, fs type, super options) of each mount."""
    rows: list[tuple[str, str, str]] = []
    try:
        with open(path, encoding="utf-8") as file:
            lines = file.read().splitlines()
    except OSError:
        return rows
    for line in lines:
        head, sep, tail = line.partition(" - ")
        parts, rest = head.split(), tail.split()
        if not sep or len(parts) < 5 or len(rest) < 3:
            continue
        rows.append((_unescape(parts[4]), rest[0], rest[2]))
    return rows


_V1_OPTIONS = {"rw", "ro", "relatime", "noatime", "nosuid", "nodev", "noexec", "clone_children",
               "xattr", "noprefix", "cpuset_v2_mode", "favordynmods", "nsdelegate"}  # fmt: skip


def read_layout(mountinfo: str = "/proc/self/mountinfo") -> CgroupLayout:
    """The host's cgroup hierarchies from mountinfo and the v2 root's controllers."""
    v1: dict[str, str] = {}
    v2: str | None = None
    for point, fstype, options in _mountinfo(mountinfo):
        if fstype == "cgroup":
            names = [o for o in options.split(",") if o not in _V1_OPTIONS
                     and not o.startswith("release_agent=")]  # fmt: skip
            if names:
                v1.setdefault(",".join(names), point)
        elif fstype == "cgroup2" and v2 is None:
            v2 = point
    controllers: tuple[str, ...] = ()
    implicit: tuple[str, ...] = ()
    if v2 is not None:
        controllers = tuple(_read(os.path.join(v2, "cgroup.controllers")).split())
        implicit = _implicit(_read(os.path.join(v2, "cgroup.stat")), controllers)
    return CgroupLayout(v1, v2, controllers, implicit)


def _read(path: str) -> str:
    """The text of a file, empty when it cannot be read (an older kernel lacks it)."""
    try:
        with open(path, encoding="utf-8") as file:
            return file.read()
    except OSError:
        return ""


def _implicit(stat: str, controllers: tuple[str, ...]) -> tuple[str, ...]:
    """The subsystems cgroup.stat counts (``nr_subsys_<ss>``) that cgroup.controllers hides."""
    names = [line.split()[0].removeprefix("nr_subsys_") for line in stat.splitlines() if line]
    return tuple(n for n in names if n not in controllers and not n.startswith("nr_"))


def cpu_flags(cpuinfo: str = "/proc/cpuinfo") -> tuple[str, ...]:
    """The flags of the first CPU in /proc/cpuinfo (empty when it cannot be read)."""
    try:
        with open(cpuinfo, encoding="utf-8") as file:
            for line in file:
                key, _, value = line.partition(":")
                if key.strip() == "flags":
                    return tuple(value.split())
    except OSError:
        pass
    return ()


def cpu_count(cpuinfo: str = "/proc/cpuinfo") -> int:
    """Online CPUs as /proc/cpuinfo lists them."""
    try:
        with open(cpuinfo, encoding="utf-8") as file:
            return max(1, sum(1 for line in file if line.startswith("processor")))
    except OSError:
        return 1


def resctrl_absence(mountinfo: str = "/proc/self/mountinfo") -> str | None:
    """None when resctrl is mounted; else what was probed and found, as one sentence."""
    mounts = [point for point, fstype, _ in _mountinfo(mountinfo) if fstype == "resctrl"]
    if mounts:
        return None
    flags = set(cpu_flags())
    rdt = sorted(flags & {"rdt_a", "cat_l3", "cat_l2", "mba", "cqm"})
    hardware = (
        f"/proc/cpuinfo has RDT flags {', '.join(rdt)}"
        if rdt
        else "/proc/cpuinfo has no cat_l3, cat_l2, mba, cqm or rdt_a flag"
    )
    directory = (
        f"{RESCTRL_ROOT} exists but is not a mount"
        if os.path.isdir(RESCTRL_ROOT)
        else f"{RESCTRL_ROOT} does not exist"
    )
    return f"no resctrl: {mountinfo} has no resctrl line, {directory}, and {hardware}"


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


def resctrl_info(mount: str) -> dict[str, dict[str, str]]:
    """What each resource under ``<mount>/info`` offers: {"L3": {"cbm_mask": "7ff", ...}}.

    Only the files of :data:`RESCTRL_INFO_FILES` are read; a file that cannot be read is left out.
    """
    info = os.path.join(mount, "info")
    found: dict[str, dict[str, str]] = {}
    try:
        resources = sorted(os.listdir(info))
    except OSError:
        return found
    for resource in resources:
        directory = os.path.join(info, resource)
        if not os.path.isdir(directory):
            continue
        values: dict[str, str] = {}
        for name in RESCTRL_INFO_FILES:
            try:
                with open(os.path.join(directory, name), encoding="utf-8") as file:
                    values[name] = ",".join(file.read().split())
            except OSError:
                continue
        found[resource] = values
    return found


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


def host_facts(runtimes: tuple[str, ...] = ("runc", "crun")) -> HostFacts:
    """Probe the host (read-only)."""
    resctrl_mounts = [(p, o) for p, fstype, o in _mountinfo() if fstype == "resctrl"]
    mount = resctrl_mounts[0][0] if resctrl_mounts else None
    options = tuple(
        o
        for o in (resctrl_mounts[0][1].split(",") if resctrl_mounts else ())
        if o not in ("rw", "ro")
    )
    features: tuple[str, ...] = ()
    if mount is not None:
        try:
            features = tuple(sorted(os.listdir(os.path.join(mount, "info"))))
        except OSError:
            features = ()
    flags = cpu_flags()
    return HostFacts(
        is_root=os.geteuid() == 0,
        kernel=platform.release(),
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
