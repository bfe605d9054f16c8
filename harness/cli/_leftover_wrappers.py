"""pytest's own hook wrappers that an interrupt left suspended, finalized quietly.

A signal that stops a run raises ``KeyboardInterrupt`` wherever the main thread is.  When that
is inside one of pytest's hook wrappers (its output capture around a test, say), pytest ends
the session without resuming the wrapper; the suspended generator is finalized later, by the
garbage collector or at exit, and its ``finally`` then runs against a session already torn
down.  Python prints what that raises as "Exception ignored in ..." with a traceback: noise
after a clean interrupt, which reads as a crash of rtgate.  :func:`finalize_quietly` collects
them at once and drops what pytest's own code raises while being finalized; anything else still
reaches the hook that was there before.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

import _pytest

__all__ = ["finalize_quietly"]

_PYTEST_DIR = os.path.dirname(_pytest.__file__) + os.sep
#: marks the hook this module puts in
_QUIET = "rtgate_drops_pytest_finalization"


def _raised_in_pytest(unraisable: Any) -> bool:
    """Whether the innermost frame of the unraisable exception is pytest's own code."""
    tb = getattr(unraisable.exc_value, "__traceback__", None) or unraisable.exc_traceback
    last = None
    while tb is not None:
        last, tb = tb, tb.tb_next
    return last is not None and last.tb_frame.f_code.co_filename.startswith(_PYTEST_DIR)


def finalize_quietly() -> None:
    """From now on drop unraisable exceptions raised in pytest's code, then collect the
    suspended wrappers at once (the process is ending: the hook stays, put in once however
    many interrupted runs a process makes)."""
    previous = sys.unraisablehook
    if not getattr(previous, _QUIET, False):

        def hook(unraisable: Any) -> None:
            if not _raised_in_pytest(unraisable):
                previous(unraisable)

        setattr(hook, _QUIET, True)
        sys.unraisablehook = hook
    gc.collect()
