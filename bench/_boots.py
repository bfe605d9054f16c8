"""Counting the simulated hosts a whole ``rtgate run`` boots, and the time their boots take
(issue 18: is booting a fresh host per test what a run spends its time on?).

:func:`install` is called in the process of a benchmarked run before rtgate starts: it wraps
the kernel boot of :func:`harness.hosts.simulated.simulated_host`, through which every host of
the suite is made, and writes the count and the seconds to a JSON file when the process ends.
A boot is timed from entering the host to leaving it, setup and teardown, without the test's
own time in between.  Only the process it is installed in is counted: not xdist's workers.
"""

from __future__ import annotations

import atexit
import dataclasses
import json
import time
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["Boots", "install", "read"]


@dataclasses.dataclass
class Boots:
    """The hosts a process booted and the seconds their setups and teardowns took."""

    count: int = 0
    seconds: float = 0.0


class _Timed:
    """A host's kernel context, its entering and its leaving added to ``boots``."""

    def __init__(self, inner: AbstractContextManager[Any], boots: Boots) -> None:
        self.inner = inner
        self.boots = boots

    def __enter__(self) -> Any:
        start = time.perf_counter()
        kernel = self.inner.__enter__()
        self.boots.count += 1
        self.boots.seconds += time.perf_counter() - start
        return kernel

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        start = time.perf_counter()
        try:
            return self.inner.__exit__(kind, exc, tb)
        finally:
            self.boots.seconds += time.perf_counter() - start


def install(into: str) -> None:
    """Count this process's simulated host boots; write them to ``into`` at exit."""
    from harness.hosts import simulated

    boots = Boots()
    original = simulated.booted_kernel

    def counted(*args: Any, **kwargs: Any) -> _Timed:
        return _Timed(original(*args, **kwargs), boots)

    simulated.booted_kernel = counted  # type: ignore[assignment]
    atexit.register(lambda: Path(into).write_text(json.dumps(dataclasses.asdict(boots))))


def read(path: str) -> Boots | None:
    """What :func:`install` wrote to ``path``, or None when nothing was written."""
    try:
        return Boots(**json.loads(Path(path).read_text()))
    except (OSError, ValueError, TypeError):
        return None
