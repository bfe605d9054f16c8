"""A fixture for tests that run rtgate in process: Hypothesis' profile left as they found it.

An in-process run loads rtgate's Hypothesis profile globally; without this, the outer
session's own tests would run under the inner run's settings afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _restore_hypothesis_profile() -> Iterator[None]:
    from hypothesis import settings

    name = settings.get_current_profile_name()
    yield
    settings.load_profile(name)
