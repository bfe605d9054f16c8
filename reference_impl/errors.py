"""libcontainer's errors as the seed has them: error codes, generic errors, transition errors.

::

    LibcontainerError            a plain error (Go ``errors.New`` / ``fmt.Errorf``)
     +-- GenericError            carries an ErrorCode (``newGenericError``, ``newSystemError...``)
     +-- StateTransitionError    "invalid state transition from X to Y" (no code)
     +-- HookError               a hook failed or ran past its timeout
     +-- SentinelError           runc >= 1.1's ``ErrRunning``, ``ErrNotRunning``, ...: a fixed text
     +-- WrappedError            runc >= 1.2's ``fmt.Errorf("context: %w", err)``
    PathError (OSError)          a failed file operation, printed the way Go prints ``*PathError``

Go returns errors; this package raises them.  Texts are byte for byte the seed's; the later
profiles' sentinel and wrapped errors are here too, and :mod:`reference_impl.profiles` says which
a profile uses.
"""

from __future__ import annotations

import enum
import errno as errno_module
import os
import sys

__all__ = [
    "ErrorCode",
    "GenericError",
    "HookError",
    "LibcontainerError",
    "PathError",
    "SentinelError",
    "StateTransitionError",
    "WrappedError",
    "go_quote",
    "go_strerror",
    "is_sentinel",
    "new_generic_error",
    "new_system_error",
    "new_system_error_with_cause",
]


class ErrorCode(enum.IntEnum):
    """``ErrorCode`` in iota order (BASE ``libcontainer/error.go``)."""

    ID_IN_USE = 0
    INVALID_ID_FORMAT = 1
    CONTAINER_NOT_EXISTS = 2
    CONTAINER_PAUSED = 3
    CONTAINER_NOT_STOPPED = 4
    CONTAINER_NOT_RUNNING = 5
    CONTAINER_NOT_PAUSED = 6
    NO_PROCESS_OPS = 7
    CONFIG_INVALID = 8
    CONSOLE_EXISTS = 9
    SYSTEM_ERROR = 10

    def __str__(self) -> str:
        return _CODE_TEXT[self]


_CODE_TEXT = {
    ErrorCode.ID_IN_USE: "Id already in use",
    ErrorCode.INVALID_ID_FORMAT: "Invalid format",
    ErrorCode.CONTAINER_NOT_EXISTS: "Container does not exist",
    ErrorCode.CONTAINER_PAUSED: "Container paused",
    ErrorCode.CONTAINER_NOT_STOPPED: "Container is not stopped",
    ErrorCode.CONTAINER_NOT_RUNNING: "Container is not running",
    ErrorCode.CONTAINER_NOT_PAUSED: "Container is not paused",
    ErrorCode.NO_PROCESS_OPS: "No process operations",
    ErrorCode.CONFIG_INVALID: "Invalid configuration",
    ErrorCode.CONSOLE_EXISTS: "Console exists for process",
    ErrorCode.SYSTEM_ERROR: "System error",
}


def go_strerror(err: int | None) -> str:
    """The errno text as Go prints it: the C text with a lower-case first letter.  An
    ``OSError`` raised without an errno (``err.errno`` None) reads as errno 0."""
    text = os.strerror(err or 0)
    return text[:1].lower() + text[1:]


class LibcontainerError(Exception):
    """A plain error with a message and no code."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    @property
    def kind(self) -> str:
        """What a Go caller can tell this error by: the seed's ``Code()`` by its constant's
        name ("ContainerNotRunning"), or the sentinel ``errors.Is`` finds ("ErrNotRunning");
        "" for a plain error."""
        return ""


class GenericError(LibcontainerError):
    """``genericError``: a message, an ErrorCode and an optional cause.

    ``str()`` is the message alone, or ``"<file>:<line>: <cause> caused <quoted message>"`` when
    a cause is set, as the seed's ``genericError.Error`` prints it.
    """

    def __init__(
        self,
        message: str,
        code: ErrorCode,
        cause: str = "",
        where: str = "",
    ) -> None:
        super().__init__(message)
        self.code = code
        self.cause = cause
        self.where = where

    def __str__(self) -> str:
        if not self.cause:
            return self.message
        return f"{self.where}: {self.cause} caused {go_quote(self.message)}"

    @property
    def kind(self) -> str:
        """The code's Go constant: ``CONTAINER_NOT_RUNNING`` is "ContainerNotRunning"."""
        return "".join(word.capitalize() for word in self.code.name.split("_"))


class StateTransitionError(LibcontainerError):
    """``stateTransitionError``: names the *status* of both ends, not their state types."""

    def __init__(self, from_status: str, to_status: str) -> None:
        super().__init__(f"invalid state transition from {from_status} to {to_status}")
        self.from_status = from_status
        self.to_status = to_status


class HookError(LibcontainerError):
    """A hook exited non-zero, could not start, or ran past its timeout."""


class SentinelError(LibcontainerError):
    """A sentinel of runc >= 1.1 (``libcontainer/error.go``), made fresh for each raise.

    Go compares sentinels by identity; here ``name`` ("ErrRunning", ...) plays that part, so
    that a caller can ask :func:`is_sentinel` through any number of wrappers.
    """

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name

    @property
    def kind(self) -> str:
        return self.name


class WrappedError(LibcontainerError):
    """``fmt.Errorf("<context>: %w", err)``: the context in front, the cause kept as ``wrapped``."""

    def __init__(self, context: str, wrapped: BaseException) -> None:
        super().__init__(f"{context}: {wrapped}")
        self.context = context
        self.wrapped = wrapped

    @property
    def kind(self) -> str:
        """``errors.Is`` sees through the wrapper: the wrapped error's kind."""
        return self.wrapped.kind if isinstance(self.wrapped, LibcontainerError) else ""


def is_sentinel(err: BaseException | None, name: str) -> bool:
    """``errors.Is(err, <name>)``: ``err`` or anything it wraps is that sentinel."""
    while err is not None:
        if isinstance(err, SentinelError) and err.name == name:
            return True
        err = err.wrapped if isinstance(err, WrappedError) else None
    return False


class PathError(OSError):
    """An ``OSError`` whose ``str()`` is Go's ``*PathError``: ``"<op> <path>: <errno text>"``."""

    def __init__(self, op: str, path: str, err: int) -> None:
        super().__init__(err, os.strerror(err), path)
        self.op = op

    def __str__(self) -> str:
        return f"{self.op} {self.filename}: {go_strerror(self.errno or errno_module.EIO)}"


def go_quote(text: str) -> str:
    """Go's ``%q`` of a string of printable text: in double quotes, with ``\\``, ``"`` and a
    newline escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _caller(depth: int = 2) -> str:
    frame = sys._getframe(depth)
    return f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}"


def new_generic_error(err: BaseException | str, code: ErrorCode) -> LibcontainerError:
    """``newGenericError``: an error that already has a code is returned unchanged."""
    if isinstance(err, GenericError):
        return err
    return GenericError(str(err), code)


def new_system_error(err: BaseException | str) -> LibcontainerError:
    """``newSystemError``: code SystemError, the error's own text as message."""
    return new_generic_error(err, ErrorCode.SYSTEM_ERROR)


def new_system_error_with_cause(err: BaseException | str, cause: str) -> LibcontainerError:
    """``newSystemErrorWithCause``: as above, with a cause that prints in front.

    Unlike ``newGenericError`` it always wraps, also an error that has a code already
    (``createSystemError``, generic_error.go:48-66): nested causes print nested, each layer
    ``%q``-quoting the one inside.
    """
    return GenericError(str(err), ErrorCode.SYSTEM_ERROR, cause=cause, where=_caller())
