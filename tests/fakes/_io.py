"""Kernfs-style I/O helpers for the simulated-kernel tests."""

from __future__ import annotations

import os
from collections.abc import Callable

FREEZER = "/sys/fs/cgroup/freezer"
RESCTRL = "/sys/fs/resctrl"


def write(path: str, data: str | bytes) -> None:
    """One open, one write(2), one close: how runc writes control files."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o700)
    try:
        os.write(fd, data.encode() if isinstance(data, str) else data)
    finally:
        os.close(fd)


def read(path: str) -> str:
    """Open, read, close."""
    with open(path, encoding="utf-8") as f:
        return f.read()


def errno_of(action: Callable[[], object]) -> int | None:
    """The errno ``action`` fails with, or None when it succeeds."""
    try:
        action()
    except OSError as exc:
        return exc.errno
    return None
