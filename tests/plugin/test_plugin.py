"""The pytest plugin, run on small pytester projects against the sample catalog."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

import harness.plugin
from harness.plugin import ensure_registered
from harness.plugin import verdict_key
from tests.plugin.conftest import Project
from tests.plugin.conftest import outcomes

ALL_PASS = """
import pytest

@pytest.mark.requirement("T-ONE-A", "T-ONE-B")
def test_one(verify):
    verify("T-ONE-A", True, "one")
    verify("T-ONE-B", True, "the other")

@pytest.mark.requirement("T-TWO-A")
def test_two():
    pass

@pytest.mark.requirement("T-THREE-A")
def test_three():
    pass
"""

MIXED = """
import pytest
from harness.plugin import record_violation

@pytest.fixture
def broken():
    raise RuntimeError("host broke")

@pytest.mark.requirement("T-ONE-A")
def test_passes():
    pass

@pytest.mark.requirement("T-ONE-A")
def test_fails():
    assert 1 == 2, "one is not two"

@pytest.mark.requirement("T-ONE-B")
def test_errors(broken):
    pass

@pytest.mark.requirement("T-TWO-A")
def test_skips():
    pytest.skip("no resctrl on this host")

@pytest.mark.requirement("T-ONE-B")
def test_blames_another(request):
    record_violation(request, "T-THREE-A")
    record_violation(request, "T-THREE-A")
    raise AssertionError("the model disagrees")

def test_without_requirement():
    pass
"""


def test_options_reach_the_fixture(project: Project) -> None:
    project.pytester.makepyfile(
        """
        def test_options(rtgate_options):
            assert rtgate_options.subject.name == "reference"
            assert rtgate_options.host == "simulated"
            assert rtgate_options.profile == "runc-1.2"
            assert rtgate_options.report_dir is None
            assert sorted(rtgate_options.catalog) == [
                "T-ONE-A", "T-ONE-B", "T-RUNC-ONLY", "T-THREE-A", "T-TWO-A"
            ]
        """
    )
    project.run("--rtgate-profile=runc-1.2").assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--rtgate-host=moon"],
            "--rtgate-host: 'host' must be one of ('simulated', 'real') (got 'moon')",
        ),
        (
            ["--rtgate-profile=nope"],
            "--rtgate-profile: 'profile' must be one of ('runc-1.2', 'seed') (got 'nope')",
        ),
        (
            ["--rtgate-runtime-arg=--debug"],
            "--rtgate-runtime-arg: 'runtime-arg' is for an oci: subject, a binary that takes flags",
        ),
        (
            ["--rtgate-oci-version=1.0"],
            "--rtgate-oci-version: 'oci-version' must be a runtime-spec release, one of 1.0.0,"
            " 1.0.1, 1.0.2, 1.1.0, 1.2.0, 1.2.1, 1.3.0 (got '1.0')",
        ),
    ],
)
def test_bad_options_are_one_line_usage_errors(
    project: Project, args: list[str], message: str
) -> None:
    result = project.run(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert f"ERROR: {message}" in result.stderr.lines


def test_bad_subject_is_a_usage_error(project: Project) -> None:
    pytest.importorskip("harness.subjects.registry")
    result = project.run("--rtgate-subject=bogus")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --rtgate-subject: unknown subject 'bogus'*"])


def test_malformed_catalog_is_a_usage_error_with_file_and_line(project: Project) -> None:
    project.catalog.write_text(project.catalog.read_text().replace('"MAY"', '"MIGHT"'))
    result = project.run()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"ERROR: --rtgate-catalog: {project.catalog}:36: *'level' must be one of*(got 'MIGHT')"]
    )


def test_a_case_that_needs_a_later_rule_runs_only_where_the_profile_holds_it(
    project: Project,
) -> None:
    """``needs``: a case of a feature a later release brought is deselected under a profile
    that lacks the rule, although the rule it checks is the profile's."""
    project.pytester.makepyfile(
        test_needs="""
        import pytest

        @pytest.mark.parametrize(
            "kind", ["old", pytest.param("new", marks=pytest.mark.needs("T-RUNC-ONLY"))]
        )
        @pytest.mark.requirement("T-ONE-A")
        def test_feature(kind):
            pass
        """
    )
    project.run("--rtgate-profile=seed").assert_outcomes(passed=1, deselected=1)
    project.run("--rtgate-profile=runc-1.2").assert_outcomes(passed=2)


def test_an_unknown_id_in_needs_is_a_collection_error(project: Project) -> None:
    project.pytester.makepyfile(
        test_bad="""
        import pytest

        @pytest.mark.needs("T-RUNC-ONLYY")
        @pytest.mark.requirement("T-ONE-A")
        def test_typo():
            pass
        """
    )
    result = project.run()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*'needs' must name ids of the catalog *(got 'T-RUNC-ONLYY')*"])


def test_unknown_requirement_id_is_a_collection_error(project: Project) -> None:
    project.pytester.makepyfile(
        test_bad="""
        import pytest

        @pytest.mark.requirement("T-ONE-AA")
        def test_typo():
            pass
        """
    )
    result = project.run()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        [
            "*ERROR collecting test_bad.py*",
            "test_bad.py::test_typo: 'requirement' must be an id of the catalog *"
            "(got 'T-ONE-AA'); did you mean 'T-ONE-A'?",
        ]
    )


def test_requirement_mark_without_ids_is_a_collection_error(project: Project) -> None:
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.requirement()
        def test_nothing():
            pass
        """
    )
    result = project.run()
    result.stdout.fnmatch_lines(["*needs at least one requirement id*"])


def test_parametrize_and_class_marks_are_checked(project: Project) -> None:
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.requirement("T-ONE-A")
        class TestGroup:
            @pytest.mark.parametrize(
                "x", [pytest.param(1, marks=pytest.mark.requirement("T-NOPE"))]
            )
            def test_x(self, x):
                pass
        """
    )
    result = project.run()
    result.stdout.fnmatch_lines(["*(got 'T-NOPE')*"])


def test_tests_outside_the_profile_are_deselected(project: Project) -> None:
    project.pytester.makepyfile(ALL_PASS)
    project.pytester.makepyfile(
        test_runc="""
        import pytest

        @pytest.mark.requirement("T-RUNC-ONLY")
        def test_runc_only():
            pass

        def test_unmarked():
            pass
        """
    )
    result = project.run("--rtgate-profile=runc-1.2")
    # test_one checks T-ONE-A (in both profiles): kept; test_two and test_three: dropped.
    result.assert_outcomes(passed=3, deselected=2)
    result = project.run("--rtgate-profile=seed")
    result.assert_outcomes(passed=4, deselected=1)


def test_aggregation_over_outcomes(project: Project) -> None:
    project.pytester.makepyfile(MIXED)
    report = project.report()
    assert outcomes(report) == {
        "T-ONE-A": "fail",
        "T-ONE-B": "error",
        "T-TWO-A": "skip",
        "T-THREE-A": "fail",
    }
    by_id = {r["id"]: r for r in report["requirements"]}
    assert by_id["T-ONE-A"]["message"] == "AssertionError: one is not two\nassert 1 == 2"
    assert by_id["T-ONE-B"]["message"] == "setup failed: RuntimeError: host broke"
    assert by_id["T-TWO-A"]["message"] == "no resctrl on this host"
    assert by_id["T-THREE-A"]["tests"] == ["test_aggregation_over_outcomes.py::test_blames_another"]
    tests = {t["nodeid"].split("::")[1]: t for t in report["tests"]}
    assert tests["test_blames_another"]["violates"] == ["T-THREE-A"]
    assert tests["test_without_requirement"]["outcome"] == "pass"
    assert tests["test_fails"]["details"].count("one is not two") >= 1
    assert report["summary"]["verdict"] == "fail"
    assert report["summary"]["fatal"] == ["T-ONE-A", "T-ONE-B"]


def test_untested_requirements_fail_the_verdict(project: Project) -> None:
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.requirement("T-ONE-A")
        def test_one():
            pass
        """
    )
    report = project.report()
    assert outcomes(report) == {
        "T-ONE-A": "pass",
        "T-ONE-B": "untested",
        "T-THREE-A": "untested",
        "T-TWO-A": "untested",
    }
    assert report["summary"]["verdict"] == "fail"
    assert report["summary"]["counts"]["untested"] == 3


def test_should_and_may_failures_do_not_fail_the_verdict(project: Project) -> None:
    project.pytester.makepyfile(
        ALL_PASS.replace("def test_two():\n    pass", "def test_two():\n    assert False").replace(
            "def test_three():\n    pass", "def test_three():\n    assert False"
        )
    )
    report = project.report()
    assert outcomes(report)["T-TWO-A"] == "fail"
    assert outcomes(report)["T-THREE-A"] == "fail"
    assert report["summary"]["verdict"] == "pass"


def test_xfail_and_xpass_are_their_own_outcomes(project: Project) -> None:
    project.pytester.makepyfile(
        ALL_PASS
        + """
@pytest.mark.requirement("T-TWO-A")
@pytest.mark.xfail(reason="known bug 12")
def test_known_bug():
    assert False

@pytest.mark.requirement("T-THREE-A")
@pytest.mark.xfail(reason="fixed upstream?")
def test_maybe_fixed():
    pass
"""
    )
    report = project.report()
    assert outcomes(report)["T-TWO-A"] == "xfail"
    assert outcomes(report)["T-THREE-A"] == "xpass"
    assert report["summary"]["verdict"] == "pass"
    by_id = {r["id"]: r for r in report["requirements"]}
    assert by_id["T-TWO-A"]["message"] == "known bug 12"


def test_no_report_dir_writes_nothing_but_keeps_the_verdict(project: Project) -> None:
    project.pytester.makepyfile(ALL_PASS)
    recorder = project.pytester.inline_run(
        "-p", "no:cacheprovider", f"--rtgate-catalog={project.catalog}"
    )
    (call,) = recorder.getcalls("pytest_sessionfinish")
    assert call.session.config.stash[verdict_key] == "pass"
    assert sorted(p.name for p in project.pytester.path.iterdir()) == [
        "catalog.toml",
        "conftest.py",
        "test_no_report_dir_writes_nothing_but_keeps_the_verdict.py",
    ]


def test_junit_report_is_well_formed_and_names_requirements(project: Project) -> None:
    project.pytester.makepyfile(MIXED)
    out = project.pytester.path / "out"
    project.run(f"--rtgate-report-dir={out}", f"--junitxml={project.pytester.path / 'py.xml'}")
    suite = ET.parse(out / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    cases = {(c.get("classname"), c.get("name", "").split("::")[-1]) for c in suite}
    assert ("T-THREE-A", "test_blames_another") in cases
    # pytest's own JUnit gets the ids too, through user_properties.
    pytest_junit = (project.pytester.path / "py.xml").read_text()
    assert '<property name="requirement" value="T-ONE-A" />' in pytest_junit


def test_report_hook_is_called(project: Project) -> None:
    project.pytester.makepyfile(ALL_PASS)
    project.pytester.makeconftest(
        project.pytester.path.joinpath("conftest.py").read_text()
        + """
def pytest_rtgate_report(report, report_dir, config):
    print("HOOK", report.summary.verdict, report_dir)
"""
    )
    result = project.run("-s")
    result.stdout.fnmatch_lines(["*HOOK pass None*"])


def test_serial_and_xdist_reports_are_the_same(project: Project) -> None:
    project.pytester.makepyfile(MIXED)
    project.pytester.makepyfile(test_more=ALL_PASS)
    serial = project.report(name="serial")
    parallel = project.report("-n", "2", name="parallel")

    def stable(report: dict[str, object]) -> str:
        text = json.dumps(report, sort_keys=False)
        for volatile in ("duration_s", "started_at"):
            text = _blank(text, volatile)
        return text

    assert parallel["summary"]["test_counts"]["pass"] > 0
    assert stable(serial) == stable(parallel)


def test_hypothesis_profiles(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project.pytester.makepyfile(
        """
        import os
        from hypothesis import core
        from hypothesis import settings

        def test_profile():
            expected = os.environ["EXPECTED"].split(",")
            current = settings.default
            assert settings.get_current_profile_name() == expected[0]
            assert current.max_examples == int(expected[1])
            assert not current.derandomize and current.database is None
            assert current.deadline is None
            assert current.stateful_step_count == int(expected[2])
            assert core.global_force_seed == int(expected[3])
        """
    )
    monkeypatch.setenv("EXPECTED", "rtgate,60,25,0")
    project.run().assert_outcomes(passed=1)
    monkeypatch.setenv("EXPECTED", "rtgate-quick,10,25,0")
    project.run("--hypothesis-profile=rtgate-quick").assert_outcomes(passed=1)
    monkeypatch.setenv("EXPECTED", "rtgate-deep,2000,50,7")
    project.run("--hypothesis-profile=rtgate-deep", "--hypothesis-seed=7").assert_outcomes(passed=1)


def test_the_report_records_the_seed(project: Project) -> None:
    project.pytester.makepyfile(ALL_PASS)
    assert project.report()["run"]["hypothesis"]["seed"] == "0"
    again = project.report("--hypothesis-seed=3", name="seeded")
    assert again["run"]["hypothesis"]["seed"] == "3"
    assert again["run"]["hypothesis"]["derandomize"] is False


def test_registration_is_idempotent_and_respects_blocking(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfig()
    manager = config.pluginmanager
    ensure_registered(manager)
    ensure_registered(manager)
    assert manager.get_plugin("rtgate") is harness.plugin
    assert manager.get_name(harness.plugin) == "rtgate"
    blocked = pytester.parseconfig("-p", "no:rtgate")
    ensure_registered(blocked.pluginmanager)
    assert blocked.pluginmanager.get_plugin("rtgate") is None


def _blank(text: str, key: str) -> str:
    import re

    return re.sub(rf'"{key}": [^,}}\]]+', f'"{key}": null', text)
