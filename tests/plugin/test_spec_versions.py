"""A run whose bundles all declare one ociVersion (``--oci-version``) reports each test of a
rule of a later runtime-spec release as skipped, saying which versions and which option; a run
that does not pin one runs them all; a test learns the release its rules come from."""

from __future__ import annotations

import pytest

from tests.plugin.conftest import BOOTSTRAP
from tests.plugin.conftest import Project
from tests.plugin.conftest import outcomes

_RULE = """
[[requirement]]
id = "{id}"
level = "MUST"
title = "a rule"
source = "tests/plugin/test_spec_versions.py"
scope = "{scope}"
area = "a"
profiles = ["seed"]
since = "runc 692f6e1"
{version}
"""

#: a rule of each kind: the factory API's (no release), and runtime-spec 1.0.2, 1.1.0, 1.3.0
_RULES = {"V-API": None, "V-OLD": "1.0.2", "V-FEAT": "1.1.0", "V-NEW": "1.3.0"}

#: the options ``rtgate run --oci-version`` would give the plugin, with the reference subject
#: (an oci: subject needs a real host): the plugin reads only the pinned version of them
_PINNED = """
import dataclasses

from harness.plugin.keys import options_key
from harness.plugin.run_check import RunRequest
from harness.plugin.run_check import check_run

def pytest_cmdline_main(config):
    request = RunRequest(
        catalog=config.getoption("rtgate_catalog"),
        report_dir=config.getoption("rtgate_report_dir"),
    )
    options = check_run(request)
    config.stash[options_key] = dataclasses.replace(options, oci_version={version!r})
"""

_TESTS = """
import pytest

@pytest.mark.requirement("V-API")
def test_api(rtgate_rule_version):
    assert rtgate_rule_version is None

@pytest.mark.requirement("V-OLD")
def test_old(rtgate_rule_version):
    assert rtgate_rule_version == "1.0.2"

@pytest.mark.requirement("V-FEAT")
def test_feat():
    pass

@pytest.mark.requirement("V-NEW")
def test_new(rtgate_rule_version):
    assert rtgate_rule_version == "1.3.0"

@pytest.mark.requirement("V-OLD", "V-NEW")
def test_both(rtgate_rule_version):
    assert rtgate_rule_version == "1.3.0"
"""


def _project(project: Project, pinned: str | None) -> Project:
    rules = "".join(
        _RULE.format(
            id=req_id,
            scope="api" if version is None else "cli",
            version="" if version is None else f'spec_version = "{version}"',
        )
        for req_id, version in _RULES.items()
    )
    project.catalog.write_text(rules)
    conftest = BOOTSTRAP if pinned is None else BOOTSTRAP + _PINNED.format(version=pinned)
    project.pytester.makeconftest(conftest)
    project.pytester.makepyfile(test_versions=_TESTS)
    return project


def test_an_unpinned_run_checks_every_rule(project: Project) -> None:
    report = _project(project, None).report()
    assert set(outcomes(report).values()) == {"pass"}
    assert report["run"]["oci_version"] is None


@pytest.mark.parametrize(
    ("pinned", "skipped"),
    [
        ("1.0.2", {"V-FEAT", "V-NEW"}),
        ("1.2.1", {"V-NEW"}),
        ("1.3.0", set()),
        ("1.0.0", {"V-OLD", "V-FEAT", "V-NEW"}),
    ],
)
def test_a_pinned_run_skips_the_rules_of_later_releases(
    project: Project, pinned: str, skipped: set[str]
) -> None:
    report = _project(project, pinned).report()
    assert report["run"]["oci_version"] == pinned
    assert {i for i, o in outcomes(report).items() if o == "skip"} == skipped
    assert {i for i, o in outcomes(report).items() if o == "pass"} == set(_RULES) - skipped
    for test in report["tests"]:
        if test["outcome"] == "skip":
            assert f"does not hold for ociVersion {pinned}" in test["message"] or (
                f"do not hold for ociVersion {pinned}" in test["message"]
            )
            assert f"(--oci-version {pinned}); run with --oci-version 1." in test["message"]


def test_a_test_of_a_later_rule_and_an_older_one_skips_whole(project: Project) -> None:
    report = _project(project, "1.2.0").report()
    both = next(t for t in report["tests"] if t["nodeid"].endswith("test_both"))
    assert both["outcome"] == "skip"
    assert both["message"] == (
        "not of this run's spec version: V-NEW (runtime-spec v1.3.0) does not hold for "
        "ociVersion 1.2.0, which this run's bundles declare (--oci-version 1.2.0); run with "
        "--oci-version 1.3.0 or later to check it"
    )
    old = next(r for r in report["requirements"] if r["id"] == "V-OLD")
    assert old["outcome"] == "pass", "test_old checked it: the skipped test takes nothing away"
