"""Hot spots of pyfakefs, replaced by faster functions that do exactly the same.

* ``helpers.make_string_path`` imports ``FakePath`` on every call; it runs a dozen times per path
  lookup (``exists``, ``resolve``, ``absnormpath``), so the import is about a tenth of a scenario
  run.  The replacement binds ``FakePath`` once and is otherwise the same two lines.
* ``helpers.is_called_from_skipped_module`` runs on every builtin ``open`` (the fake ``io``
  module's skip names are pyfakefs' own modules) and took the last six frames with
  ``traceback.extract_stack``, which reads each frame's source line through ``linecache``: a
  sixth of a control-file write and read.  The replacement walks the same six frames with
  ``sys._getframe`` and reads a source line only where the original compares one (Python 3.12's
  ``open_code`` check, for a frame of a function named ``open_code``).

Each is installed only over the function it was written against (checked by the names its code
uses), so another pyfakefs keeps its own.
"""

from __future__ import annotations

import linecache
import posixpath
import sys
from collections.abc import Callable
from types import CodeType
from types import FrameType
from typing import Any

from pyfakefs import helpers
from pyfakefs.fake_pathlib import FakePath

__all__ = ["REPLACED", "install"]

#: pyfakefs modules, some of which bind a helper by name (``from pyfakefs.helpers import ...``)
_BINDERS = (
    "pyfakefs.helpers",
    "pyfakefs.fake_filesystem",
    "pyfakefs.fake_io",
    "pyfakefs.fake_open",
    "pyfakefs.fake_os",
    "pyfakefs.fake_path",
    "pyfakefs.fake_pathlib",
    "pyfakefs.fake_scandir",
)
#: how many frames pyfakefs' skip check looks at (``extract_stack(limit=6)``), its own included
_STACK_LIMIT = 6
#: the line of ``FakeIoModule.open_code`` that calls the real ``open_code``
_REAL_OPEN_CODE = "return self._io_module.open_code(path)"


def make_string_path(dir_name: Any) -> Any:
    """``helpers.make_string_path``: ``str()`` of a pyfakefs path, ``os.fspath`` of the rest."""
    if isinstance(dir_name, FakePath):
        return str(dir_name)
    return helpers.os.fspath(dir_name)


def is_called_from_skipped_module(
    skip_names: list[str] | set[str], case_sensitive: bool, check_open_code: bool = False
) -> bool:
    """``helpers.is_called_from_skipped_module``: whether the first caller outside the standard
    library and pyfakefs, among the five nearest, is a module of ``skip_names``; or (3.12+) the
    call is the real ``open_code``'s own ``open``."""
    if not skip_names and not check_open_code:
        return False
    caller = sys._getframe(1)
    if check_open_code and _from_real_open_code(caller):
        return True
    if not skip_names:
        return False
    filename = _caller_filename(caller, case_sensitive)
    if not filename:
        return False
    # posixpath: the real one under pyfakefs in the kernel's modules (harness/fakes/fixtures.py)
    module = posixpath.splitext(filename)[0].replace(posixpath.sep, ".")
    return any(module == name or module.endswith("." + name) for name in skip_names)


def _from_real_open_code(caller: FrameType) -> bool:
    """Whether the frame three above the check (``stack[-4]``) is ``open_code`` at its call of
    the real one."""
    frame: FrameType | None = caller
    for _ in range(2):
        frame = frame.f_back if frame is not None else None
    if frame is None or frame.f_code.co_name != "open_code":
        return False
    line = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
    return line == _REAL_OPEN_CODE


def _caller_filename(frame: FrameType | None, case_sensitive: bool) -> str | None:
    """The file of the nearest of the frames below the check's own that is neither frozen, nor
    of the standard library, nor of pyfakefs (but for its tests)."""
    stdlib, pyfakefs, tests = (
        helpers.STDLIB_PATH,
        helpers.PYFAKEFS_PATH,
        helpers.PYFAKEFS_TEST_PATHS,
    )
    if not case_sensitive:
        stdlib, pyfakefs, tests = stdlib.lower(), pyfakefs.lower(), [t.lower() for t in tests]
    for _ in range(_STACK_LIMIT - 1):
        if frame is None:
            return None
        filename = frame.f_code.co_filename
        folded = filename if case_sensitive else filename.lower()
        if (
            not filename.startswith("<frozen ")
            and not folded.startswith(stdlib)
            and (not folded.startswith(pyfakefs) or any(folded.startswith(t) for t in tests))
        ):
            return filename
        frame = frame.f_back
    return None


def _names(code: CodeType) -> set[str]:
    """The names a function's code and its nested code use."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= _names(const)
    return names


#: each replacement, by the helper's name, with the names the replaced code uses
_REPLACEMENTS: dict[str, tuple[Callable[..., Any], set[str]]] = {
    "make_string_path": (
        make_string_path,
        {"pyfakefs.fake_pathlib", "FakePath", "isinstance", "str", "os", "fspath"},
    ),
    "is_called_from_skipped_module": (
        is_called_from_skipped_module,
        {"traceback", "extract_stack", "name", "line", "filename", "STDLIB_PATH", "PYFAKEFS_PATH"}
        | {"PYFAKEFS_TEST_PATHS", "splitext", "replace", "sep", "endswith", "startswith", "lower"},
    ),
}


#: pyfakefs' own functions that were replaced, by name
REPLACED: dict[str, Callable[..., Any]] = {}


def install() -> None:
    """Put each replacement in place of pyfakefs' own, once; idempotent."""
    for name, (replacement, expected) in _REPLACEMENTS.items():
        original = getattr(helpers, name)
        if original is replacement:
            continue
        code = getattr(original, "__code__", None)
        if code is None or not expected <= _names(code):
            continue
        REPLACED[name] = original
        for binder in _BINDERS:
            module = sys.modules.get(binder)
            if module is not None and getattr(module, name, None) is original:
                setattr(module, name, replacement)
