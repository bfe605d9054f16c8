"""``rtgate replay``: the shrunk sequence a state machine recorded in a report runs again,
exactly, and says whether it still fails: against the broken runtime it does, against the
reference it passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main

BROKEN = "python:tests.broken.running_after_failed_destroy:new_factory"
RULE = "LC-DESTROY-ALWAYS-STOPPED"
MACHINE = "harness/scenarios/test_lifecycle_machine.py::test_lifecycle_state_machine"


def test_replay_reproduces_a_shrunk_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = tmp_path / "found"
    run = ["run", "--subject", BROKEN, "--requirement", RULE, "-k", "test_lifecycle_state_machine"]
    assert main([*run, "--report-dir", str(found)]) == 1
    capsys.readouterr()
    assert (
        main(["replay", str(found), "--requirement", RULE, "--report-dir", str(tmp_path / "a")])
        == 1
    )
    said = capsys.readouterr().out.splitlines()[-1]
    assert said.startswith(f"rtgate replay: {MACHINE} against {BROKEN}: still fails: "), said
    assert RULE in said
    fixed = ["--subject", "reference", "--report-dir", str(tmp_path / "b")]
    assert main(["replay", str(found), "--requirement", RULE, *fixed]) == 0
    assert (
        capsys.readouterr().out.splitlines()[-1]
        == f"rtgate replay: {MACHINE} against reference: passes now"
    )
    assert main(["replay", str(found), "--requirement", "LC-NOPE"]) == 2
    assert "no requirement 'LC-NOPE'" in capsys.readouterr().err
