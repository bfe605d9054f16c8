"""The reference keeps the factory API Protocols the suite is written against, so an
implementation written to those Protocols is driven the way the reference is."""

from __future__ import annotations

import pytest

from harness.subjects import base
from reference_impl.container import Container
from reference_impl.factory import Factory
from reference_impl.process import ParentProcess
from reference_impl.states import ContainerState
from tests._protocols import protocol_gaps


@pytest.mark.parametrize(
    ("protocol", "klass"),
    [
        (base.Factory, Factory),
        (base.Container, Container),
        (base.ContainerState, ContainerState),
        (base.InitProcess, ParentProcess),
    ],
    ids=["factory", "container", "state", "init"],
)
def test_reference_keeps_the_factory_api(protocol: type, klass: type) -> None:
    assert protocol_gaps(protocol, klass) == []
