"""Host facts: the one reader of mountinfo, /proc/<pid>/stat, /proc/cpuinfo and resctrl's info/,
on texts in the kernel's format, on this machine, and on the simulated kernel (the same code)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.hosts import simulated_host
from harness.hosts.facts import Mount
from harness.hosts.facts import cgroup_mode
from harness.hosts.facts import controller_hierarchies
from harness.hosts.facts import cpu_flags
from harness.hosts.facts import describe_real
from harness.hosts.facts import netns_at
from harness.hosts.facts import parse_mountinfo
from harness.hosts.facts import parse_stat
from harness.hosts.facts import read_info_value
from harness.hosts.facts import read_mounts
from harness.hosts.facts import read_stat
from harness.hosts.facts import resctrl_mounts

HYBRID = (
    "31 23 0:28 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
    "52 29 0:4 net:[4026532] /run/netns/a\\040b rw shared:5 - nsfs nsfs rw\n"
    "a line the kernel never writes\n"
)


def test_a_mountinfo_line_reads_into_its_fields() -> None:
    mounts = parse_mountinfo(HYBRID)
    assert len(mounts) == 5
    assert mounts[1] == Mount(
        mount_id=32,
        parent_id=31,
        device="0:29",
        root="/",
        mount_point="/sys/fs/cgroup/cpu",
        options=("rw", "relatime"),
        fstype="cgroup",
        source="cgroup",
        super_options=("rw", "cpu"),
    )
    assert mounts[0].options == ("ro", "nosuid")  # the optional fields are not options


def test_the_cgroup_layout_and_namespaces_come_from_the_same_rows() -> None:
    mounts = parse_mountinfo(HYBRID)
    assert cgroup_mode(mounts) == "hybrid"
    assert cgroup_mode(mounts[:3]) == "v1"
    assert cgroup_mode([]) == "v1"
    assert controller_hierarchies(mounts) == ["cpu"]
    assert netns_at("/run/netns/a b", mounts) == "net:[4026532]"  # \040 is a space
    assert netns_at("/run/netns/other", mounts) is None


def test_a_stat_line_whose_command_holds_parentheses() -> None:
    fields = ["S", "7", "42", *["0"] * 16, "12345", *["0"] * 30]
    stat = parse_stat("99 (a (b) c) " + " ".join(fields) + "\n")
    assert (stat.pid, stat.comm, stat.state, stat.ppid, stat.start_time, stat.pgrp) == (
        99, "a (b) c", "S", 7, 12345, 42
    )  # fmt: skip
    assert not stat.exited
    assert parse_stat("5 (z) Z 1").exited
    with pytest.raises(ValueError, match="not a /proc/<pid>/stat line"):
        parse_stat("garbage")


def test_this_process_as_the_real_kernel_shows_it() -> None:
    me = read_stat(os.getpid())
    assert me.pid == os.getpid() and me.ppid == os.getppid() and me.state in "RS"
    assert me.pgrp == os.getpgrp()
    assert any(m.mount_point == "/" for m in read_mounts())


def test_a_file_path_can_stand_in_for_the_table(tmp_path: Path) -> None:
    table = tmp_path / "mountinfo"
    table.write_text("60 1 0:50 / /sys/fs/resctrl rw - resctrl resctrl rw,cdp\n")
    assert [m.super_options for m in resctrl_mounts(str(table))] == [("rw", "cdp")]
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu cat_l3\n\nprocessor\t: 1\nflags\t: fpu\n")
    assert cpu_flags(str(cpuinfo)) == ("fpu", "cat_l3")  # the first CPU's, as runc reads it


def test_the_same_readers_on_the_simulated_kernel() -> None:
    with simulated_host("xeon-cdp") as host:
        assert cgroup_mode() in ("v1", "v2", "hybrid")
        assert "cdp_l3" in cpu_flags()
        assert [m.mount_point for m in resctrl_mounts()] == ["/sys/fs/resctrl"]
        assert int(read_info_value("L3CODE", "num_closids")) > 0
        pid = host.start_process()
        assert read_stat(pid).pid == pid and not read_stat(pid).exited
        probe = describe_real()
    assert probe["resctrl_mounted"] is True
    assert probe["resctrl"] == "mounted at /sys/fs/resctrl"
