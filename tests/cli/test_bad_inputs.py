"""Every bad input a user can give is exit 2 in one line (issue 18): each row of
:mod:`tests.cli.bad_inputs_table` through the real command, in a subprocess, as a user runs it,
so that nothing in-process (pytest's capture, a test's monkeypatch) hides a traceback, a hang or
a subject's ``sys.exit``."""

from __future__ import annotations

import errno
import itertools
import os
from pathlib import Path

import pytest

from harness.report import _atomic
from harness.report.formats import FORMATS
from harness.report.formats import JSON_NAME
from harness.report.json_writer import read_json
from tests.cli.bad_inputs_table import CASES
from tests.cli.bad_inputs_table import BadInput
from tests.cli.bad_inputs_table import problem_with
from tests.cli.bad_inputs_table import run_case
from tests.cli.test_cli import PASSING
from tests.cli.test_cli import _run_cli


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_exit_2_in_one_line(case: BadInput, tmp_path: Path) -> None:
    done = run_case(case, tmp_path)
    problem = problem_with(case, done, tmp_path)
    assert problem is None, problem


def _disk_full_at(nth: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every report file written from the ``nth`` on fails as a full disk does."""
    real = _atomic._stage
    calls = itertools.count(1)

    def stage(target: Path, text: str) -> str:
        if next(calls) >= nth:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
        return real(target, text)

    monkeypatch.setattr(_atomic, "_stage", stage)


def test_a_full_disk_at_the_end_is_one_line_and_no_format_says_pass(
    tmp_path: Path,
    catalog: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The start of the run writes every format (marked incomplete); the disk fills up while the
    end writes them again, at the JSON, the last: the Markdown must not say PASS beside it."""
    _disk_full_at(2 * len(FORMATS), monkeypatch)
    code, out = _run_cli(tmp_path, catalog, PASSING)
    lines = capsys.readouterr().err.splitlines()
    assert (code, lines) == (2, [f"rtgate: error: {out}: cannot write the report there: "
                                 "No space left on device"])  # fmt: skip
    assert read_json(out / JSON_NAME).run.complete is False
    assert (out / "compliance.md").read_text().startswith("## rtgate: INCOMPLETE")


def test_a_full_disk_at_the_start_runs_no_test(
    tmp_path: Path,
    catalog: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _disk_full_at(1, monkeypatch)
    code, out = _run_cli(tmp_path, catalog, PASSING)
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.splitlines() == [
        f"rtgate: error: {out}: cannot write the report there: No space left on device"
    ]
    assert " passed" not in captured.out and not list(out.iterdir())


#: a subject that is the reference but for ``create``, which runs ``{how}``
_EXITS_IN_CREATE = """
import os
import sys

from reference_impl import new_factory as reference


class Factory:
    def __init__(self, inner):
        self.inner = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def create(self, *args, **kwargs):
        {how}


def new_factory(*args, **kwargs):
    return Factory(reference(*args, **kwargs))
"""


@pytest.mark.parametrize(
    ("how", "says"),
    [("sys.exit(0)", "SystemExit: 0"), ("os._exit(0)", "os._exit(0) called in the process")],
)
def test_a_subject_exiting_in_a_test_fails_that_test_not_rtgate(
    how: str, says: str, tmp_path: Path
) -> None:
    """``os._exit(0)`` in ``create()`` ended ``rtgate run`` with exit 0 and no report."""
    rule = "LC-FACTORY-CREATE-STOPPED"
    module = BadInput("exits", ("run", "--subject", "python:exits:new_factory",
                                "--requirement", rule, "--report-dir", "{tmp}/out"))  # fmt: skip
    (tmp_path / "exits.py").write_text(_EXITS_IN_CREATE.format(how=how))
    done = run_case(module, tmp_path)
    assert done.returncode == 1, done.stderr
    report = read_json(tmp_path / "out" / JSON_NAME)
    assert report.run.complete
    assert [r.outcome for r in report.requirements] == ["error"]
    assert says in (report.requirements[0].message or "")
