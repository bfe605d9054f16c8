"""Fixtures of the conformance suite: the subject, a fresh host per test, a factory on it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from harness.hosts import Host
from harness.hosts import open_host
from harness.hosts import real_host_unavailable
from harness.hosts import simulated_host
from harness.scenarios._support.command_log import CommandLog
from harness.scenarios._support.machines import CliOnHost
from harness.scenarios._support.machines import Needs
from harness.scenarios._support.machines import OnHost
from harness.scenarios._support.rdt_group import own_group_fields
from harness.scenarios._support.rdt_schema import SchemaForm
from harness.scenarios._support.rdt_schema import resctrl_unavailable
from harness.scenarios._support.rdt_schema import schema_form
from harness.scenarios._support.skips import require_runtime
from harness.scenarios._support.skips import skip_for_host
from harness.subjects import ApiSubject
from harness.subjects import OciSubject
from harness.subjects.access import RuntimeAccess
from harness.subjects.access import runtime_prepared
from harness.subjects.command_line import CommandLine
from harness.subjects.command_line import command_line_for


@pytest.fixture(scope="session")
def subject(rtgate_options: Any) -> ApiSubject | OciSubject:
    """The subject of the run, as the plugin parsed it once."""
    return rtgate_options.subject


@pytest.fixture
def host(rtgate_options: Any) -> Iterator[Host]:
    """A fresh host for one test: the run's preset booted, or this machine under a prefix of
    the test's own that is cleaned up after it."""
    if rtgate_options.host == "real":
        reason = real_host_unavailable()
        if reason is not None:
            pytest.fail(f"--host real: {reason}")
    with open_host(rtgate_options.host, rtgate_options.preset) as h:
        yield h


@pytest.fixture
def rdt(host: Host) -> Host:
    """The host, when it offers L3 CAT through a mounted resctrl; else a skip saying why."""
    reason = host.rdt_unavailable()
    if reason is not None:
        skip_for_host("L3 CAT through a mounted resctrl", f"{reason} ({host.describe()})")
    return host


@pytest.fixture
def resctrl_host(host: Host) -> Host:
    """The host, when it has a mounted resctrl (L3 CAT or not); else a skip saying why."""
    reason = resctrl_unavailable(host)
    if reason is not None:
        skip_for_host("a mounted resctrl", reason)
    return host


@pytest.fixture
def rdt_group(host: Host, profile: str) -> dict[str, str]:
    """intelRdt fields with which the profile's runtime makes a group of its own on the host,
    in the form the host allows (an L3 or MB schema, or none where a mounted resctrl is
    enough: _support/rdt_group.py); else a skip saying why."""
    return own_group_fields(host, profile)


@pytest.fixture
def rdt_schema(host: Host, profile: str) -> SchemaForm:
    """How the profile's runtime writes a group's schema on the host (an L3 schema, L3CODE
    and L3DATA lines, or an MB schema: _support/rdt_schema.py); else a skip saying why."""
    return schema_form(host, profile)


@pytest.fixture(scope="session")
def profile(rtgate_options: Any) -> str:
    """The profile of this run: which of the spec's expectations apply."""
    return str(rtgate_options.profile)


@pytest.fixture
def factory(subject: ApiSubject, host: Host, rtgate_options: Any) -> Any:
    return subject.new_factory(host.state_root, host.system, rtgate_options.profile)


@pytest.fixture
def on_host(subject: ApiSubject, rtgate_options: Any) -> OnHost:
    """A host of the kind a rule is about, and a factory of the subject on it.

    On a simulated run that machine (a preset, or a machine of harness/hosts/machines.py) is
    booted whatever the run's preset is, so every rule is checked on every run.  On a real run
    it is this machine, when ``needs`` finds it is of that kind; otherwise the test skips with
    what the probe found.
    """

    @contextmanager
    def boot(machine: str, needs: Needs) -> Iterator[tuple[Host, Any]]:
        if rtgate_options.host == "real":
            with open_host("real") as host:
                reason = needs(host)
                if reason is not None:
                    skip_for_host(f"a {machine} machine", reason)
                yield (
                    host,
                    subject.new_factory(host.state_root, host.system, rtgate_options.profile),
                )
            return
        with simulated_host(machine) as sim:
            yield sim, subject.new_factory(sim.state_root, sim.system, rtgate_options.profile)

    return boot


@pytest.fixture(scope="session")
def runtime_access(
    subject: ApiSubject | OciSubject, rtgate_options: Any
) -> Iterator[RuntimeAccess]:
    """Whether the runtime can run a container on this host: broken, refused by the host, or
    usable (:func:`~harness.scenarios._support.skips.require_runtime` acts on it).

    Probed once per run (harness/subjects/access.py): by ``rtgate run`` before pytest starts,
    which hands the plugin what it found; else here, once per session, the host prepared for
    the runtime for the whole session when that helps."""
    if rtgate_options.runtime_access is not None:
        yield rtgate_options.runtime_access
        return
    with runtime_prepared(subject, rtgate_options.profile) as found:
        yield found


def _command_line(
    subject: ApiSubject | OciSubject, host: Any, profile: str, rule_version: str | None
) -> CommandLine:
    """The subject's command line on ``host``, told which runtime-spec release the test's
    rules come from (harness/scenarios/_support/runtime_features.py raises bundles to it)."""
    made = command_line_for(subject, host, profile)
    made.rule_version = rule_version
    return made


@pytest.fixture
def cli(
    rtgate_rule_version: str | None,
    record_commands: Any,
    subject: ApiSubject | OciSubject,
    host: Host,
    profile: str,
    runtime_access: RuntimeAccess,
) -> CommandLine:
    """The subject's command line on the test's host, every command recorded (and put in the
    report); a runtime the start-up probe found broken fails, one the host refuses skips."""
    require_runtime(runtime_access)
    made = _command_line(subject, host, profile, rtgate_rule_version)
    record_commands(lambda: made.records)
    return made


@pytest.fixture
def command_log(record_commands: Any) -> CommandLog:
    """Where the state machines of a test (a command line each) count their commands: every
    one is counted in the test's report, the last ones kept."""
    log = CommandLog()
    record_commands(log.commands, run=log.count, seconds=log.seconds)
    return log


@pytest.fixture
def cli_on(
    rtgate_rule_version: str | None,
    record_commands: Any,
    subject: ApiSubject | OciSubject,
    rtgate_options: Any,
    profile: str,
    runtime_access: RuntimeAccess,
) -> CliOnHost:
    """``on_host`` for the command line: a host of the kind a rule is about, and the subject's
    command line on it.

    Simulated, that machine (a preset, or a machine of harness/hosts/machines.py) is booted
    whatever the run's preset; real, it is this machine when ``needs`` finds it fits, else the
    test skips with what the probe found (as it does when the host refuses the runtime, and
    fails when the start-up probe found the runtime broken).  The
    commands of every command line it makes go into the report.
    """
    made: list[CommandLine] = []
    record_commands(lambda: [record for one in made for record in one.records])

    @contextmanager
    def boot(machine: str, needs: Needs) -> Iterator[tuple[Host, CommandLine]]:
        if rtgate_options.host == "real":
            unusable = real_host_unavailable()
            if unusable is not None:
                pytest.fail(f"--host real: {unusable}")
            require_runtime(runtime_access)
            with open_host("real") as host:
                reason = needs(host)
                if reason is not None:
                    skip_for_host(f"a {machine} machine", reason)
                made.append(_command_line(subject, host, profile, rtgate_rule_version))
                yield host, made[-1]
            return
        with simulated_host(machine) as sim:
            made.append(_command_line(subject, sim, profile, rtgate_rule_version))
            yield sim, made[-1]

    return boot
