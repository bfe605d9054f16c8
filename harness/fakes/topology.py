"""What host the simulated kernel pretends to be: cgroup layout, RDT hardware, CPU flags.

The topology is plain data, fixed for the life of a kernel, so that a scenario can be
parametrised over hosts ("v1 with RDT", "v1 without resctrl mounted", ...) and the parameters can
be printed in a report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["BASE_CPU_FLAGS", "DEFAULT_TOPOLOGY", "CgroupMode", "ResctrlTopology", "Topology"]

CgroupMode = Literal["v1", "hybrid", "v2"]

#: flags of an ordinary x86-64 server CPU, without any RDT flag
BASE_CPU_FLAGS: tuple[str, ...] = (
    "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge",
    "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2", "ht", "syscall", "nx",
    "pdpe1gb", "rdtscp", "lm", "constant_tsc", "rep_good", "nopl", "xtopology", "cpuid", "pni",
    "pclmulqdq", "ssse3", "fma", "cx16", "pcid", "sse4_1", "sse4_2", "x2apic", "movbe", "popcnt",
    "aes", "xsave", "avx", "f16c", "rdrand", "hypervisor", "lahf_lm", "abm", "fsgsbase", "bmi1",
    "avx2", "smep", "bmi2", "erms", "invpcid", "rdseed", "adx", "smap", "xsaveopt",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ResctrlTopology:
    """Intel RDT L3 CAT as ``info/L3`` describes it (reference §1.3)."""

    #: full capacity bitmask (``info/L3/cbm_mask``); its bit length is the CBM length
    cbm_mask: int = 0x7FF
    #: ``info/L3/min_cbm_bits``
    min_cbm_bits: int = 1
    #: ``info/L3/num_closids``; CLOSID 0 is the default group, so num_closids-1 groups fit
    num_closids: int = 16
    #: L3 cache (domain) ids, in ascending order
    cache_ids: tuple[int, ...] = (0, 1)
    #: ``info/L3/shareable_bits``
    shareable_bits: int = 0
    #: size of each L3 cache in bytes (for the ``size`` file)
    l3_cache_bytes: int = 11 * 1024 * 1024

    @property
    def cbm_len(self) -> int:
        """Number of bits in a capacity bitmask."""
        return self.cbm_mask.bit_length()


@dataclass(frozen=True, slots=True)
class Topology:
    """The host: cgroup mode and controllers, RDT hardware and mount, CPU flags."""

    #: only "v1" is modelled so far; "hybrid" and "v2" raise FakeKernelError at boot
    cgroup_mode: CgroupMode = "v1"
    #: one v1 hierarchy per controller, each mounted at /sys/fs/cgroup/<name>
    v1_controllers: tuple[str, ...] = (
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "hugetlb",
    )  # fmt: skip
    #: None: the CPU has no RDT (no cat_l3 flag, no /sys/fs/resctrl at all)
    resctrl: ResctrlTopology | None = ResctrlTopology()
    #: whether resctrl is mounted at /sys/fs/resctrl (ignored when resctrl is None)
    resctrl_mounted: bool = True
    #: base flags; "cat_l3" (and "rdt_a") are added when resctrl is not None
    cpu_flags: tuple[str, ...] = BASE_CPU_FLAGS
    #: online CPUs; /proc/cpuinfo has one block per CPU
    num_cpus: int = 2
    #: the cpuset root's ``cgroup.clone_children`` at boot.  The kernel default (False) makes new
    #: cpusets start with no CPUs and memory nodes, so attaching a task fails with ENOSPC until
    #: the runtime copies the parent's values (as runc does); True makes them inherit.
    cpuset_clone_children: bool = False

    def effective_cpu_flags(self) -> tuple[str, ...]:
        """The flags /proc/cpuinfo shows: the base flags plus the RDT ones the hardware has."""
        flags = list(self.cpu_flags)
        if self.resctrl is not None:
            for extra in ("cat_l3", "rdt_a"):
                if extra not in flags:
                    flags.append(extra)
        return tuple(flags)

    @property
    def resctrl_is_mounted(self) -> bool:
        """resctrl can only be mounted when the hardware has RDT."""
        return self.resctrl is not None and self.resctrl_mounted


#: the default host: cgroup v1, L3 CAT with 16 CLOSIDs on two caches, resctrl mounted
DEFAULT_TOPOLOGY = Topology()
