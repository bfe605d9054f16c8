"""The Hypothesis settings profiles of rtgate runs.

``rtgate`` makes runs repeatable and comparable (derandomized, no example database, no
deadline on a shared CI machine); ``rtgate-quick`` is the same with fewer examples and no
shrinking (a failure is reported as found), for ``rtgate run --quick``: the proofs that broken
runtimes are caught run it dozens of times, and a broken runtime fails in many sequences.
``rtgate`` is loaded unless the user picked a profile.

A failing runtime must not cost minutes: both profiles shrink only the smallest failure
(``report_multiple_bugs=False``; every violated requirement is still recorded as the machines
meet it) and skip the explain phase, whose notes say little about a state machine.

Hypothesis is imported inside the functions: ``rtgate run`` imports the plugin before it starts
pytest, and pytest can only rewrite asserts of plugin modules it imports itself.
"""

from __future__ import annotations

import pytest

__all__ = ["DEFAULT", "QUICK", "load_default", "register_profiles"]

DEFAULT = "rtgate"
QUICK = "rtgate-quick"


def register_profiles() -> None:
    """Register both profiles (registering again overwrites, so this is idempotent)."""
    from hypothesis import HealthCheck
    from hypothesis import Phase
    from hypothesis import settings

    settings.register_profile(
        DEFAULT,
        derandomize=True,
        database=None,
        deadline=None,
        max_examples=60,
        stateful_step_count=25,
        suppress_health_check=[HealthCheck.too_slow],
        report_multiple_bugs=False,
        phases=[phase for phase in Phase if phase is not Phase.explain],
    )
    settings.register_profile(
        QUICK,
        parent=settings.get_profile(DEFAULT),
        max_examples=10,
        phases=[phase for phase in Phase if phase not in (Phase.explain, Phase.shrink)],
    )


def load_default(config: pytest.Config) -> None:
    """Load ``rtgate`` unless ``--hypothesis-profile`` was given."""
    from hypothesis import settings

    if not config.getoption("--hypothesis-profile", None):
        settings.load_profile(DEFAULT)
