"""Makes ``pytest`` from a checkout behave as it does once rtgate is installed.

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
