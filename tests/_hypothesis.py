"""A fixture for tests that run rtgate in process: Hypothesis' profile and seed left as they
found them.

An in-process run loads rtgate's Hypothesis profile globally, and Hypothesis' pytest plugin
sets the run's seed (``--hypothesis-seed``, or rtgate's default) for the whole process;
without this, the outer session's own tests would run under the inner run's settings and seed
afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _restore_hypothesis_profile() -> Iterator[None]:
    from hypothesis import core
    from hypothesis import settings

    name = settings.get_current_profile_name()
    seed = core.global_force_seed
    yield
    settings.load_profile(name)
    core.global_force_seed = seed
