"""The end of the ``rtgate`` process: it exits when its command is done, whatever threads a
subject left running.

Python waits at exit for every thread that is not a daemon, so a ``python:`` subject that
started one (a watcher, a leaked worker) kept ``rtgate`` alive after its verdict was printed,
forever.  The console script and ``python -m rtgate`` end through :func:`exit_now` instead: it
names such threads in one line and ends the process without waiting for them.  Only the
process's own end does this; :func:`harness.cli.main` stays a plain function for callers in
process (the tests).

Calls into a ``python:`` subject that overran ``--call-timeout`` were left running on daemon
threads (:mod:`harness.subjects.bounded`): Python would not wait for those, but its own
finalization could still block on something such a thread holds, so the process ends the
same way when any is left, and says so.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import NoReturn

from harness.subjects.bounded import abandoned_calls

__all__ = ["exit_now", "left_running"]


def left_running() -> list[threading.Thread]:
    """Threads other than this one that Python would wait for at exit."""
    me = threading.current_thread()
    return [t for t in threading.enumerate() if t is not me and t.is_alive() and not t.daemon]


def exit_now(code: int) -> NoReturn:
    """Exit with ``code``; when threads or abandoned calls are left running, say so and do
    not wait for them."""
    threads, calls = left_running(), abandoned_calls()
    if not threads and not abandoned_calls(said_too=True):
        sys.exit(code)
    if threads:
        names = ", ".join(t.name for t in threads)
        print(
            f"rtgate: {len(threads)} thread(s) still running ({names}), started by the"
            " subject: exiting without waiting for them",
            file=sys.stderr,
        )
    if calls:
        print(
            f"rtgate: {len(calls)} call(s) into the subject still running past --call-timeout"
            f" ({'; '.join(calls)}): exiting without waiting for them",
            file=sys.stderr,
        )
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
