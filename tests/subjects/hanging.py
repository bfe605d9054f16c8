"""``python:`` subjects that hang: the reference, but for one operation, which blocks on an
event until the test that ran it releases it (:func:`release_all`, at its teardown).

``python:tests.subjects.hanging:hangs_in_create`` blocks in ``Factory.create``,
``hangs_in_start`` in ``Container.start``, and so on for each name of :data:`OPERATIONS`;
``hangs_in_new_factory`` in the factory's making.  A hung import is
:mod:`tests.subjects.hangs_at_import`.  Run as a program's subject (the bad-input rows),
nobody releases them: rtgate must end without them.
"""

from __future__ import annotations

import threading
from typing import Any

from reference_impl import new_factory as reference_factory

__all__ = ["IMPORT_RELEASE", "OPERATIONS", "RELEASE", "release_all"]

#: what every hung operation waits for
RELEASE = threading.Event()
#: what the import of tests.subjects.hangs_at_import waits for
IMPORT_RELEASE = threading.Event()
#: the operations a subject here can hang in: the factory's, then its containers'
FACTORY_OPERATIONS = ("create", "load")
CONTAINER_OPERATIONS = ("start", "run", "signal", "pause", "resume", "destroy", "status")
OPERATIONS = FACTORY_OPERATIONS + CONTAINER_OPERATIONS


def release_all() -> None:
    """Let every hung operation and import go on (a test's teardown)."""
    RELEASE.set()
    IMPORT_RELEASE.set()


def reset() -> None:
    """Make the next operations hang again (a test's setup)."""
    RELEASE.clear()
    IMPORT_RELEASE.clear()


def _hang(what: str) -> None:
    """Block until released: ``what`` is the operation, for a debugger's stack."""
    RELEASE.wait()


class _Container:
    """The reference's container, but for the operation ``hung``."""

    def __init__(self, inner: Any, hung: str) -> None:
        object.__setattr__(self, "_inner", inner)
        object.__setattr__(self, "_hung", hung)

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._inner, name)
        if name != self._hung:
            return found

        def hung(*args: Any, **kwargs: Any) -> Any:
            _hang(name)
            return found(*args, **kwargs)

        return hung

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._inner, name, value)


class _Factory:
    """The reference's factory, but for the operation ``hung`` (its own or its containers')."""

    def __init__(self, inner: Any, hung: str) -> None:
        self._inner, self._hung = inner, hung

    def create(self, *args: Any, **kwargs: Any) -> Any:
        return self._made("create", self._inner.create, args, kwargs)

    def load(self, *args: Any, **kwargs: Any) -> Any:
        return self._made("load", self._inner.load, args, kwargs)

    def _made(self, name: str, make: Any, args: Any, kwargs: Any) -> Any:
        if name == self._hung:
            _hang(name)
        return _Container(make(*args, **kwargs), self._hung)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _hanging_in(operation: str) -> Any:
    def new_factory(root: str, system: Any, profile: str = "seed") -> _Factory:
        return _Factory(reference_factory(root, system, profile), operation)

    new_factory.__name__ = f"hangs_in_{operation}"
    return new_factory


def hangs_in_new_factory(root: str, system: Any, profile: str = "seed") -> _Factory:
    _hang("new_factory")
    return _Factory(reference_factory(root, system, profile), "")


hangs_in_create = _hanging_in("create")
hangs_in_load = _hanging_in("load")
hangs_in_start = _hanging_in("start")
hangs_in_run = _hanging_in("run")
hangs_in_signal = _hanging_in("signal")
hangs_in_pause = _hanging_in("pause")
hangs_in_resume = _hanging_in("resume")
hangs_in_destroy = _hanging_in("destroy")
hangs_in_status = _hanging_in("status")
