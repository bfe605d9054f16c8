"""What a container's init reported of itself, read back: /proc/<pid>/status (ids,
capabilities, no_new_privs), /proc/<pid>/limits, and the names the runtime-spec gives them.

The texts come from inside the container (harness/scenarios/_support/inside.py), so the
harness parses them rather than trusting a program of the container to compare.
"""

from __future__ import annotations

__all__ = [
    "CAPABILITIES",
    "LIMIT_NAMES",
    "UNLIMITED",
    "capability_names",
    "limits",
    "status_fields",
]

#: capability names by bit number (linux/capability.h, through CAP_CHECKPOINT_RESTORE = 40)
CAPABILITIES = (
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
    "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
    "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
    "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
    "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
)  # fmt: skip

#: the rlimits a config rule sets, by the row proc(5) names them in /proc/<pid>/limits
LIMIT_NAMES = {
    "RLIMIT_AS": "Max address space",
    "RLIMIT_CORE": "Max core file size",
    "RLIMIT_CPU": "Max cpu time",
    "RLIMIT_DATA": "Max data size",
    "RLIMIT_FSIZE": "Max file size",
    "RLIMIT_NOFILE": "Max open files",
    "RLIMIT_NPROC": "Max processes",
    "RLIMIT_MSGQUEUE": "Max msgqueue size",
    "RLIMIT_STACK": "Max stack size",
}
#: what config.json's uint64 says for "unlimited" (RLIM_INFINITY)
UNLIMITED = 2**64 - 1


def status_fields(text: str) -> dict[str, str]:
    """The ``Name:\\tvalue`` lines of a /proc/<pid>/status text."""
    fields = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    return fields


def capability_names(mask: str) -> frozenset[str]:
    """The capabilities a status mask (``CapBnd: 00000000a80425fb``) holds; a bit past the
    names known here is ``CAP_<bit>``."""
    value = int(mask, 16)
    return frozenset(
        CAPABILITIES[bit] if bit < len(CAPABILITIES) else f"CAP_{bit}"
        for bit in range(value.bit_length())
        if value >> bit & 1
    )


def limits(text: str) -> dict[str, tuple[int, int]]:
    """The soft and hard values of the rows of a /proc/<pid>/limits text, by row name
    ("unlimited" as :data:`UNLIMITED`)."""
    found = {}
    for line in text.splitlines()[1:]:
        for name in LIMIT_NAMES.values():
            if line.startswith(name):
                words = line[len(name) :].split()
                if len(words) >= 2:
                    soft, hard = (UNLIMITED if w == "unlimited" else int(w) for w in words[:2])
                    found[name] = (soft, hard)
    return found
