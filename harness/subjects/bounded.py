"""Every call into a ``python:`` subject has a time limit: its import, ``new_factory`` and each
operation of what that returns (``create``, ``start``, ``signal``, ``pause``, ``destroy``...).

A runtime binary's command that hangs is killed with its process group; a Python subject runs
in rtgate's own process, and Python cannot kill a thread.  So each call runs on a worker thread
while the caller waits on it with a deadline (:func:`bounded_call`).  When the deadline passes:

- the caller gets :class:`CallTimedOut`, which names the subject, the operation and the limit,
  and which the report makes the test's error, not a conformance failure.  It is a
  ``BaseException``, as ``SystemExit`` is: a scenario's ``except Exception`` would take it for
  the subject's refusal, and Hypothesis would call the operation again to shrink it;
- the worker is abandoned: it is a daemon thread (rtgate exits without waiting for it, see
  :mod:`harness.cli._exit`), and :class:`CallAbandoned` is raised in it asynchronously, which
  stops it as soon as it runs Python code again.  A call that was merely slow therefore does not
  go on into a simulated host that was torn down meanwhile (with the real filesystem back);
  one blocked in C stays blocked, harmless, until the process ends;
- later calls run on a fresh worker: the run goes on (a subject stuck for good has each of its
  tests end as an error after the limit; ``rtgate run --timeout`` bounds the whole run).

A signal that stops the run while a call is under way gives the call :data:`GRACE_S` to end,
so that the teardown that follows does not run beside it, then abandons it.

The limit is ``rtgate run --call-timeout``, which sets :data:`LIMIT_VARIABLE` for the run (its
xdist workers inherit it); a plain pytest run may set the variable itself.
"""

from __future__ import annotations

import _thread
import ctypes
import dataclasses
import os
import queue
import threading
from collections.abc import Callable
from typing import Any

from harness.errors import UsageError

__all__ = [
    "DEFAULT_LIMIT_S",
    "GRACE_S",
    "LIMIT_VARIABLE",
    "CallAbandoned",
    "CallTimedOut",
    "abandoned_calls",
    "bounded_call",
    "call_limit",
]

#: the environment variable that holds the limit, in seconds
LIMIT_VARIABLE = "RTGATE_CALL_TIMEOUT"
#: the limit when none is set: longer than any OCI command's own (harness/subjects/oci/runtime.py)
DEFAULT_LIMIT_S = 60.0
#: how long a call under way when a signal stops the run is given to end before it is abandoned
GRACE_S = 2.0


class CallTimedOut(BaseException):
    """A call into the subject did not return within the limit; the test it was in errors."""

    def __init__(self, subject: str, what: str, limit_s: float) -> None:
        super().__init__(
            f"{subject}: {what} did not return within {limit_s:g} s (--call-timeout); the call"
            " was abandoned, still running"
        )
        self.subject, self.what, self.limit_s = subject, what, limit_s


class CallAbandoned(BaseException):
    """Raised in the thread of an abandoned call: it must not go on."""


def call_limit() -> float:
    """The limit of each call, in seconds: :data:`LIMIT_VARIABLE`, else the default.

    Raises:
        UsageError: the variable is not a positive number.
    """
    text = os.environ.get(LIMIT_VARIABLE, "")
    if not text:
        return DEFAULT_LIMIT_S
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise UsageError(f"{LIMIT_VARIABLE} must be a positive number of seconds (got {text!r})")
    return value


def _held_lock() -> _thread.LockType:
    lock = _thread.allocate_lock()
    lock.acquire()
    return lock


@dataclasses.dataclass(eq=False, slots=True)
class _Job:
    """One call, handed to a worker; ``done`` is held until the call returns (a bare lock:
    a handoff through it costs a fraction of an Event's)."""

    call: Callable[[], Any]
    done: _thread.LockType = dataclasses.field(default_factory=_held_lock)
    finished: bool = False
    result: Any = None
    error: BaseException | None = None

    def wait(self, seconds: float) -> bool:
        """Whether the call returned within ``seconds``."""
        return self.done.acquire(timeout=seconds) or self.finished


class _Worker:
    """A daemon thread that runs jobs one at a time, in the process that started it."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.abandoned = False
        self.jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._serve, name="rtgate-subject-call", daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        """Run jobs until abandoned; :class:`CallAbandoned` ends the thread quietly wherever it
        lands (an exception out of a thread would print a traceback)."""
        _on_worker.flag = True
        try:
            while not self.abandoned:
                job = self.jobs.get()
                try:
                    job.result = job.call()
                except BaseException as err:  # noqa: BLE001 - handed to the caller, whatever it is
                    job.error = err
                finally:
                    job.finished = True
                    job.done.release()
                del job
        except CallAbandoned:
            return


_on_worker = threading.local()
_current: list[_Worker] = []
#: each abandoned call: its thread, what it was, whether its caller said so to the user already
_abandoned: list[tuple[threading.Thread, str, bool]] = []
_lock = threading.Lock()


def abandoned_calls(said_too: bool = False) -> list[str]:
    """What each abandoned call that is still running was (``python:x:f: create``); those
    whose caller said so to the user already only when ``said_too``."""
    return [
        what for thread, what, said in _abandoned if thread.is_alive() and (said_too or not said)
    ]


def bounded_call(subject: str, what: str, call: Callable[[], Any], *, said: bool = False) -> Any:
    """``call()``, run on a worker and waited for at most :func:`call_limit` seconds; a call
    made from a worker (the subject calling back into itself) runs where it is.  ``said``: the
    caller turns a timeout into an error line of its own (a hung import), which says it all.

    Raises:
        CallTimedOut: it did not return in time (``subject`` and ``what`` name it).
        BaseException: whatever ``call()`` raised.
    """
    if getattr(_on_worker, "flag", False):
        return call()
    limit = call_limit()
    worker = _worker()
    job = _Job(call)
    worker.jobs.put(job)
    try:
        finished = job.wait(limit)
    except BaseException:  # a signal stops the run: the call ends first, or is abandoned
        if not job.wait(GRACE_S):
            _abandon(worker, f"{subject}: {what}", said=False)
        raise
    if not finished:
        _abandon(worker, f"{subject}: {what}", said)
        raise CallTimedOut(subject, what, limit)
    error = job.error
    if error is None:
        return job.result
    try:
        raise error
    finally:
        del error, job


def _worker() -> _Worker:
    """The worker of this process, started when there is none (or it was abandoned)."""
    with _lock:
        if not _current or _current[0].pid != os.getpid():
            _current[:] = [_Worker()]
        return _current[0]


def _abandon(worker: _Worker, what: str, said: bool) -> None:
    """Leave ``worker`` to its call, stopping it at its next Python instruction."""
    with _lock:
        worker.abandoned = True
        if _current and _current[0] is worker:
            _current.clear()
        _abandoned.append((worker.thread, what, said))
    ident = worker.thread.ident
    if ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(ident), ctypes.py_object(CallAbandoned)
        )
