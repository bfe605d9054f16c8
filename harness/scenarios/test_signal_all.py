"""Signal with ``all``: every process of the container's cgroup signalled inside a freeze and a
thaw, what a failed freeze or thaw leaves (warnings, never the call's error), and which
processes are waited for afterwards (the seed's signalAllProcesses, init_linux.go:458-515)."""

from __future__ import annotations

import errno
import logging
import os
import signal
from typing import Any

import pytest

from harness.hosts import Host
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import error_of
from harness.scenarios._support.containers import freezer_fails
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import inject
from harness.scenarios._support.containers import kill_all_path
from harness.scenarios._support.containers import start_extra
from harness.scenarios._support.containers import state_name
from harness.scenarios._support.containers import written_values
from harness.scenarios._support.machines import cgroups_are
from harness.scenarios._support.skips import skip_for_host
from harness.spec import tables
from harness.subjects.base import Container
from harness.subjects.base import Factory


@pytest.mark.requirement("LC-SIGNAL-ALL")
def test_signal_all_kills_every_process_of_the_cgroup(
    factory: Factory, host: Host, verify: Any
) -> None:
    rule = "LC-SIGNAL-ALL"
    cid = host.container_id("sa")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    pid = init_pid(c)
    extra = start_extra(c, host)
    path, frozen, thawed = host.freezer_file(pid)
    start = len(host.operations())
    c.signal(signal.SIGKILL, all_processes=True)
    verify(rule, host.dies(pid), f"init {pid} must die of Signal with all")
    verify(rule, host.dies(extra), f"the process {extra} started after init must die too")
    freezer = host.freezer_state(f"/{cid}")
    verify(rule, freezer == "THAWED", f"the cgroup must be thawed afterwards: {freezer}")
    values = written_values(host, path, start)
    if values is not None:
        verify(
            rule,
            values[0] == frozen and values[-1] == thawed,
            f"the signals must go inside a freeze and a thaw: {path} was written {values}",
        )


def _freezer_errors(host: Host, c: Container) -> tuple[str, str]:
    """What Pause and Resume of running ``c`` return when their freezer write fails with EIO
    (both return the Freeze error unchanged: 692f6e1 container_linux.go:541-543, 561-563);
    ``c`` is left running."""
    errors = []
    for refused, done in ((c.pause, None), (c.resume, c.pause)):
        if done is not None:
            done()
        fault = freezer_fails(host, c)
        errors.append(error_of(refused))
        assert host.fired(fault) and errors[-1] != "no error", "the fault never fired"
    c.resume()
    assert state_name(c) == "running", f"the container is {state_name(c)} after its resume"
    return errors[0], errors[1]


@pytest.mark.requirement("LC-SIGNAL-ALL-NO-WAIT")
def test_signal_all_does_not_wait_for_what_it_did_not_end(
    factory: Factory, host: Host, verify: Any
) -> None:
    rule = "LC-SIGNAL-ALL-NO-WAIT"
    if not host.virtual_clock:
        skip_for_host(
            "a simulated clock",
            "a real kernel cannot be made to show how long a runtime waited: its clock also "
            f"counts the work ({host.describe()})",
        )
    cid = host.container_id("sn")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    extra = start_extra(c, host)
    before = host.system.monotonic()
    c.signal(signal.SIGCONT, all_processes=True)  # ends nothing
    waited = host.system.monotonic() - before
    verify(rule, waited < 0.0005, f"Signal with all waited {waited:.3f} s for live processes")
    for pid in (init_pid(c), extra):
        verify(rule, host.is_alive(pid), f"{pid} must live on after SIGCONT")


@pytest.mark.requirement("LC-SIGNAL-ALL-FREEZE-WARNED")
def test_signal_all_warns_of_a_failed_freeze_and_thaw(
    factory: Factory, host: Host, caplog: pytest.LogCaptureFixture, verify: Any
) -> None:
    rule = "LC-SIGNAL-ALL-FREEZE-WARNED"
    cid = host.container_id("sw")
    c = factory.create(cid, config_for(cid, pid_namespace=False))
    c.run(INIT)
    extra = start_extra(c, host)
    # The texts the freeze and the thaw fail with: Pause and Resume return them unchanged.
    freeze_error, thaw_error = _freezer_errors(host, c)
    freezer, _, _ = host.freezer_file(init_pid(c))
    fault = inject(host, "write", freezer, errno.EIO, every=True)
    with caplog.at_level(logging.WARNING):
        got = error_of(lambda: c.signal(signal.SIGTERM, all_processes=True))
    host.clear_faults()
    assert host.fired(fault), "the fault never fired"
    verify(rule, got == "no error", f"Signal with all must not return the failures: {got!r}")
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    for step, error in (("freeze", freeze_error), ("thaw", thaw_error)):
        verify(rule, error in warned, f"the failed {step} must be warned as {error!r}: {warned}")
    verify(rule, host.dies(extra), f"the process {extra} must still get the signal")


@pytest.mark.requirement("LC-SIGNAL-ALL-LIST-ERROR")
def test_signal_all_whose_pid_listing_fails_signals_nothing_and_thaws(
    factory: Factory, host: Host, profile: str, verify: Any
) -> None:
    rule = "LC-SIGNAL-ALL-LIST-ERROR"
    cid = host.container_id("sl")
    c = factory.create(cid, config_for(cid))
    c.run(INIT)
    pid = init_pid(c)
    extra = start_extra(c, host)
    path, frozen, thawed = host.freezer_file(pid)
    listing = kill_all_path(host, profile, cid)
    start = len(host.operations())
    fault = inject(host, "open", listing, errno.EIO)
    got = error_of(lambda: c.signal(signal.SIGTERM, all_processes=True))
    assert host.fired(fault), "the fault never fired"
    eio = os.strerror(errno.EIO).lower()
    verify(rule, eio in got.lower(), f"Signal with all must return the listing's error: {got!r}")
    for alive in (pid, extra):
        verify(rule, host.is_alive(alive), f"{alive} must not be signalled: it is gone")
    shown = host.freezer_state(f"/{cid}")
    verify(rule, shown == "THAWED", f"the cgroup must be thawed again: {shown}")
    values = written_values(host, path, start)
    if values is not None:
        verify(rule, values == [frozen, thawed], f"{path} must be frozen, then thawed: {values}")


@pytest.mark.parametrize("err", [errno.ESRCH, errno.EPERM], ids=["esrch", "eperm"])
@pytest.mark.requirement("LC-SIGNAL-ALL-SIGNAL-WARNED")
def test_a_failed_signal_is_warned_of_and_the_others_still_signalled(
    factory: Factory,
    host: Host,
    profile: str,
    err: int,
    caplog: pytest.LogCaptureFixture,
    verify: Any,
) -> None:
    rule = "LC-SIGNAL-ALL-SIGNAL-WARNED"
    if tables.kill_all_file(profile, host.cgroup_mode())[1] == "cgroup.kill":
        # this profile kills through cgroup.kill here: one write, no signal per process
        skip_for_host("cgroup v1 (no cgroup.kill)", cgroups_are("v1")(host) or "")
    cid = host.container_id("sf")
    c = factory.create(cid, config_for(cid, pid_namespace=False))
    c.run(INIT)
    pid = init_pid(c)
    extra = start_extra(c, host)
    fault = inject(host, "kill", f"/proc/{extra}", err)
    with caplog.at_level(logging.WARNING):
        got = error_of(lambda: c.signal(signal.SIGKILL, all_processes=True))
    host.clear_faults()
    assert host.fired(fault), "the fault never fired"
    verify(rule, got == "no error", f"a failed signal must not be returned: {got!r}")
    verify(rule, host.dies(pid), f"init {pid} must still be killed")
    text = os.strerror(err)
    key = "kill_all_signal_esrch" if err == errno.ESRCH else "kill_all_signal_failed"
    want = tables.message(key, profile, pid=extra, errno=text[:1].lower() + text[1:])
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    if want:
        verify(rule, want in warned, f"the failed signal must be warned as {want!r}: {warned}")
    else:
        verify(rule, not warned, f"a process that has ended is not warned of: {warned}")
