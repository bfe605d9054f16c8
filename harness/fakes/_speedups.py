"""A hot spot of pyfakefs, replaced by a faster function that does exactly the same.

``pyfakefs.helpers.make_string_path`` imports ``FakePath`` on every call; it runs a dozen times
per path lookup (``exists``, ``resolve``, ``absnormpath``), so the import is about a tenth of a
scenario run.  The replacement binds ``FakePath`` once and is otherwise the same two lines.  It
is installed only over the function it was written against (checked by the names its code
uses), so another pyfakefs keeps its own.
"""

from __future__ import annotations

import sys
from typing import Any

from pyfakefs import helpers
from pyfakefs.fake_pathlib import FakePath

__all__ = ["install"]

#: modules that bind ``make_string_path`` by name (``from pyfakefs.helpers import ...``)
_BINDERS = (
    "pyfakefs.helpers",
    "pyfakefs.fake_filesystem",
    "pyfakefs.fake_os",
    "pyfakefs.fake_path",
    "pyfakefs.fake_scandir",
)
#: what the replaced function's code refers to
_EXPECTED_NAMES = {"pyfakefs.fake_pathlib", "FakePath", "isinstance", "str", "os", "fspath"}


def make_string_path(dir_name: Any) -> Any:
    """``helpers.make_string_path``: ``str()`` of a pyfakefs path, ``os.fspath`` of the rest."""
    if isinstance(dir_name, FakePath):
        return str(dir_name)
    return helpers.os.fspath(dir_name)


def install() -> None:
    """Put :func:`make_string_path` in place of pyfakefs' own, once; idempotent."""
    original = helpers.make_string_path
    if original is make_string_path:
        return
    code = getattr(original, "__code__", None)
    if code is None or not _EXPECTED_NAMES <= set(code.co_names):
        return
    for name in _BINDERS:
        module = sys.modules.get(name)
        if module is not None and getattr(module, "make_string_path", None) is original:
            module.make_string_path = make_string_path  # type: ignore[attr-defined]
