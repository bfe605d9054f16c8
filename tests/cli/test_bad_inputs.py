"""Every bad input a user can give is exit 2 in one line (issue 18): each row of
:mod:`tests.cli.bad_inputs_table` through the real command, in a subprocess, as a user runs it,
so that nothing in-process (pytest's capture, a test's monkeypatch) hides a traceback, a hang or
a subject's ``sys.exit``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.bad_inputs_table import CASES
from tests.cli.bad_inputs_table import BadInput
from tests.cli.bad_inputs_table import run_case


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_exit_2_in_one_line(case: BadInput, tmp_path: Path) -> None:
    done = run_case(case, tmp_path)
    lines = done.stderr.splitlines()
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    assert (done.returncode, len(lines)) == (2, 1), done.stderr or done.stdout[-2000:]
    assert lines[0].startswith("rtgate: error: "), lines[0]
    for part in case.says:
        assert part.format(tmp=tmp_path) in lines[0]
