"""How the config rules read what a container reported (harness/scenarios/_support/
proc_texts.py, mount_checks.py): texts as a 6.x kernel writes them."""

from __future__ import annotations

from harness.hosts.facts.mounts import parse_mountinfo
from harness.scenarios._support.mount_checks import mount_faults
from harness.scenarios._support.mount_checks import out_of_order
from harness.scenarios._support.mount_checks import propagation_of
from harness.scenarios._support.proc_texts import UNLIMITED
from harness.scenarios._support.proc_texts import capability_names
from harness.scenarios._support.proc_texts import limits
from harness.scenarios._support.proc_texts import status_fields
from harness.subjects.oci.details import Mount

STATUS = "Name:\tsh\nUid:\t1000\t1000\t1000\t1000\nCapBnd:\t0000000000000421\nNoNewPrivs:\t1\n"
LIMITS = """Limit                     Soft Limit           Hard Limit           Units
Max core file size        4096                 unlimited            bytes
Max open files            256                  512                  files
"""
MOUNTINFO = """\
600 500 0:50 / / rw,relatime shared:300 - overlay overlay rw
601 600 0:51 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
602 600 0:52 / /rtgate-tmpfs rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,size=64k,mode=711
603 602 8:1 /srv/data /rtgate-bind ro,relatime - ext4 /dev/sda1 rw
"""


def test_status_and_capabilities() -> None:
    fields = status_fields(STATUS)
    assert fields["Uid"].split() == ["1000"] * 4 and fields["NoNewPrivs"] == "1"
    assert capability_names(fields["CapBnd"]) == {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"}
    assert capability_names("0000010000000000") == {"CAP_CHECKPOINT_RESTORE"}
    assert capability_names("0000020000000000") == {"CAP_41"}


def test_limits_read_unlimited_as_rlim_infinity() -> None:
    assert limits(LIMITS) == {"Max core file size": (4096, UNLIMITED), "Max open files": (256, 512)}


def test_mounts_are_compared_with_their_flags_options_and_order() -> None:
    mounts = parse_mountinfo(MOUNTINFO)
    tmpfs = Mount("/rtgate-tmpfs", "tmpfs", "tmpfs", ("nosuid", "size=64k", "mode=711"))
    bind = Mount("/rtgate-bind", "bind", "/srv/data", ("rbind", "ro"))
    assert mount_faults([tmpfs, bind], mounts, own=[tmpfs, bind]) == []
    wrong = Mount("/rtgate-tmpfs", "tmpfs", "tmpfs", ("ro", "size=1m"))
    faults = mount_faults([wrong], mounts, own=[wrong])
    assert len(faults) == 1 and "'ro'" in faults[0] and "size=1m" in faults[0]
    assert mount_faults([Mount("/nowhere", "tmpfs")], mounts)[0].startswith("/nowhere: no tmpfs")
    assert out_of_order([Mount("/proc", "proc"), tmpfs, bind], mounts) == []
    assert out_of_order([bind, tmpfs], mounts) != []


def test_propagation_tags_of_a_mount() -> None:
    assert propagation_of(MOUNTINFO, "/") == ["shared:300"]
    assert propagation_of(MOUNTINFO, "/proc") == []
