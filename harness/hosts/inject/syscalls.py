"""Which x86_64 syscalls carry each operation of the fault vocabulary, and how to read the
operation and its absolute path from a waiting syscall's arguments.

The vocabulary is the simulated kernel's (:data:`harness.fakes.faults.FaultOp`): "rmdir" is
rmdir(2) and unlinkat(2) with AT_REMOVEDIR, "unlink" unlink(2) and unlinkat(2) without it,
"open" any open whose flags lack O_DIRECTORY ("opendir" with it), "write" and "read" any write
or read of an fd (the path is the file it is open on), "kill" kill(2) of the process
``/proc/<pid>``, "lstat" a stat of the path itself (AT_SYMLINK_NOFOLLOW), "rename" the source
path.  A path relative to a directory fd or to the cwd is joined to that directory as
/proc/<pid>/fd and /proc/<pid>/cwd show it, so ``unlinkat(<fd of /run/x>, "id", ...)`` is an
operation on /run/x/id whatever language the runtime is written in.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable

__all__ = ["INJECTABLE_OPS", "Caller", "decode", "numbers_for"]

_AT_FDCWD = -100
_AT_REMOVEDIR = 0x200
_AT_SYMLINK_NOFOLLOW = 0x100
_O_DIRECTORY = 0o200000
_PAGE = 4096
_PATH_MAX = 4096


class Caller:
    """The process that made a syscall, read through /proc (the listener is root)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def string(self, address: int) -> str:
        """The NUL-terminated string at ``address`` in the caller's memory, read a page at a
        time so that a read never crosses into an unmapped page."""
        fd = os.open(f"/proc/{self.pid}/mem", os.O_RDONLY)
        try:
            data = b""
            while b"\0" not in data and len(data) < _PATH_MAX:
                at = address + len(data)
                chunk = os.pread(fd, _PAGE - at % _PAGE, at)
                if not chunk:
                    break
                data += chunk
        finally:
            os.close(fd)
        return data.partition(b"\0")[0].decode(errors="surrogateescape")

    def word(self, address: int) -> int:
        """The 64-bit word at ``address`` (openat2's ``struct open_how`` starts with flags)."""
        fd = os.open(f"/proc/{self.pid}/mem", os.O_RDONLY)
        try:
            return int(struct.unpack("=Q", os.pread(fd, 8, address))[0])
        finally:
            os.close(fd)

    def fd_path(self, fd: int) -> str:
        return os.readlink(f"/proc/{self.pid}/fd/{fd}")

    def pidfd_pid(self, fd: int) -> int:
        """The pid a pidfd of the caller refers to (its fdinfo's ``Pid:`` line; -1 once the
        process is gone, 0 when it is not a pidfd)."""
        with open(f"/proc/{self.pid}/fdinfo/{fd}", encoding="ascii") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key == "Pid":
                    return int(value)
        return 0

    def path(self, dirfd: int, name: str) -> str:
        """The absolute path ``name`` names when resolved at ``dirfd``; the directory part of
        an absolute name canonical as this process sees it (no ``..``, no symlinks)."""
        if name.startswith("/"):
            head, tail = os.path.split(os.path.normpath(name))
            return os.path.join(os.path.realpath(head), tail)
        base = self.fd_path(dirfd) if dirfd != _AT_FDCWD else os.readlink(f"/proc/{self.pid}/cwd")
        return os.path.normpath(os.path.join(base, name))


def _int(value: int) -> int:
    """A syscall's ``int`` argument (its low 32 bits, signed)."""
    return struct.unpack("=i", struct.pack("=I", value & 0xFFFFFFFF))[0]


Decoder = Callable[[Caller, tuple[int, ...]], "tuple[str, str] | None"]


def _at(op: str, dirfd: int | None, name: int) -> Decoder:
    """``op`` on the path in argument ``name``, relative to the fd in argument ``dirfd``."""

    def decode(caller: Caller, args: tuple[int, ...]) -> tuple[str, str] | None:
        fd = _AT_FDCWD if dirfd is None else _int(args[dirfd])
        return op, caller.path(fd, caller.string(args[name]))

    return decode


def _on_fd(op: str) -> Decoder:
    def decode(caller: Caller, args: tuple[int, ...]) -> tuple[str, str] | None:
        return op, caller.fd_path(_int(args[0]))

    return decode


def _unlinkat(caller: Caller, args: tuple[int, ...]) -> tuple[str, str] | None:
    op = "rmdir" if args[2] & _AT_REMOVEDIR else "unlink"
    return op, caller.path(_int(args[0]), caller.string(args[1]))


def _opening(dirfd: int | None, name: int, flags: int, how: bool = False) -> Decoder:
    def decode(caller: Caller, args: tuple[int, ...]) -> tuple[str, str] | None:
        mode = caller.word(args[flags]) if how else args[flags]
        op = "opendir" if mode & _O_DIRECTORY else "open"
        fd = _AT_FDCWD if dirfd is None else _int(args[dirfd])
        return op, caller.path(fd, caller.string(args[name]))

    return decode


def _stat_at(flags: int) -> Decoder:
    def decode(caller: Caller, args: tuple[int, ...]) -> tuple[str, str] | None:
        name = caller.string(args[1])
        if not name or not args[flags] & _AT_SYMLINK_NOFOLLOW:
            return None  # a stat of an fd, or one that follows symlinks: not lstat
        return "lstat", caller.path(_int(args[0]), name)

    return decode


def _kill(caller: Caller, args: tuple[int, ...]) -> tuple[str, str] | None:
    pid = _int(args[0])
    return ("kill", f"/proc/{pid}") if pid > 0 else None


def _pidfd_kill(caller: Caller, args: tuple[int, ...]) -> tuple[str, str] | None:
    """pidfd_send_signal(pidfd, sig, info, flags): crun signals through a pidfd."""
    pid = caller.pidfd_pid(_int(args[0]))
    return ("kill", f"/proc/{pid}") if pid > 0 else None


#: syscall number -> (the operations it can carry, how to read one)
_SYSCALLS: dict[int, tuple[frozenset[str], Decoder]] = {
    0: (frozenset({"read"}), _on_fd("read")),
    17: (frozenset({"read"}), _on_fd("read")),  # pread64
    19: (frozenset({"read"}), _on_fd("read")),  # readv
    1: (frozenset({"write"}), _on_fd("write")),
    18: (frozenset({"write"}), _on_fd("write")),  # pwrite64
    20: (frozenset({"write"}), _on_fd("write")),  # writev
    2: (frozenset({"open", "opendir"}), _opening(None, 0, 1)),
    257: (frozenset({"open", "opendir"}), _opening(0, 1, 2)),  # openat
    437: (frozenset({"open", "opendir"}), _opening(0, 1, 2, how=True)),  # openat2
    83: (frozenset({"mkdir"}), _at("mkdir", None, 0)),
    258: (frozenset({"mkdir"}), _at("mkdir", 0, 1)),  # mkdirat
    84: (frozenset({"rmdir"}), _at("rmdir", None, 0)),
    87: (frozenset({"unlink"}), _at("unlink", None, 0)),
    263: (frozenset({"rmdir", "unlink"}), _unlinkat),
    82: (frozenset({"rename"}), _at("rename", None, 0)),
    264: (frozenset({"rename"}), _at("rename", 0, 1)),  # renameat
    316: (frozenset({"rename"}), _at("rename", 0, 1)),  # renameat2
    90: (frozenset({"chmod"}), _at("chmod", None, 0)),
    268: (frozenset({"chmod"}), _at("chmod", 0, 1)),  # fchmodat
    133: (frozenset({"mknod"}), _at("mknod", None, 0)),
    259: (frozenset({"mknod"}), _at("mknod", 0, 1)),  # mknodat
    89: (frozenset({"readlink"}), _at("readlink", None, 0)),
    267: (frozenset({"readlink"}), _at("readlink", 0, 1)),  # readlinkat
    6: (frozenset({"lstat"}), _at("lstat", None, 0)),
    262: (frozenset({"lstat"}), _stat_at(3)),  # newfstatat
    332: (frozenset({"lstat"}), _stat_at(2)),  # statx
    62: (frozenset({"kill"}), _kill),
    424: (frozenset({"kill"}), _pidfd_kill),  # pidfd_send_signal
}

#: the operations the engine can fail (the simulated kernel's "fork" it cannot: the clone of a
#: runtime is how it runs at all)
INJECTABLE_OPS: frozenset[str] = frozenset().union(*(ops for ops, _ in _SYSCALLS.values()))


def numbers_for(ops: set[str] | frozenset[str]) -> tuple[int, ...]:
    """The syscalls the filter must send to the listener for faults on ``ops``."""
    return tuple(sorted(nr for nr, (carried, _) in _SYSCALLS.items() if carried & ops))


def decode(caller: Caller, nr: int, args: tuple[int, ...]) -> tuple[str, str] | None:
    """(operation, absolute path) of the syscall ``nr`` with ``args``, or None when it is not
    one of the vocabulary's operations (a stat that follows symlinks, a kill of a group).

    Raises:
        OSError: the caller is gone or its fd closed meanwhile.
    """
    entry = _SYSCALLS.get(nr)
    return None if entry is None else entry[1](caller, args)
