"""Steps a check depends on: when one fails, the requirement errors ("setup failed"), it does
not fail.

A plain ``assert`` in a test of one requirement is a check of it (harness/plugin/checks.py), so
a step before the check (create the container, reach a state, fork a child) goes through
:func:`setting_up` instead: its failure is an exception that is not an AssertionError, which the
report reads as a check that never ran.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["SetupFailed", "setting_up"]


class SetupFailed(Exception):
    """A step before the check failed: the subject was never judged on the rule."""


def setting_up(ok: object, what: str | Callable[[], str]) -> None:
    """Go on when ``ok`` holds; else end the test as an error that says ``what`` failed
    (a callable when saying it costs a command, so that it runs only on failure)."""
    __tracebackhide__ = True
    if not ok:
        raise SetupFailed(what() if callable(what) else what)
