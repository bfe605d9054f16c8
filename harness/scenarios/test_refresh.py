"""An operation that refreshes the container's status first (Start, Run, Pause, Resume, Set)
and cannot read its freezer: what each profile returns, and that nothing changed."""

from __future__ import annotations

import dataclasses
import errno
import os
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.containers import EXTRA
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import path_error
from harness.scenarios._support.containers import pids_limit_file
from harness.scenarios._support.containers import state_name
from harness.subjects.api import CgroupConfig
from harness.subjects.base import Container
from harness.subjects.base import Factory


@dataclasses.dataclass(frozen=True)
class _FailingRefresh:
    """A running container (paused, for a resume) whose next read of its freezer fails."""

    c: Container
    state: str
    freezer: str
    path: str
    fault: Any


def _failing_refresh(
    factory: Factory, host: Host, cid: str, operation: str, err: int = errno.EIO, op: str = "read"
) -> _FailingRefresh:
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    if operation == "resume":
        c.pause()
    state, freezer = state_name(c), host.freezer_state(f"/{cid}")
    path, _, _ = host.freezer_file(init_pid(c))
    return _FailingRefresh(c, state, freezer, path, inject(host, op, path, err))


def _verify_nothing_changed(
    rule: str, verify: Any, host: Host, refresh: _FailingRefresh, operation: str
) -> None:
    """The operation refreshed first, and its failure left the state and the freezer."""
    verify(rule, host.fired(refresh.fault), f"{operation} must refresh first: it never did")
    state = state_name(refresh.c)
    verify(rule, state == refresh.state, f"{operation} left the state {state}")
    now = host.freezer_state(f"/{refresh.c.id}")
    verify(rule, now == refresh.freezer, f"{operation} moved the freezer from {refresh.freezer}")


@pytest.mark.requirement("LC-OPS-REFRESH-ERROR")
@pytest.mark.parametrize("operation", ["start", "run", "pause", "resume"])
def test_operation_whose_refresh_fails_changes_nothing(
    factory: Factory, host: Host, verify: Any, operation: str
) -> None:
    rule = "LC-OPS-REFRESH-ERROR"
    refresh = _failing_refresh(factory, host, host.container_id(f"rf-{operation}"), operation)
    c = refresh.c
    before = host.live_children()
    calls = {"start": lambda: c.start(EXTRA), "run": lambda: c.run(EXTRA)}
    got = error_of(calls.get(operation, getattr(c, operation)))
    _verify_nothing_changed(rule, verify, host, refresh, operation)
    eio = os.strerror(errno.EIO).lower()
    verify(rule, "checking if container is paused" in got and eio in got.lower(),
           f"{operation} must return the refresh's error: {got!r}")  # fmt: skip
    started = host.live_children() - before
    verify(rule, started == set(), f"{operation} started {sorted(started)}")


@pytest.mark.requirement("LC-OPS-REFRESH-BARE-ERROR")
@pytest.mark.parametrize("op", ["open", "read"])  # the two steps of ReadFile, each its own error
@pytest.mark.parametrize("operation", ["pause", "resume", "set"])
def test_operation_whose_refresh_fails_returns_the_read_error(
    factory: Factory, host: Host, verify: Any, operation: str, op: str
) -> None:
    rule = "LC-OPS-REFRESH-BARE-ERROR"
    cid = host.container_id(f"rb-{operation}-{op}")
    # not EIO: the error must be the read's own, whatever its errno
    refresh = _failing_refresh(factory, host, cid, operation, errno.EACCES, op)
    c = refresh.c
    update = dataclasses.replace(c.config, cgroups=CgroupConfig(path=f"/{cid}", pids_limit=7))
    calls = {"set": lambda: c.set(update)}
    got = error_of(calls.get(operation, getattr(c, operation)))
    _verify_nothing_changed(rule, verify, host, refresh, operation)
    want = path_error(op, refresh.path, errno.EACCES)
    verify(rule, got == want, f"{operation} must return the read's own error {want!r}: {got!r}")
    limits = pids_limit_file(host, f"/{cid}")
    with open(limits, encoding="ascii") as f:
        pids = f.read().strip()
    verify(rule, pids != "7", f"{operation} wrote the new limit to {limits}")
