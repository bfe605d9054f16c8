"""``rtgate run`` is bounded whatever its ``python:`` subject does (issue 18, item 7): a hung
import is one error line (exit 2), a hung operation makes its test an error naming the
subject, the operation and the limit (``--call-timeout``), and ``--timeout`` stops the whole
run as an interrupt does (exit 124, the report incomplete and saying why).  In process, the
hung calls block on events of :mod:`tests.subjects.hanging` released at each test's teardown;
tests/cli/bad_inputs_table.py runs the same subjects as programs that nobody releases.

A nested run gets its own owner tag (harness/hosts/ownership.py), not its parent's.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.cli import main
from harness.hosts.ownership import OWNER_VARIABLE
from harness.hosts.ownership import owner_tag
from harness.interrupts import TIMED_OUT_EXIT
from harness.report.json_writer import read_json
from harness.subjects import bounded
from harness.subjects.bounded import LIMIT_VARIABLE
from tests.subjects import hanging

#: how long a test waits for an abandoned call to end once released
ENDS_S = 30.0
HANGS_IN_CREATE = "python:tests.subjects.hanging:hangs_in_create"
HANGS_AT_IMPORT = "python:tests.subjects.hangs_at_import:new_factory"
RULE = "LC-FACTORY-CREATE-STOPPED"


@pytest.fixture(autouse=True)
def released() -> Iterator[None]:
    """Every hung call of the test released at its teardown, and ended; a module whose
    import hung forgotten, so that the next test imports it afresh."""
    hanging.reset()
    before = len(bounded._abandoned)
    yield
    hanging.release_all()
    for thread, what, _ in bounded._abandoned[before:]:
        thread.join(ENDS_S)
        assert not thread.is_alive(), f"the abandoned call {what} did not end once released"
    sys.modules.pop("tests.subjects.hangs_at_import", None)


def _run(tmp_path: Path, *words: str) -> tuple[int, Path]:
    out = tmp_path / "out"
    return main(["run", "--report-dir", str(out), *words]), out


def test_a_hung_operation_is_its_tests_error_and_the_run_ends(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(tmp_path, "--subject", HANGS_IN_CREATE, "--requirement", RULE,
                     "--call-timeout", "0.5")  # fmt: skip
    assert code == 1, capsys.readouterr().err
    report = read_json(out / "compliance.json")
    assert report.run.complete and report.run.stopped == ""
    (requirement,) = report.requirements
    assert (requirement.id, requirement.outcome) == (RULE, "error")
    assert requirement.message == (
        f"{HANGS_IN_CREATE}: _Factory.create() did not return within 0.5 s (--call-timeout);"
        " the call was abandoned, still running"
    )
    assert [test.outcome for test in report.tests] == ["error"], "an error, not a failure"
    assert LIMIT_VARIABLE not in os.environ, "the limit is the run's alone"


def test_a_hung_import_is_one_usage_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(tmp_path, "--subject", HANGS_AT_IMPORT, "--call-timeout", "0.5")
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"rtgate: error: subject {HANGS_AT_IMPORT!r}: importing"
        " 'tests.subjects.hangs_at_import' did not finish within 0.5 s (--call-timeout)"
    ]
    assert not out.exists() or not any(out.iterdir()), "no test ran"


def test_the_run_timeout_stops_the_run_as_an_interrupt_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The hung create would be waited for ten minutes; the run's own limit stops it first."""
    code, out = _run(tmp_path, "--subject", HANGS_IN_CREATE, "--requirement", RULE,
                     "--call-timeout", "600", "--timeout", "1")  # fmt: skip
    err = capsys.readouterr().err
    assert code == TIMED_OUT_EXIT, err
    assert "rtgate: timed out after 1 s (--timeout): no verdict;" in err
    report = read_json(out / "compliance.json")
    assert not report.run.complete
    assert report.run.stopped == "timeout after 1 s"
    markdown = (out / "compliance.md").read_text(encoding="utf-8")
    assert "this run reached its time limit (--timeout: timeout after 1 s)" in markdown


_OWNER_PROBE = """
import os

from reference_impl import new_factory as reference

SEEN = []


def new_factory(*args, **kwargs):
    SEEN.append(os.environ.get({variable!r}))
    return reference(*args, **kwargs)
"""


def test_a_nested_run_tags_what_it_starts_as_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run started by another run inherits that run's owner tag; what it starts must carry
    its own, or ``rtgate cleanup`` after the outer run ends takes it for the outer run's."""
    outer = "rtgate-1-t1"
    monkeypatch.setenv(OWNER_VARIABLE, outer)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "owner_probe.py").write_text(_OWNER_PROBE.format(variable=OWNER_VARIABLE))
    monkeypatch.delitem(sys.modules, "owner_probe", raising=False)
    code, _ = _run(tmp_path, "--subject", "python:owner_probe:new_factory", "--requirement", RULE)
    assert code == 0
    seen = sys.modules["owner_probe"].SEEN
    assert seen and set(seen) == {f"rtgate-{owner_tag()}"}, seen
    assert os.environ[OWNER_VARIABLE] == outer, "the outer tag is back after the run"
