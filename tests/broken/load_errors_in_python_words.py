"""Broken: Load reports a state.json it cannot open, read or decode in Python's words
("[Errno 13] Permission denied: ...", "Expecting value: ..."), as the reference once did,
where libcontainer returns Go's own error (the open's or read's *PathError, json's "EOF" or
"unexpected EOF")."""

from __future__ import annotations

import json
import os
from typing import Any

from reference_impl.container import STATE_FILE
from reference_impl.errors import new_system_error
from reference_impl.factory import Factory
from reference_impl.profiles import get_profile


class _PythonWordsFactory(Factory):
    def _load_state(self, container_root: str, container_id: str) -> dict[str, Any]:
        try:
            with open(os.path.join(container_root, STATE_FILE), encoding="utf-8") as f:
                return dict(json.load(f))
        except FileNotFoundError as err:
            raise self.profile.refuse("not-exists", id=container_id) from err
        except (OSError, ValueError) as err:
            raise new_system_error(err) from err  # the defect: Python's text


def new_factory(root: str, system: Any, profile: str = "seed") -> Factory:
    return _PythonWordsFactory(root, system, get_profile(profile))
