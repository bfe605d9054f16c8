"""A Hypothesis state machine over the command line: any sequence of create, start, kill,
delete, pause and resume, each checked against ``harness/spec/cli.toml``, with ``state``
compared to the model after every step.

The model is what the spec says a runtime reports: the status, where a paused container was
paused from (a container paused while created is created again after resume: its exec FIFO is
still there), and whether a SIGKILL is waiting for a thaw.  On a real host every command is a
process of its own, so the machine runs fewer examples there.
"""

from __future__ import annotations

import functools
from contextlib import ExitStack
from typing import Any

import pytest
from hypothesis import currently_in_test_context
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import initialize
from hypothesis.stateful import invariant
from hypothesis.stateful import precondition
from hypothesis.stateful import rule

from harness.hosts.reuse import ExampleHosts
from harness.hosts.reuse import begin_example
from harness.hosts.reuse import example_hosts
from harness.scenarios._support.command_line import eventually
from harness.scenarios._support.command_log import CommandLog
from harness.scenarios._support.machine_run import machine_settings
from harness.scenarios._support.machine_run import run_machine
from harness.scenarios._support.skips import require_runtime
from harness.scenarios._support.walks import cli_walks
from harness.spec import cli_tables
from harness.spec import tables
from harness.subjects.access import RuntimeAccess
from harness.subjects.command_line import command_line_for

#: each step runs whole commands (load, refresh, act) and the invariant one more: fewer
#: examples than the API machine, fewer still on a real host, where a command is a process;
#: the walks (test_cli_walks) reach every cell of the table whatever the examples do
EXAMPLES = {"simulated": 5, "real": 4}
STEPS = 12


class CliMachine(RuleBasedStateMachine):
    """One container at a time; a new id after each delete."""

    def __init__(
        self,
        subject: Any,
        options: Any,
        verify: Any,
        log: CommandLog | None = None,
        hosts: ExampleHosts | None = None,
    ) -> None:
        super().__init__()
        self._stack = ExitStack()
        #: where the example's host comes from (a host of its own unless the test shares one)
        self.hosts = begin_example(self._stack, options, hosts)
        self.subject = subject
        self.log = log
        self.profile = options.profile
        self.check = verify
        self.serial = 0
        self.status = "none"
        self.paused_from = ""
        self.doomed = False  # a SIGKILL waits for the thaw (or init already died frozen)
        #: the (status, operation) cells its operations ran in
        self.reach: list[tuple[str, str]] = []

    @functools.cached_property
    def host(self) -> Any:
        """The example's host, asked for by its first command."""
        return self.hosts.host()

    @functools.cached_property
    def cli(self) -> Any:
        """The subject's command line on the example's host, its commands in the test's log."""
        cli = command_line_for(self.subject, self.host, self.profile)
        if self.log is not None:  # every command goes into the test's report
            self.log.follow(cli.records)
            self._stack.callback(self.log.fold, cli.records)
        return cli

    def teardown(self) -> None:
        self._stack.close()

    @property
    def cid(self) -> str:
        return self.host.container_id(f"m{self.serial}")

    def run(self, *argv: str) -> Any:
        """One command of a step (``state`` reads go to ``self.cli`` directly)."""
        return self.cli(*argv)

    def expect_status(self, wanted: str, requirement: str, after: str) -> None:
        reached = eventually(self.host, lambda: self.cli.status(self.cid) == wanted)
        self.check(requirement, reached, f"after {after} state reports {self.cli.status(self.cid)}")

    # -- rules -------------------------------------------------------------------------------
    # Create is no rule of its own: the first container comes with the example and the next
    # with the delete that ends one (operate's ``then_create``).  Hypothesis' swarm testing
    # leaves some rules out of each example, and a lone create rule left out would make every
    # such example a discarded one.
    @initialize()
    def first_container(self) -> None:
        self.create()

    def create(self) -> None:
        self.serial += 1
        bundle = self.cli.bundle(f"m{self.serial}")
        result = self.run("create", "--bundle", bundle, self.cid)
        assert result.exit_code == 0, result.describe()
        self.status, self.paused_from, self.doomed = "created", "", False

    @precondition(lambda self: self.status != "none")
    @rule(operation=st.sampled_from(cli_tables.CLI_OPERATIONS), then_create=st.just(True))
    def operate(self, operation: str, then_create: bool = False) -> None:
        """``operation`` in the current state, as the table says; ``then_create``: a container
        it deletes is followed by the next one (the walks create their own)."""
        self._operate(operation)
        self.next_container(then_create)

    def next_container(self, wanted: bool) -> None:
        """The next container, when ``wanted`` and the last one is gone."""
        if wanted and self.status == "none":
            self.create()

    def _operate(self, operation: str) -> None:
        state = self.status
        self.reach.append((state, operation))
        if currently_in_test_context():
            event("cell", f"{operation} in {state}")
        expect, requirement = cli_tables.cli_operation(state, operation, self.profile)
        if expect == cli_tables.UNSPECIFIED:
            return  # the profile has no rule for it (the runtime-spec has no pause)
        if operation == "kill" and self.doomed and self._sigkill_kills_frozen():
            expect = "error"  # cgroup2 let the first SIGKILL kill init: no one is left to signal
        argv = (operation, self.cid, "KILL") if operation == "kill" else (operation, self.cid)
        result = self.run(*argv)
        ok = result.exit_code == 0
        self.check(requirement, ok == (expect != "error"), f"{result.describe()} in {state}")
        if expect == "error":
            return
        if expect == "gone":
            self.check(requirement, self.cli("state", self.cid).exit_code != 0, "state answers")
            self.status = "none"
        elif expect == "pending":
            # the signal waits for the thaw: the container stays paused until resume
            self.doomed = True
            self.expect_status("paused", requirement, "kill of a paused container")
        elif operation == "resume" and self.doomed:
            self.status = "stopped"
            self.expect_status("stopped", requirement, "resume of a killed paused container")
        elif operation == "resume":
            # a container paused while created still has its exec FIFO: created again
            self.status = self.paused_from or expect
            self.expect_status(self.status, requirement, "resume")
        else:
            if expect == "paused":
                self.paused_from = state
            self.status = expect
            self.expect_status(expect, requirement, operation)

    def _sigkill_kills_frozen(self) -> bool:
        """Whether SIGKILL reaches a frozen init on this host (cgroup2 yes, v1 no): the mounts
        are parsed only for a kill after a kill of the paused container, not every step."""
        return tables.frozen_sigkill(self.host.cgroup_mode()) == "delivered"

    # -- invariants --------------------------------------------------------------------------
    @invariant()
    def state_matches_the_model(self) -> None:
        if self.status == "none":
            return
        status = self.cli.status(self.cid)
        self.check("CLI-STATE-FIELDS", status == self.status,
                   f"state reports {status}; the spec says {self.status}")  # fmt: skip


#: every cell of the command-line table, and the status ``state`` reports
REQUIREMENTS = (
    "CLI-STATE-FIELDS",
    *(r for s in cli_tables.CLI_STATES for o in cli_tables.CLI_OPERATIONS
      for r in cli_tables.cli_requirement_variants(s, o)),
)  # fmt: skip


@pytest.mark.requirement(*REQUIREMENTS)
def test_cli_walks(
    subject: Any,
    rtgate_options: Any,
    verify: Any,
    runtime_access: RuntimeAccess,
    command_log: CommandLog,
) -> None:
    """The machine's fixed walks: each cell of the table, from each way into its state."""
    require_runtime(runtime_access)
    machine = CliMachine(subject, rtgate_options, verify, command_log)
    try:
        for walk in cli_walks(rtgate_options.profile):
            first = len(machine.reach)
            for name, arguments in walk.steps:
                getattr(machine, name)(**arguments)
                machine.state_matches_the_model()
            for operation in _finish(machine):
                machine.operate(operation)
            reached = machine.reach[first:]
            missed = [op for op in walk.operations if (walk.state, op) not in reached]
            assert not missed, f"{walk.name}: reached {reached}"
    finally:
        machine.teardown()


def _finish(machine: CliMachine) -> tuple[str, ...]:
    """The operations that end the walk's container: init killed (thawed first when the
    kill waits for it), then delete."""
    if machine.status in ("created", "running"):
        return ("kill", "delete")
    if machine.status == "paused":
        return ("resume", "delete") if machine.doomed else ("resume", "kill", "delete")
    return ("delete",) if machine.status == "stopped" else ()


@pytest.mark.requirement(*REQUIREMENTS)
def test_cli_state_machine(
    subject: Any,
    rtgate_options: Any,
    verify: Any,
    runtime_access: RuntimeAccess,
    rtgate_hypothesis: Any,
    command_log: CommandLog,
) -> None:
    require_runtime(runtime_access)
    host = rtgate_options.host
    budget = machine_settings(rtgate_hypothesis, host, EXAMPLES[host], STEPS)
    with example_hosts(host, rtgate_options.preset) as hosts:
        run_machine(
            lambda: CliMachine(subject, rtgate_options, verify, command_log, hosts),
            rtgate_hypothesis,
            budget,
        )
