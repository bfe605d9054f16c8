"""Descriptors and file objects of control files (harness/fakes/kernfs_io.py): what the kernel's
own handles do at the fd level (read, write, lseek, fstat, dup, fdopen) and under ``open()``."""

from __future__ import annotations

import errno
import gc
import os
import pathlib
import stat

import pytest

from harness.fakes import KernelOp
from harness.fakes import SimulatedKernel
from harness.fakes.kernfs import KernfsDirectory
from tests.fakes._io import errno_of
from tests.fakes._io import read
from tests.fakes._io import write

GROUP = "/sys/fs/cgroup/pids/a"
LIMIT = f"{GROUP}/pids.max"


@pytest.fixture
def limit(kernel: SimulatedKernel) -> str:
    """A child cgroup's pids.max, set to 7 (it reads "7\\n")."""
    os.mkdir(GROUP)
    write(LIMIT, "7")
    return LIMIT


def _writes(kernel: SimulatedKernel) -> list[bytes | None]:
    return [op.data for op in kernel.log if op.op == "write" and op.path == LIMIT]


def test_each_write_is_one_store_and_o_append_changes_nothing(
    kernel: SimulatedKernel, limit: str
) -> None:
    fd = os.open(limit, os.O_WRONLY | os.O_APPEND)
    try:
        assert os.write(fd, b"5") == 1
        assert os.write(fd, b"") == 0  # nothing reaches the kernel
        assert os.write(fd, b"6") == 1
    finally:
        os.close(fd)
    assert _writes(kernel) == [b"7", b"5", b"6"]
    assert read(limit) == "6\n"


def test_reads_slice_the_view_from_the_offset(limit: str) -> None:
    fd = os.open(limit, os.O_RDONLY)
    try:
        assert os.read(fd, 1) == b"7"
        assert os.read(fd, 10) == b"\n"
        assert os.read(fd, 10) == b""
        os.lseek(fd, 0, os.SEEK_SET)
        assert os.read(fd, 10) == b"7\n"
        os.lseek(fd, -1, os.SEEK_END)
        assert os.read(fd, 10) == b"\n"
        assert errno_of(lambda: os.lseek(fd, -5, os.SEEK_CUR)) == errno.EINVAL
    finally:
        os.close(fd)


def test_a_handle_keeps_the_view_of_its_open(limit: str) -> None:
    fd = os.open(limit, os.O_RDONLY)
    try:
        write(limit, "9")
        assert os.read(fd, 10) == b"7\n"
    finally:
        os.close(fd)
    assert read(limit) == "9\n"


def test_an_fd_without_the_access_is_ebadf(limit: str) -> None:
    reader, writer = os.open(limit, os.O_RDONLY), os.open(limit, os.O_WRONLY)
    try:
        assert errno_of(lambda: os.write(reader, b"1")) == errno.EBADF
        assert errno_of(lambda: os.read(writer, 10)) == errno.EBADF
    finally:
        os.close(reader)
        os.close(writer)
    assert errno_of(lambda: os.close(reader)) == errno.EBADF


def test_fstat_and_dup(limit: str) -> None:
    fd = os.open(limit, os.O_RDONLY)
    try:
        info = os.fstat(fd)
        assert stat.S_ISREG(info.st_mode) and info.st_size == 0
        assert stat.S_IMODE(info.st_mode) == 0o644
        copy = os.dup(fd)
        assert os.read(copy, 1) == b"7"
        os.close(copy)
        assert os.read(fd, 10) == b"\n"  # one open file description: one offset
    finally:
        os.close(fd)


def test_fdopen_shares_the_descriptor(kernel: SimulatedKernel, limit: str) -> None:
    fd = os.open(limit, os.O_RDONLY)
    with os.fdopen(fd) as file:
        assert file.read() == "7\n"
        assert file.fileno() == fd
    assert errno_of(lambda: os.fstat(fd)) == errno.EBADF
    fd = os.open(limit, os.O_WRONLY)
    with os.fdopen(fd, "w") as file:
        file.write("3")
    assert _writes(kernel)[-1] == b"3"
    assert read(limit) == "3\n"


def test_an_open_with_o_excl_or_o_directory_fails_as_on_a_file(limit: str) -> None:
    assert errno_of(lambda: os.open(limit, os.O_WRONLY | os.O_CREAT | os.O_EXCL)) == errno.EEXIST
    assert errno_of(lambda: open(limit, "x")) == errno.EEXIST
    assert errno_of(lambda: os.open(limit, os.O_RDONLY | os.O_DIRECTORY)) == errno.ENOTDIR


def test_text_binary_and_pathlib_opens(kernel: SimulatedKernel, limit: str) -> None:
    with open(limit, "rb") as file:
        assert file.read() == b"7\n"
        assert file.name == limit and file.mode == "rb"
    with open(limit, "w") as file:
        file.write("1")
        file.write("2")  # buffered: one write(2) when the file is closed
    assert _writes(kernel)[-1] == b"12"
    path = pathlib.Path(limit)
    path.write_text("4")
    assert path.read_text() == "4\n"
    assert path.read_bytes() == b"4\n"
    with open(limit, "r+") as file:
        assert file.read() == "4\n"
        file.write("8")
    assert read(limit) == "8\n"


def test_unbuffered_binary_writes_each_call(kernel: SimulatedKernel, limit: str) -> None:
    with open(limit, "wb", buffering=0) as file:
        file.write(b"2")
        file.write(b"3")
    assert _writes(kernel)[-2:] == [b"2", b"3"]
    with open(limit, "rb", buffering=0) as file:
        assert file.readline() == b"3\n"
        assert file.read() == b""
    with pytest.raises(ValueError, match="unbuffered text"):
        open(limit, buffering=0)  # noqa: SIM115 - the open itself must fail


def test_a_read_fault_fires_once_per_read_call(kernel: SimulatedKernel, limit: str) -> None:
    counter = kernel.faults.fail("read", limit, errno.EIO, nth=1 << 30)
    with open(limit) as file:
        assert file.readlines() == ["7\n"]
    with open(limit) as file:
        assert [line for line in file] == ["7\n"]  # iterating reads no checks
    with open(limit, "rb") as file:
        assert file.read1(1) == b"7" and file.readline() == b"\n"
    for mode in ("r", "rb"):
        with open(limit, mode) as file:
            file.read()
    fd = os.open(limit, os.O_RDONLY)
    try:
        os.read(fd, 1)
        os.read(fd, 1)
    finally:
        os.close(fd)
    assert counter.seen == 7


def test_an_unclosed_file_object_writes_nothing_when_collected(
    kernel: SimulatedKernel, limit: str
) -> None:
    file = open(limit, "w")  # noqa: SIM115 - dropped unclosed on purpose
    file.write("5")
    del file
    gc.collect()
    assert _writes(kernel) == [b"7"]
    assert read(limit) == "7\n"


def test_a_control_file_by_a_relative_path_or_a_symlink(
    kernel: SimulatedKernel, limit: str
) -> None:
    os.symlink(GROUP, "/run/group")
    write("/run/group/pids.max", "6")
    assert read("/run/group/pids.max") == "6\n"
    os.chdir(GROUP)
    try:
        assert read("pids.max") == "6\n"
        write("./pids.max", "5")
    finally:
        os.chdir("/")
    assert kernel.log[-1] == KernelOp("write", LIMIT, b"5")
    assert read(limit) == "5\n"


def test_a_cgroup_made_unseen_is_as_one_made_at_once(kernel: SimulatedKernel) -> None:
    """Its control files are made at the first look, with what they would have had."""
    os.mkdir(GROUP)
    os.mkdir("/sys/fs/cgroup/pids/b")
    links = os.stat(GROUP).st_nlink
    names = os.listdir(GROUP)  # the first look
    assert os.stat(GROUP).st_nlink == links == len(names) + 2
    listed = [spec.name for spec in kernel.hierarchies["pids"].control_files("/a")]
    assert sorted(names) == sorted(listed)
    inodes = [os.stat(f"{GROUP}/{name}").st_ino for name in listed]
    first = os.stat(GROUP).st_ino + 1
    assert inodes == list(range(first, first + len(listed)))  # in the model's order
    assert os.stat("/sys/fs/cgroup/pids/b").st_ino > inodes[-1]
    os.rmdir("/sys/fs/cgroup/pids/b")  # never looked into
    assert not os.path.exists("/sys/fs/cgroup/pids/b")


def test_a_lookup_makes_the_one_file_it_names(kernel: SimulatedKernel) -> None:
    """Opening one control file of a new cgroup makes that file alone; a listing after it
    makes the rest and lists them as a cgroup listed at once does, in the same order and
    with the same inode numbers."""
    os.mkdir(GROUP)
    os.mkdir("/sys/fs/cgroup/pids/b")
    write(LIMIT, "7")
    group = kernel.fs.resolve(GROUP)
    assert isinstance(group, KernfsDirectory)
    assert list(group.made_entries) == ["pids.max"], "a lookup made other files"
    at_once = [(e.name, e.inode() - os.stat("/sys/fs/cgroup/pids/b").st_ino)
               for e in os.scandir("/sys/fs/cgroup/pids/b")]  # fmt: skip
    one_by_one = [(e.name, e.inode() - os.stat(GROUP).st_ino) for e in os.scandir(GROUP)]
    assert one_by_one == at_once
    assert read(LIMIT) == "7\n", "the file made alone is the one the model serves"
