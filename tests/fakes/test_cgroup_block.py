"""The simulated disk's throttle files: v1 blkio.throttle.*_device and v2 io.max keep rules
for the disk /proc/partitions lists and refuse other devices, as the kernel does."""

from __future__ import annotations

import errno

import pytest

from harness.fakes._parse import KernelErrno
from harness.fakes.cgroup.block import DISK
from harness.fakes.cgroup.block import io_max_file
from harness.fakes.cgroup.block import partitions
from harness.fakes.cgroup.block import throttle_file

DEVICE = f"{DISK[1]}:{DISK[2]}"


def test_partitions_lists_the_disk() -> None:
    fields = partitions().splitlines()[2].split()
    assert (fields[0], fields[1], fields[3]) == (str(DISK[1]), str(DISK[2]), DISK[0])


def test_v1_throttle_keeps_a_rule_and_zero_lifts_it() -> None:
    values: dict[str, str] = {}
    file = throttle_file("blkio.throttle.read_bps_device", values)
    assert file.store is not None and file.show is not None
    file.store(f"{DEVICE} 1048576\n".encode())
    assert file.show() == f"{DEVICE} 1048576\n"
    file.store(f"{DEVICE} 0".encode())
    assert file.show() == ""


def test_io_max_merges_keys_and_shows_all_four() -> None:
    values: dict[str, str] = {}
    file = io_max_file(values)
    assert file.store is not None and file.show is not None
    file.store(f"{DEVICE} rbps=1048576".encode())
    file.store(f"{DEVICE} wiops=200".encode())
    assert file.show() == f"{DEVICE} rbps=1048576 wbps=max riops=max wiops=200\n"
    file.store(f"{DEVICE} rbps=max wiops=max".encode())
    assert file.show() == ""


#: refused writes: (the file's name, what is written, the errno)
REFUSED = [
    ("blkio.throttle.write_iops_device", "8:0 100", errno.ENODEV),
    ("blkio.throttle.write_iops_device", "254:0", errno.EINVAL),
    ("blkio.throttle.write_iops_device", "254 100", errno.EINVAL),
    ("io.max", "254:0 rbps=0", errno.ERANGE),
    ("io.max", "254:0 nosuch=1", errno.EINVAL),
    ("io.max", "254:0 rbps", errno.EINVAL),
    ("io.max", "8:0 rbps=1", errno.ENODEV),
]


@pytest.mark.parametrize(("name", "payload", "code"), REFUSED)
def test_refused_rules(name: str, payload: str, code: int) -> None:
    file = io_max_file({}) if name == "io.max" else throttle_file(name, {})
    assert file.store is not None
    with pytest.raises(KernelErrno) as caught:
        file.store(payload.encode())
    assert caught.value.errno == code
