"""A pytester project with the rtgate plugin and the sample catalog, ready to run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests._hypothesis import _restore_hypothesis_profile  # noqa: F401 - autouse

SAMPLE = Path(__file__).with_name("sample_catalog.toml")

# The plugin reaches a pytester project as it reaches the checkout: through a conftest that
# registers it unless the installed entry point already did (xdist workers need it too).
BOOTSTRAP = """
from harness.plugin import ensure_registered

def pytest_addhooks(pluginmanager):
    ensure_registered(pluginmanager)
"""


class Project:
    """A directory of test modules run with ``--rtgate-catalog`` set to the sample catalog."""

    def __init__(self, pytester: pytest.Pytester) -> None:
        self.pytester = pytester
        self.catalog = pytester.path / "catalog.toml"
        shutil.copyfile(SAMPLE, self.catalog)
        pytester.makeconftest(BOOTSTRAP)

    def run(self, *args: str) -> pytest.RunResult:
        return self.pytester.runpytest(
            "-p", "no:cacheprovider", f"--rtgate-catalog={self.catalog}", *args
        )

    def report(self, *args: str, name: str = "out") -> dict[str, Any]:
        """Run with a report dir and return the parsed compliance.json."""
        out = self.pytester.path / name
        self.run(f"--rtgate-report-dir={out}", *args)
        return json.loads((out / "compliance.json").read_text())


@pytest.fixture
def project(pytester: pytest.Pytester) -> Project:
    return Project(pytester)


def outcomes(report: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["outcome"] for r in report["requirements"]}
