"""Every call into a ``python:`` subject has a time limit (harness/subjects/bounded.py): one
that overruns it is abandoned on its daemon thread, stopped when it runs again, and the caller
gets :class:`CallTimedOut` naming the subject, the call and the limit.  The hung calls here
block on an event that each test releases at its teardown; no test sleeps."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from harness.errors import UsageError
from harness.subjects import bounded
from harness.subjects.bounded import LIMIT_VARIABLE
from harness.subjects.bounded import CallTimedOut
from harness.subjects.bounded import abandoned_calls
from harness.subjects.bounded import bounded_call
from harness.subjects.bounded import call_limit
from harness.subjects.bounded_factory import bounded_factory
from harness.subjects.bounded_factory import unwrapped

#: long enough for any call that does not hang, on a busy machine
SHORT_S = "0.5"
#: how long a test waits for an abandoned thread to end once released
ENDS_S = 30.0


@pytest.fixture
def release(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """An event the hung calls wait on, set at teardown; the limit is :data:`SHORT_S`; every
    thread abandoned meanwhile must end once released."""
    monkeypatch.setenv(LIMIT_VARIABLE, SHORT_S)
    event = threading.Event()
    before = list(bounded._abandoned)
    yield event
    event.set()
    for thread, what, _ in bounded._abandoned[len(before) :]:
        thread.join(ENDS_S)
        assert not thread.is_alive(), f"the abandoned call {what} did not end once released"


def test_a_call_that_overruns_is_abandoned_and_names_subject_call_and_limit(
    release: threading.Event,
) -> None:
    with pytest.raises(CallTimedOut) as raised:
        bounded_call("python:m:f", "Factory.create()", release.wait)
    assert str(raised.value) == (
        "python:m:f: Factory.create() did not return within 0.5 s (--call-timeout); the call"
        " was abandoned, still running"
    )
    assert abandoned_calls()[-1] == "python:m:f: Factory.create()"
    assert bounded_call("python:m:f", "Factory.load()", lambda: "next") == "next", (
        "a fresh worker runs the calls after an abandoned one"
    )


def test_the_abandoned_call_stops_when_it_runs_again(release: threading.Event) -> None:
    """Released, it does not go on to what followed the hang (a simulated host would have
    been torn down by then)."""
    went_on = threading.Event()

    def hangs_then_acts() -> None:
        release.wait()
        went_on.set()

    with pytest.raises(CallTimedOut):
        bounded_call("s", "c()", hangs_then_acts)
    thread = bounded._abandoned[-1][0]
    release.set()
    thread.join(ENDS_S)
    assert not thread.is_alive() and not went_on.is_set()


def test_what_the_call_raises_or_returns_reaches_the_caller(release: threading.Event) -> None:
    def fails() -> None:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        bounded_call("s", "c()", fails)
    with pytest.raises(SystemExit):
        bounded_call("s", "c()", lambda: exec("raise SystemExit(3)"))
    assert bounded_call("s", "c()", lambda: bounded_call("s", "inner()", lambda: 7)) == 7, (
        "a call from the worker runs where it is"
    )


@pytest.mark.parametrize("text", ["0", "-1", "x", "inf", "nan"])
def test_a_bad_limit_in_the_environment_is_a_usage_error(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LIMIT_VARIABLE, text)
    with pytest.raises(UsageError, match=LIMIT_VARIABLE):
        call_limit()


class _Thing:
    """An object of a subject: a method, an attribute, another object it hands out."""

    def __init__(self, release: threading.Event) -> None:
        self.release = release
        self.state = "created"
        self.child: _Thing | None = None

    def make(self) -> _Thing:
        self.child = self.child or _Thing(self.release)
        return self.child

    def same(self, other: Any) -> bool:
        return other is self.child

    def hangs(self) -> None:
        self.release.wait()


def test_a_factory_stands_in_for_the_subject_with_every_call_bounded(
    release: threading.Event,
) -> None:
    factory = bounded_factory("python:m:f", lambda: _Thing(release))
    made = factory.make()
    assert made is factory.make(), "the same object, the same stand-in"
    assert factory.same(made), "a stand-in given back reaches the subject as its object"
    assert isinstance(unwrapped(made), _Thing) and made == unwrapped(made)
    made.state = "running"
    assert unwrapped(made).state == "running" and made.state == "running"
    with pytest.raises(CallTimedOut, match=r"python:m:f: _Thing\.hangs\(\) did not return"):
        made.hangs()
