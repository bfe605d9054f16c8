"""The rerun command of a report's failures: the run's own command, its failures alone."""

from __future__ import annotations

import pytest

from harness.report.rerun import rerun_command


@pytest.mark.parametrize(
    ("command", "ids", "rerun"),
    [
        ("rtgate run", ["B", "A"], "rtgate run --requirement A,B"),
        ("/x/.venv/bin/rtgate run --profile runc-1.2 --report-dir 'my dir' -k hooks", ["A"],
         "/x/.venv/bin/rtgate run --profile runc-1.2 -k hooks --requirement A"),
        ("rtgate run --requirement=A,B,C --quick -- -x --tb=long", ["C"],
         "rtgate run --quick --requirement C -- -x --tb=long"),
        ("rtgate run", [], None),
        ("", ["A"], None),
        ("rtgate report diff a b", ["A"], None),
        ("rtgate run 'unclosed", ["A"], None),
    ],
)  # fmt: skip
def test_rerun_command(command: str, ids: list[str], rerun: str | None) -> None:
    assert rerun_command(command, ids) == rerun
