"""Writing files so that readers see the old content or the new, never half of it; and a set
of files (a report's formats) so that no file of it is newer than the ones after it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

__all__ = ["write_text_atomic", "write_texts_atomic"]


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``.

    The temporary file is in the same directory so that :func:`os.replace` is a rename on one
    filesystem; it is removed again if anything fails before the rename.
    """
    return write_texts_atomic([(path, text)])[0]


def write_texts_atomic(files: Sequence[tuple[str | os.PathLike[str], str]]) -> list[Path]:
    """Write every file of ``files`` or none: each to a temporary file beside it first, then
    each renamed over its target, in order; the paths written.

    A failure while writing (a full disk) leaves every old file as it was.  One while renaming
    (which needs no space) removes the files this call already replaced: the report's JSON
    comes last, and no format may say the run ended while the JSON says it is incomplete.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in files:
            staged.append((_stage(Path(path), text), Path(path)))
    except BaseException:
        for temp, _ in staged:
            Path(temp).unlink(missing_ok=True)
        raise
    done: list[Path] = []
    try:
        for temp, target in staged:
            os.replace(temp, target)
            done.append(target)
    except BaseException:
        for temp, _ in staged[len(done) :]:
            Path(temp).unlink(missing_ok=True)
        for target in done:
            target.unlink(missing_ok=True)
        raise
    return done


def _stage(target: Path, text: str) -> str:
    """``text`` in a new temporary file beside ``target``, synced to disk; its path."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return temp
