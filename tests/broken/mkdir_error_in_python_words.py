"""Broken: the factory reports a failed mkdir in Python's words ("[Errno 5] Input/output error:
'<dir>'"), as the reference once did, where libcontainer returns Go's *PathError "mkdir <dir>:
input/output error" (692f6e1 factory_linux.go:189-191; v1.2.0 :90-92)."""

from __future__ import annotations

from typing import Any

from reference_impl.errors import new_system_error
from reference_impl.factory import Factory
from reference_impl.fileutil import mkdir_all
from reference_impl.profiles import get_profile


class _PythonWordsFactory(Factory):
    def _make_dirs(self, path: str, mode: int) -> None:
        try:
            mkdir_all(path, mode)
        except OSError as err:
            raise new_system_error(err) from err  # the defect: Python's text


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return _PythonWordsFactory(root, system, get_profile(profile))
