"""A simulated host for one test: the kernel model, the matching System, a state root.

The scenarios ask the host what the kernel shows (which cgroup directories exist, which pids a
resctrl group holds, which hook programs ran) instead of asking the subject, so that a subject
cannot pass by reporting what it did not do.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from contextlib import contextmanager

from harness.fakes import SimProgram
from harness.fakes import SimulatedKernel
from harness.fakes import SimulatedSystem
from harness.fakes import Topology
from harness.fakes.fixtures import simulated_host as _kernel_host
from harness.fakes.presets import DEFAULT_PRESET
from harness.fakes.presets import preset

__all__ = ["HOOK_DIR", "STATE_ROOT", "SimulatedHost", "simulated_host"]

#: where subjects keep their containers' state dirs on a simulated host
STATE_ROOT = "/run/rtgate"
#: where the harness installs simulated hook programs
HOOK_DIR = "/usr/libexec/rtgate-hooks"
RESCTRL = "/sys/fs/resctrl"
CGROUP_ROOT = "/sys/fs/cgroup"


@dataclasses.dataclass
class SimulatedHost:
    """The kernel, the System the subject gets, and questions about what the kernel shows."""

    kernel: SimulatedKernel
    system: SimulatedSystem
    state_root: str = STATE_ROOT
    #: the preset the host was booted from ("custom" for a hand-made topology)
    preset: str = "custom"
    name = "simulated"

    # -- hooks -------------------------------------------------------------------------------
    def hook_program(self, name: str, program: SimProgram) -> str:
        """Install a simulated program under HOOK_DIR; returns its path."""
        path = os.path.join(HOOK_DIR, name)
        self.kernel.programs.install(path, program)
        return path

    # -- what the kernel shows ---------------------------------------------------------------
    def cgroup_dirs(self, cgroup_path: str) -> list[str]:
        """Every existing directory named ``cgroup_path`` under a v1 hierarchy."""
        found = []
        for controller in sorted(os.listdir(CGROUP_ROOT)):
            path = os.path.join(CGROUP_ROOT, controller, cgroup_path.lstrip("/"))
            if os.path.isdir(path):
                found.append(path)
        return found

    def resctrl_group(self, name: str) -> str:
        return os.path.join(RESCTRL, name)

    def resctrl_tasks(self, name: str = "") -> list[int]:
        """Pids listed in a resctrl group's tasks file ("" for the default group)."""
        path = os.path.join(RESCTRL, name, "tasks") if name else os.path.join(RESCTRL, "tasks")
        with open(path, encoding="ascii") as f:
            return [int(x) for x in f.read().split()]

    def freezer_state(self, cgroup_path: str) -> str:
        path = os.path.join(CGROUP_ROOT, "freezer", cgroup_path.lstrip("/"), "freezer.state")
        with open(path, encoding="ascii") as f:
            return f.read().strip()

    # -- what the host offers, probed as a user would ----------------------------------------
    def rdt_unavailable(self) -> str | None:
        """Why a container cannot get an L3 CAT resctrl group here, or None when it can.

        Found the way a runtime finds it (CPU flags, mountinfo, info/), so a skip names what is
        missing on this host.
        """
        with open("/proc/cpuinfo", encoding="ascii") as f:
            flags = {word for line in f if line.startswith("flags") for word in line.split()}
        if "cat_l3" not in flags:
            return "no L3 CAT: /proc/cpuinfo has no cat_l3 flag"
        with open("/proc/self/mountinfo", encoding="ascii") as f:
            mounted = any(" - resctrl " in line for line in f)
        if not mounted:
            return "resctrl is not mounted: /proc/self/mountinfo has no resctrl line"
        info = os.path.join(RESCTRL, "info")
        if not os.path.isdir(os.path.join(info, "L3")):
            found = ", ".join(sorted(os.listdir(info)))
            return f"resctrl has no info/L3 (info/ holds {found}): L3 is split by cdp or absent"
        return None

    def l3_domains(self) -> list[int]:
        """The L3 cache ids, from the default group's schemata line."""
        with open(os.path.join(RESCTRL, "schemata"), encoding="ascii") as f:
            for line in f:
                name, _, rest = line.strip().partition(":")
                if name.strip() == "L3":
                    return [int(item.split("=")[0]) for item in rest.split(";") if item.strip()]
        raise AssertionError("the default group's schemata has no L3 line")

    def l3_schema(self, *masks: str) -> str:
        """An ``L3:`` schema over every cache domain of this host; masks are used in turn."""
        domains = self.l3_domains()
        items = [f"{d}={masks[i % len(masks)]}" for i, d in enumerate(domains)]
        return "L3:" + ";".join(items)

    def is_alive(self, pid: int) -> bool:
        """True while the process exists and has not exited (zombies are not alive)."""
        process = self.kernel.process(pid)
        return process is not None and process.state != "zombie"


@contextmanager
def simulated_host(topology: Topology | str | None = None) -> Iterator[SimulatedHost]:
    """A fresh simulated host, patched in with pyfakefs for the duration of the block.

    ``topology`` is a :class:`Topology`, the name of a preset, or None for the default preset.
    """
    name = "custom"
    if topology is None or isinstance(topology, str):
        name = topology or DEFAULT_PRESET
        topology = preset(name)
    with _kernel_host(topology) as kernel:
        os.makedirs(STATE_ROOT, 0o711, exist_ok=True)
        os.makedirs(HOOK_DIR, 0o755, exist_ok=True)
        yield SimulatedHost(kernel=kernel, system=SimulatedSystem(kernel), preset=name)
