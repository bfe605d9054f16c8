"""Starting a subject's command in a resctrl group of the harness's making.

A process starts in its parent's resctrl group, and the harness runs in the default one, so
a rule that a runtime puts init in the default group (closID "/", runtime-spec v1.3.0
config-linux.md:746-748) cannot tell a runtime that does from one that leaves init where it
was born, unless the runtime itself runs elsewhere, as one started from a service in a group
of its own would.  On a real host the command writes its own pid to that group's ``tasks``
between fork and exec; only that process moves, never the harness.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import AbstractContextManager
from contextlib import contextmanager
from typing import Any

__all__ = ["in_resctrl_group"]


@contextmanager
def in_resctrl_group(
    tasks: str | None, launching: AbstractContextManager[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """``launching``'s Popen keyword arguments, with the child first joining the group whose
    ``tasks`` file is given (None: as they are)."""
    with launching as kwargs:
        if tasks is None:
            yield kwargs
            return
        yield {**kwargs, "preexec_fn": _joining(tasks, kwargs.get("preexec_fn"))}


def _joining(tasks: str, then: Callable[[], None] | None) -> Callable[[], None]:
    def join() -> None:
        """In the child, after fork: into the group, then whatever else was to run there."""
        with open(tasks, "w", encoding="ascii") as f:
            f.write(str(os.getpid()))
        if then is not None:
            then()

    return join
