"""Broken: a refresh from the loaded state that cannot read the freezer takes the container
for stopped, so Load returns a container where libcontainer returns the refresh's error and
none (692f6e1 factory_linux.go:243-246; v1.2.0 :142-145)."""

from __future__ import annotations

from reference_impl.container import Container
from tests.broken._base import factory_with


def _refresh_state(self: Container) -> None:
    if self.state.name != "loaded":
        Container.refresh_state(self)
        return
    try:
        Container.refresh_state(self)
    except Exception:  # noqa: BLE001 - the defect: the error is swallowed
        self.state = self.state_for("stopped")


new_factory = factory_with("LoadSwallowsRefreshError", methods={"refresh_state": _refresh_state})
