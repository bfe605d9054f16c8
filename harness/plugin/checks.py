"""Checks: every ``verify`` call counted with its requirement, so that a requirement's outcome
comes from its own checks (see :meth:`harness.report.model.TestResult.judge`).

- ``verify(id, ok, message)`` is one check of ``id``; it passes or fails;
- in a test that declares exactly one requirement of the run's profile, the test's own body is
  a check of it too: a plain ``assert`` that fails is a failed check, and a body that passes
  without any ``verify`` call of it counts as one check that passed.  Any other exception out of
  the body is no check: the requirement then errors with "setup failed";
- in a test of several requirements only ``verify`` calls are checks; a plain ``assert`` is
  setup, and its failure errors every requirement that had no check yet.

A Hypothesis test counts every example it ran, the shrinking ones too: "3 failed" there means
three failing runs of the check, not three defects.

Each phase's report of a test with requirements carries the counts so far as one property of
plain values, ``(CHECKS_PROPERTY, {id: {"ran": n, "failed": n, "messages": [...]}})``, which
crosses from an xdist worker like the rest of the report; the collector keeps the last one.
"""

from __future__ import annotations

from collections.abc import Generator
from collections.abc import Mapping
from typing import Any

import pytest

from harness.plugin.keys import checks_key
from harness.plugin.keys import requirements_key
from harness.plugin.marks import known_requirement
from harness.plugin.marks import record_violation
from harness.report.model import CheckTally

__all__ = ["CHECKS_PROPERTY", "CheckCounter", "check_failed", "record_check", "tallies_from"]

CHECKS_PROPERTY = "rtgate_checks"
# how much of a failed plain assert's first line a check keeps
_MESSAGE = 500


# set on the AssertionError of a failed ``verify``: counted already, unlike a plain ``assert``
_COUNTED = "rtgate_counted_check"


def check_failed(message: str) -> AssertionError:
    """The error a failed ``verify`` raises: a plain AssertionError (reports read
    ``AssertionError: [id] ...``) marked as a check that is counted already."""
    err = AssertionError(message)
    setattr(err, _COUNTED, True)
    return err


def record_check(node: pytest.Item, req_id: str, ok: bool, message: str) -> None:
    """Count one check of ``req_id`` on the test ``node``, with its message when it failed.

    Raises:
        ValueError: ``req_id`` is not an id of the run's catalog.
    """
    known_requirement(node, req_id)
    tallies = node.stash.setdefault(checks_key, {})
    one = CheckTally(req_id, 1, 0 if ok else 1, () if ok else (message,))
    tallies[req_id] = tallies[req_id] + one if req_id in tallies else one


def tallies_from(value: Mapping[str, Any]) -> tuple[CheckTally, ...]:
    """The :data:`CHECKS_PROPERTY` value back as tallies, sorted by requirement."""
    return tuple(
        CheckTally(
            requirement=req_id,
            ran=int(counts["ran"]),
            failed=int(counts["failed"]),
            messages=tuple(str(m) for m in counts.get("messages", ())),
        )
        for req_id, counts in sorted(value.items())
    )


class CheckCounter:
    """Plugin object, on every process: the body of a one-requirement test as its check, and
    the counts into every report."""

    def __init__(self, in_profile: frozenset[str]) -> None:
        self.in_profile = in_profile

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        try:
            result = yield
        except AssertionError as err:
            if not getattr(err, _COUNTED, False):
                self._body_checked(item, err)
            raise
        self._body_checked(item, None)
        return result

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        tallies = item.stash.get(checks_key, {})
        if not tallies and not item.stash.get(requirements_key, ()):
            return report  # not a conformance test: nothing to count
        value = {
            req_id: {"ran": t.ran, "failed": t.failed, "messages": list(t.messages)}
            for req_id, t in sorted(tallies.items())
        }
        report.user_properties.append((CHECKS_PROPERTY, value))
        return report

    def _body_checked(self, item: pytest.Item, failure: AssertionError | None) -> None:
        """A one-requirement test's body: a failed plain assert, or a pass without checks; a
        failure the test blamed on a requirement (``record_violation``) is that one's."""
        own = [r for r in item.stash.get(requirements_key, ()) if r in self.in_profile]
        if len(own) != 1:
            return
        req_id = own[0]
        if any(name == "violates" for name, _ in item.user_properties):
            return  # the test blamed its failure already
        if failure is not None:
            line = (str(failure).strip().splitlines() or [""])[0][:_MESSAGE]
            record_check(item, req_id, False, f"AssertionError: {line}".rstrip(": "))
            record_violation(item, req_id)
        elif req_id not in item.stash.get(checks_key, {}):
            record_check(item, req_id, True, "")
