"""Fixtures of the command-line tests: the sample catalog, and Hypothesis left as found."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests._hypothesis import _restore_hypothesis_profile  # noqa: F401 - autouse

SAMPLE = Path(__file__).parent.parent / "plugin" / "sample_catalog.toml"


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    """A copy of the plugin tests' sample catalog: two profiles, every level."""
    path = tmp_path / "catalog.toml"
    shutil.copyfile(SAMPLE, path)
    return path
