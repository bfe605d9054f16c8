"""config.json's mounts, namespaces and domainname, seen from inside the container
(runtime-spec v1.0.2 config.md:66-83 mounts; config-linux.md:29-45 namespaces; v1.1.0
config.md:473-474 domainname): what runtime-tools' validatePosixMounts and its
linux_ns_path, linux_ns_nopath and linux_ns_itype tests check, and more: the type, flags and
filesystem options of each mount as mountinfo shows them, a bind mount's source seen inside,
a read-only bind mount refusing a write.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from harness.hosts import Host
from harness.hosts.facts.mounts import parse_mountinfo
from harness.scenarios._support.command_line import eventually
from harness.scenarios._support.config_checks import require_listed
from harness.scenarios._support.inside import Probe
from harness.scenarios._support.inside import findings_of
from harness.scenarios._support.inside import init_args
from harness.scenarios._support.mount_checks import mount_faults
from harness.scenarios._support.mount_checks import out_of_order
from harness.scenarios._support.mount_checks import propagation_faults
from harness.scenarios._support.runtime_features import require_oci_version
from harness.scenarios._support.setting_up import setting_up
from harness.subjects.command_line import CommandLine
from harness.subjects.oci import ContainerConfig
from harness.subjects.oci import Namespace
from harness.subjects.oci.details import ConfigDetails
from harness.subjects.oci.details import Mount

MARKER = "rtgate bind source"
#: the mounts a config rule adds after the usual ones (a tmpfs, one inside it, a read-only
#: bind mount of a harness directory); sources of binds are filled in per test
TMPFS = Mount(
    "/rtgate-tmpfs", "tmpfs", "tmpfs", ("nosuid", "nodev", "noexec", "size=64k", "mode=711")
)
INNER = Mount("/rtgate-tmpfs/inner", "tmpfs", "tmpfs", ("ro", "size=32k"))
FLAGS = sorted({"nosuid", "nodev", "noexec", "ro", "rbind", "rw"})
MOUNT_PROBES = (
    Probe("mountinfo", "cat /proc/$$/mountinfo"),
    Probe("marker", "cat /rtgate-bind/marker"),
    Probe("bindwrite", "if touch /rtgate-bind/new; then echo written; else echo refused; fi"),
)
#: namespaces joined by path (a process of the harness's unshare holds them), and cgroup and
#: user left out, which the container inherits (CLI-CFG-NS-NEW: test_cli_config_process.py)
JOINED = ("pid", "mount", "network", "uts", "ipc")
LEFT_OUT = ("cgroup", "user")
#: /proc/<pid>/ns names of the spec's types
PROC_NS = {"pid": "pid", "mount": "mnt", "network": "net", "uts": "uts", "ipc": "ipc",
           "cgroup": "cgroup", "user": "user"}  # fmt: skip
HOLDER = ["unshare", "--kill-child", "--pid", "--mount", "--net", "--uts", "--ipc",
          "sleep", "600"]  # fmt: skip


@pytest.mark.requirement("CLI-CFG-MOUNTS-ORDER", "CLI-CFG-MOUNTS-AS-ASKED", "CLI-CFG-MOUNTS-BIND")
def test_mounts_are_as_configured(cli: CommandLine, host: Host, verify: object) -> None:
    require_listed(cli, "mountOptions", FLAGS)
    source = cli.bundle_path("cfg-mounts") + ".bind"
    bind = Mount("/rtgate-bind", "bind", source, ("rbind", "ro"))
    wanted = (TMPFS, INNER, bind)
    config = ContainerConfig(args=init_args(MOUNT_PROBES), details=ConfigDetails(mounts=wanted))

    def fill(rootfs: str) -> None:
        os.makedirs(source)
        with open(os.path.join(source, "marker"), "w", encoding="utf-8") as f:
            f.write(MARKER + "\n")

    found = findings_of(cli, host, "cfg-mounts", config, fill)
    mounts = parse_mountinfo(found["mountinfo"])
    usual = [Mount(m["destination"], m.get("type"), m.get("source"), tuple(m.get("options", ())))
             for m in config.to_json()["mounts"]]  # fmt: skip
    late = out_of_order(usual, mounts)
    faults = mount_faults(usual, mounts, own=wanted)
    wrote = (found["bindwrite"].strip().splitlines() or [""])[-1]
    bind_seen = found["marker"].strip() == MARKER and wrote == "refused"
    verify.each(  # type: ignore[attr-defined]
        ("CLI-CFG-MOUNTS-ORDER", not late, f"mounts out of config.json's order: {late}"),
        ("CLI-CFG-MOUNTS-AS-ASKED", not faults, f"mounts not as config.json asks: {faults}"),
        ("CLI-CFG-MOUNTS-BIND", bind_seen and not os.path.exists(os.path.join(source, "new")),
         f"the read-only bind mount of {source} at /rtgate-bind shows {found['marker']!r} "
         f"(the source holds {MARKER!r}), and a write there was {found['bindwrite'].strip()!r}"),
    )  # fmt: skip


#: a tmpfs per propagation option, each seen in init's mountinfo: one option a mount (the
#: recursive ones and slave need a bind mount's tree or a master to show a difference)
PROPAGATIONS = {"/rtgate-shared": "shared", "/rtgate-unbindable": "unbindable",
                "/rtgate-private": "private"}  # fmt: skip


@pytest.mark.requirement("CLI-CFG-MOUNTS-PROPAGATION")
def test_mount_propagation_is_as_configured(cli: CommandLine, host: Host) -> None:
    require_listed(cli, "mountOptions", sorted(PROPAGATIONS.values()))
    mounts = tuple(
        Mount(point, "tmpfs", "tmpfs", ("size=16k", option))
        for point, option in PROPAGATIONS.items()
    )
    config = ContainerConfig(
        args=init_args((Probe("mountinfo", "cat /proc/$$/mountinfo"),)),
        details=ConfigDetails(mounts=mounts),
    )
    mountinfo = findings_of(cli, host, "cfg-propagation", config)["mountinfo"]
    faults = propagation_faults(mountinfo, PROPAGATIONS)
    assert not faults, f"mount propagation not as config.json's options ask: {faults}"


def _namespace_of(pid: int | str, kind: str) -> str:
    return os.readlink(f"/proc/{pid}/ns/{PROC_NS[kind]}")


def _child_of(pid: int) -> int | None:
    """The first child of ``pid`` (unshare's forked sleep), or None while it has none."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
            children = f.read().split()
    except OSError:
        return None
    return int(children[0]) if children else None


@contextmanager
def _namespace_holder(host: Host) -> Iterator[int]:
    """The pid of a process in namespaces of its own of every type in :data:`JOINED`, for
    the container to join: the child ``unshare`` forks into a new pid namespace, on a host
    that runs programs; else a process of the kernel model (whose namespaces nobody reads:
    the probe skips first).  Killing unshare kills it (--kill-child)."""
    if not host.executes_programs:
        yield host.start_process("holder")  # type: ignore[attr-defined]
        return
    holder = subprocess.Popen(HOLDER)  # noqa: S603 - the harness's own helper
    try:
        child: list[int | None] = [None]

        def forked() -> bool:
            child[0] = _child_of(holder.pid)
            return child[0] is not None and _namespace_of(child[0], "pid") != _namespace_of(
                "self", "pid"
            )

        setting_up(eventually(host, forked), f"`{' '.join(HOLDER)}` forked no child")
        yield int(child[0] or 0)
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.requirement("CLI-CFG-NS-PATH", "CLI-CFG-NS-INHERITED")
def test_namespaces_are_as_configured(cli: CommandLine, host: Host, verify: object) -> None:
    require_listed(cli, "linux.namespaces", JOINED)
    probes = tuple(Probe(kind, f"readlink /proc/$$/ns/{PROC_NS[kind]}") for kind in PROC_NS)
    with _namespace_holder(host) as holder:
        namespaces = tuple(
            Namespace(kind, path=f"/proc/{holder}/ns/{PROC_NS[kind]}")  # type: ignore[arg-type]
            for kind in JOINED
        )
        config = ContainerConfig(args=init_args(probes), namespaces=namespaces)
        found = {k: v.strip() for k, v in findings_of(cli, host, "cfg-ns", config).items()}
        ours = {kind: _namespace_of("self", kind) for kind in PROC_NS}
        theirs = {kind: _namespace_of(holder, kind) for kind in JOINED}
    apart = {kind: found[kind] for kind in JOINED if found[kind] != theirs[kind]}
    moved = {kind: found[kind] for kind in LEFT_OUT if found[kind] != ours[kind]}
    verify.each(  # type: ignore[attr-defined]
        ("CLI-CFG-NS-PATH", not apart,
         f"init is not in the namespaces at the paths asked ({theirs}): {apart}"),
        ("CLI-CFG-NS-INHERITED", not moved,
         f"namespaces left out of config.json are not the runtime's ({ours}): {moved}"),
    )  # fmt: skip


@pytest.mark.requirement("CLI-CFG-DOMAINNAME")
def test_domainname_is_as_configured(cli: CommandLine, host: Host) -> None:
    version = require_oci_version(cli, "domainname")
    probes = (Probe("domainname", "cat /proc/sys/kernel/domainname"),)
    config = ContainerConfig(
        args=init_args(probes), oci_version=version,
        details=ConfigDetails(domainname="rtgate.example"),
    )  # fmt: skip
    found = findings_of(cli, host, "cfg-domain", config)["domainname"].strip()
    assert found == "rtgate.example", (
        f"the container's domainname is {found!r}, asked 'rtgate.example'"
    )
