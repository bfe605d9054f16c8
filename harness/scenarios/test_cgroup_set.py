"""Set on a live container, on the run's own host: what it writes to the container's cgroups
beyond the limits (test_cgroup_limits.py checks those on each kind of host)."""

from __future__ import annotations

import dataclasses
import errno
import logging
import os
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import pids_limit_file
from harness.scenarios._support.containers import with_pids_limit
from harness.spec import tables
from harness.subjects.base import Factory


@pytest.mark.requirement("CG-SET-FREEZER")
def test_set_writes_the_freezer_state_it_names(factory: Factory, host: Host, verify: Any) -> None:
    rule = "CG-SET-FREEZER"
    cid = host.container_id("sf")
    config = config_for(cid)
    c = factory.create(cid, config)
    c.run(INIT)
    pid = init_pid(c)
    for state, frozen in (("FROZEN", True), ("THAWED", False)):
        c.set(
            dataclasses.replace(config, cgroups=dataclasses.replace(config.cgroups, freezer=state))
        )
        shown = host.freezer_state(f"/{cid}")
        verify(rule, shown == state, f"Set with freezer {state} left the freezer {shown}")
        verify(rule, host.is_frozen(pid) == frozen, f"init {pid} frozen: {host.is_frozen(pid)}")


@pytest.mark.requirement("LC-SET-SAVES-STATE")
def test_set_saves_the_config_a_load_finds(factory: Factory, host: Host, verify: Any) -> None:
    # 692f6e1 container_linux.go:215-217 (v1.2.0 :196-199): c.config = &config, then state.json;
    # a loaded container's failed Set writes back the config it loaded (CG-SET-RESTORED)
    rule = "LC-SET-SAVES-STATE"
    cid = host.container_id("sv")
    config = with_pids_limit(config_for(cid), 10)
    c = factory.create(cid, config)
    c.run(INIT)
    c.set(with_pids_limit(config, 20))
    loaded = factory.load(cid)
    pids = pids_limit_file(host, f"/{cid}")
    fault = inject(host, "write", pids, errno.EIO)  # the write of 30 alone
    error_of(lambda: loaded.set(with_pids_limit(config, 30)))
    host.clear_faults()
    assert host.fired(fault), "the fault never fired"
    with open(pids, encoding="ascii") as f:
        value = f.read().strip()
    verify(rule, value == "20", f"the loaded container put back pids.max {value}, not 20")


@pytest.mark.requirement("CG-SET-RESTORE-WARNED")
def test_set_whose_writing_back_fails_warns_and_returns_the_first_error(
    factory: Factory,
    host: Host,
    profile: str,
    caplog: pytest.LogCaptureFixture,
    verify: Any,
) -> None:
    rule = "CG-SET-RESTORE-WARNED"
    cid = host.container_id("sb")
    config = with_pids_limit(config_for(cid), 10)
    c = factory.create(cid, config)
    c.run(INIT)
    pids = pids_limit_file(host, f"/{cid}")
    fault = inject(host, "write", pids, errno.EIO, every=True)
    with caplog.at_level(logging.WARNING):
        got = error_of(lambda: c.set(with_pids_limit(config, 20)))
    host.clear_faults()
    assert host.fired(fault), "the fault never fired"
    eio = os.strerror(errno.EIO).lower()
    name = os.path.basename(pids)
    first = tables.cgroup_write_error(profile, value=20, file=name, path=pids, errno=eio)
    back = tables.cgroup_write_error(profile, value=10, file=name, path=pids, errno=eio)
    if first is not None and back is not None:
        verify(rule, got == first, f"Set must return its own write's error {first!r}: {got!r}")
        want = tables.message("set_back_failed", profile, what="cgroup", err=back)
        warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        verify(
            rule, want in warned, f"the failed writing back must be warned as {want!r}: {warned}"
        )
        return
    # no exact text of this profile's writer: the frame of the warning and the errors' values
    frame = tables.message("set_back_failed", profile, what="cgroup", err="<err>")
    head, tail = frame.split("<err>")
    verify(
        rule,
        eio in got.lower() and "20" in got,
        f"Set must return the write of 20's error: {got!r}",
    )
    framed = [
        r.getMessage()[len(head) : len(r.getMessage()) - len(tail)]
        for r in caplog.records
        if r.getMessage().startswith(head) and r.getMessage().endswith(tail)
    ]
    verify(rule, len(framed) == 1, f"one warning must read {head!r}<error>{tail!r}: {framed}")
    verify(
        rule,
        all(eio in e.lower() and "10" in e for e in framed),
        f"the warning must carry the write of 10's error: {framed}",
    )
