"""Putting a booted simulated host back as it was at boot, in place, instead of booting anew.

A boot builds a few thousand objects (the fake tree, the kernel's models, their control files'
closures) through pyfakefs' slow path resolution: far more than a Hypothesis example spends on
most of its steps.  :func:`boot_image` records, for every mutable object reachable from the
booted host, its contents at boot (a shallow copy: the same member objects); :meth:`BootImage.
restore` writes each back.  Every object that existed at boot then holds what it held at boot,
so whatever an example made afterwards (groups, processes, files, timers, log entries) is no
longer reachable from the host: the host is the booted one again, object for object.

That holds only for state the walk can see and put back.  So the walk is strict: a type it does
not know how to restore (a generator, a C object with hidden state) is a :class:`TypeError` at
the snapshot, never a reset that silently keeps some of the last example.  What the walk leaves
alone on purpose: immutable leaves, the process's standard streams (pyfakefs wraps the real
ones), weak references (the patcher's), and enum members.  State held outside the host (a
module-level cache keyed by path) is not the host's and is not reset: a cache of that kind
must be keyed by objects of the host.  tests/fakes/test_reset.py dirties every kind of object
and compares the whole graph with a fresh boot's (:func:`describe`).
"""

from __future__ import annotations

import collections
import copy
import dataclasses
import enum
import io
import itertools
import types
import weakref
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

from pyfakefs.fake_file import StandardStreamWrapper

__all__ = ["BootImage", "boot_image", "describe"]

#: values that cannot change and hold nothing that can
_LEAVES = (
    str, bytes, int, float, complex, bool, type(None), range, type, types.ModuleType,
    types.CodeType, types.BuiltinFunctionType, enum.Enum, weakref.ref, io.IOBase,
    StandardStreamWrapper, type(Ellipsis), type(NotImplemented),
)  # fmt: skip
#: containers that cannot change but whose members may
_FROZEN = (tuple, frozenset)
#: objects whose state is a count no Python attribute holds: a reset puts a copy of the one
#: taken at boot in their place
_COPIED = (itertools.count,)
#: how each mutable sequence's members are put back (dicts, the most, have a loop of their own)
_SEQUENCES: dict[type, Callable[[Any, list[Any]], None]] = {
    list: lambda lst, saved: list.__setitem__(lst, slice(None), saved),
    set: lambda s, saved: (set.clear(s), set.update(s, saved)),
    bytearray: lambda b, saved: bytearray.__setitem__(b, slice(None), saved),
    collections.deque: lambda q, saved: (q.clear(), q.extend(saved)),
}
_CONTAINERS = (dict, *_SEQUENCES)
#: the packages whose classes keep all their state in attributes (``__dict__`` and slots): an
#: object of another's class (a ``random.Random``, whose state is C data) is refused
_PYTHON_STATE = frozenset({"harness", "pyfakefs", "reference_impl", "typing", "abc"})
_EMPTY = object()  # an unset slot or an empty cell


def _container_kind(obj: object) -> type | None:
    """Which of :data:`_CONTAINERS` ``obj`` is (a subclass counts as its base), or None."""
    for kind in _CONTAINERS:
        if isinstance(obj, kind):
            return kind
    return None


def _slot_names(cls: type) -> Iterator[str]:
    """The ``__slots__`` names of ``cls`` and its bases (``__dict__`` and ``__weakref__``
    aside: the dict is walked as an object of its own)."""
    for base in cls.__mro__:
        slots = base.__dict__.get("__slots__", ())
        for name in (slots,) if isinstance(slots, str) else slots:
            if name not in ("__dict__", "__weakref__"):
                yield name


def _plain_class(cls: type) -> bool:
    """Whether all the state of a ``cls`` object is in its ``__dict__`` and slots: each class
    of its MRO is of :data:`_PYTHON_STATE` (or ``object``, or a container the walk knows)."""
    known = (object, *_CONTAINERS)
    return all(
        base in known or base.__module__.partition(".")[0] in _PYTHON_STATE for base in cls.__mro__
    )


def _members(obj: object, kind: type | None) -> tuple[Any, ...]:
    """The objects ``obj`` refers to, in a fixed order."""
    if kind is dict:
        return (*obj.keys(), *obj.values())  # type: ignore[attr-defined]
    if kind is not None or isinstance(obj, _FROZEN):
        return tuple(obj)  # type: ignore[call-overload]
    if isinstance(obj, types.CellType):
        return () if (value := _cell(obj)) is _EMPTY else (value,)
    if isinstance(obj, types.FunctionType):
        parts = (obj.__closure__, obj.__defaults__, obj.__kwdefaults__, obj.__dict__)
        return tuple(part for part in parts if part is not None)
    if isinstance(obj, types.MethodType):
        return (obj.__self__, obj.__func__)
    state = tuple(getattr(obj, name, None) for name in _slot_names(type(obj)))
    return (*state, obj.__dict__) if hasattr(obj, "__dict__") else state


def _cell(cell: types.CellType) -> Any:
    try:
        return cell.cell_contents
    except ValueError:
        return _EMPTY


def _walk(root: object) -> Iterator[object]:
    """Every object reachable from ``root`` that can hold state, each once, in a fixed order
    (depth first).

    Raises:
        TypeError: for an object whose state the reset could not put back.
    """
    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if isinstance(obj, _LEAVES) or id(obj) in seen:
            continue
        seen.add(id(obj))
        yield obj
        if isinstance(obj, _COPIED):
            continue
        kind = _container_kind(obj)
        if kind is None and not _known(obj):
            raise TypeError(f"a reset cannot put back a {type(obj).__qualname__}: {obj!r:.80}")
        stack.extend(reversed(_members(obj, kind)))


def _known(obj: object) -> bool:
    """Whether the walk knows where all of ``obj``'s state is."""
    simple = (*_FROZEN, types.CellType, types.FunctionType, types.MethodType)
    return isinstance(obj, simple) or _plain_class(type(obj))


@dataclasses.dataclass(slots=True)
class BootImage:
    """What every mutable object of a booted host held at boot; :meth:`restore` puts it back."""

    #: (dict, its items at boot), dict subclasses and objects' ``__dict__`` among them
    dicts: list[tuple[dict[Any, Any], dict[Any, Any]]] = dataclasses.field(default_factory=list)
    #: (list, set, deque or bytearray, its restorer, its members at boot)
    sequences: list[tuple[Any, Callable[[Any, Any], None], list[Any]]] = dataclasses.field(
        default_factory=list
    )
    #: (cell, its contents at boot)
    cells: list[tuple[types.CellType, Any]] = dataclasses.field(default_factory=list)
    #: (object, slot name, its value at boot)
    slots: list[tuple[object, str, Any]] = dataclasses.field(default_factory=list)
    #: a copy of each object of :data:`_COPIED` as it was at boot, by the id of the object
    copied: dict[int, Any] = dataclasses.field(default_factory=dict)
    #: where each was held at boot: (put, the place) for ``put(place, fresh copy)``
    holders: list[tuple[int, Callable[[Any], None]]] = dataclasses.field(default_factory=list)

    def restore(self) -> None:
        """Put every object back as it was at boot (a fresh copy of each counter)."""
        for held, saved in self.dicts:
            held.clear()
            held.update(saved)  # its own: an OrderedDict keeps its order beside the items
        for sequence, restorer, members in self.sequences:
            restorer(sequence, members)
        for cell, value in self.cells:
            if value is _EMPTY:
                del cell.cell_contents
            else:
                cell.cell_contents = value
        for obj, name, value in self.slots:
            if value is not _EMPTY:
                object.__setattr__(obj, name, value)
            elif hasattr(obj, name):
                object.__delattr__(obj, name)
        fresh = {key: copy.copy(kept) for key, kept in self.copied.items()}
        for key, put in self.holders:
            put(fresh[key])

    def note_holders(self) -> None:
        """Find where each counter is held, so that :meth:`restore` can put a fresh one there
        without looking through every container."""
        for held, saved in self.dicts:
            for key, value in saved.items():
                if id(value) in self.copied:
                    self.holders.append((id(value), _setter(held.__setitem__, key)))
        for sequence, _, members in self.sequences:
            for index, value in enumerate(members):
                if id(value) in self.copied and isinstance(sequence, list):
                    self.holders.append((id(value), _setter(sequence.__setitem__, index)))
                elif id(value) in self.copied:
                    raise TypeError(f"a counter held in a {type(sequence).__qualname__}")
        for cell, value in self.cells:
            if id(value) in self.copied:
                self.holders.append((id(value), _setter(_set_cell, cell)))
        for obj, name, value in self.slots:
            if id(value) in self.copied:
                self.holders.append((id(value), _setter(_set_slot(obj), name)))


def _setter(put: Callable[[Any, Any], None], place: Any) -> Callable[[Any], None]:
    return lambda value: put(place, value)


def _set_cell(cell: types.CellType, value: Any) -> None:
    cell.cell_contents = value


def _set_slot(obj: object) -> Callable[[str, Any], None]:
    return lambda name, value: object.__setattr__(obj, name, value)


def boot_image(root: object) -> BootImage:
    """Record what every object reachable from ``root`` holds now (call it right after boot).

    Raises:
        TypeError: when something reachable holds state a reset could not put back.
    """
    image = BootImage()
    for obj in _walk(root):
        kind = _container_kind(obj)
        if isinstance(obj, _COPIED):
            image.copied[id(obj)] = copy.copy(obj)
        elif kind is dict:
            image.dicts.append((obj, dict(obj)))  # type: ignore[arg-type]
        elif kind is not None:
            image.sequences.append((obj, _SEQUENCES[kind], list(obj)))  # type: ignore[call-overload]
        elif isinstance(obj, types.CellType):
            image.cells.append((obj, _cell(obj)))
        if not isinstance(obj, (*_FROZEN, types.CellType, *_COPIED)):
            slots = [(obj, n, getattr(obj, n, _EMPTY)) for n in _slot_names(type(obj))]
            image.slots.extend(slots)
    image.note_holders()
    return image


def describe(root: object) -> list[tuple[Any, ...]]:
    """The whole graph reachable from ``root`` as plain data, each object named by the order
    the walk met it: two hosts describe alike exactly when their graphs are alike, object for
    object (for the reset's test; file times aside, which pyfakefs takes from the real clock).
    """
    order = {id(obj): index for index, obj in enumerate(_walk(root))}

    def value(member: Any) -> Any:
        if isinstance(member, _LEAVES):
            return _leaf(member)
        return ("object", order[id(member)])

    records: list[tuple[Any, ...]] = []
    for obj in _walk(root):
        kind = _container_kind(obj)
        name = type(obj).__qualname__
        if isinstance(obj, _COPIED):
            records.append((name, repr(obj)))
        elif isinstance(obj, types.FunctionType):
            records.append((name, obj.__qualname__, *map(value, _members(obj, None))))
        elif isinstance(obj, (set, frozenset)):
            records.append((name, *sorted(map(repr, map(value, obj)))))  # type: ignore[call-overload]
        else:
            records.append((name, *map(value, _members(obj, kind))))
    return records


def _leaf(member: Any) -> Any:
    """A leaf as plain data: a weak reference by what it refers to the type of, a stream by its
    type (the real streams are the same ones in every host)."""
    if isinstance(member, weakref.ref):
        return ("weakref", type(member()).__qualname__)
    if isinstance(member, (io.IOBase, StandardStreamWrapper)):
        return ("stream", type(member).__qualname__)
    return member
