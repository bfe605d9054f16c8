"""Broken: state.json leaves out external_descriptors, which the seed records for every started
init (getPipeFds, 692f6e1 process_linux.go:285-289; container_linux.go:1541, 1559)."""

from __future__ import annotations

from typing import Any

from reference_impl.container import Container
from tests.broken._base import factory_with


def state_json_without_descriptors(c: Any) -> dict[str, Any]:
    state = Container.state_json(c)
    state.pop("external_descriptors", None)  # the defect
    return state


new_factory = factory_with(
    "StateWithoutDescriptors", methods={"state_json": state_json_without_descriptors}
)
