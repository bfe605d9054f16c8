"""resctrl L2 CAT (with ``cdpl2``) and AMD's MBA, as Documentation/arch/x86/resctrl.rst
describes them ("L2 schemata file details", "Reading/writing the schemata file (on AMD
systems)") and the x86 resctrl code validates them."""

from __future__ import annotations

import errno
import os

import pytest

from harness.fakes import Topology
from harness.fakes import booted_kernel
from harness.fakes.topology import CacheTopology
from harness.fakes.topology import MbaTopology
from harness.fakes.topology import MonitoringTopology
from harness.fakes.topology import ResctrlEra
from harness.fakes.topology import ResctrlTopology
from tests.fakes._io import RESCTRL
from tests.fakes._io import read
from tests.fakes._io import write
from tests.fakes._rdt import STATUS
from tests.fakes._rdt import rdt
from tests.fakes._rdt import rejected

#: an 8-bit L2 of 1 MiB per core on four cores, beside the default two L3 caches
L2 = CacheTopology(cbm_mask=0xFF, num_closids=8, cache_ids=(0, 1, 2, 3), cache_bytes=1 << 20)
#: an AMD EPYC's MBA: 1/8 GB/s steps up to 2048, no minimum
AMD = MbaTopology(
    vendor="amd", bandwidth_gran=1, min_bandwidth=0, delay_linear=False, num_closids=16
)


# -- L2 CAT -----------------------------------------------------------------------------------
def test_l2_info_flags_and_default_line() -> None:
    with rdt(l2=L2):
        assert read(f"{RESCTRL}/info/L2/cbm_mask") == "ff\n"
        assert read(f"{RESCTRL}/info/L2/min_cbm_bits") == "1\n"
        assert read(f"{RESCTRL}/info/L2/num_closids") == "8\n"
        assert read(f"{RESCTRL}/info/L2/shareable_bits") == "0\n"
        assert read(f"{RESCTRL}/info/L2/bit_usage") == (
            "0=SSSSSSSS;1=SSSSSSSS;2=SSSSSSSS;3=SSSSSSSS\n"
        )
        # the L2 line has the per-core ids, the L3 line its own; newer kernels list L2 first
        assert read(f"{RESCTRL}/schemata") == "L2:0=ff;1=ff;2=ff;3=ff\nL3:0=7ff;1=7ff\n"
        flags = read("/proc/cpuinfo")
        assert " cat_l2" in flags and "cdp_l2" not in flags


@pytest.mark.parametrize(
    ("era", "expected"),
    [
        # resource-array order, values padded to the widest mask (3 hex digits of the L3 one)
        ("5.x", "L3:0=7ff;1=7ff\nL2:0=0ff;1=0ff;2=0ff;3=0ff\n"),
        ("6.x", "L2:0=0ff;1=0ff;2=0ff;3=0ff\nL3:0=7ff;1=7ff\n"),
        ("modern", "L2:0=ff;1=ff;2=ff;3=ff\nL3:0=7ff;1=7ff\n"),
    ],
)
def test_l2_line_order_and_padding_by_era(era: ResctrlEra, expected: str) -> None:
    with rdt(l2=L2, era=era):
        assert read(f"{RESCTRL}/schemata") == expected


def test_l2_masks_are_checked_against_the_l2_description() -> None:
    with rdt(l2=L2, min_cbm_bits=2):
        os.mkdir(f"{RESCTRL}/g")
        # 0x1ff fits the 11-bit L3 mask, not the 8-bit L2 one; one bit is enough for L2
        assert rejected(f"{RESCTRL}/g/schemata", "L2:0=1ff\n") == "Mask out of range\n"
        write(f"{RESCTRL}/g/schemata", "L2:2=1;3=f0\n")
        assert rejected(f"{RESCTRL}/g/schemata", "L3:0=1\n") == "Need at least 2 bits in the mask\n"
        # domain 3 is an L2 cache, not an L3 one: refused without a text
        assert rejected(f"{RESCTRL}/g/schemata", "L3:3=f\n") == "ok\n"
        assert read(f"{RESCTRL}/g/schemata") == "L2:0=ff;1=ff;2=1;3=f0\nL3:0=7ff;1=7ff\n"
        # the doc's example: two of eight ways of a 1 MiB L2 are 262144 bytes
        write(f"{RESCTRL}/g/schemata", "L2:0=3\n")
        assert read(f"{RESCTRL}/g/size").startswith("L2:0=262144;1=1048576;2=131072;3=524288\n")
        assert read(f"{RESCTRL}/info/L2/bit_usage").startswith("0=SSSSSSSS;")


def test_the_fewest_closids_of_l2_and_l3_limit_the_groups() -> None:
    with rdt(l2=CacheTopology(num_closids=4, cache_ids=(0, 1))) as kernel:
        assert kernel.resctrl is not None and kernel.resctrl.num_closids == 4
        for name in ("a", "b", "c"):
            os.mkdir(f"{RESCTRL}/{name}")
        with pytest.raises(OSError) as exc:
            os.mkdir(f"{RESCTRL}/d")
        assert exc.value.errno == errno.ENOSPC
        assert read(STATUS) == "Out of CLOSIDs\n"


def test_l2_shareable_bits_and_exclusive_groups() -> None:
    l2 = CacheTopology(cbm_mask=0xFF, cache_ids=(0,), shareable_bits=0xC0)
    with rdt(l2=l2, cache_ids=(0,)):
        os.mkdir(f"{RESCTRL}/x")
        write(f"{RESCTRL}/schemata", "L2:0=f0\nL3:0=7f0\n")
        write(f"{RESCTRL}/x/schemata", "L2:0=f\nL3:0=f\n")
        write(f"{RESCTRL}/x/mode", "exclusive\n")
        assert read(f"{RESCTRL}/info/L2/bit_usage") == "0=XXSSEEEE\n"
        assert rejected(f"{RESCTRL}/schemata", "L2:0=f8\n") == "Overlaps with exclusive group\n"


def test_cdpl2_splits_l2_and_halves_its_closids() -> None:
    l2 = CacheTopology(cbm_mask=0xFF, num_closids=8, cache_ids=(0, 1), cdp=True)
    with rdt(l2=l2) as kernel:
        assert {"L3", "L2CODE", "L2DATA"} <= set(os.listdir(f"{RESCTRL}/info"))
        assert read(f"{RESCTRL}/info/L2DATA/num_closids") == "4\n"
        assert read(f"{RESCTRL}/schemata") == (
            "L2DATA:0=ff;1=ff\nL2CODE:0=ff;1=ff\n    L3:0=7ff;1=7ff\n"
        )
        assert rejected(f"{RESCTRL}/schemata", "L2:0=f\n") == (
            "Unknown or unsupported resource name 'L2'\n"
        )
        assert " - resctrl resctrl rw,cdpl2\n" in read("/proc/self/mountinfo")
        assert "cdp_l2" in read("/proc/cpuinfo")
        assert kernel.resctrl is not None and kernel.resctrl.num_closids == 4


def test_cdpl2_mount_needs_l2_cdp() -> None:
    capable = CacheTopology(cdp_capable=True)
    with rdt(l2=capable) as kernel:
        # the CDP-capable L2 pads every name to the width of L2CODE
        assert read(f"{RESCTRL}/schemata") == "    L2:0=ff;1=ff\n    L3:0=7ff;1=7ff\n"
        kernel.unmount_resctrl()
        kernel.mount_resctrl(cdpl2=True)
        assert "L2CODE" in os.listdir(f"{RESCTRL}/info")
    with rdt(l2=CacheTopology()) as kernel:
        kernel.unmount_resctrl()
        with pytest.raises(OSError) as exc:
            kernel.mount_resctrl(cdpl2=True)
        assert exc.value.errno == errno.EINVAL


# -- AMD MBA ----------------------------------------------------------------------------------
def test_amd_mba_info_has_no_throttle_mode() -> None:
    with rdt(mba=AMD, cbm_mask=0xFFFF, num_closids=16):
        assert read(f"{RESCTRL}/info/MB/bandwidth_gran") == "1\n"
        assert read(f"{RESCTRL}/info/MB/min_bandwidth") == "0\n"
        assert read(f"{RESCTRL}/info/MB/delay_linear") == "0\n"
        assert read(f"{RESCTRL}/info/MB/num_closids") == "16\n"
        assert "thread_throttle_mode" not in os.listdir(f"{RESCTRL}/info/MB")
        assert read(f"{RESCTRL}/schemata") == "MB:0=2048;1=2048\nL3:0=ffff;1=ffff\n"
        assert "vendor_id\t: AuthenticAMD" in read("/proc/cpuinfo")


def test_amd_schemata_reads_like_the_doc_example() -> None:
    fields = {"cbm_mask": 0xFFFF, "cache_ids": (0, 1, 2, 3), "cdp_capable": True, "era": "6.x"}
    with rdt(mba=AMD, **fields):
        write(f"{RESCTRL}/schemata", "MB:1=16\n")
        assert read(f"{RESCTRL}/schemata") == (
            "    MB:0=2048;1=  16;2=2048;3=2048\n    L3:0=ffff;1=ffff;2=ffff;3=ffff\n"
        )


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ("MB:0=2049\n", "MB value 2049 out of range [0,2048]\n"),
        ("MB:0=1.5\n", "Invalid MB value 1.5\n"),
        ("MB:0=-1\n", "Invalid MB value -1\n"),
    ],
)
def test_amd_mba_refusals(payload: str, status: str) -> None:
    with rdt(mba=AMD):
        assert rejected(f"{RESCTRL}/schemata", payload) == status
        assert read(f"{RESCTRL}/schemata").startswith("MB:0=2048;1=2048\n")


def test_amd_mba_takes_zero_and_any_step_without_rounding() -> None:
    with rdt(mba=AMD, era="5.x"):
        # no "non-linear" refusal on AMD, though delay_linear is 0
        write(f"{RESCTRL}/schemata", "MB:0=0;1=7\n")
        assert read(f"{RESCTRL}/schemata").endswith("MB:0=   0;1=   7\n")
        assert rejected(f"{RESCTRL}/schemata", "MB:0=x\n") == "Non-decimal digit in MB value x\n"


def test_amd_mba_limit_read_from_cpuid_on_newer_kernels() -> None:
    with rdt(mba=MbaTopology(vendor="amd", min_bandwidth=0, bandwidth_gran=1, delay_linear=False,
                             max_bandwidth=4096)):  # fmt: skip
        write(f"{RESCTRL}/schemata", "MB:0=4096\n")
        assert rejected(f"{RESCTRL}/schemata", "MB:0=4097\n") == (
            "MB value 4097 out of range [0,4096]\n"
        )


def test_amd_has_no_software_controller() -> None:
    topology = Topology(
        resctrl=ResctrlTopology(mba=AMD, monitoring=MonitoringTopology()), resctrl_mounted=False
    )
    with booted_kernel(topology) as kernel:
        with pytest.raises(OSError) as exc:
            kernel.mount_resctrl(mba_MBps=True)
        assert exc.value.errno == errno.EINVAL
