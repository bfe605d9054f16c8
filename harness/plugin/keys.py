"""Where the plugin keeps its data: typed stash keys on the config and on items."""

from __future__ import annotations

import pytest

from harness.errors import InputFileError
from harness.plugin.options import RunOptions
from harness.report.model import CheckTally
from harness.report.model import Report
from harness.report.model import Verdict

__all__ = [
    "checks_key", "driven_key", "failure_logs_key", "options_key", "report_error_key",
    "report_key", "requirements_key", "verdict_key",
]  # fmt: skip

#: the checked options of the run (config stash)
options_key = pytest.StashKey[RunOptions]()
#: the finished report, set at session finish on the controller (config stash)
report_key = pytest.StashKey[Report]()
#: the verdict of the finished report, for the CLI's exit code (config stash)
verdict_key = pytest.StashKey[Verdict]()
#: the requirement ids a test declares, checked against the catalog (item stash)
requirements_key = pytest.StashKey[tuple[str, ...]]()
#: the checks a test ran so far, by requirement id (item stash)
checks_key = pytest.StashKey[dict[str, CheckTally]]()
#: set by ``rtgate run``, which prints the verdict and sets the exit code itself (config stash)
driven_key = pytest.StashKey[bool]()
#: the last lines of each failed test's captured log, by node id, for the terminal (config
#: stash, on the controller)
failure_logs_key = pytest.StashKey[dict[str, tuple[str, ...]]]()
#: why the report could not be written (a full disk, a directory gone read-only), set on the
#: controller; the run stops, and ``rtgate run`` says it in one line (config stash)
report_error_key = pytest.StashKey[InputFileError]()
