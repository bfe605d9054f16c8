"""Fixtures of the command-line tests: the sample catalog, and Hypothesis left as found."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parent.parent / "plugin" / "sample_catalog.toml"


@pytest.fixture(autouse=True)
def _restore_hypothesis_profile() -> Iterator[None]:
    """In-process runs load Hypothesis profiles globally; give the outer session its own back."""
    from hypothesis import settings

    name = settings.get_current_profile_name()
    yield
    settings.load_profile(name)


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    """A copy of the plugin tests' sample catalog: two profiles, every level."""
    path = tmp_path / "catalog.toml"
    shutil.copyfile(SAMPLE, path)
    return path
