"""A ``python:`` subject's factory, and everything it hands out, with every call bounded.

The scenarios drive a subject through its factory, its containers, their states and init
process.  :func:`bounded_factory` wraps the factory in a stand-in whose every method call runs
through :func:`~harness.subjects.bounded.bounded_call`, and whose results are stand-ins too
when they are objects of the subject (not plain values, frozen data classes or exceptions).
A stand-in passes everything else through: reading and setting attributes, ``repr``, ``==``,
``hash``; it is the same stand-in for the same object, so ``is`` holds as it did; and stand-ins
given back to the subject as arguments reach it as the objects they stand for.

Reading an attribute is not bounded: the API's attributes (``id``, ``state``, ``init_process``,
``config``) are data, and a property of a subject that hangs there hangs the run (which
``rtgate run --timeout`` still ends).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from typing import Any

from harness.subjects.bounded import bounded_call

__all__ = ["bounded_factory", "unwrapped"]

#: values that pass through as they are: data, not objects of the subject
_PLAIN = (
    type(None), bool, int, float, complex, str, bytes, bytearray, tuple, list, dict, set,
    frozenset, BaseException, type, enum.Enum,
)  # fmt: skip


class _Calls:
    """What one factory's stand-ins share: the subject's name and a stand-in per object."""

    __slots__ = ("stand_ins", "subject")

    def __init__(self, subject: str) -> None:
        self.subject = subject
        #: by ``id`` of the object; each stand-in keeps its object alive, so ids are not reused
        self.stand_ins: dict[int, _StandIn] = {}

    def wrap(self, value: Any) -> Any:
        """``value``, or the stand-in of an object of the subject."""
        if isinstance(value, (*_PLAIN, _StandIn)) or _frozen_data(value):
            return value
        found = self.stand_ins.get(id(value))
        if found is None:
            found = self.stand_ins[id(value)] = _StandIn(value, self)
        return found

    def method(self, owner: Any, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        """``method`` of ``owner``, called on a worker with a deadline."""
        what = f"{type(owner).__name__}.{name}()"

        def call(*args: Any, **kwargs: Any) -> Any:
            plain = [unwrapped(a) for a in args]
            named = {k: unwrapped(v) for k, v in kwargs.items()}
            return self.wrap(bounded_call(self.subject, what, lambda: method(*plain, **named)))

        call.__name__ = name
        return call


class _StandIn:
    """One object of the subject, its calls bounded."""

    __slots__ = ("_rtgate_calls", "_rtgate_target")

    def __init__(self, target: Any, calls: _Calls) -> None:
        object.__setattr__(self, "_rtgate_target", target)
        object.__setattr__(self, "_rtgate_calls", calls)

    def __getattr__(self, name: str) -> Any:
        target = self._rtgate_target
        value = getattr(target, name)
        if callable(value) and not isinstance(value, type):
            return self._rtgate_calls.method(target, name, value)
        return self._rtgate_calls.wrap(value)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._rtgate_target, name, unwrapped(value))

    def __repr__(self) -> str:
        return repr(self._rtgate_target)

    def __str__(self) -> str:
        return str(self._rtgate_target)

    def __eq__(self, other: object) -> bool:
        return bool(self._rtgate_target == unwrapped(other))

    def __hash__(self) -> int:
        return hash(self._rtgate_target)

    def __bool__(self) -> bool:
        return bool(self._rtgate_target)


def _frozen_data(value: Any) -> bool:
    """An instance of a frozen data class (a ``Config``, a ``Process``): a value."""
    params = getattr(type(value), "__dataclass_params__", None)
    return dataclasses.is_dataclass(value) and bool(getattr(params, "frozen", False))


def unwrapped(value: Any) -> Any:
    """The object a stand-in stands for; any other value as it is."""
    return value._rtgate_target if isinstance(value, _StandIn) else value


def bounded_factory(subject: str, make_factory: Callable[..., Any], *args: Any) -> Any:
    """``make_factory(*args)``, bounded, as a stand-in whose calls are bounded."""
    made = bounded_call(subject, "new_factory()", lambda: make_factory(*args))
    return _StandIn(made, _Calls(subject))
