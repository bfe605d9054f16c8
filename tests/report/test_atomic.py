"""Report files are replaced in one rename: readers never see half a file, nor a set of
formats of which one is newer than the JSON."""

from __future__ import annotations

import dataclasses
import errno
import itertools
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.errors import InputFileError
from harness.report import _atomic
from harness.report._atomic import write_text_atomic
from harness.report._atomic import write_texts_atomic
from harness.report.formats import FORMATS
from harness.report.formats import JSON_NAME
from harness.report.formats import write_all
from harness.report.json_writer import read_json
from tests.report._samples import sample_report


def test_replaces_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "compliance.json"
    target.write_text("old")
    write_text_atomic(target, "new")
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["compliance.json"]


def test_failure_keeps_the_old_file_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "junit.xml"
    target.write_text("old")
    seen: list[str] = []

    def failing_replace(src: str, dst: object) -> None:
        seen.append(Path(src).read_text())
        assert Path(src).parent == tmp_path  # same directory: a rename, not a copy
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_atomic.os, "replace", failing_replace)
    with pytest.raises(OSError):
        write_text_atomic(target, "new")
    assert seen == ["new"]
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junit.xml"]


def test_file_is_readable_by_others(tmp_path: Path) -> None:
    target = write_text_atomic(tmp_path / "x.json", "{}")
    assert os.stat(target).st_mode & 0o044 == 0o044


def _failing_on(nth: int, real: Callable[..., str]) -> Callable[..., str]:
    """``_atomic._stage`` that fails as a full disk does on its ``nth`` call."""
    calls = itertools.count(1)

    def stage(target: Path, text: str) -> str:
        if next(calls) == nth:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
        return real(target, text)

    return stage


@pytest.mark.parametrize("nth", [1, 2, 3])
def test_a_set_is_written_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nth: int
) -> None:
    names = ["a.md", "b.xml", "c.json"]
    for name in names:
        (tmp_path / name).write_text("old")
    monkeypatch.setattr(_atomic, "_stage", _failing_on(nth, _atomic._stage))
    with pytest.raises(OSError, match="No space left"):
        write_texts_atomic([(tmp_path / name, "new") for name in names])
    assert [(tmp_path / name).read_text() for name in names] == ["old", "old", "old"]
    assert sorted(p.name for p in tmp_path.iterdir()) == names


def test_a_failed_rename_leaves_no_file_newer_than_the_ones_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = ["a.md", "b.xml", "c.json"]
    for name in names:
        (tmp_path / name).write_text("old")
    real = os.replace

    def replace(src: str, dst: Path) -> None:
        if Path(dst).name == "c.json":
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real(src, dst)

    monkeypatch.setattr(_atomic.os, "replace", replace)
    with pytest.raises(OSError):
        write_texts_atomic([(tmp_path / name, "new") for name in names])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json"]
    assert (tmp_path / "c.json").read_text() == "old"


def test_a_full_disk_at_the_end_leaves_every_format_saying_incomplete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run's first write marks the report incomplete; a full disk at its last write (the
    JSON's) must not leave a Markdown that says PASS beside that JSON."""
    report = sample_report()
    started = dataclasses.replace(report, run=dataclasses.replace(report.run, complete=False))
    write_all(started, tmp_path)
    monkeypatch.setattr(_atomic, "_stage", _failing_on(len(FORMATS), _atomic._stage))
    with pytest.raises(InputFileError, match="cannot write the report there: No space left"):
        write_all(report, tmp_path)
    assert read_json(tmp_path / JSON_NAME).run.complete is False
    assert "INCOMPLETE" in (tmp_path / "compliance.md").read_text().splitlines()[0]
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
