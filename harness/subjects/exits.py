"""A subject may not end the process that runs the suite, nor choose rtgate's exit code.

``sys.exit`` in a subject raises :class:`SystemExit`: pytest makes it the failure of the test
that called it, and :mod:`harness.subjects.registry`, at import, a usage error.  ``os._exit``
ends the process at once, with no report and the code the subject chose: ``os._exit(0)`` in
a subject's ``create()`` made ``rtgate run`` exit 0 with its report still saying incomplete.
While :func:`exits_refused` holds, ``os._exit`` called in the process that entered it raises
:class:`ExitRefused` (a :class:`SystemExit`) instead, which pytest makes the failure of the
test that called it; in a forked child (another pid) it still ends the child at once, as a
child's ``os._exit`` after ``fork`` must.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import NoReturn

__all__ = ["ExitRefused", "exits_refused"]


class ExitRefused(SystemExit):
    """``os._exit`` was called in the process that runs the suite, and refused."""

    def __str__(self) -> str:
        return (
            f"os._exit({self.code}) called in the process that runs the suite: refused, a "
            "subject may not end rtgate"
        )


@contextlib.contextmanager
def exits_refused() -> Iterator[None]:
    """``os._exit`` of this process raises :class:`ExitRefused` until the block ends."""
    pid = os.getpid()
    real = os._exit

    def refuse(code: int) -> NoReturn:
        if os.getpid() != pid:
            real(code)
        raise ExitRefused(code)

    os._exit = refuse
    try:
        yield
    finally:
        os._exit = real
