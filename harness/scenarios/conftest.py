"""Fixtures of the conformance suite: the subject, a fresh host per test, a factory on it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness.hosts import SimulatedHost
from harness.hosts import simulated_host
from harness.subjects import ApiSubject
from harness.subjects import parse_subject


@pytest.fixture(scope="session")
def subject(rtgate_options: Any) -> ApiSubject:
    return parse_subject(rtgate_options.subject)


@pytest.fixture
def host(rtgate_options: Any) -> Iterator[SimulatedHost]:
    if rtgate_options.host != "simulated":
        pytest.fail(f"host {rtgate_options.host!r} is not supported by this version of rtgate")
    with simulated_host(rtgate_options.preset) as h:
        yield h


@pytest.fixture
def rdt(host: SimulatedHost) -> SimulatedHost:
    """The host, when it offers L3 CAT through a mounted resctrl; else a skip saying why."""
    reason = host.rdt_unavailable()
    if reason is not None:
        pytest.skip(f"{reason} (preset {host.preset})")
    return host


@pytest.fixture(scope="session")
def profile(rtgate_options: Any) -> str:
    """The profile of this run: which of the spec's expectations apply."""
    return str(rtgate_options.profile)


@pytest.fixture
def factory(subject: ApiSubject, host: SimulatedHost, rtgate_options: Any) -> Any:
    return subject.new_factory(host.state_root, host.system, rtgate_options.profile)
