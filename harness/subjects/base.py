"""What a subject is to the scenarios, and what its kind says of it.

An API-scope subject is a Python implementation of the reference's factory API: a callable
``new_factory(root, system, profile)`` returning an object with ``create(id, config)`` and
``load(id)``, whose containers offer ``status``, ``start``, ``run``, ``exec``, ``pause``,
``resume``, ``signal``, ``destroy``, ``refresh_state``, ``run_type``, ``state``, ``state_for(name)``
and ``init_process``.  The data types of that API (``Config``, ``Process``, ...) are the
reference's, re-exported by :mod:`harness.subjects.api`.

Every subject carries its :class:`SubjectKind`: the data that tells the rest of rtgate how to
treat it, so that nothing else looks at the ``--subject`` text again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any
from typing import Protocol

from harness.subjects.api import Config
from harness.subjects.api import Process
from harness.subjects.bounded_factory import bounded_factory
from harness.subjects.oci.config import DEFAULT_OCI_VERSION

__all__ = [
    "ApiSubject",
    "Container",
    "ContainerState",
    "Factory",
    "InitProcess",
    "MakeFactory",
    "OciSubject",
    "Subject",
    "SubjectKind",
]


class Subject(Protocol):
    """What every subject offers, whatever its kind."""

    @property
    def name(self) -> str:
        """What the user wrote after ``--subject``."""

    @property
    def kind(self) -> SubjectKind:
        """Its kind, from the registry (:mod:`harness.subjects.registry`)."""


@dataclasses.dataclass(frozen=True, slots=True)
class SubjectKind:
    """One kind of subject, as data: the part of ``--subject`` before the first colon.

    The built-in kinds are ``reference``, ``python`` and ``oci``; a third party adds one with an
    entry point of the group ``rtgate.subjects`` whose name is the kind's ``name`` and whose
    object is a :class:`SubjectKind`.
    """

    #: the prefix of ``--subject``: ``python`` in ``python:MODULE:ATTR``
    name: str
    #: how ``--subject`` spells one, for messages: ``python:MODULE:ATTR``
    usage: str
    #: the requirement scopes its subjects can be checked on (``api``, ``cli``)
    scopes: tuple[str, ...]
    #: the catalog profile a run checks when none is named
    default_profile: str
    #: its subjects act on the machine itself: runs need ``--host real``, and the runtime is
    #: probed (and the host prepared for it) once per run
    needs_real_host: bool
    #: its subjects run bundles whose config.json declares ``--oci-version``
    reads_config_json: bool
    #: ``parse(text, rest, oci_version)``: the subject of ``--subject text`` (``rest`` is what
    #: follows ``name:``), without reading its version; raises UsageError naming the mistake
    parse: Callable[[str, str, str | None], Subject]
    #: the subject's version, for the report and expectations: read once per run, it may run
    #: the subject
    read_version: Callable[[Any], str]
    #: ``command_line(subject, host, profile)``: the command line the CLI scenarios drive
    command_line: Callable[[Any, Any, str], Any]
    #: its subjects are binaries that take global flags before the command
    #: (``--runtime-arg``); such a subject has a ``runtime_args`` field
    takes_runtime_args: bool = False

    def subject(self, text: str, oci_version: str | None = None) -> Subject:
        """The subject of ``--subject text``, which is of this kind (see :attr:`parse`)."""
        return self.parse(text, text.partition(":")[2], oci_version)


@dataclasses.dataclass(frozen=True, slots=True)
class ApiSubject:
    """A runtime driven in process through the factory API."""

    #: what the user wrote: "reference" or "python:MODULE:ATTR"
    name: str
    #: the callable that makes a factory
    make_factory: MakeFactory
    #: the module it was imported from (its ``__version__`` is the subject's version)
    module: str
    kind: SubjectKind = dataclasses.field(repr=False, compare=False, kw_only=True)

    def new_factory(self, root: str, system: Any, profile: str) -> Factory:
        """A factory whose containers keep their state dirs under ``root``; every call into
        it, and into what it hands out, has a time limit (:mod:`harness.subjects.bounded`)."""
        made: Factory = bounded_factory(self.name, self.make_factory, root, system, profile)
        return made


@dataclasses.dataclass(frozen=True, slots=True)
class OciSubject:
    """An OCI runtime binary, driven through its command line on a real host."""

    #: what the user wrote: "oci:runc", "oci:/usr/local/bin/crun"
    name: str
    #: the binary's absolute path
    binary: str
    #: the ociVersion its bundles' config.json declare
    oci_version: str = DEFAULT_OCI_VERSION
    #: global flags given before every command (``--runtime-arg``), as in ``runc --debug``
    runtime_args: tuple[str, ...] = ()
    kind: SubjectKind = dataclasses.field(repr=False, compare=False, kw_only=True)


# -- the factory API, as the scenarios use it ---------------------------------------------------
# The reference's classes satisfy these; an implementation under test offers the same members.
# Statuses are ints (the reference's ``Status`` is an IntEnum whose ``str`` is the name).
# A refused operation raises an exception whose ``str`` is the runtime's error text and whose
# ``kind`` names what a Go caller tests it by: the seed's ErrorCode constant ("IdInUse") or a
# runc >= 1.1 sentinel ("ErrExist"); LC-ERROR-KINDS checks it.


class InitProcess(Protocol):
    """A container's init, as its factory recorded it."""

    pid: int


class ContainerState(Protocol):
    """One of the six states; ``transition`` refuses what the state machine forbids."""

    name: str

    def status(self) -> int: ...
    def transition(self, s: ContainerState) -> None: ...
    def destroy(self) -> None: ...


class Container(Protocol):
    """One container of the factory API."""

    id: str
    state: ContainerState
    init_process: InitProcess | None

    def state_for(self, name: str) -> ContainerState: ...
    def status(self) -> int: ...
    def run_type(self) -> int: ...
    def refresh_state(self) -> None: ...
    def start(self, process: Process) -> None: ...
    def run(self, process: Process) -> None: ...
    def exec(self) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def signal(self, sig: int, all_processes: bool = False) -> None: ...
    def destroy(self) -> None: ...
    def set(self, config: Config) -> None: ...
    def processes(self) -> list[int]: ...


class Factory(Protocol):
    """Makes and finds containers under one state root."""

    def create(self, container_id: str, config: Config) -> Container: ...
    def load(self, container_id: str) -> Container: ...


class MakeFactory(Protocol):
    """What ``python:MODULE:ATTR`` names: ``new_factory(root, system, profile)``."""

    def __call__(self, root: str, system: Any, profile: str) -> Factory: ...
