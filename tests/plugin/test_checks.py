"""A requirement's outcome comes from its own checks (issue 14, item 3), run on pytester
projects against the sample catalog: a runtime that breaks one requirement of a test of
several, a setup that fails, a test that stops before it reaches a requirement."""

from __future__ import annotations

from typing import Any

import pytest

from tests.plugin.conftest import Project
from tests.plugin.conftest import outcomes

NODE = "test_{name}.py::test_several"


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in report["requirements"]}


def test_a_violation_fails_only_its_requirement_and_leaves_the_rest_unreached(
    project: Project,
) -> None:
    project.pytester.makepyfile(
        test_violation="""
        import pytest

        @pytest.mark.requirement("T-ONE-A", "T-ONE-B", "T-TWO-A")
        def test_several(verify):
            verify("T-ONE-A", True, "fine")
            verify("T-ONE-A", True, "fine again")
            verify("T-ONE-B", False, "the runtime broke it")
            verify("T-TWO-A", True, "never reached")
        """
    )
    report = project.report()
    assert outcomes(report) == {
        "T-ONE-A": "pass",
        "T-ONE-B": "fail",
        "T-TWO-A": "untested",
        "T-THREE-A": "untested",
    }
    results = by_id(report)
    node = NODE.format(name="violation")
    assert results["T-TWO-A"]["message"] == f"not reached: {node} failed on T-ONE-B"
    assert results["T-TWO-A"]["tests"] == [node]
    assert results["T-ONE-A"]["checks"] == {
        "requirement": "T-ONE-A", "ran": 2, "failed": 0, "messages": []
    }  # fmt: skip
    assert results["T-ONE-B"]["checks"]["failed"] == 1
    assert results["T-ONE-B"]["checks"]["messages"] == ["[T-ONE-B] the runtime broke it"]
    assert results["T-ONE-B"]["message"] == "AssertionError: [T-ONE-B] the runtime broke it"
    assert results["T-TWO-A"]["checks"]["ran"] == 0
    assert report["summary"]["verdict"] == "fail"


def test_a_requirement_another_test_checked_is_decided_there(project: Project) -> None:
    project.pytester.makepyfile(
        test_several="""
        import pytest

        @pytest.mark.requirement("T-ONE-A", "T-TWO-A")
        def test_several(verify):
            verify("T-ONE-A", False, "broken")
            verify("T-TWO-A", True, "never reached")

        @pytest.mark.requirement("T-TWO-A")
        def test_two(verify):
            verify("T-TWO-A", True, "checked here")
        """
    )
    results = by_id(project.report())
    assert results["T-TWO-A"]["outcome"] == "pass"
    assert results["T-TWO-A"]["checks"]["ran"] == 1


def test_a_multi_requirement_test_that_never_checks_one_does_not_pass_it(
    project: Project,
) -> None:
    project.pytester.makepyfile(
        test_unchecked="""
        import pytest

        @pytest.mark.requirement("T-ONE-A", "T-ONE-B")
        def test_several(verify):
            assert 1 + 1 == 2  # setup, not a check
            verify("T-ONE-A", True, "fine")
        """
    )
    results = by_id(project.report())
    assert results["T-ONE-A"]["outcome"] == "pass"
    assert results["T-ONE-B"]["outcome"] == "untested"
    node = NODE.format(name="unchecked")
    assert results["T-ONE-B"]["message"] == f"no check ran: {node} passed without checking it"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "assert False, 'could not bring the container to paused'",
            "setup failed: AssertionError: could not bring the container to paused",
        ),
        ("raise RuntimeError('no such fault')", "setup failed: RuntimeError: no such fault"),
    ],
)
def test_a_failing_setup_is_an_error_never_a_conformance_failure(
    project: Project, body: str, message: str
) -> None:
    project.pytester.makepyfile(
        test_setup=f"""
        import pytest

        @pytest.mark.requirement("T-ONE-A", "T-ONE-B")
        def test_several(verify):
            verify("T-ONE-A", True, "checked before the setup of the next step")
            {body}
            verify("T-ONE-B", True, "never reached")
        """
    )
    report = project.report()
    results = by_id(report)
    assert results["T-ONE-A"]["outcome"] == "pass"
    assert (results["T-ONE-B"]["outcome"], results["T-ONE-B"]["message"]) == ("error", message)
    assert report["summary"]["verdict"] == "fail"  # T-ONE-B is a MUST NOT: an error fails


def test_a_failing_fixture_errors_every_requirement_with_setup_failed(project: Project) -> None:
    project.pytester.makepyfile(
        test_fixture="""
        import pytest

        @pytest.fixture
        def paused():
            raise OSError("the freezer is gone")

        @pytest.mark.requirement("T-ONE-A", "T-ONE-B")
        def test_several(paused, verify):
            verify("T-ONE-A", True, "never reached")
        """
    )
    results = by_id(project.report())
    for req_id in ("T-ONE-A", "T-ONE-B"):
        assert results[req_id]["outcome"] == "error"
        assert results[req_id]["message"] == "setup failed: OSError: the freezer is gone"


def test_a_one_requirement_test_is_its_own_check(project: Project) -> None:
    project.pytester.makepyfile(
        test_single="""
        import pytest

        @pytest.mark.requirement("T-ONE-A")
        def test_passes():
            assert True

        @pytest.mark.requirement("T-ONE-B")
        def test_asserts():
            assert 1 == 2, "the runtime answered 1"

        @pytest.mark.requirement("T-TWO-A")
        def test_raises():
            raise KeyError("bundle")
        """
    )
    report = project.report()
    results = by_id(report)
    assert results["T-ONE-A"]["outcome"] == "pass"
    assert results["T-ONE-A"]["checks"]["ran"] == 1
    assert results["T-ONE-B"]["outcome"] == "fail"
    assert results["T-ONE-B"]["checks"] == {
        "requirement": "T-ONE-B", "ran": 1, "failed": 1,
        "messages": ["AssertionError: the runtime answered 1"],
    }  # fmt: skip
    assert results["T-TWO-A"]["outcome"] == "error"
    assert results["T-TWO-A"]["message"] == "setup failed: KeyError: 'bundle'"
    tests = {t["nodeid"].split("::")[1]: t for t in report["tests"]}
    assert tests["test_asserts"]["violates"] == ["T-ONE-B"]


def test_a_failed_setting_up_step_of_a_one_requirement_test_errors(project: Project) -> None:
    """A step before the check (create, pause) that fails is no check of the rule."""
    project.pytester.makepyfile(
        test_setup_step="""
        import pytest
        from harness.scenarios._support.setting_up import setting_up

        @pytest.mark.requirement("T-ONE-A")
        def test_step():
            setting_up(False, lambda: "pause exited 1")
            assert False, "never reached"
        """
    )
    results = by_id(project.report())
    assert results["T-ONE-A"]["outcome"] == "error"
    assert results["T-ONE-A"]["message"] == "setup failed: pause exited 1"
    assert results["T-ONE-A"]["checks"]["ran"] == 0


def test_a_check_of_an_unknown_id_is_refused_even_when_it_passes(project: Project) -> None:
    project.pytester.makepyfile(
        test_typo="""
        import pytest

        @pytest.mark.requirement("T-ONE-A")
        def test_typo(verify):
            verify("T-ONE-Z", True, "a typo")
        """
    )
    result = project.run()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*'req_id' must be an id of the catalog*(got 'T-ONE-Z')*"])


def test_checks_are_counted_across_xdist_workers(project: Project) -> None:
    project.pytester.makepyfile(
        test_xdist="""
        import pytest

        @pytest.mark.requirement("T-ONE-A", "T-ONE-B")
        def test_several(verify):
            verify.each(("T-ONE-A", True, "a"), ("T-ONE-B", False, "b"), ("T-ONE-A", False, "c"))
        """
    )
    results = by_id(project.report("-n", "1", "-p", "xdist"))
    assert results["T-ONE-A"]["checks"] == {
        "requirement": "T-ONE-A", "ran": 2, "failed": 1, "messages": ["[T-ONE-A] c"]
    }  # fmt: skip
    assert results["T-ONE-B"]["outcome"] == "fail"
