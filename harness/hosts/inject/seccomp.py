"""The kernel's seccomp user notification, in the few calls the fault engine needs.

A process that installs a filter with ``SECCOMP_FILTER_FLAG_NEW_LISTENER`` gets a listener fd;
each syscall the filter marks ``SECCOMP_RET_USER_NOTIF`` then waits, in the kernel, until the
listener's holder answers: either "go on" (the syscall runs as if nothing happened) or "fail
with this errno" (it never runs).  Documented in seccomp(2) and seccomp_unotify(2); needs
Linux 5.5 for the "go on" answer and x86_64, the only architecture whose syscall numbers the
engine knows.  Root may install a filter without no_new_privs (it has CAP_SYS_ADMIN).
"""

from __future__ import annotations

import ctypes
import dataclasses
import os
import platform
import struct

__all__ = [
    "Notification",
    "filter_program",
    "install_listener",
    "receive",
    "respond",
    "unsupported",
]

_SYS_SECCOMP = 317  # x86_64
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_NEW_LISTENER = 1 << 3
_SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1
_RET_ALLOW = 0x7FFF0000
_RET_USER_NOTIF = 0x7FC00000
_AUDIT_ARCH_X86_64 = 0xC000003E
# _IOWR('!', 0, struct seccomp_notif) and _IOWR('!', 1, struct seccomp_notif_resp)
_IOCTL_NOTIF_RECV = 0xC0502100
_IOCTL_NOTIF_SEND = 0xC0182101
# struct seccomp_notif: u64 id, u32 pid, u32 flags, then seccomp_data: int nr, u32 arch,
# u64 instruction_pointer, u64 args[6]
_NOTIF = struct.Struct("=QIIiIQ6Q")
# struct seccomp_notif_resp: u64 id, s64 val, s32 error, u32 flags
_RESPONSE = struct.Struct("=QqiI")
# BPF: ld [k] (32-bit word of seccomp_data), jeq #k, ret #k
_LD_W_ABS, _JEQ_K, _RET_K = 0x20, 0x15, 0x06
_INSN = struct.Struct("=HBBI")

_libc = ctypes.CDLL(None, use_errno=True)


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


@dataclasses.dataclass(frozen=True, slots=True)
class Notification:
    """One syscall waiting for the listener's answer."""

    id: int
    #: the calling thread, as the listener's PID namespace numbers it
    pid: int
    nr: int
    args: tuple[int, ...]


#: the environment variable that turns the engine off
OFF_SWITCH = "RTGATE_FAULT_ENGINE"


def unsupported() -> str | None:
    """Why this machine cannot run the engine, or None when it can (``RTGATE_FAULT_ENGINE=off``
    turns it off: a run without faults, to compare with one that has them)."""
    if os.environ.get(OFF_SWITCH) == "off":
        return f"the syscall fault engine is turned off ({OFF_SWITCH}=off)"
    machine = platform.machine()
    if machine != "x86_64":
        return f"the syscall fault engine knows x86_64 syscall numbers only (this is {machine})"
    release = platform.release()
    try:
        major, minor = (int(x) for x in release.split(".")[:2])
    except ValueError:
        return None
    if (major, minor) < (5, 5):
        return f"seccomp's SECCOMP_USER_NOTIF_FLAG_CONTINUE needs Linux 5.5 (this is {release})"
    return None


def filter_program(numbers: tuple[int, ...]) -> bytes:
    """A classic BPF filter: syscalls ``numbers`` of x86_64 go to the listener, every other
    syscall (and any other architecture's) runs."""
    count = len(numbers)
    code = [
        _INSN.pack(_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        _INSN.pack(_JEQ_K, 0, count + 1, _AUDIT_ARCH_X86_64),  # else: to "allow"
        _INSN.pack(_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
    ]
    for index, number in enumerate(numbers):
        code.append(_INSN.pack(_JEQ_K, count - index, 0, number))  # to "notify"
    code.append(_INSN.pack(_RET_K, 0, 0, _RET_ALLOW))
    code.append(_INSN.pack(_RET_K, 0, 0, _RET_USER_NOTIF))
    return b"".join(code)


def install_listener(program: ctypes.Array[ctypes.c_char]) -> int:
    """Install ``program`` (a buffer made by the caller beforehand: this runs between fork and
    exec, where allocating is best avoided) on the calling thread; the listener fd.

    Raises:
        OSError: the kernel refused the filter.
    """
    header = _Program(len(program.raw) // _INSN.size, ctypes.addressof(program))
    fd = _libc.syscall(
        _SYS_SECCOMP,
        _SECCOMP_SET_MODE_FILTER,
        _SECCOMP_FILTER_FLAG_NEW_LISTENER,
        ctypes.byref(header),
    )
    if fd < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"seccomp(SECCOMP_SET_MODE_FILTER): {os.strerror(err)}")
    return int(fd)


def receive(listener: int) -> Notification | None:
    """The next waiting syscall, or None when it vanished before it could be read (its
    thread was killed or interrupted: the kernel will notify again if it retries)."""
    buffer = ctypes.create_string_buffer(_NOTIF.size)
    if _libc.ioctl(listener, _IOCTL_NOTIF_RECV, buffer) < 0:
        return None
    nid, pid, _flags, nr, _arch, _ip, *args = _NOTIF.unpack(buffer.raw)
    return Notification(nid, pid, nr, tuple(args))


def respond(listener: int, notification: Notification, err: int | None) -> None:
    """Let the syscall run (``err`` None) or make it fail with ``err`` without running.  A
    syscall whose thread has gone meanwhile is no one's concern."""
    if err is None:
        packed = _RESPONSE.pack(notification.id, 0, 0, _SECCOMP_USER_NOTIF_FLAG_CONTINUE)
    else:
        packed = _RESPONSE.pack(notification.id, 0, -err, 0)
    buffer = ctypes.create_string_buffer(packed, len(packed))
    _libc.ioctl(listener, _IOCTL_NOTIF_SEND, buffer)
