"""Intel RDT as the host shows it: the resctrl mount and what its ``info/`` offers.

Found the way a runtime finds it (mountinfo, /proc/cpuinfo, ``info/``), read through ``open`` at
the real paths so the simulated kernel's resctrl reads the same.
"""

from __future__ import annotations

import os

from harness.hosts.facts.mounts import MOUNTINFO
from harness.hosts.facts.mounts import Mount
from harness.hosts.facts.mounts import read_mounts
from harness.hosts.facts.procs import cpu_flags

__all__ = [
    "RESCTRL_INFO_FILES",
    "RESCTRL_ROOT",
    "read_info_value",
    "resctrl_absence",
    "resctrl_info",
    "resctrl_mounts",
]

RESCTRL_ROOT = "/sys/fs/resctrl"
#: the info/<resource>/ files that describe what a resource offers, in the order they are shown
RESCTRL_INFO_FILES = ("cbm_mask", "min_cbm_bits", "num_closids", "shareable_bits", "sparse_masks",
                      "bandwidth_gran", "min_bandwidth", "delay_linear", "num_rmids",
                      "mon_features")  # fmt: skip


def resctrl_mounts(mountinfo: str = MOUNTINFO) -> list[Mount]:
    """The resctrl mounts of the table at ``mountinfo`` (this process's by default).

    Raises:
        OSError: the table cannot be read.
    """
    return [m for m in read_mounts(mountinfo) if m.fstype == "resctrl"]


def _rdt_flags_phrase() -> str:
    try:
        flags = set(cpu_flags())
    except OSError:
        flags = set()
    rdt = sorted(flags & {"rdt_a", "cat_l3", "cat_l2", "mba", "cqm"})
    if rdt:
        return f"/proc/cpuinfo has RDT flags {', '.join(rdt)}"
    return "/proc/cpuinfo has no cat_l3, cat_l2, mba, cqm or rdt_a flag"


def resctrl_absence(mountinfo: str = MOUNTINFO) -> str | None:
    """None when resctrl is mounted; else what was probed and found, as one sentence."""
    try:
        if resctrl_mounts(mountinfo):
            return None
    except OSError:
        pass
    directory = (
        f"{RESCTRL_ROOT} exists but is not a mount"
        if os.path.isdir(RESCTRL_ROOT)
        else f"{RESCTRL_ROOT} does not exist"
    )
    return f"no resctrl: {mountinfo} has no resctrl line, {directory}, and {_rdt_flags_phrase()}"


def read_info_value(resource: str, name: str, root: str = RESCTRL_ROOT) -> str:
    """The text of ``<root>/info/<resource>/<name>``, stripped (``num_closids`` -> "16").

    Raises:
        OSError: the resource or the file does not exist.
    """
    with open(os.path.join(root, "info", resource, name), encoding="ascii") as file:
        return file.read().strip()


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
