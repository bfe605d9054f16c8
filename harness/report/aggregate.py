"""From test results to requirement results and a verdict: the rules, in one place.

A requirement takes the worst outcome of its tests (error, then fail, then xpass, then xfail,
then pass); it is skipped only when every test skipped, and ``untested`` when it has no test,
which is never a pass.  The verdict fails when a MUST or MUST NOT requirement fails or errors,
or any requirement of the profile is untested, or (strict) an expectation no longer holds
because the requirement passed; SHOULD and MAY failures are reported only.  A run that checked
nothing, and a certification run with a skip no missing host feature explains, fail too
(:mod:`harness.report.unchecked`).

How one test counts for one requirement comes from that requirement's own checks
(:meth:`TestResult.judge`).  A test that never reached a check of it counts as ``untested``
("not reached", "no check ran"), which ranks between pass and skip: another test that checked
it decides, and when none did the requirement is untested and fails the verdict like any
other untested one, even when the test stopped on a requirement that is only a SHOULD.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from typing import Protocol

from harness.report.model import OUTCOMES
from harness.report.model import Outcome
from harness.report.model import Report
from harness.report.model import RequirementResult
from harness.report.model import RunInfo
from harness.report.model import Summary
from harness.report.model import TestResult
from harness.report.required import required_verdict
from harness.report.unchecked import unchecked_verdict

__all__ = ["RequirementInfo", "build_report", "judge_run", "requirement_result", "summarize"]

# Worst first.  "skip" is last: one test that ran outweighs any number of skipped ones; a test
# that never reached a requirement's checks ("untested") is outweighed by one that checked it.
_RANK: tuple[Outcome, ...] = ("error", "fail", "xpass", "xfail", "pass", "untested", "skip")


class RequirementInfo(Protocol):
    """What the rules need to know of a catalog entry (:class:`harness.spec.catalog.Requirement`
    fits); a protocol, so that the report package does not depend on the spec package."""

    @property
    def id(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    @property
    def scope(self) -> str: ...
    @property
    def area(self) -> str: ...
    @property
    def spec_version(self) -> str | None: ...
    @property
    def host_features(self) -> tuple[str, ...]: ...


def requirement_result(info: RequirementInfo, tests: Iterable[TestResult]) -> RequirementResult:
    """The outcome of one requirement over the tests that check it or violated it."""
    mine = sorted((t for t in tests if _concerns(t, info.id)), key=lambda t: t.nodeid)
    outcomes = [t.outcome_for(info.id) for t in mine]
    outcome: Outcome = "untested"
    message: str | None = "no test checks this requirement"
    if outcomes:
        outcome = min(outcomes, key=_RANK.index)
        message = _message(info.id, outcome, mine)
    tallies = [t.tally(info.id) for t in mine]
    counted = [tally for tally in tallies if tally is not None]
    return RequirementResult(
        id=info.id,
        level=info.level,
        title=info.title,
        source=info.source,
        url=info.url,
        scope=info.scope,
        area=info.area,
        spec_version=info.spec_version,
        outcome=outcome,
        tests=tuple(t.nodeid for t in mine),
        message=message,
        checks=sum(counted[1:], counted[0]) if counted else None,
    )


def _concerns(test: TestResult, req_id: str) -> bool:
    """Whether ``test`` declares ``req_id``, blamed it or ran a check of it."""
    if req_id in test.requirements or req_id in test.violates:
        return True
    return any(tally.requirement == req_id for tally in test.checks or ())


def summarize(
    requirements: Sequence[RequirementResult], tests: Sequence[TestResult], strict: bool = False
) -> Summary:
    """Counts per outcome and the verdict; ``strict`` makes an xpass fail it."""
    fatal = tuple(sorted(r.id for r in requirements if r.fails_verdict(strict)))
    return Summary(
        counts=_count(r.outcome for r in requirements),
        test_counts=_count(t.outcome for t in tests),
        verdict="fail" if fatal else "pass",
        fatal=fatal,
    )


def build_report(
    run: RunInfo, profile_requirements: Iterable[RequirementInfo], tests: Iterable[TestResult]
) -> Report:
    """The whole report, sorted by requirement id and test node id so that it is stable."""
    ordered_tests = tuple(sorted(tests, key=lambda t: t.nodeid))
    infos = sorted(profile_requirements, key=lambda r: r.id)
    requirements = tuple(requirement_result(info, ordered_tests) for info in infos)
    needs = {info.id: tuple(info.host_features) for info in infos}
    return Report(
        run=run,
        summary=judge_run(run, requirements, ordered_tests, needs),
        requirements=requirements,
        tests=ordered_tests,
    )


def judge_run(
    run: RunInfo,
    requirements: Sequence[RequirementResult],
    tests: Sequence[TestResult],
    needs: dict[str, tuple[str, ...]],
) -> Summary:
    """The summary and verdict by every rule: the requirements' own (:func:`summarize`), what
    the run did not check (:mod:`~harness.report.unchecked`) and what the gate requires of the
    host (:mod:`~harness.report.required`); ``needs`` are the requirements' host features."""
    summary = summarize(requirements, tests, strict=run.strict or run.certify)
    summary = unchecked_verdict(summary, requirements, tests, certify=run.certify)
    return required_verdict(summary, requirements, needs, run.required)


def _message(req_id: str, outcome: Outcome, tests: Sequence[TestResult]) -> str | None:
    if outcome == "pass":
        return None
    if outcome == "skip":
        reasons = dict.fromkeys(t.message or "skipped" for t in tests)
        return "; ".join(reasons)
    judged = [t.judge(req_id) for t in tests]
    matching = [message for got, message in judged if got == outcome]
    # A test that checks many requirements fails with the message of one of them: prefer a
    # message that names this requirement over the first one in node id order.
    naming = [m for m in matching if m and f"[{req_id}]" in m]
    chosen = (naming or matching or [None])[0]
    return chosen or outcome


def _count(outcomes: Iterable[Outcome]) -> dict[str, int]:
    counts = dict.fromkeys(OUTCOMES, 0)
    for outcome in outcomes:
        counts[outcome] += 1
    return counts
