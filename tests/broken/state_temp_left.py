"""Broken (runc-1.2): a save of state.json whose rename fails leaves its temporary "state-*"
file behind, where runc 1.2's deferred cleanup removes it (v1.2.0 container_linux.go:883-907)."""

from __future__ import annotations

import json
import os

from reference_impl.container import STATE_FILE
from reference_impl.container import Container
from reference_impl.errors import LibcontainerError
from reference_impl.errors import go_strerror
from reference_impl.fileutil import write_file
from tests.broken._base import factory_with


def _save_state(self: Container) -> None:
    if self.profile.state_write == "in-place":
        Container._save_state(self)
        return
    path = os.path.join(self.root, STATE_FILE)
    tmp = os.path.join(self.root, f"state-{os.getpid()}")
    write_file(tmp, json.dumps(self.state_json(), separators=(",", ":")), mode=0o600)
    try:
        os.rename(tmp, path)
    except OSError as err:  # the defect: tmp is not removed
        raise LibcontainerError(f"rename {tmp} {path}: {go_strerror(err.errno)}") from err


new_factory = factory_with("StateTempLeft", methods={"_save_state": _save_state})
