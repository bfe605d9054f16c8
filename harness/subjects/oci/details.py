"""The rest of ``config.json``: what the config rules set beyond :class:`ContainerConfig`'s
fields (runtime-spec v1.0.2 config.md process, user, capabilities, rlimits, mounts;
config-linux.md devices, sysctl, maskedPaths, readonlyPaths).

A separate value, put into a :class:`~harness.subjects.oci.config.ContainerConfig` as its
``details``: the scenarios that set nothing of it write the config.json they always wrote.  A
field left None (or empty) is left out of the document, as the spec calls each OPTIONAL.
Values are written as given, unknown names and duplicates included: the rules that a runtime
must refuse them need configs that hold them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

__all__ = ["Capabilities", "ConfigDetails", "Device", "Mount", "Rlimit", "User"]

#: the five capability sets of config.md:196-200, in the spec's order
CAPABILITY_SETS = ("effective", "bounding", "inheritable", "permitted", "ambient")


@dataclasses.dataclass(frozen=True, slots=True)
class User:
    """``process.user`` (config.md:220-223): ids in the container namespace."""

    uid: int = 0
    gid: int = 0
    umask: int | None = None
    additional_gids: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        user: dict[str, Any] = {"uid": self.uid, "gid": self.gid}
        if self.umask is not None:
            user["umask"] = self.umask
        if self.additional_gids:
            user["additionalGids"] = list(self.additional_gids)
        return user


@dataclasses.dataclass(frozen=True, slots=True)
class Capabilities:
    """``process.capabilities``: each set a tuple of ``CAP_*`` names."""

    effective: tuple[str, ...] = ()
    bounding: tuple[str, ...] = ()
    inheritable: tuple[str, ...] = ()
    permitted: tuple[str, ...] = ()
    ambient: tuple[str, ...] = ()

    def to_json(self) -> dict[str, list[str]]:
        return {name: list(getattr(self, name)) for name in CAPABILITY_SETS}


@dataclasses.dataclass(frozen=True, slots=True)
class Rlimit:
    """One entry of ``process.rlimits``: ``RLIMIT_*`` and its soft and hard values."""

    type: str
    soft: int
    hard: int

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "soft": self.soft, "hard": self.hard}


@dataclasses.dataclass(frozen=True, slots=True)
class Mount:
    """One entry of ``mounts`` (config.md:69-83)."""

    destination: str
    type: str | None = None
    source: str | None = None
    options: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"destination": self.destination}
        if self.type is not None:
            entry["type"] = self.type
        if self.source is not None:
            entry["source"] = self.source
        if self.options:
            entry["options"] = list(self.options)
        return entry


@dataclasses.dataclass(frozen=True, slots=True)
class Device:
    """One entry of ``linux.devices`` (config-linux.md:117-125); a ``p`` has no numbers."""

    path: str
    type: str
    major: int | None = None
    minor: int | None = None
    file_mode: int | None = None
    uid: int | None = None
    gid: int | None = None

    def to_json(self) -> dict[str, Any]:
        pairs = (
            ("major", self.major),
            ("minor", self.minor),
            ("fileMode", self.file_mode),
            ("uid", self.uid),
            ("gid", self.gid),
        )
        return {"path": self.path, "type": self.type} | {k: v for k, v in pairs if v is not None}


@dataclasses.dataclass(frozen=True, slots=True)
class ConfigDetails:
    """What a config rule sets beyond the usual container; :meth:`apply` writes it in."""

    user: User | None = None
    capabilities: Capabilities | None = None
    rlimits: tuple[Rlimit, ...] = ()
    no_new_privileges: bool | None = None
    oom_score_adj: int | None = None
    #: process.apparmorProfile and process.selinuxLabel (v1.0.2 config.md:189, :209)
    apparmor_profile: str | None = None
    selinux_label: str | None = None
    #: linux.mountLabel (v1.0.2 config-linux.md:705-707): the SELinux context of the mounts
    mount_label: str | None = None
    #: runtime-spec v1.1.0 (config.md:473)
    domainname: str | None = None
    #: after the usual mounts, in this order
    mounts: tuple[Mount, ...] = ()
    devices: tuple[Device, ...] = ()
    sysctl: tuple[tuple[str, str], ...] = ()
    masked_paths: tuple[str, ...] = ()
    readonly_paths: tuple[str, ...] = ()
    #: linux.uidMappings and gidMappings: (containerID, hostID, size) each
    uid_mappings: tuple[tuple[int, int, int], ...] = ()
    gid_mappings: tuple[tuple[int, int, int], ...] = ()
    rootfs_propagation: str | None = None
    #: linux.seccomp as config-linux.md:560-655 writes it
    seccomp: dict[str, Any] | None = None
    annotations: tuple[tuple[str, str], ...] = ()
    #: top-level properties no spec defines (config.md:565-568: a runtime ignores them)
    unknown: tuple[tuple[str, str], ...] = ()

    def apply(self, document: dict[str, Any]) -> None:
        """Write these details into the config.json ``document`` (in place)."""
        process, linux = document["process"], document["linux"]
        if self.user is not None:
            process["user"] = self.user.to_json()
        if self.capabilities is not None:
            process["capabilities"] = self.capabilities.to_json()
        if self.rlimits:
            process["rlimits"] = [limit.to_json() for limit in self.rlimits]
        if self.no_new_privileges is not None:
            process["noNewPrivileges"] = self.no_new_privileges
        if self.oom_score_adj is not None:
            process["oomScoreAdj"] = self.oom_score_adj
        if self.apparmor_profile is not None:
            process["apparmorProfile"] = self.apparmor_profile
        if self.selinux_label is not None:
            process["selinuxLabel"] = self.selinux_label
        if self.domainname is not None:
            document["domainname"] = self.domainname
        document["mounts"] += [mount.to_json() for mount in self.mounts]
        lists: tuple[tuple[str, Any], ...] = (
            ("devices", [device.to_json() for device in self.devices]),
            ("sysctl", dict(self.sysctl)),
            ("maskedPaths", list(self.masked_paths)),
            ("readonlyPaths", list(self.readonly_paths)),
            ("uidMappings", _mappings(self.uid_mappings)),
            ("gidMappings", _mappings(self.gid_mappings)),
            ("rootfsPropagation", self.rootfs_propagation),
            ("mountLabel", self.mount_label),
            ("seccomp", self.seccomp),
        )
        linux.update({key: value for key, value in lists if value})
        if self.annotations:
            document["annotations"] = dict(self.annotations)
        document.update(self.unknown)


def _mappings(entries: tuple[tuple[int, int, int], ...]) -> list[dict[str, int]]:
    keys = ("containerID", "hostID", "size")
    return [dict(zip(keys, entry, strict=True)) for entry in entries]
