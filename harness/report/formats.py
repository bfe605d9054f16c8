"""Every file format of a report, by file name, and writing them all into a report directory.

One table, so that ``rtgate run`` and ``rtgate report render`` write exactly the same files.
Each writer is a pure ``Report -> str`` function; this module writes each file atomically and
``compliance.json`` last, so that a reader who finds the JSON finds the other formats of the
same report beside it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

from harness.errors import InputFileError
from harness.report._atomic import write_texts_atomic
from harness.report.html_writer import to_html
from harness.report.json_writer import to_json
from harness.report.junit_writer import to_junit
from harness.report.ktap_writer import to_ktap
from harness.report.markdown_writer import to_markdown
from harness.report.model import Report

__all__ = ["FORMATS", "JSON_NAME", "check_report_dir", "write_all"]

JSON_NAME = "compliance.json"

#: file name -> writer; the JSON is written last (see the module docstring)
FORMATS: dict[str, Callable[[Report], str]] = {
    "compliance.md": to_markdown,
    "compliance.html": to_html,
    "junit.xml": to_junit,
    "compliance.ktap": to_ktap,
    JSON_NAME: to_json,
}


def write_all(report: Report, report_dir: str | os.PathLike[str]) -> list[Path]:
    """Write every format into ``report_dir`` (made if missing); the paths written, in order.

    Every file is written or none is (:func:`write_texts_atomic`), so a full disk leaves the
    report as it was, never a Markdown that says PASS beside a JSON that says incomplete.

    Raises:
        InputFileError: the directory cannot be made or written (exit 2, one line).
    """
    directory = Path(report_dir)
    texts = [(directory / name, writer(report)) for name, writer in FORMATS.items()]
    with _writing_report(directory):
        _make(directory)
        return write_texts_atomic(texts)


def check_report_dir(report_dir: str | os.PathLike[str]) -> None:
    """Make ``report_dir`` if missing and make sure a report can be written there, before a
    run spends any time: a file of that name, a read-only directory or a name too long are
    the user's to fix.

    Raises:
        InputFileError: it cannot be made or written.
    """
    directory = Path(report_dir)
    with _writing_report(directory):
        _make(directory)
        fd, probe = tempfile.mkstemp(dir=directory, prefix=".rtgate-probe.")
        os.close(fd)
        os.unlink(probe)


def _make(directory: Path) -> None:
    """``directory`` and its parents, made if missing; a file in its place is not one."""
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a directory")
    directory.mkdir(parents=True, exist_ok=True)


@contextlib.contextmanager
def _writing_report(directory: Path) -> Iterator[None]:
    """An :class:`OSError` of writing a report, as one line naming the directory."""
    try:
        yield
    except OSError as err:
        reason = err.strerror or str(err)
        raise InputFileError(str(directory), f"cannot write the report there: {reason}") from err
