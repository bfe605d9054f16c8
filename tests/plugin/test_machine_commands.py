"""Every command of the command-line state machine is in its test's report: the last ones
kept, the others counted as left out, so that kept plus left out is what it ran."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.report.model import MAX_COMMANDS
from harness.subjects.command_line import ApiCommandLine
from tests._hypothesis import _restore_hypothesis_profile  # noqa: F401 - autouse

SCENARIOS = Path(__file__).resolve().parents[2] / "harness" / "scenarios"


def test_the_report_counts_every_command_the_cli_machine_ran(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[tuple[str, ...]] = []
    command = ApiCommandLine.__call__

    def counted(self: ApiCommandLine, *argv: str, timeout: float | None = None) -> Any:
        ran.append(argv)
        return command(self, *argv, timeout=timeout)

    monkeypatch.setattr(ApiCommandLine, "__call__", counted)
    out = pytester.path / "out"
    result = pytester.runpytest_inprocess(
        f"{SCENARIOS / 'test_cli_machine.py'}::test_cli_state_machine",
        "-p", "no:cacheprovider", "--rtgate-subject=reference", "--rtgate-host=simulated",
        "--rtgate-profile=runc-1.1", f"--rtgate-report-dir={out}",
    )  # fmt: skip
    result.assert_outcomes(passed=1)
    report = json.loads((out / "compliance.json").read_text())
    (test,) = report["tests"]
    assert len(ran) > MAX_COMMANDS, "too few commands to show that the rest are counted"
    assert len(test["commands"]) + test["commands_omitted"] == len(ran)
    assert [c["argv"] for c in test["commands"]] == [list(argv) for argv in ran[-MAX_COMMANDS:]]
    kept_s = sum(c["duration_s"] for c in test["commands"])
    assert test["commands_s"] > kept_s, "the left-out commands' time is in commands_s"
