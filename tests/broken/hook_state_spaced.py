"""Broken: the state a hook reads is JSON with a space after each ':' and ',', where runc's
Command.Run writes json.Marshal's compact text (692f6e1 configs/config.go:309-310; v1.2.0
:469-470)."""

from __future__ import annotations

import json

from reference_impl.container import Container
from tests.broken._base import factory_with


def _hook_state(self: Container, pid: int, status: str) -> bytes:
    state = json.loads(Container.hook_state(self, pid, status))
    return json.dumps(state).encode()  # the defect: Python's default separators


new_factory = factory_with("HookStateSpaced", methods={"hook_state": _hook_state})
