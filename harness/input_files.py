"""Reading a file the user named (an expectations file, a catalog, a report), safely.

A path given on the command line can name anything: a FIFO, whose ``open`` waits for a writer
forever, or ``/dev/zero``, whose ``read`` never ends.  Every input file rtgate reads goes
through :func:`read_input`, which opens without blocking, refuses what is not a regular file
and stops at a size no real input reaches, each refusal one :class:`InputFileError` line.
"""

from __future__ import annotations

import os
import stat

from harness.errors import InputFileError

__all__ = ["MAX_REPORT_BYTES", "MAX_TEXT_BYTES", "read_input"]

#: the largest TOML input (catalog, expectations): the packaged catalog is about 150 KiB
MAX_TEXT_BYTES = 8 << 20
#: the largest ``compliance.json``: a whole profile with every command kept is a few MiB
MAX_REPORT_BYTES = 256 << 20

_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def read_input(
    path: str | os.PathLike[str],
    what: str,
    limit: int = MAX_TEXT_BYTES,
    error: type[InputFileError] = InputFileError,
) -> bytes:
    """The bytes of the regular file ``path``, the ``what`` (``"expectations"``) of a command.

    Raises:
        InputFileError: (or ``error``) it cannot be opened, is not a regular file, or is
            larger than ``limit`` bytes.
    """
    name = os.fspath(path)
    try:
        # O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as err:
        raise error(name, f"cannot read the {what}: {err.strerror or err}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = _KINDS.get(stat.S_IFMT(mode), "something else")
            raise error(name, f"cannot read the {what}: it is {kind}, not a regular file")
        data = _read_at_most(fd, limit + 1)
    except OSError as err:
        raise error(name, f"cannot read the {what}: {err.strerror or err}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise error(name, f"cannot read the {what}: larger than {limit >> 20} MiB")
    return data


def _read_at_most(fd: int, size: int) -> bytes:
    """Up to ``size`` bytes of ``fd``, fewer at its end."""
    chunks: list[bytes] = []
    left = size
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
