"""Good manners: with rtgate's plugin active, another project's Hypothesis tests in the same
session keep Hypothesis' own defaults (profile, examples, database, a fresh seed), while
rtgate's state machines run with rtgate's profile and seed, given to each run itself.

Hypothesis' own default is its ``default`` profile, or its ``ci`` profile where it detects a
CI service (the ``CI`` variable and others); the test runs in both worlds."""

from __future__ import annotations

import pytest

from tests.plugin.conftest import BOOTSTRAP

OTHER_PROJECT = """
from hypothesis import core, given, settings, strategies as st
from hypothesis._settings import is_in_ci
from hypothesis.stateful import RuleBasedStateMachine, rule

from harness.scenarios._support.machine_run import machine_settings, run_machine

class Counted(RuleBasedStateMachine):
    runs = 0

    def __init__(self):
        super().__init__()
        Counted.runs += 1

    @rule()
    def step(self):
        pass


def test_rtgate_machine_runs_with_rtgate_settings(rtgate_hypothesis):
    assert rtgate_hypothesis.settings.max_examples == 60 and rtgate_hypothesis.seed == 0
    run_machine(Counted, rtgate_hypothesis, machine_settings(rtgate_hypothesis, "simulated", 3))
    assert Counted.runs <= 3


@given(st.integers())
def test_a_test_of_another_project_keeps_the_defaults(x):
    own = "ci" if is_in_ci() else "default"
    assert settings.get_current_profile_name() == own
    current = settings.default
    assert current.max_examples == 100, current
    assert current.derandomize == (own == "ci"), current
    assert (current.database is None) == (own == "ci"), current
    assert core.global_force_seed is None, core.global_force_seed
"""

CI_DETECTED_BY = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "CIRCLECI", "TF_BUILD")


@pytest.mark.parametrize("under_ci", [False, True], ids=["laptop", "ci-service"])
def test_another_projects_tests_keep_hypothesis_defaults(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, under_ci: bool
) -> None:
    for name in CI_DETECTED_BY:
        monkeypatch.delenv(name, raising=False)
    if under_ci:
        monkeypatch.setenv("CI", "true")
    pytester.makeconftest(BOOTSTRAP)
    pytester.makepyfile(test_other=OTHER_PROJECT)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=2)
