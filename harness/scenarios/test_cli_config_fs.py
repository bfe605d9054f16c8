"""config.json's root, mounts, devices, sysctl, masked and read-only paths, seen from inside
the container (runtime-spec v1.0.2 config.md root and mounts; config-linux.md default
filesystems, devices, default devices, sysctl, maskedPaths, readonlyPaths; runtime-linux.md
dev symbolic links): what runtime-tools' runtimetest validates (validateRootFS,
validatePosixMounts, validateDefaultFS, validateLinuxDevices, validateDefaultDevices,
validateDefaultSymlinks, validateSysctls, validateMaskedPaths, validateROPaths,
validateOOMScoreAdj when it is unset), with write attempts for what must be read-only and the
host's view of the files afterwards.

A read-only root hides whether a read-only path refuses a write of its own, so the read-only
paths are on a writable bind mount of a harness directory (:data:`RW_MOUNT`), where a control
write must succeed.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from harness.hosts import Host
from harness.hosts.facts.mounts import parse_mountinfo
from harness.scenarios._support.inside import Probe
from harness.scenarios._support.inside import findings_of
from harness.scenarios._support.inside import init_args
from harness.scenarios._support.mount_checks import DEFAULT_DEVICES
from harness.scenarios._support.mount_checks import DEV_LINKS
from harness.scenarios._support.mount_checks import devices_differ
from harness.scenarios._support.mount_checks import filesystems_differ
from harness.scenarios._support.mount_checks import new_peer_group
from harness.scenarios._support.mount_checks import propagation_of
from harness.scenarios._support.setting_up import SetupFailed
from harness.scenarios._support.setting_up import setting_up
from harness.subjects.command_line import CommandLine
from harness.subjects.oci import ContainerConfig
from harness.subjects.oci.details import ConfigDetails
from harness.subjects.oci.details import Device
from harness.subjects.oci.details import Mount

SECRET = "rtgate secret"
#: a writable bind mount of a harness directory, holding the read-only paths
RW_MOUNT = "/rtgate-rw"
MASKED = ("/rtgate-masked-file", "/rtgate-masked-dir")
READONLY = (f"{RW_MOUNT}/ro-file", f"{RW_MOUNT}/ro-dir")
DEVICES = (
    Device("/dev/rtgate-c", "c", 1, 3, file_mode=0o640, uid=1, gid=2),
    Device("/dev/rtgate-b", "b", 7, 99, file_mode=0o600, uid=0, gid=6),
    Device("/dev/rtgate-p", "p", file_mode=0o620, uid=3, gid=4),
)
SYSCTL = (("net.ipv4.ip_forward", "1"), ("kernel.msgmax", "16384"))


def _attempt(what: str, command: str) -> str:
    """A shell line: ``command``, then whether it was refused."""
    return f"if {command}; then echo '{what}: written'; else echo '{what}: refused'; fi"


FS_PROBES = (
    Probe("rootwrite", _attempt("/", "touch /rtgate-root-write")),
    Probe("oom", "cat /proc/$$/oom_score_adj"),
    Probe("maskedfile", f"cat {MASKED[0]}"),
    Probe("maskeddir", f"ls -A {MASKED[1]}"),
    Probe("maskedinner", f"cat {MASKED[1]}/inner"),
    Probe("rowrite", "; ".join((
        _attempt("control", f"echo x >> {RW_MOUNT}/free"),
        _attempt(READONLY[0], f"echo x >> {READONLY[0]}"),
        _attempt(READONLY[1], f"touch {READONLY[1]}/new"),
    ))),
    Probe("devices", "stat -c '%n|%F|%t|%T|%a|%u|%g' " + " ".join(d.path for d in DEVICES)),
    Probe("defaults", "stat -L -c '%n|%F|%t|%T' " + " ".join(DEFAULT_DEVICES)),
    Probe("links", "for l in " + " ".join(DEV_LINKS) + "; do echo \"$l $(readlink $l)\"; done"),
    Probe("sysctl", "cat " + " ".join("/proc/sys/" + k.replace(".", "/") for k, _ in SYSCTL)),
    Probe("mountinfo", "cat /proc/$$/mountinfo"),
)  # fmt: skip


def _fill(rootfs: str, rw_dir: str) -> None:
    """The masked paths in the root, the read-only ones in the writable mount's source."""
    os.makedirs(os.path.join(rootfs, MASKED[1].lstrip("/")))
    for path in (MASKED[0], f"{MASKED[1]}/inner"):
        with open(os.path.join(rootfs, path.lstrip("/")), "w", encoding="utf-8") as f:
            f.write(SECRET + "\n")
    os.makedirs(os.path.join(rw_dir, "ro-dir"))
    with open(os.path.join(rw_dir, "ro-file"), "w", encoding="utf-8") as f:
        f.write(SECRET + "\n")
    os.chmod(rw_dir, 0o777)


def _changed_on_host(rw_dir: str) -> bool:
    """Whether the read-only paths' files differ on the host from what :func:`_fill` made."""
    with open(os.path.join(rw_dir, "ro-file"), encoding="utf-8") as f:
        text = f.read()
    return text != SECRET + "\n" or bool(os.listdir(os.path.join(rw_dir, "ro-dir")))


def _devices_found(text: str) -> tuple[bool, str]:
    wanted = {
        d.path: ({"c": "character special file", "b": "block special file"}.get(d.type, "fifo"),
                 f"{d.major or 0:x}", f"{d.minor or 0:x}", f"{d.file_mode:o}", str(d.uid),
                 str(d.gid))
        for d in DEVICES
    }  # fmt: skip
    got = {line.split("|")[0]: tuple(line.split("|")[1:]) for line in text.splitlines()}
    differ = {p: got.get(p) for p, want in wanted.items() if got.get(p, ()) != want}
    return not differ, f"asked (type, major, minor, mode, uid, gid) {wanted}, found {differ}"


@pytest.mark.requirement(
    "CLI-CFG-ROOT-READONLY", "CLI-CFG-OOM-SCORE-ADJ-UNSET", "CLI-CFG-MASKED-PATHS",
    "CLI-CFG-READONLY-PATHS", "CLI-CFG-DEVICES", "CLI-CFG-DEFAULT-DEVICES",
    "CLI-CFG-DEV-SYMLINKS", "CLI-CFG-SYSCTL", "CLI-CFG-DEFAULT-FILESYSTEMS",
)  # fmt: skip
def test_filesystem_is_as_configured(cli: CommandLine, host: Host, verify: object) -> None:
    rw_dir = cli.bundle_path("cfg-fs") + ".rw"
    rw = Mount(RW_MOUNT, "bind", rw_dir, ("rbind", "rw"))
    details = ConfigDetails(
        mounts=(rw,), devices=DEVICES, sysctl=SYSCTL, masked_paths=MASKED,
        readonly_paths=READONLY,
    )  # fmt: skip
    config = ContainerConfig(args=init_args(FS_PROBES), readonly_root=True, details=details)
    found = findings_of(cli, host, "cfg-fs", config, lambda rootfs: _fill(rootfs, rw_dir))
    setting_up("control: written" in found["rowrite"], f"no write works: {found['rowrite']}")
    with open(f"/proc/{os.getpid()}/oom_score_adj", encoding="ascii") as f:
        ours = f.read().strip()
    ro_left = [p for p in READONLY if f"{p}: written" in found["rowrite"]]
    ro_changed = _changed_on_host(rw_dir)
    sysctl = found["sysctl"].split()
    mounts = parse_mountinfo(found["mountinfo"])
    verify.each(  # type: ignore[attr-defined]
        ("CLI-CFG-ROOT-READONLY", "/: refused" in found["rootwrite"],
         f"root.readonly true, yet a write to / is not refused: {found['rootwrite'].strip()}"),
        ("CLI-CFG-OOM-SCORE-ADJ-UNSET", found["oom"].strip() == ours,
         f"oomScoreAdj unset, yet init's oom_score_adj is {found['oom'].strip()!r}, the "
         f"runtime's caller's {ours!r}"),
        ("CLI-CFG-MASKED-PATHS", *_masked(found)),
        ("CLI-CFG-READONLY-PATHS", not ro_left and not ro_changed,
         f"readonlyPaths written: {ro_left or 'the host sees the files changed'} "
         f"({found['rowrite'].strip()!r})"),
        ("CLI-CFG-DEVICES", *_devices_found(found["devices"])),
        ("CLI-CFG-DEFAULT-DEVICES", *devices_differ(found["defaults"])),
        ("CLI-CFG-DEV-SYMLINKS", *_links_found(found["links"])),
        ("CLI-CFG-SYSCTL", sysctl == [value for _, value in SYSCTL],
         f"asked sysctl {dict(SYSCTL)}, /proc/sys shows {sysctl}"),
        ("CLI-CFG-DEFAULT-FILESYSTEMS", *filesystems_differ(mounts)),
    )  # fmt: skip


def _masked(found: dict[str, str]) -> tuple[bool, str]:
    """Whether neither masked path shows what the harness put there."""
    texts = {name: found[name].strip() for name in ("maskedfile", "maskeddir", "maskedinner")}
    readable = SECRET in texts["maskedfile"] + texts["maskedinner"]
    return (
        not readable and "inner" not in texts["maskeddir"].split(),
        f"maskedPaths {list(MASKED)} can still be read: {texts}",
    )


def _links_found(text: str) -> tuple[bool, str]:
    got = dict(line.split(" ", 1) for line in text.splitlines() if " " in line)
    differ = {link: got.get(link) for link, target in DEV_LINKS.items() if got.get(link) != target}
    return not differ, f"asked symlinks {DEV_LINKS}, found {differ}"


def _unbindable(tags: list[str]) -> tuple[bool, str]:
    return "unbindable" in tags, f"rootfsPropagation unbindable, yet / has the tags {tags}"


@pytest.mark.parametrize(
    ("propagation", "judge"),
    [
        pytest.param("shared", new_peer_group, id="shared",
                     marks=pytest.mark.requirement("CLI-CFG-ROOTFS-PROPAGATION")),
        pytest.param("unbindable", _unbindable, id="unbindable",
                     marks=pytest.mark.requirement("CLI-CFG-ROOTFS-UNBINDABLE")),
    ],
)  # fmt: skip
def test_root_propagation_is_as_configured(
    cli: CommandLine,
    host: Host,
    propagation: str,
    judge: Callable[[list[str]], tuple[bool, str]],
) -> None:
    """A runtime that cannot make the container at all fails the rule (runc 1.1.5 with
    unbindable), rather than erring as a step before it."""
    probes = (Probe("mountinfo", "cat /proc/$$/mountinfo"),)
    details = ConfigDetails(rootfs_propagation=propagation)
    config = ContainerConfig(args=init_args(probes), details=details)
    try:
        mountinfo = findings_of(cli, host, f"cfg-{propagation}", config)["mountinfo"]
    except SetupFailed as err:
        mountinfo, why = "", str(err)
    assert mountinfo, f"no container with rootfsPropagation {propagation}: {why}"
    ok, message = judge(propagation_of(mountinfo, "/"))
    assert ok, message
