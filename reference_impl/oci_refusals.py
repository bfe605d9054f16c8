"""Values of config.json the runtime-spec says a runtime MUST refuse, found before anything is
made: an ociVersion that is no SemVer (config.md:17, :572), a capability or rlimit type the
kernel has no name for (config.md:173, :193), a duplicated rlimit type (:183), a duplicated
namespace type (config-linux.md:45) and a namespace path of another type (:40, read from its
``/proc/<pid>/ns`` link when it is one).

runc refuses the duplicated namespace, the unknown rlimit and the namespace of another type
(specconv, createLibContainerRlimit, nsexec's setns), and takes the rest (capabilities.go:72-74
only warns; measured with runc 1.1.5).  The reference refuses what runc refuses under the runc
profiles, and all of them under the runtime-spec profile, as the spec says.
"""

from __future__ import annotations

import os
import re
from typing import Any

__all__ = ["refusals"]

#: capability(7) names, bit 0 up (linux/capability.h through CAP_CHECKPOINT_RESTORE)
_CAPABILITIES = frozenset(
    "CAP_" + name
    for name in """CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
    LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER
    SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE
    SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP
    MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF
    CHECKPOINT_RESTORE""".split()
)
#: getrlimit(2)'s resources
_RLIMITS = frozenset(
    "RLIMIT_" + name
    for name in "CPU FSIZE DATA STACK CORE RSS NPROC NOFILE MEMLOCK AS LOCKS SIGPENDING "
    "MSGQUEUE NICE RTPRIO RTTIME".split()
)
#: SemVer 2.0.0's shape: major.minor.patch, then an optional pre-release and build
_SEMVER = re.compile(r"\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?")
#: runtime-spec namespace types -> the name their /proc/<pid>/ns link reads as
_NS_LINKS = {"pid": "pid", "mount": "mnt", "network": "net", "ipc": "ipc", "uts": "uts",
             "user": "user", "cgroup": "cgroup"}  # fmt: skip


def refusals(spec: dict[str, Any], as_spec_says: bool = True) -> list[str]:
    """What in ``spec`` (config.json) the runtime must refuse; empty when nothing.  Without
    ``as_spec_says``, only what runc refuses."""
    process = spec.get("process") or {}
    found = []
    types = [str(limit.get("type")) for limit in process.get("rlimits") or ()]
    if as_spec_says:
        found += _refused_by_the_spec_alone(spec, process, types)
    found += [f"process.rlimits: unknown type {t}" for t in types if t not in _RLIMITS]
    entries = (spec.get("linux") or {}).get("namespaces") or ()
    kinds = [str(entry.get("type")) for entry in entries]
    found += [
        f"linux.namespaces: {k} given twice" for k in sorted(set(kinds)) if kinds.count(k) > 1
    ]
    found += [_wrong_type(entry) for entry in entries if entry.get("path") and _wrong_type(entry)]
    return found


def _refused_by_the_spec_alone(
    spec: dict[str, Any], process: dict[str, Any], types: list[str]
) -> list[str]:
    """A version that is no SemVer, an unknown capability, a duplicated rlimit: runc takes
    them."""
    found = []
    version = str(spec.get("ociVersion", ""))
    if not _SEMVER.fullmatch(version):
        found.append(f"ociVersion {version!r} is not SemVer")
    for name, caps in (process.get("capabilities") or {}).items():
        unknown = sorted(set(caps or ()) - _CAPABILITIES)
        if unknown:
            found.append(f"process.capabilities.{name}: unknown capabilities {unknown}")
    found += [f"process.rlimits: {t} given twice" for t in sorted(set(types)) if types.count(t) > 1]
    return found


def _wrong_type(entry: dict[str, Any]) -> str:
    """Why a joined namespace's path is not of its type ("" when it is, or cannot be told)."""
    kind, path = str(entry.get("type")), str(entry["path"])
    try:
        link = os.readlink(path)
    except OSError:
        return ""  # not a /proc link (a bind-mounted nsfs file): setns tells
    held = link.partition(":")[0]
    wanted = _NS_LINKS.get(kind, kind)
    return f"linux.namespaces: {path} is a {held} namespace, not {wanted}" if held != wanted else ""
