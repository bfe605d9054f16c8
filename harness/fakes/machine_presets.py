"""Presets of real machines, each value traced to a public source (:data:`SOURCES`).

Where a source does not give a value, the citation says so and names the choice made; the
cgroup layout, CPU count and kernel era of each machine are choices (they are not properties of
the CPU), picked so that the presets cover v1, hybrid and v2 hosts and several resctrl eras.
"""

from __future__ import annotations

from dataclasses import replace

from harness.fakes.topology import BASE_CPU_FLAGS
from harness.fakes.topology import HYBRID_TOPOLOGY
from harness.fakes.topology import CacheTopology
from harness.fakes.topology import MbaTopology
from harness.fakes.topology import MonitoringTopology
from harness.fakes.topology import ResctrlTopology
from harness.fakes.topology import Topology

__all__ = ["MACHINE_PRESETS", "SOURCES"]

_MIB = 1024 * 1024
_HYBRID = {"cgroup_mode": "hybrid", "v1_controllers": HYBRID_TOPOLOGY.v1_controllers,
           "v2_controllers": HYBRID_TOPOLOGY.v2_controllers}  # fmt: skip
#: Intel MBA of the Xeon Scalable parts: 10% steps from 10% (``min_bw = bw_gran = 100 -
#: max_delay``, reference §1.3), 8 CLOSIDs
_INTEL_MBA = MbaTopology(bandwidth_gran=10, min_bandwidth=10, num_closids=8)
_MON = MonitoringTopology(num_rmids=176)
#: L3 CAT of the first two Xeon Scalable generations: 11 bits, the top two shareable
_XEON_SP = ResctrlTopology(
    cbm_mask=0x7FF,
    num_closids=16,
    shareable_bits=0x600,
    cache_ids=(0, 1),
    cdp_capable=True,
    mba=_INTEL_MBA,
    monitoring=_MON,
)

#: name -> (one line for listings, the topology)
MACHINE_PRESETS: dict[str, tuple[str, Topology]] = {
    "skylake-sp": (
        "Intel Xeon Scalable 1st gen (Skylake-SP, 2 sockets): L3 CAT 11-bit masks with"
        " shareable 0x600, 16 CLOSIDs, CDP-capable, MBA (8 CLOSIDs), CMT/MBM; cgroup v1, 5.x",
        Topology(resctrl=replace(_XEON_SP, l3_cache_bytes=28160 * 1024, era="5.x"), num_cpus=80),
    ),
    "cascade-lake-mba": (
        "Intel Xeon Scalable 2nd gen (Cascade Lake, 2 sockets): L3 CAT 11-bit masks, 16"
        " CLOSIDs, MBA in 10% steps (8 CLOSIDs), CMT/MBM; hybrid cgroups, 6.x kernel",
        Topology(
            **_HYBRID,  # type: ignore[arg-type]
            resctrl=replace(_XEON_SP, l3_cache_bytes=36608 * 1024, era="6.x"),
            num_cpus=96,
        ),
    ),
    "ice-lake-cdp": (
        "Intel Xeon Scalable 3rd gen (Ice Lake-SP, 2 sockets) mounted with cdp: L3CODE and"
        " L3DATA of 12-bit masks, 8 CLOSIDs each, MBA, CMT/MBM; cgroup v1, 6.x kernel",
        Topology(
            resctrl=ResctrlTopology(
                cbm_mask=0xFFF,
                num_closids=16,
                cache_ids=(0, 1),
                l3_cache_bytes=48 * _MIB,
                cdp=True,
                mba=_INTEL_MBA,
                monitoring=_MON,
                era="6.x",
            ),
            num_cpus=128,
        ),
    ),
    "sapphire-rapids-l2": (
        "Intel Xeon Scalable 4th gen (Sapphire Rapids, 1 socket): L2 CAT 16-bit masks on 48"
        " per-core L2s, L3 CAT 15-bit masks with shareable 0x6000, 15 CLOSIDs, MBA; cgroup v2",
        Topology(
            cgroup_mode="v2",
            resctrl=ResctrlTopology(
                cbm_mask=0x7FFF,
                num_closids=15,
                shareable_bits=0x6000,
                cache_ids=(0,),
                l3_cache_bytes=105 * _MIB,
                l2=CacheTopology(
                    cbm_mask=0xFFFF,
                    num_closids=15,
                    cache_ids=tuple(range(48)),
                    cache_bytes=2 * _MIB,
                ),
                mba=MbaTopology(bandwidth_gran=10, min_bandwidth=10, num_closids=15),
                monitoring=MonitoringTopology(
                    num_rmids=256,
                    mon_features=("llc_occupancy", "mbm_local_bytes", "mbm_total_bytes"),
                ),
                era="modern",
            ),
            num_cpus=96,
        ),
    ),
    "epyc-milan-mba": (
        "AMD EPYC 7003 (Milan, 2 sockets): L3 CAT 16-bit masks on 16 CCX caches, AMD MBA in"
        " 1/8 GB/s up to 2048, 16 CLOSIDs, CMT/MBM; cgroup v2, 6.x kernel",
        Topology(
            cgroup_mode="v2",
            resctrl=ResctrlTopology(
                cbm_mask=0xFFFF,
                num_closids=16,
                cache_ids=tuple(range(16)),
                l3_cache_bytes=32 * _MIB,
                cdp_capable=True,
                mba=MbaTopology(
                    vendor="amd",
                    bandwidth_gran=1,
                    min_bandwidth=0,
                    delay_linear=False,
                    num_closids=16,
                ),
                monitoring=MonitoringTopology(num_rmids=256),
                era="6.x",
            ),
            cpu_flags=tuple(f for f in BASE_CPU_FLAGS if f != "hypervisor"),
            num_cpus=256,
        ),
    ),
}

_RDT_DOC = "Linux Documentation/arch/x86/resctrl.rst"
#: name -> where each value of the preset comes from, and which values no source gave
SOURCES: dict[str, str] = {
    "skylake-sp": (
        "intel-cmt-cat issue #135 (Xeon Silver 4110: 'L3 CAT details: CDP support=1, #COS=16,"
        " #ways=11, ways contention bit-mask 0x600', i.e. cbm_mask 7ff, shareable_bits 600);"
        " issue #140 (Xeon Gold 6138: 16 L3 CLOS, 8 MBA CLOS); MBA steps: reference notes §1.3"
        " (min_bandwidth = bandwidth_gran = 10 on these parts); L3 size: 27.5 MiB of a Gold 6138."
        " Not documented by those sources: num_rmids (176 chosen, as the xeon-2s-cat-mba"
        " preset), the cgroup layout, CPU count and kernel era (choices)"
    ),
    "cascade-lake-mba": (
        "intel-cmt-cat issue #108 (Xeon Gold 6252, model 85 stepping 6: flags cat_l3 cdp_l3"
        " mba cqm rdt_a, cache size 36608 KB); issue #241 (Silver 4216: 11-way L3); issue #177"
        " (Gold 6250: default mask 0x7ff, contention mask 0x600); issue #140 (8 MBA CLOS beside"
        " 16 L3 CLOS on Xeon Scalable). Not documented: num_rmids (176 chosen), the"
        " thread_throttle_mode ('max' assumed), cgroup layout, CPU count and era (choices)"
    ),
    "ice-lake-cdp": (
        "No public info/ dump of an Ice Lake-SP was found. cbm_mask 0xfff assumes one CBM bit per"
        " way of its 12-way L3 (intel-cmt-cat issue #55: 'most processors implement 1-to-1"
        " mapping between CBM bit and cache way'); the CDP mount and its halved CLOSIDs follow "
        + _RDT_DOC
        + " ('L3 schemata file details (CDP enabled...)'); CLOSIDs, MBA, RMIDs and the 48 MiB L3"
        " are assumed from the earlier generations and the part's spec, not documented here"
    ),
    "sapphire-rapids-l2": (
        "unvariance/collector pull request #93 (2025-02-25), a resctrl dump: L2 cacheIds 0-47,"
        " cbmMask 65535, minCbmBits 1, shareableBits 0; L3 cacheIds [0], cbmMask 32767,"
        " shareableBits 24576; MBA bandwidthGran 10, delayLinear 1, minBandwidth 10;"
        " numClosids 15; mon features llc_occupancy mbm_local_bytes mbm_total_bytes. The dump"
        " does not name the CPU: 48 per-core L2s with a 16-bit L2 mask and one L3 fit a 48-core"
        " Sapphire Rapids socket (inferred). Not in the dump: per-resource CLOSIDs (15 used for"
        " each), num_rmids (256 chosen), cache sizes (2 MiB L2, 105 MiB L3 of a Xeon Platinum"
        " 8488C), the CPU count (96) and era (choices)"
    ),
    "epyc-milan-mba": (
        "koordinator-sh/koordinator issue #216 (AMD EPYC Milan schemata: 'L3:0=ffff;...;15=ffff',"
        " 'MB:0=2048;...;15=2048', 2048 meaning unlimited, 8 meaning 1 GB/s); "
        + _RDT_DOC
        + " ('Reading/writing the schemata file (on AMD systems)': multiples of one eighth GB/s,"
        " the padded '    MB:' lines of a CDP-capable part); arch/x86/kernel/cpu/resctrl/core.c"
        " __rdt_get_mem_config_amd (min_bw 0, bw_gran 1, delay_linear false, no throttle mode,"
        " MAX_MBA_BW_AMD 0x800 until Linux 6.8). Not documented by those sources: CLOSIDs (16"
        " assumed for L3 and MB), num_rmids (256 chosen), the 32 MiB L3 per CCX (Milan spec),"
        " cgroup layout, CPU count and era (choices)"
    ),
}
