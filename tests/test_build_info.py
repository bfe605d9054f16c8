"""The commit a report names: read from .git, loose or packed refs, or a detached HEAD."""

from __future__ import annotations

from pathlib import Path

from harness.build_info import checkout_commit

SHA = "0123456789abcdef0123456789abcdef01234567"


def test_a_loose_ref(tmp_path: Path) -> None:
    (tmp_path / ".git/refs/heads").mkdir(parents=True)
    (tmp_path / ".git/HEAD").write_text("ref: refs/heads/main\n")
    (tmp_path / ".git/refs/heads/main").write_text(SHA + "\n")
    assert checkout_commit(tmp_path) == SHA


def test_a_packed_ref(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git/HEAD").write_text("ref: refs/heads/main\n")
    (tmp_path / ".git/packed-refs").write_text(f"# pack-refs\n{SHA} refs/heads/main\n")
    assert checkout_commit(tmp_path) == SHA


def test_a_detached_head_and_no_checkout(tmp_path: Path) -> None:
    assert checkout_commit(tmp_path) is None
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git/HEAD").write_text(SHA + "\n")
    assert checkout_commit(tmp_path) == SHA
