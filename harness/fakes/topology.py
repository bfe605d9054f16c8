"""What host the simulated kernel pretends to be: cgroup layout, RDT hardware, CPU flags.

The topology is plain data, fixed for the life of a kernel, so that a scenario can be
parametrised over hosts ("v1 with RDT", "v1 without resctrl mounted", ...) and the parameters can
be printed in a report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "BASE_CPU_FLAGS",
    "DEFAULT_TOPOLOGY",
    "AMD_MAX_MBA_BW",
    "INTEL_MAX_MBA_BW",
    "HYBRID_TOPOLOGY",
    "V1_TO_V2",
    "V2_CONTROLLERS",
    "V2_TOPOLOGY",
    "CacheTopology",
    "CgroupMode",
    "MbaTopology",
    "MbaVendor",
    "ThrottleMode",
    "MonitoringTopology",
    "ResctrlEra",
    "ResctrlTopology",
    "Topology",
]

CgroupMode = Literal["v1", "hybrid", "v2"]

#: the controllers cgroup2 can host, in the kernel's subsystem order
V2_CONTROLLERS: tuple[str, ...] = ("cpuset", "cpu", "io", "memory", "hugetlb", "pids")
#: v1 names of controllers that cgroup2 knows by another name
V1_TO_V2: dict[str, str] = {"blkio": "io"}

#: flags of an ordinary x86-64 server CPU, without any RDT flag
BASE_CPU_FLAGS: tuple[str, ...] = (
    "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "sep", "mtrr", "pge",
    "mca", "cmov", "pat", "pse36", "clflush", "mmx", "fxsr", "sse", "sse2", "ht", "syscall", "nx",
    "pdpe1gb", "rdtscp", "lm", "constant_tsc", "rep_good", "nopl", "xtopology", "cpuid", "pni",
    "pclmulqdq", "ssse3", "fma", "cx16", "pcid", "sse4_1", "sse4_2", "x2apic", "movbe", "popcnt",
    "aes", "xsave", "avx", "f16c", "rdrand", "hypervisor", "lahf_lm", "abm", "fsgsbase", "bmi1",
    "avx2", "smep", "bmi2", "erms", "invpcid", "rdseed", "adx", "smap", "xsaveopt",
)  # fmt: skip


#: which kernel's resctrl the host runs (reference §1.4–1.10, by era):
#:
#: * ``"4.x"``: ``intel_rdt`` (v4.14–4.20): lower-case messages, padded values, old line order,
#:   single-pid ``tasks`` writes, a zero mask always out of range;
#: * ``"5.x"``: v5.0–5.14: capitalised messages, padded values, old line order, single pids;
#: * ``"6.x"``: ~v6.2–6.13: padded values, new (reversed) line order, comma-separated pids,
#:   ``sparse_masks`` and ``thread_throttle_mode`` in info;
#: * ``"modern"``: ``fs/resctrl`` (~v6.14+): unpadded values, new order, ``Invalid MB value``.
ResctrlEra = Literal["4.x", "5.x", "6.x", "modern"]


#: whose MBA (resctrl.rst, "Memory bandwidth Allocation" and "Reading/writing the schemata file
#: (on AMD systems)"): Intel's takes a percentage, AMD's a limit in 1/8 GB/s
MbaVendor = Literal["intel", "amd"]
#: ``info/MB/thread_throttle_mode`` (resctrl.rst, "Info directory"): Intel only
ThrottleMode = Literal["max", "per-thread"]
#: Intel's ``MAX_MBA_BW``: the MB value is a percentage
INTEL_MAX_MBA_BW = 100
#: ``MAX_MBA_BW_AMD`` (0x800), the limit of every AMD part until Linux 6.8 read it from
#: CPUID 0x80000020 (commit 0976783bb123 "x86/resctrl: Remove hard-coded memory bandwidth limit")
AMD_MAX_MBA_BW = 2048


@dataclass(frozen=True, slots=True)
class MbaTopology:
    """Memory Bandwidth Allocation as ``info/MB`` describes it (reference §1.3, §1.7)."""

    #: ``info/MB/bandwidth_gran``: accepted values are rounded up to a multiple of it (AMD: 1)
    bandwidth_gran: int = 10
    #: ``info/MB/min_bandwidth`` (AMD: 0)
    min_bandwidth: int = 10
    #: ``info/MB/delay_linear``; Intel refuses every MB value when it is False (AMD: always 0,
    #: and AMD's parser does not look at it)
    delay_linear: bool = True
    #: mounted with ``-o mba_MBps`` (needs monitoring with mbm_local_bytes and linear delay):
    #: the MB line then holds MBps, any u32, default 4294967295
    mba_MBps: bool = False
    #: ``info/MB/num_closids`` (Intel: 8)
    num_closids: int = 8
    #: "intel": percentages up to 100; "amd": 1/8 GB/s up to :attr:`max_bandwidth`, no
    #: ``thread_throttle_mode``, values four digits wide in the padded eras
    vendor: MbaVendor = "intel"
    #: the largest (and default) MB value; None: the vendor's (100, or AMD's 2048)
    max_bandwidth: int | None = None
    #: ``info/MB/thread_throttle_mode`` on Intel parts (6.x kernels and newer)
    throttle_mode: ThrottleMode = "max"

    @property
    def max_bw(self) -> int:
        """The largest MB value a schemata write may give, and every group's default."""
        if self.max_bandwidth is not None:
            return self.max_bandwidth
        return AMD_MAX_MBA_BW if self.vendor == "amd" else INTEL_MAX_MBA_BW


@dataclass(frozen=True, slots=True)
class MonitoringTopology:
    """Cache and bandwidth monitoring as ``info/L3_MON`` describes it (reference §1.3, §1.9)."""

    #: ``info/L3_MON/num_rmids``; RMID 0 belongs to the default group
    num_rmids: int = 64
    #: ``info/L3_MON/mon_features``: the event files of every ``mon_data/mon_L3_XX``
    mon_features: tuple[str, ...] = ("llc_occupancy", "mbm_total_bytes", "mbm_local_bytes")
    #: ``info/L3_MON/max_threshold_occupancy`` in bytes
    max_threshold_occupancy: int = 1048576


@dataclass(frozen=True, slots=True)
class CacheTopology:
    """One cache level's allocation as ``info/L2`` (or ``info/L3``) describes it.

    resctrl.rst, "Info directory" (cache resource files) and "L2 schemata file details": an L2
    resource has its own mask, CLOSIDs and cache ids -- one per core on current parts ("Cache
    IDs": "L2 caches are generally just shared by the hyperthreads on a core").
    """

    #: ``info/L2/cbm_mask``: the full mask; its bit length is the CBM length
    cbm_mask: int = 0xFF
    #: ``info/L2/min_cbm_bits``
    min_cbm_bits: int = 1
    #: ``info/L2/num_closids`` without CDP (halved under ``cdpl2``)
    num_closids: int = 8
    #: cache ids in ascending order (gaps allowed)
    cache_ids: tuple[int, ...] = (0, 1)
    #: ``info/L2/shareable_bits``
    shareable_bits: int = 0
    #: size of each cache in bytes (for the ``size`` file)
    cache_bytes: int = 1024 * 1024
    #: mounted with ``-o cdpl2``: ``L2CODE`` and ``L2DATA`` replace ``L2``
    cdp: bool = False
    #: the CPU has L2 CDP (``cdp_l2`` flag)
    cdp_capable: bool = False

    @property
    def cbm_len(self) -> int:
        """Number of bits in a capacity bitmask."""
        return self.cbm_mask.bit_length()

    @property
    def has_cdp(self) -> bool:
        """Whether the CPU supports CDP at this level (mounting with it implies it does)."""
        return self.cdp or self.cdp_capable


@dataclass(frozen=True, slots=True)
class ResctrlTopology:
    """Intel RDT as ``info/`` describes it (reference §1.3), plus how it is mounted."""

    #: full capacity bitmask (``info/L3/cbm_mask``); its bit length is the CBM length
    cbm_mask: int = 0x7FF
    #: ``info/L3/min_cbm_bits``
    min_cbm_bits: int = 1
    #: ``info/L3/num_closids`` without CDP (halved under CDP); CLOSID 0 is the default group
    num_closids: int = 16
    #: L3 cache (domain) ids, in ascending order; MB domains use the same ids
    cache_ids: tuple[int, ...] = (0, 1)
    #: ``info/L3/shareable_bits``
    shareable_bits: int = 0
    #: size of each L3 cache in bytes (for the ``size`` file)
    l3_cache_bytes: int = 11 * 1024 * 1024
    #: mounted with ``-o cdp`` (implies ``cdp_capable``): ``L3CODE`` and ``L3DATA`` replace ``L3``
    cdp: bool = False
    #: the CPU has L3 CDP (``cdp_l3`` flag); schemata names are then padded to 6 characters
    cdp_capable: bool = False
    #: None: no MBA (no ``info/MB``, no ``MB`` line)
    mba: MbaTopology | None = None
    #: None: no monitoring (no ``info/L3_MON``, ``mon_data``, ``mon_groups``)
    monitoring: MonitoringTopology | None = None
    #: texts, formats and parsers of which kernel (see :data:`ResctrlEra`)
    era: ResctrlEra = "modern"
    #: ``info/L3/sparse_masks``: non-contiguous masks are accepted
    sparse_masks: bool = False
    #: the CPU can pseudo-lock cache regions (``mode`` accepts ``pseudo-locksetup``)
    pseudo_locking: bool = False
    #: None: no L2 CAT (no ``info/L2``, no ``L2`` line, no ``cat_l2`` flag)
    l2: CacheTopology | None = None

    @property
    def cbm_len(self) -> int:
        """Number of bits in a capacity bitmask."""
        return self.cbm_mask.bit_length()

    @property
    def has_cdp(self) -> bool:
        """Whether the CPU supports CDP (mounting with cdp implies it does)."""
        return self.cdp or self.cdp_capable

    @property
    def l3(self) -> CacheTopology:
        """The L3 fields above as one cache level, shaped like :attr:`l2`."""
        return CacheTopology(
            self.cbm_mask,
            self.min_cbm_bits,
            self.num_closids,
            self.cache_ids,
            self.shareable_bits,
            self.l3_cache_bytes,
            self.cdp,
            self.cdp_capable,
        )

    def rdt_cpu_flags(self) -> tuple[str, ...]:
        """The RDT flags of /proc/cpuinfo beyond ``cat_l3``/``rdt_a`` (resctrl.rst's flag
        table: ``cat_l2`` and ``cdp_l2`` for L2 CAT and its CDP)."""
        flags = ["cdp_l3"] if self.has_cdp else []
        if self.l2 is not None:
            flags.append("cat_l2")
            if self.l2.has_cdp:
                flags.append("cdp_l2")
        if self.mba is not None:
            flags.append("mba")
        if self.monitoring is not None:
            flags += ["cqm_llc", "cqm_occup_llc"]
            flags += [
                f"cqm_{e.removesuffix('_bytes')}"
                for e in self.monitoring.mon_features
                if e.startswith("mbm_")
            ]
        return tuple(flags)


@dataclass(frozen=True, slots=True)
class Topology:
    """The host: cgroup mode and controllers, RDT hardware and mount, CPU flags."""

    #: "v1": only v1 hierarchies; "v2": cgroup2 mounted at /sys/fs/cgroup; "hybrid": the v1
    #: hierarchies plus cgroup2 at /sys/fs/cgroup/unified
    cgroup_mode: CgroupMode = "v1"
    #: one v1 hierarchy per entry, each mounted at /sys/fs/cgroup/<name>; ``name=<x>`` is a
    #: named hierarchy without a controller, mounted at /sys/fs/cgroup/<x>.  Unused under "v2".
    v1_controllers: tuple[str, ...] = (
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "hugetlb",
    )  # fmt: skip
    #: controllers of the unified (cgroup2) hierarchy, in the kernel's order, as its root's
    #: ``cgroup.controllers`` lists them.  None: every v2 controller not bound to a v1
    #: hierarchy.  Unused under "v1".
    v2_controllers: tuple[str, ...] | None = None
    #: controllers bound to the unified hierarchy implicitly (``perf_event`` when no v1
    #: hierarchy holds it): every cgroup has their css and ``cgroup.stat`` counts them, but
    #: ``cgroup.controllers`` never lists them.  Unused under "v1".
    v2_implicit: tuple[str, ...] = ()
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
    #: whether the BFQ I/O scheduler is registered (built in, or its module loaded).  Its blkcg
    #: policy adds the ``blkio.bfq.*`` files to every v1 blkio group only then; a kernel whose
    #: bfq module is not loaded shows the throttle files alone.
    bfq: bool = True
    #: whether every non-root cgroup2 group has ``cgroup.kill`` (Linux 5.14 added it, after
    #: ``cgroup.freeze`` in 5.2): False is a 5.2-5.13 kernel, where runc 1.2 falls back to
    #: signalling each process.  Unused under "v1".
    cgroup_kill: bool = True
    #: whether cgroup2 groups have ``cgroup.freeze`` and cgroup.events' ``frozen`` line (Linux
    #: 5.2 added them): False is a 4.5-5.1 kernel, whose cgroup2 has no freezer at all.
    #: Unused under "v1".
    cgroup_freeze: bool = True
    #: whether the memory controller accounts swap (CONFIG_MEMCG_SWAP, swapaccount=1): False
    #: leaves every cgroup2 group without the memory.swap.* files and every v1 memory group
    #: without the memory.memsw.* ones (mem_cgroup_swap_init adds both or neither), and
    #: memory.stat without its swap lines
    swap_accounting: bool = True
    #: whether cgroup2 is mounted inside a cgroup namespace whose root is not the kernel's root
    #: cgroup (a runtime run in a container with its own cgroupns, as on Kubernetes nodes):
    #: the mount's root then has ``cgroup.type`` and the other files of a non-root cgroup and
    #: none of the root's exemptions (probed on Linux 6.18, tests/fidelity/test_cgroupns.py).
    #: The root starts in domain mode; it turns "domain threaded" when a child is made
    #: threaded.  Unused under "v1".
    cgroup_namespace: bool = False

    @property
    def cpu_vendor(self) -> MbaVendor:
        """Whose CPU /proc/cpuinfo names: AMD when the MBA is AMD's, else Intel (the RDT flag
        names are the same on both: AMD sets ``rdt_a``, ``cat_l3``, ``mba`` too)."""
        rdt = self.resctrl
        return (
            "amd"
            if rdt is not None and rdt.mba is not None and rdt.mba.vendor == "amd"
            else "intel"
        )

    def effective_cpu_flags(self) -> tuple[str, ...]:
        """The flags /proc/cpuinfo shows: the base flags plus the RDT ones the hardware has."""
        flags = list(self.cpu_flags)
        if self.resctrl is not None:
            for extra in ("cat_l3", "rdt_a"):
                if extra not in flags:
                    flags.append(extra)
        return tuple(flags)

    @property
    def v1_hierarchies(self) -> tuple[str, ...]:
        """The v1 hierarchies that are mounted (none under "v2")."""
        return () if self.cgroup_mode == "v2" else self.v1_controllers

    @property
    def unified_controllers(self) -> tuple[str, ...] | None:
        """The cgroup2 root's controllers; None when no cgroup2 hierarchy is mounted."""
        if self.cgroup_mode == "v1":
            return None
        if self.v2_controllers is not None:
            return self.v2_controllers
        taken = {V1_TO_V2.get(name, name) for name in self.v1_hierarchies}
        return tuple(name for name in V2_CONTROLLERS if name not in taken)

    @property
    def resctrl_is_mounted(self) -> bool:
        """resctrl can only be mounted when the hardware has RDT."""
        return self.resctrl is not None and self.resctrl_mounted


#: the default host: cgroup v1, L3 CAT with 16 CLOSIDs on two caches, resctrl mounted
DEFAULT_TOPOLOGY = Topology()
#: a systemd hybrid host like the one rtgate is developed on: v1 hierarchies (and
#: name=systemd), hugetlb only in the unified hierarchy at /sys/fs/cgroup/unified
HYBRID_TOPOLOGY = Topology(
    cgroup_mode="hybrid",
    v1_controllers=(
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids",
        "name=systemd",
    ),
    v2_controllers=("hugetlb",),
)  # fmt: skip
#: a pure cgroup2 host: every v2 controller at /sys/fs/cgroup
V2_TOPOLOGY = Topology(cgroup_mode="v2")
