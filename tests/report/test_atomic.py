"""Report files are replaced in one rename: readers never see half a file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.report import _atomic
from harness.report._atomic import write_text_atomic


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
