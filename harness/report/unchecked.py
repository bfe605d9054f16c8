"""The verdict rules about what a run did not check, beside the per-requirement rules of
:mod:`harness.report.aggregate`.

- A run that checked nothing never passes: when no requirement of the profile passed, failed,
  errored or was judged against an expectation (every one skipped or untested), a verdict
  "pass" would only say that no test ran, as with a runtime that cannot create a container.
- A certification run (``--certify``) accepts a skipped test only when the host explains it:
  its reason names a missing host feature in the shape of
  :func:`harness.spec.skip_reasons.missing_host_feature`.  Any other skip (a runtime the probe
  could not judge, a test that could not set itself up) fails the verdict, named.

Either adds a line to :attr:`~harness.report.model.Summary.verdict_notes`, which the summary and
every writer show with the verdict.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from harness.report.model import RequirementResult
from harness.report.model import Summary
from harness.report.model import TestResult
from harness.spec.skip_reasons import explained_by_host

__all__ = ["CHECKED", "unchecked_verdict", "unexplained_skips"]

#: requirement outcomes that mean some check of it ran
CHECKED = ("pass", "fail", "error", "xfail", "xpass")
#: how many unexplained skips a note names before it says how many more
_NAMED = 5


def unexplained_skips(tests: Sequence[TestResult]) -> tuple[TestResult, ...]:
    """The skipped tests whose reason names no missing host feature."""
    return tuple(t for t in tests if t.outcome == "skip" and explained_by_host(t.message) is None)


def unchecked_verdict(
    summary: Summary,
    requirements: Sequence[RequirementResult],
    tests: Sequence[TestResult],
    certify: bool = False,
) -> Summary:
    """``summary`` with the rules above applied: the verdict failed, and why, when they hold."""
    notes = list(summary.verdict_notes)
    if not any(r.outcome in CHECKED for r in requirements):
        skipped = sum(r.outcome == "skip" for r in requirements)
        notes.append(
            f"nothing was checked: none of the {len(requirements)} requirement(s) ran a check "
            f"({skipped} skipped, the rest untested); a run that checks nothing never passes"
        )
    unexplained = unexplained_skips(tests) if certify else ()
    if unexplained:
        named = "; ".join(f"{t.nodeid} ({t.message or 'skipped'})" for t in unexplained[:_NAMED])
        more = f"; and {len(unexplained) - _NAMED} more" if len(unexplained) > _NAMED else ""
        notes.append(
            f"--certify: {len(unexplained)} skipped test(s) no missing host feature explains: "
            f"{named}{more}"
        )
    if len(notes) == len(summary.verdict_notes):
        return summary
    return dataclasses.replace(summary, verdict="fail", verdict_notes=tuple(notes))
