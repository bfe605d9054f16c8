"""Plain pytest with the plugin (no ``rtgate run``): the verdict block after pytest's summary,
and the verdict as the exit code: a run whose tests all pass but that left a requirement
unchecked fails, as ``rtgate run`` would; a session of tests that name no requirement keeps
pytest's code."""

from __future__ import annotations

from tests.plugin.conftest import Project

#: every requirement of the sample catalog's runc-1.2 profile checked, and passing
ALL_CHECKED = """
import pytest

@pytest.mark.requirement("T-ONE-A", "T-ONE-B")
def test_one(verify):
    verify.each(("T-ONE-A", True, "one"), ("T-ONE-B", True, "the other"))

@pytest.mark.requirement("T-TWO-A", "T-THREE-A", "T-RUNC-ONLY")
def test_two(verify):
    verify.each(("T-TWO-A", True, "two"), ("T-THREE-A", True, "three"),
                ("T-RUNC-ONLY", True, "runc"))
"""


def test_the_verdict_is_printed_and_is_the_exit_code(project: Project) -> None:
    project.pytester.makepyfile(test_suite=ALL_CHECKED)
    passing = project.run("--rtgate-profile=runc-1.2")
    assert passing.ret == 0, passing.stdout.str()
    passing.stdout.fnmatch_lines(["*= rtgate =*", "rtgate: verdict PASS (*"])
    # -k narrows the session: a selection of what its tests check, judged over that alone
    partial = project.run("--rtgate-profile=runc-1.2", "-k", "test_one")
    partial.assert_outcomes(passed=1, deselected=1)
    assert partial.ret == 0, partial.stdout.str()
    partial.stdout.fnmatch_lines(["rtgate: verdict PASS (*", "selection: 2 requirement(s)*"])


def test_a_whole_session_that_leaves_a_rule_unchecked_fails(project: Project) -> None:
    # every test passes in pytest's eyes; the profile's T-RUNC-ONLY has no test at all
    project.pytester.makepyfile(
        test_suite=ALL_CHECKED.split('@pytest.mark.requirement("T-TWO-A')[0]
    )
    result = project.run("--rtgate-profile=runc-1.2")
    result.assert_outcomes(passed=1)
    assert result.ret == 1, result.stdout.str()
    result.stdout.fnmatch_lines(["rtgate: verdict FAIL (*", "*UNTESTED*T-RUNC-ONLY*"])


def test_a_session_without_requirements_keeps_pytests_code(project: Project) -> None:
    project.pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    result = project.run()
    assert result.ret == 0
    assert "rtgate: verdict" not in result.stdout.str()
