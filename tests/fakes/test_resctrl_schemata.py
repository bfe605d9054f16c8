"""resctrl schemata against reference §1.4–1.7: MBA, CDP, sparse masks, eras, padding, order."""

from __future__ import annotations

import errno
import os

import pytest

from harness.fakes.topology import MbaTopology
from harness.fakes.topology import MonitoringTopology
from harness.fakes.topology import ResctrlEra
from tests.fakes._io import RESCTRL
from tests.fakes._io import read
from tests.fakes._io import write
from tests.fakes._rdt import STATUS
from tests.fakes._rdt import rdt
from tests.fakes._rdt import rejected


# -- MBA --------------------------------------------------------------------------------------
def test_mba_info_and_default_line() -> None:
    with rdt(mba=MbaTopology()):
        assert read(f"{RESCTRL}/info/MB/min_bandwidth") == "10\n"
        assert read(f"{RESCTRL}/info/MB/bandwidth_gran") == "10\n"
        assert read(f"{RESCTRL}/info/MB/delay_linear") == "1\n"
        assert read(f"{RESCTRL}/info/MB/num_closids") == "8\n"
        assert read(f"{RESCTRL}/info/MB/thread_throttle_mode") == "max\n"
        # modern order: MB before L3
        assert read(f"{RESCTRL}/schemata") == "MB:0=100;1=100\nL3:0=7ff;1=7ff\n"


def test_mba_rounds_up_to_the_granularity_and_keeps_other_lines() -> None:
    with rdt(mba=MbaTopology()):
        os.mkdir(f"{RESCTRL}/g")
        write(f"{RESCTRL}/g/schemata", "MB:0=15;1=95\n")
        assert read(f"{RESCTRL}/g/schemata") == "MB:0=20;1=100\nL3:0=7ff;1=7ff\n"
        write(f"{RESCTRL}/g/schemata", "L3:0=f\nMB:1=10\n")
        assert read(f"{RESCTRL}/g/schemata") == "MB:0=20;1=10\nL3:0=f;1=7ff\n"
        assert read(f"{RESCTRL}/g/size") == f"MB:0=20;1=10\nL3:0={4 << 20};1={11 << 20}\n"


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ("MB:0=5\n", "MB value 5 out of range [10,100]\n"),
        ("MB:0=101\n", "MB value 101 out of range [10,100]\n"),
        ("MB:0=x\n", "Invalid MB value x\n"),
        ("MB:0=0x10\n", "Invalid MB value 0x10\n"),
        ("MB:0=4294967296\n", "Invalid MB value 4294967296\n"),
        ("MB:0=50;0=60\n", "Duplicate domain 0\n"),
        ("MB:9=50\n", "ok\n"),
        ("L3:0=f\nMB:0=5\n", "MB value 5 out of range [10,100]\n"),
    ],
)
def test_mba_errors_apply_nothing(payload: str, status: str) -> None:
    with rdt(mba=MbaTopology()):
        assert rejected(f"{RESCTRL}/schemata", payload) == status
        assert read(f"{RESCTRL}/schemata") == "MB:0=100;1=100\nL3:0=7ff;1=7ff\n"


def test_mba_old_parser_texts() -> None:
    with rdt(mba=MbaTopology(), era="6.x"):
        assert rejected(f"{RESCTRL}/schemata", "MB:0=x\n") == "Non-decimal digit in MB value x\n"


def test_non_linear_mba_refuses_every_value() -> None:
    with rdt(mba=MbaTopology(delay_linear=False)):
        assert read(f"{RESCTRL}/info/MB/delay_linear") == "0\n"
        assert rejected(f"{RESCTRL}/schemata", "MB:0=50\n") == (
            "No support for non-linear MB domains\n"
        )


def test_mba_mbps_takes_any_u32_unrounded() -> None:
    mon = MonitoringTopology()
    with rdt(mba=MbaTopology(mba_MBps=True), monitoring=mon):
        assert read(f"{RESCTRL}/schemata") == "MB:0=4294967295;1=4294967295\nL3:0=7ff;1=7ff\n"
        write(f"{RESCTRL}/schemata", "MB:0=2345\n")
        assert read(f"{RESCTRL}/schemata").startswith("MB:0=2345;1=4294967295\n")
        assert " - resctrl resctrl rw,mba_MBps" in read("/proc/self/mountinfo")


@pytest.mark.parametrize(
    ("era", "status", "kept"),
    [
        ("modern", "The mask 5 has non-consecutive 1-bits\n", "600"),
        ("5.x", "Duplicate domain 0\n", "4294967295"),
    ],
)
def test_mba_mbps_values_skip_staging_on_newer_kernels(
    era: ResctrlEra, status: str, kept: str
) -> None:
    with rdt(era=era, mba=MbaTopology(mba_MBps=True), monitoring=MonitoringTopology()):
        assert rejected(f"{RESCTRL}/schemata", "MB:0=500;0=600\nL3:0=5\n") == status
        lines = read(f"{RESCTRL}/schemata").splitlines()
        mb = next(line for line in lines if line.strip().startswith("MB"))
        assert mb.split(";")[0].split("=")[1].strip() == kept


def test_mba_closids_limit_the_groups() -> None:
    with rdt(mba=MbaTopology(num_closids=3)):
        os.mkdir(f"{RESCTRL}/a")
        os.mkdir(f"{RESCTRL}/b")
        with pytest.raises(OSError) as exc:
            os.mkdir(f"{RESCTRL}/c")
        assert exc.value.errno == errno.ENOSPC
        assert read(STATUS) == "Out of CLOSIDs\n"


# -- CDP --------------------------------------------------------------------------------------
def test_cdp_splits_l3_and_halves_closids() -> None:
    with rdt(cdp=True, mba=MbaTopology()) as kernel:
        info = set(os.listdir(f"{RESCTRL}/info"))
        assert {"L3CODE", "L3DATA", "MB", "last_cmd_status"} == info
        assert read(f"{RESCTRL}/info/L3CODE/num_closids") == "8\n"
        assert read(f"{RESCTRL}/schemata") == (
            "    MB:0=100;1=100\nL3DATA:0=7ff;1=7ff\nL3CODE:0=7ff;1=7ff\n"
        )
        assert rejected(f"{RESCTRL}/schemata", "L3:0=f\n") == (
            "Unknown or unsupported resource name 'L3'\n"
        )
        write(f"{RESCTRL}/schemata", "L3CODE:0=f0\nL3DATA:1=3\n")
        assert read(f"{RESCTRL}/schemata").endswith("L3DATA:0=7ff;1=3\nL3CODE:0=f0;1=7ff\n")
        assert " - resctrl resctrl rw,cdp" in read("/proc/self/mountinfo")
        assert "cdp_l3" in read("/proc/cpuinfo")
        assert kernel.resctrl is not None and kernel.resctrl.num_closids == 8


def test_cdp_overlap_counts_the_peer_type() -> None:
    with rdt(cdp=True):
        os.mkdir(f"{RESCTRL}/x")
        write(f"{RESCTRL}/schemata", "L3CODE:0=7f0;1=7f0\nL3DATA:0=7f0;1=7f0\n")
        write(f"{RESCTRL}/x/schemata", "L3CODE:0=f;1=f\nL3DATA:0=3;1=3\n")
        write(f"{RESCTRL}/x/mode", "exclusive\n")
        # the default group's DATA mask may not take bits of x's CODE mask
        assert rejected(f"{RESCTRL}/schemata", "L3DATA:0=7f8\n") == (
            "Overlaps with exclusive group\n"
        )


def test_cdp_capable_but_off_pads_names() -> None:
    with rdt(cdp_capable=True, mba=MbaTopology()):
        assert read(f"{RESCTRL}/schemata") == "    MB:0=100;1=100\n    L3:0=7ff;1=7ff\n"
        assert " - resctrl resctrl rw\n" in read("/proc/self/mountinfo")


# -- sparse masks and min bits ------------------------------------------------------------------
def test_sparse_masks_accept_holes_but_not_a_short_first_run() -> None:
    with rdt(sparse_masks=True, min_cbm_bits=2):
        assert read(f"{RESCTRL}/info/L3/sparse_masks") == "1\n"
        write(f"{RESCTRL}/schemata", "L3:0=30f\n")
        assert read(f"{RESCTRL}/schemata") == "L3:0=30f;1=7ff\n"
        assert rejected(f"{RESCTRL}/schemata", "L3:0=31\n") == "Need at least 2 bits in the mask\n"


def test_zero_mask_is_legal_when_min_cbm_bits_is_zero() -> None:
    with rdt(min_cbm_bits=0):
        write(f"{RESCTRL}/schemata", "L3:0=0\n")
        assert read(f"{RESCTRL}/schemata") == "L3:0=0;1=7ff\n"


# -- eras -------------------------------------------------------------------------------------
OLD_TEXTS = [
    ("L3:0=fg\n", "non-hex character in mask fg\n"),
    ("L3:0=0\n", "mask out of range\n"),
    ("L3:0=5\n", "mask 5 has non-consecutive 1-bits\n"),
    ("L3:0=f;0=f\n", "duplicate domain 0\n"),
    ("MB:0=50\n", "unknown/unsupported resource name 'MB'\n"),
    ("L3:0\n", "Missing '=' or non-numeric domain\n"),
    ("L3\n", "Missing ':'\n"),
]


@pytest.mark.parametrize(("payload", "status"), OLD_TEXTS)
def test_v4_texts(payload: str, status: str) -> None:
    with rdt(era="4.x", min_cbm_bits=0):
        assert rejected(f"{RESCTRL}/schemata", payload) == status


def test_v4_min_bits_text() -> None:
    with rdt(era="4.x", min_cbm_bits=2):
        assert rejected(f"{RESCTRL}/schemata", "L3:0=1\n") == "Need at least 2 bits in mask\n"


@pytest.mark.parametrize(
    ("era", "expected"),
    [
        ("4.x", "L3:0=00f;1=7ff\nMB:0= 20;1=100\n"),
        ("5.x", "L3:0=00f;1=7ff\nMB:0= 20;1=100\n"),
        ("6.x", "MB:0= 20;1=100\nL3:0=00f;1=7ff\n"),
        ("modern", "MB:0=20;1=100\nL3:0=f;1=7ff\n"),
    ],
)
def test_read_format_by_era(era: ResctrlEra, expected: str) -> None:
    with rdt(era=era, mba=MbaTopology()):
        write(f"{RESCTRL}/schemata", "L3:0=f\nMB:0=20\n")
        assert read(f"{RESCTRL}/schemata") == expected


def test_padding_follows_the_widest_mask() -> None:
    with rdt(era="5.x", cbm_mask=0xFFFFF, mba=MbaTopology()):
        assert read(f"{RESCTRL}/schemata") == "L3:0=fffff;1=fffff\nMB:0=  100;1=  100\n"
        write(f"{RESCTRL}/schemata", "L3:0=3\n")
        assert read(f"{RESCTRL}/schemata").startswith("L3:0=00003;")


def test_era_old_order_under_cdp() -> None:
    with rdt(era="5.x", cdp=True, mba=MbaTopology()):
        lines = read(f"{RESCTRL}/schemata").splitlines()
        assert [line.split(":")[0].strip() for line in lines] == ["L3DATA", "L3CODE", "MB"]


def test_reference_runtime_style_write_reads_back_normalised() -> None:
    with rdt(era="6.x"):
        os.mkdir(f"{RESCTRL}/c")
        write(f"{RESCTRL}/c/schemata", "L3:0=f;1=f\n")
        assert read(f"{RESCTRL}/c/schemata") == "L3:0=00f;1=00f\n"


def test_sparse_masks_are_a_newer_kernel_feature() -> None:
    with rdt(sparse_masks=True, era="5.x"):
        assert "sparse_masks" not in os.listdir(f"{RESCTRL}/info/L3")
        assert rejected(f"{RESCTRL}/schemata", "L3:0=30f\n") == (
            "The mask 30f has non-consecutive 1-bits\n"
        )


def test_last_cmd_status_is_cut_at_the_kernel_buffer() -> None:
    with rdt():
        mask = "g" * 1000
        status = rejected(f"{RESCTRL}/schemata", f"L3:0={mask}\n")
        assert status == ("Non-hex character in the mask " + mask)[:511]
