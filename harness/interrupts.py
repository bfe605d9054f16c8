"""Interrupts that lose nothing: an orderly stop on the first signal, and sections no signal
cuts short.

The first SIGINT or SIGTERM starts the stop: ``KeyboardInterrupt`` is raised where the process
is, and the stack unwinds through every ``finally`` and fixture teardown, which remove what the
run made and write what it found.  A section that must run whole (making or undoing something
on a host, patching or unpatching the simulated filesystem, writing the report) runs
:func:`shielded`: a signal that arrives inside it waits until the section is over.  Every
signal after the first is said and ignored: the stop under way is cleaning up, and cutting
that short is what left cgroups, run dirs and processes behind.  SIGKILL still ends the
process at once; ``rtgate cleanup`` then removes what it left.

A run asks :func:`received` at the end, whatever caught the ``KeyboardInterrupt`` on the way:
a run that was interrupted is incomplete.

A run's own time limit (``rtgate run --timeout``, :func:`stopping_after`) stops it the same
way: a timer's SIGALRM is its first signal, so it cuts short a blocking wait as a signal from
outside does; :func:`stop_reason` tells the two apart, and the run exits with
:data:`TIMED_OUT_EXIT`, not a signal's code.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

__all__ = [
    "SIGNALS",
    "TIMED_OUT_EXIT",
    "exit_code",
    "handling",
    "install",
    "received",
    "shielded",
    "stop_reason",
    "stopping_after",
    "timed_out",
]

#: the signals that start an orderly stop
SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: how long after a signal that arrived in a finalizer it is sent again
_AGAIN_S = 0.05
#: what a run its own time limit stopped exits with: timeout(1)'s code, no signal's 128 + N
TIMED_OUT_EXIT = 124


class _Stop:
    """What this process knows of its stop; one per process (a forked copy starts afresh)."""

    def __init__(self) -> None:
        #: the process the handlers were installed in
        self.pid = 0
        #: the first signal received, or 0
        self.first = 0
        #: whether KeyboardInterrupt was raised for it already
        self.raised = False
        #: how many shielded sections are open
        self.depth = 0
        #: the time limit of :func:`stopping_after` in force, in seconds, or 0
        self.limit_s = 0.0


_stop = _Stop()


def received() -> int:
    """The first signal this process received since :func:`install`, or 0."""
    return _stop.first


def timed_out() -> bool:
    """Whether the run's time limit (:func:`stopping_after`) is what stopped it."""
    return _stop.first == signal.SIGALRM and _stop.limit_s > 0


def stop_reason() -> str:
    """What stopped the run before its end, for the report: ``SIGINT``, ``SIGTERM`` or
    ``timeout after N s``; empty while nothing has."""
    if not _stop.first:
        return ""
    if timed_out():
        return f"timeout after {_stop.limit_s:g} s"
    return signal.Signals(_stop.first).name


def exit_code(signum: int) -> int:
    """What a command that a signal stopped exits with: 128 plus the signal's number, as a
    shell reports it (130 for SIGINT, 143 for SIGTERM)."""
    return 128 + signum


def install() -> bool:
    """Handle SIGINT and SIGTERM as above in this process, unless someone else handles them
    (a handler that is neither the default nor Python's ``KeyboardInterrupt``) or this is not
    the main thread.  A signal ignored from the start stays ignored: a shell starts a
    background job with SIGINT ignored, and that job must still stop in order on SIGTERM
    (before, the ignored SIGINT counted as someone else's, and SIGTERM killed the process with
    nothing removed).  Returns whether the handlers are in place; calling it again is free."""
    if threading.current_thread() is not threading.main_thread():
        return False
    if _stop.pid == os.getpid():
        return all(signal.getsignal(s) in (_handle, signal.SIG_IGN) for s in SIGNALS)
    current = {s: signal.getsignal(s) for s in SIGNALS}
    if any(handler not in _DEFAULTS and handler != signal.SIG_IGN for handler in current.values()):
        return False
    _stop.__init__()  # type: ignore[misc]
    _stop.pid = os.getpid()
    for signum, handler in current.items():
        if handler != signal.SIG_IGN:
            signal.signal(signum, _handle)
    return True


@contextlib.contextmanager
def handling() -> Iterator[None]:
    """:func:`install` for the block, the previous handlers and state back after it (so a
    command run in process, as the tests run ``rtgate run``, leaves its caller as it was)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in SIGNALS}
    saved = dict(vars(_stop))
    for signum in SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    _stop.pid = 0
    install()
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        vars(_stop).update(saved)


@contextlib.contextmanager
def stopping_after(seconds: float | None) -> Iterator[None]:
    """Inside :func:`handling`: after ``seconds`` the process stops as on its first signal
    (a one-shot timer's SIGALRM, which :func:`timed_out` then names); None: no limit.  The
    timer is cancelled when the block ends (a forked child never inherits it)."""
    if seconds is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _handle)
    _stop.limit_s = seconds
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def shielded(raise_after: bool = True) -> _Shield:
    """A section no signal cuts short: a signal that arrives inside waits until the outermost
    section ends, and is raised there as ``KeyboardInterrupt`` (``raise_after`` False: not
    raised; the caller asks :func:`received`)."""
    return _Shield(raise_after)


class _Shield(contextlib.AbstractContextManager[None]):
    """:func:`shielded`; a class, not a generator: it is entered once per Hypothesis example."""

    __slots__ = ("raise_after",)

    def __init__(self, raise_after: bool = True) -> None:
        self.raise_after = raise_after

    def __enter__(self) -> None:
        _stop.depth += 1

    def __exit__(self, *exc: object) -> None:
        _stop.depth -= 1
        if _stop.depth or not _stop.first or _stop.raised or not self.raise_after:
            return
        if _stop.pid != os.getpid():
            return
        _stop.raised = True
        raise KeyboardInterrupt(f"signal {_stop.first}")


def _handle(signum: int, frame: FrameType | None) -> None:
    """The first signal stops the run (now, or when the open shielded section ends); later
    ones are said and ignored.  A forked copy of the process (a library's helper that forks,
    then is signalled) dies as the signal would kill it: unwinding there would run the
    cleanup of the run it was copied from."""
    if os.getpid() != _stop.pid:
        os._exit(exit_code(signum))
    if _stop.raised:
        _say(
            f"rtgate: {signal.Signals(signum).name}: stopping already; what the run made is"
            " being removed (SIGKILL would leave it to 'rtgate cleanup')"
        )
        return
    _stop.first = _stop.first or signum
    if _stop.depth:
        return
    if _in_finalizer(frame):
        # Python prints and drops an exception raised in a __del__ (pyfakefs' stubs have
        # one): the same signal again in a moment, outside it, stops the run
        threading.Timer(_AGAIN_S, os.kill, (os.getpid(), signum)).start()
        return
    _stop.raised = True
    raise KeyboardInterrupt(f"signal {signum}")


def _in_finalizer(frame: FrameType | None) -> bool:
    """Whether ``frame`` runs inside a ``__del__``, where an exception is lost."""
    while frame is not None:
        if frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


def _say(line: str) -> None:
    """One line on stderr, without Python's buffered streams (a handler may run inside a
    write to them)."""
    with contextlib.suppress(OSError):
        os.write(2, (line + "\n").encode())


_DEFAULTS: tuple[Any, ...] = (signal.SIG_DFL, signal.default_int_handler, None)
