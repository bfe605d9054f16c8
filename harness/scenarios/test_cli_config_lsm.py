"""process.apparmorProfile and process.selinuxLabel: the label init runs under, as init itself
reads it (``/proc/$$/attr/apparmor/current``, else the older ``/proc/$$/attr/current``).

Both need the security module in the host's kernel, and AppArmor a profile the host loaded:
the rules probe for it first (``/sys/module/apparmor`` and its profile list, ``/sys/fs/selinux``)
and skip, saying what they found, where it is absent.  runtime-tools' linux_process_apparmor_
profile passes whenever the rootfs has no file of the profile's name, and never looks at init.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.inside import Probe
from harness.scenarios._support.inside import findings_of
from harness.scenarios._support.inside import init_args
from harness.subjects.command_line import CONTAINER_NAMESPACES
from harness.subjects.command_line import CommandLine
from harness.subjects.oci import ContainerConfig
from harness.subjects.oci.details import ConfigDetails
from harness.subjects.oci.details import Mount

APPARMOR_MODULE = "/sys/module/apparmor"
#: "<name> (<mode>)" a line, every profile the host loaded
APPARMOR_PROFILES = "/sys/kernel/security/apparmor/profiles"
SELINUX_FS = "/sys/fs/selinux"
#: init's label: the AppArmor-specific file of kernels with stacked modules, else the old one
LABEL_PROBE = Probe(
    "label", "cat /proc/$$/attr/apparmor/current 2>/dev/null || cat /proc/$$/attr/current"
)


def _loaded_apparmor_profile() -> str:
    """A profile the host's AppArmor loaded; skips, saying what was found, without one."""
    if not os.path.isdir(APPARMOR_MODULE):
        pytest.skip(f"no {APPARMOR_MODULE} on this host: its kernel runs no AppArmor, so no "
                    f"profile can confine init")  # fmt: skip
    try:
        with open(APPARMOR_PROFILES, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as err:
        pytest.skip(f"{APPARMOR_MODULE} is there but {APPARMOR_PROFILES} cannot be read "
                    f"({err.strerror}): no loaded profile to ask for")  # fmt: skip
    names = [line.rsplit(" (", 1)[0] for line in lines if line.endswith(("(enforce)",
             "(complain)"))]  # fmt: skip
    if not names:
        pytest.skip(f"AppArmor runs but {APPARMOR_PROFILES} lists no loaded profile")
    return names[0]


def _selinux_label(to: str = "init") -> str:
    """A label the host's policy knows (the harness's own); skips without SELinux."""
    if not os.path.isdir(SELINUX_FS):
        pytest.skip(f"no {SELINUX_FS} on this host: SELinux is not enabled in its kernel, so "
                    f"no label can be given to {to}")  # fmt: skip
    with open("/proc/self/attr/current", encoding="utf-8") as f:
        return f.read().strip("\0\n ")


def _file_context() -> str:
    """A file context the host's policy knows (that of the harness's /tmp); skips without
    SELinux, saying what the probe found."""
    _selinux_label("a mount")
    try:
        return os.getxattr("/tmp", "security.selinux").decode().strip("\0\n ")
    except OSError as err:
        pytest.skip(f"SELinux is enabled ({SELINUX_FS}) but /tmp has no security.selinux "
                    f"attribute to reuse as a mount label ({err.strerror})")  # fmt: skip


def _label(cli: CommandLine, host: Host, name: str, details: ConfigDetails) -> str:
    """The label init read of itself in a container made with ``details``."""
    config = ContainerConfig(args=init_args((LABEL_PROBE,)), namespaces=CONTAINER_NAMESPACES,
                             details=details)  # fmt: skip
    return findings_of(cli, host, name, config)["label"].strip("\0\n ")


@pytest.mark.requirement("CLI-CFG-APPARMOR-PROFILE")
def test_apparmor_profile_confines_init(cli: CommandLine, host: Host, verify: Any) -> None:
    profile = _loaded_apparmor_profile()
    label = _label(cli, host, "apparmor", ConfigDetails(apparmor_profile=profile))
    verify("CLI-CFG-APPARMOR-PROFILE", label.rsplit(" (", 1)[0] == profile,
           f"init runs under {label!r}, not the profile {profile!r} asked")  # fmt: skip


@pytest.mark.requirement("CLI-CFG-SELINUX-LABEL")
def test_selinux_label_is_inits(cli: CommandLine, host: Host, verify: Any) -> None:
    wanted = _selinux_label()
    label = _label(cli, host, "selinux", ConfigDetails(selinux_label=wanted))
    verify("CLI-CFG-SELINUX-LABEL", label == wanted,
           f"init runs under {label!r}, not the label {wanted!r} asked")  # fmt: skip


#: a tmpfs of the container's own, which mountLabel must label (runc and crun give a mount
#: filesystem its context= option; SELinux shows it in the mount's super options)
LABELLED = Mount("/rtgate-labelled", "tmpfs", "tmpfs", ("size=16k",))


@pytest.mark.requirement("CLI-CFG-SELINUX-MOUNT-LABEL")
def test_selinux_mount_label_labels_the_mounts(cli: CommandLine, host: Host, verify: Any) -> None:
    wanted = _file_context()
    config = ContainerConfig(
        args=init_args((Probe("mountinfo", "cat /proc/$$/mountinfo"),)),
        namespaces=CONTAINER_NAMESPACES,
        details=ConfigDetails(mount_label=wanted, mounts=(LABELLED,)),
    )
    mountinfo = findings_of(cli, host, "mountlabel", config)["mountinfo"]
    # a context with MCS categories holds commas, so SELinux quotes it: the raw super options
    rows = [line.partition(" - ")[2] for line in mountinfo.splitlines()
            if line.split()[4:5] == [LABELLED.destination]]  # fmt: skip
    options = rows[-1].split(" ", 2)[-1] if rows else ""
    labelled = f"context={wanted}" in options.split(",") or f'context="{wanted}"' in options
    verify("CLI-CFG-SELINUX-MOUNT-LABEL", bool(rows) and labelled,
           f"linux.mountLabel {wanted!r}: the tmpfs at {LABELLED.destination} has the super "
           f"options {options!r}" if rows else f"no mount at {LABELLED.destination}")  # fmt: skip
