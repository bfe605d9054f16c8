"""What a run puts in its report beyond outcomes: commands, Hypothesis' failing steps, the
incomplete marker, waived tests as xfail, strict and certify."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.plugin.hypothesis_profiles import parse_hypothesis
from tests.plugin.conftest import Project
from tests.plugin.conftest import outcomes

PASSING_REST = """
@pytest.mark.requirement("T-ONE-B")
def test_one_b():
    pass

@pytest.mark.requirement("T-TWO-A")
def test_two():
    pass

@pytest.mark.requirement("T-THREE-A")
def test_three():
    pass
"""

COMMANDS = (
    """
import dataclasses
import pytest
from harness.plugin.commands import attach_commands

@dataclasses.dataclass
class Rec:
    argv: tuple
    exit_code: int
    duration_s: float = 0.25
    stderr_tail: str = ""
    timed_out: bool = False

@pytest.mark.requirement("T-ONE-A")
def test_runs_commands(request):
    records = [Rec(("rt", "state", str(n)), 0) for n in range(45)]
    records.append(Rec(("rt", "delete", "c1"), 1, stderr_tail="container is running\\n"))
    attach_commands(request, lambda: records)
    assert False, "delete refused"
"""
    + PASSING_REST
)


def test_commands_reach_the_report_last_ones_first_kept(project: Project) -> None:
    project.pytester.makepyfile(test_c=COMMANDS)
    report = project.report("-n", "2")
    (test,) = [t for t in report["tests"] if t["nodeid"].endswith("test_runs_commands")]
    assert len(test["commands"]) == 40 and test["commands_omitted"] == 6
    assert test["commands_s"] == pytest.approx(46 * 0.25), "the time of the left-out ones too"
    last = test["commands"][-1]
    assert last["argv"] == ["rt", "delete", "c1"] and last["exit_code"] == 1
    assert last["stderr_tail"] == "container is running\n"


MACHINE = (
    """
import pytest
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, rule, invariant

class Counter(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.n = 0

    @rule()
    def add(self):
        self.n += 1

    @invariant()
    def small(self):
        assert self.n < 2, "too many"

TestCounter = Counter.TestCase
TestCounter = pytest.mark.requirement("T-ONE-A")(TestCounter)
"""
    + PASSING_REST
)


def test_a_failing_state_machine_leaves_its_steps_and_a_replay(project: Project) -> None:
    project.pytester.makepyfile(test_m=MACHINE)
    report = project.report()
    (test,) = [t for t in report["tests"] if "TestCounter" in t["nodeid"]]
    assert test["outcome"] == "fail"
    steps = test["hypothesis"]["steps"]
    assert steps[0] == "state = Counter()"
    assert steps.count("state.add()") == 2
    assert steps[-1] == "state.teardown()"
    assert test["hypothesis"]["reproduce"].startswith("@reproduce_failure(")
    assert report["run"]["hypothesis"]["profile"] == "rtgate"
    assert report["run"]["hypothesis"]["derandomize"] is False
    assert report["run"]["hypothesis"]["seed"] == "0", "an explicit seed, not one from the source"


INTERRUPTED = """
import json, pathlib
import pytest

@pytest.mark.requirement("T-ONE-A")
def test_reads_the_report_while_running():
    report = json.loads(pathlib.Path("out/compliance.json").read_text())
    assert report["run"]["complete"] is False
    assert (pathlib.Path("out") / "compliance.html").exists()

@pytest.mark.requirement("T-ONE-B")
def test_interrupts():
    pytest.exit("stopped as Ctrl-C stops a run")
""" + PASSING_REST.replace("T-ONE-B", "T-TWO-A", 1).replace("def test_one_b", "def test_x")


def test_a_run_is_marked_incomplete_until_it_ends_and_when_interrupted(project: Project) -> None:
    project.pytester.makepyfile(test_i=INTERRUPTED)
    report = project.report()
    assert report["run"]["complete"] is False, "the run was interrupted"
    assert outcomes(report)["T-ONE-A"] == "pass", "the report saw itself marked incomplete"
    out = project.pytester.path / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "compliance.html",
        "compliance.json",
        "compliance.ktap",
        "compliance.md",
        "junit.xml",
    ], "every format is written, and no temporary file is left"
    assert "INCOMPLETE" in (out / "compliance.md").read_text()


def test_a_completed_run_is_complete(project: Project) -> None:
    project.pytester.makepyfile(
        test_ok="import pytest\n@pytest.mark.requirement('T-ONE-A')\ndef test_a():\n    pass\n"
        + PASSING_REST
    )
    assert project.report()["run"]["complete"] is True


WAIVED = """
import pytest
from harness.plugin import record_violation

@pytest.mark.requirement("T-ONE-A")
def test_known_bug():
    assert 1 == 2, "the known bug"
""" + PASSING_REST.replace("pass\n", "pass\n", 1)

EXPECT = """
subject = "reference"

[[expected]]
requirement = "{req}"
reason = "tracked upstream"
link = "https://example.invalid/bug/7"
"""


def _expectations(project: Project, req: str) -> Path:
    path = project.pytester.path / "exp.toml"
    path.write_text(EXPECT.format(req=req))
    return path


def _run_waiving(project: Project, req: str) -> tuple[pytest.RunResult, dict[str, Any]]:
    """Run WAIVED with ``req`` expected to fail; pytest's result and the report."""
    project.pytester.makepyfile(test_w=WAIVED)
    exp = _expectations(project, req)
    out = project.pytester.path / "out"
    result = project.run(f"--rtgate-report-dir={out}", f"--rtgate-expectations={exp}")
    return result, json.loads((out / "compliance.json").read_text())


def test_a_waived_failure_is_an_xfail_test_without_a_traceback(project: Project) -> None:
    result, report = _run_waiving(project, "T-ONE-A")
    result.assert_outcomes(passed=3, xfailed=1)
    assert "the known bug" not in result.stdout.str(), "no traceback for a waived failure"
    (test,) = [t for t in report["tests"] if t["nodeid"].endswith("test_known_bug")]
    assert test["outcome"] == "xfail"
    assert "the known bug" in test["message"], "the failure itself stays in the report"
    (req,) = [r for r in report["requirements"] if r["id"] == "T-ONE-A"]
    assert req["outcome"] == "xfail"
    assert req["expectation"]["link"] == "https://example.invalid/bug/7"
    assert report["summary"]["verdict"] == "pass"
    assert report["summary"]["test_counts"]["xfail"] == 1


def test_a_failure_of_an_unwaived_requirement_stays_a_failure(project: Project) -> None:
    result, report = _run_waiving(project, "T-TWO-A")
    result.assert_outcomes(passed=3, failed=1)
    assert outcomes(report)["T-ONE-A"] == "fail"
    assert outcomes(report)["T-TWO-A"] == "xpass"


@pytest.mark.parametrize(("strict", "verdict"), [((), "pass"), (("--rtgate-strict",), "fail")])
def test_strict_makes_an_xpass_fail_the_verdict(
    project: Project, strict: tuple[str, ...], verdict: str
) -> None:
    project.pytester.makepyfile(test_w=WAIVED)
    waived_one_a = project.pytester.path / "exp2.toml"
    waived_one_a.write_text(
        EXPECT.format(req="T-ONE-A")
        + '\n[[expected]]\nrequirement = "T-TWO-A"\nreason = "old"\nlink = "l"\n'
    )
    report = project.report(f"--rtgate-expectations={waived_one_a}", *strict)
    assert outcomes(report)["T-TWO-A"] == "xpass"
    assert report["summary"]["verdict"] == verdict
    assert report["run"]["strict"] is bool(strict)


def test_certify_refuses_an_expectations_file(project: Project) -> None:
    project.pytester.makepyfile(test_w=WAIVED)
    exp = _expectations(project, "T-ONE-A")
    result = project.run("--rtgate-certify", f"--rtgate-expectations={exp}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--rtgate-certify: 'certify' takes no '--rtgate-expectations'" in result.stderr.str()


def test_certify_is_strict_and_recorded(project: Project) -> None:
    project.pytester.makepyfile(test_w=WAIVED)
    report = project.report("--rtgate-certify")
    assert report["run"]["certify"] is True and report["run"]["strict"] is True
    assert report["summary"]["verdict"] == "fail"


NESTED_NOTES = """\
E           AssertionError: [LC-X] expected the state-dir error, got poststop
E           Failing test case: <state machine>
E           state = LifecycleMachine()
E           state.create(pid_namespace=False, rdt=True)
E           state.arm_fault(fault='state-dir')
E           state.destroy()
E           state.teardown()
E           
E           You can reproduce this test case by temporarily adding @reproduce_failure('6.1', b'AX==') as a decorator on your test function

harness/scenarios/test_lifecycle_machine.py:201: AssertionError
"""  # noqa: E501, W291, W293 - pytest's text as it is


def test_steps_are_read_from_a_traceback_however_deep_the_notes_are() -> None:
    failure = parse_hypothesis(NESTED_NOTES)
    assert failure is not None
    assert failure.steps == (
        "state = LifecycleMachine()",
        "state.create(pid_namespace=False, rdt=True)",
        "state.arm_fault(fault='state-dir')",
        "state.destroy()",
        "state.teardown()",
    )
    assert failure.reproduce == "@reproduce_failure('6.1', b'AX==')"
    assert parse_hypothesis("AssertionError: no example here") is None
