"""Makes ``pytest`` from a checkout behave as it does once rtgate is installed, and gives the
checkout's own tests rtgate's Hypothesis settings.

Installed, the ``pytest11`` entry point loads :mod:`harness.plugin`; in a bare checkout nothing
does, so this conftest registers it, and only when the entry point has not (registering the
module twice is an error).  ``pytester`` is for the tests of the plugin itself.
"""

from __future__ import annotations

import pytest

from harness.plugin import ensure_registered

pytest_plugins = ["pytester"]


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    # The earliest hook a conftest gets, and a historic one: options declared by the plugin
    # registered here are still added before the command line is parsed.
    ensure_registered(pluginmanager)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """rtgate's own tests (this checkout's sessions, not a session that merely has the plugin
    installed) run their Hypothesis tests as rtgate runs its suite: its default profile and
    seed, so that ``make test`` is repeatable and never trips a deadline on a slow machine."""
    from hypothesis import settings

    from harness.plugin import hypothesis_profiles

    hypothesis_profiles.register_profiles()
    if not config.getoption("--hypothesis-profile", None):
        settings.load_profile(hypothesis_profiles.DEFAULT)
    if getattr(config.option, "hypothesis_seed", "absent") is None:
        config.option.hypothesis_seed = str(hypothesis_profiles.DEFAULT_SEED)
