"""The command-line state machine with kernel faults: between the plain steps of
:class:`~harness.scenarios.test_cli_machine.CliMachine`, a rule arms faults before a ``delete``
(of a stopped container, or ``--force`` of a running one), a ``kill``, a ``pause`` or a
``start``, and the model predicts the outcome from the spec: the delete precedence table
(:func:`harness.spec.cli_teardown.cli_teardown`), CLI-KILL-SIGNAL-ERROR, CLI-PAUSE-FREEZE-FAILS
and CLI-START-FIFO-FAILS (the command fails, the status stays).  The model then
goes on from what the spec says is left (a delete that kept its state leaves a stopped
container; where the profile says nothing of it, as the runtime-spec's, from what ``state``
answers).

On a real host every command is a process under the syscall fault engine.  Time budget there:
2 examples of at most 6 steps, without shrinking, after the fixed walks (3 faulted deletes and
one step each of kill, pause and start); measured on a 2-core machine, the walks and the
examples take 3 s for runc 1.1.5 and 36 s for the reference's command line (a Python
program per command).  A failing check carries the commands so far as a replay: each runtime
command as typed, a faulted one through ``rtgate inject`` with its faults.
"""

from __future__ import annotations

import errno
import os
import shlex
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import precondition
from hypothesis.stateful import rule

from harness.hosts import HostCannot
from harness.hosts.reuse import example_hosts
from harness.scenarios._support.command_line import state_dir
from harness.scenarios._support.command_log import CommandLog
from harness.scenarios._support.machine_run import machine_settings
from harness.scenarios._support.machine_run import run_machine
from harness.scenarios._support.skips import require_runtime
from harness.scenarios.test_cli_machine import CliMachine
from harness.spec.catalog import load_catalog
from harness.spec.cli_teardown import cli_teardown
from harness.spec.cli_teardown import cli_teardown_variants
from harness.spec.tables import PROFILES
from harness.subjects.access import RuntimeAccess

#: the teardown steps the machine fails: its bundles have no hooks and no resctrl group
FAULTED_STEPS = ("cgroup", "state-dir")
PAUSE_RULE = "CLI-PAUSE-FREEZE-FAILS"
START_RULE = "CLI-START-FIFO-FAILS"
KILL_RULE = "CLI-KILL-SIGNAL-ERROR"


def _ruled() -> dict[str, frozenset[str]]:
    """Each faulted step's rule -> the profiles that have it, read at import (a simulated host
    patches the filesystem) from one read of the catalog (one per profile and rule cost a
    second of every run's collection)."""
    catalog = load_catalog()
    has = {p: {r.id for r in catalog.for_profile(p)} for p in PROFILES}
    return {rule: frozenset(p for p in PROFILES if rule in has[p])
            for rule in (PAUSE_RULE, START_RULE, KILL_RULE)}  # fmt: skip


_RULED = _ruled()
EXAMPLES = {"simulated": 5, "real": 2}
STEPS = {"simulated": 12, "real": 6}

#: a fault as a replay arms it: (operation, errno, every attempt, path)
Armed = tuple[str, int, bool, str]


class CliFaultMachine(CliMachine):
    """:class:`CliMachine` with faulted deletes and pauses, and a replay of what it ran."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """:class:`CliMachine`'s arguments."""
        super().__init__(*args, **kwargs)
        self.replay: list[str] = []
        self.cannot = ""  # why this host cannot arm the faults, once it said so
        self.faulted: list[str] = []  # the faulted steps that ran
        self.ruled = {rule for rule, profiles in _RULED.items() if self.profile in profiles}
        self.check = self._with_replay(self.check)

    def _with_replay(self, verify: Any) -> Any:
        def check(requirement: str, ok: bool, message: str) -> None:
            if not ok:
                message += "\nreplay:\n" + "\n".join(self.replay)
            verify(requirement, ok, message)

        return check

    def run(self, *argv: str, faults: tuple[Armed, ...] = ()) -> Any:
        line = shlex.join(self.cli.program_argv(*argv))
        if faults:
            armed = " ".join(
                f"--fault {op}:{errno.errorcode[err]}:{'every' if every else 'first'}:{path}"
                for op, err, every, path in faults
            )
            line = f"rtgate inject {armed} -- {line}"
        result = self.cli(*argv)
        self.replay.append(f"{line}   # exit {result.exit_code}")
        return result

    def faults_refused(self) -> str:
        """Why this host cannot fail a command's syscalls ("" when it can): probed by arming
        a fault on a path of this run, then clearing it."""
        probe = (("rmdir", errno.EBUSY, True, os.path.join(self.host.state_root, "probe")),)
        armed = self._arm(probe)
        self.host.clear_faults()
        return "" if armed else self.cannot

    def _arm(self, faults: tuple[Armed, ...]) -> bool:
        """Arm every fault, or none (and remember why the host cannot)."""
        try:
            for op, err, every, path in faults:
                self.host.fail(op, path, err, every=every)
        except HostCannot as why:
            self.host.clear_faults()
            self.cannot = str(why)
            return False
        return True

    # -- rules -------------------------------------------------------------------------------
    @precondition(lambda self: self.status in ("stopped", "running"))
    @rule(
        failing=st.sets(st.sampled_from(FAULTED_STEPS), min_size=1).map(sorted),
        then_create=st.just(True),
    )
    def faulted_delete(self, failing: list[str], then_create: bool = False) -> None:
        """A delete with ``failing`` steps failing; ``then_create`` as for ``operate``."""
        self._faulted_delete(failing)
        self.next_container(then_create)

    def _faulted_delete(self, failing: list[str]) -> None:
        forced, want = self.status == "running", cli_teardown(self.profile, failing)
        sdir = state_dir(self.cli, self.host, self.cid)
        places = {"cgroup": self.host.cgroup_dirs(f"/{self.cid}"),
                  "state-dir": [sdir] if os.path.isdir(sdir) else []}  # fmt: skip
        faults = tuple(("rmdir", errno.EBUSY, True, p) for s in failing for p in places[s])
        if not self._arm(faults):
            return
        argv = ("delete", "--force", self.cid) if forced else ("delete", self.cid)
        result = self.run(*argv, faults=faults)
        self.host.clear_faults()
        self.faulted.append(f"delete{' --force' if forced else ''} with {'+'.join(failing)}")
        said = f"{result.describe()} with {failing} failing"
        wanted = "0" if want.exit_zero else "non-zero"
        self.check(want.exit_requirement, (result.exit_code == 0) == want.exit_zero,
                   f"{said}; the profile wants exit {wanted}")  # fmt: skip
        status = self.cli.status(self.cid)
        if want.state_answers is not None:
            self.check(want.exit_requirement, (status is not None) == want.state_answers,
                       f"after {said} state reports {status}")  # fmt: skip
            status = "stopped" if want.state_answers else None
        # what the profile leaves unsaid (the runtime-spec's), the runtime's state tells
        self.status, self.paused_from, self.doomed = status or "none", "", False

    def _refused_step(self, rule: str, argv: tuple[str, ...], fault: Armed, stays: str) -> None:
        """A step whose one fault must make it fail and leave the status as it was."""
        if not self._arm((fault,)):
            return
        result = self.run(*argv, faults=(fault,))
        self.host.clear_faults()
        self.faulted.append(argv[0])
        op, _, _, path = fault
        self.check(rule, result.exit_code != 0, f"{result.describe()} with {op} of {path} failing")
        self.expect_status(stays, rule, f"a {argv[0]} whose {op} failed")

    def _init_pid(self) -> int:
        return self.cli.init_pid(self.cid)

    @precondition(lambda self: self.status == "running" and PAUSE_RULE in self.ruled)
    @rule()
    def faulted_pause(self) -> None:
        pid = self._init_pid()
        if pid > 0:
            path = self.host.freezer_file(pid)[0]
            self._refused_step(PAUSE_RULE, ("pause", self.cid), ("write", errno.EIO, True, path),
                               "running")  # fmt: skip

    @precondition(lambda self: self.status == "created" and START_RULE in self.ruled)
    @rule()
    def faulted_start(self) -> None:
        fifo = os.path.join(state_dir(self.cli, self.host, self.cid), "exec.fifo")
        self._refused_step(START_RULE, ("start", self.cid), ("open", errno.EIO, True, fifo),
                           "created")  # fmt: skip

    @precondition(lambda self: self.status == "running" and KILL_RULE in self.ruled)
    @rule()
    def faulted_kill(self) -> None:
        pid = self._init_pid()
        if pid > 0:
            fault = ("kill", errno.EPERM, True, f"/proc/{pid}")
            self._refused_step(KILL_RULE, ("kill", self.cid, "KILL"), fault, "running")


def _combinations() -> list[list[str]]:
    return [["cgroup"], ["state-dir"], ["cgroup", "state-dir"]]


#: every rule the faulted steps check, under any profile
FAULT_REQUIREMENTS = tuple(
    dict.fromkeys(
        [*_RULED, *(r for failing in _combinations() for r in cli_teardown_variants(failing))]
    )
)


#: the walks' faulted deletes: each combination, and each kind of delete (of a stopped
#: container, after a kill; --force of a running one), not every pair of them: the whole table
#: is test_cli_precedence.py's; a walk here proves the model goes on from each
_WALKS = ((["cgroup"], True), (["state-dir"], True), (["cgroup", "state-dir"], False))


#: (rule, the plain steps to its state) -> the faulted step the walk takes there
_STEPS_WALKED = {
    (PAUSE_RULE, ("start",)): "faulted_pause",
    (START_RULE, ()): "faulted_start",
    (KILL_RULE, ("start",)): "faulted_kill",
}


def _skip_without_faults(machine: CliFaultMachine) -> None:
    """Skip, saying why, where the host cannot fail a command's syscalls: a machine that
    could take only plain steps would leave its fault rules unchecked."""
    refused = machine.faults_refused()
    if refused:
        pytest.skip(refused)


@pytest.mark.requirement(*FAULT_REQUIREMENTS)
def test_cli_fault_walks(
    subject: Any,
    rtgate_options: Any,
    verify: Any,
    runtime_access: RuntimeAccess,
    command_log: CommandLog,
) -> None:
    """Each faulted step once, from each state it is taken in, whatever Hypothesis draws."""
    require_runtime(runtime_access)
    machine = CliFaultMachine(subject, rtgate_options, verify, command_log)
    try:
        _skip_without_faults(machine)
        for failing, kill_first in _WALKS:
            machine.create()
            machine.operate("start")
            if kill_first:
                machine.operate("kill")
            machine.faulted_delete(failing)
            machine.state_matches_the_model()
            _finish(machine)
        for step, before in _STEPS_WALKED:
            if step not in machine.ruled:
                continue
            machine.create()
            for operation in before:
                machine.operate(operation)
            getattr(machine, _STEPS_WALKED[step, before])()
            machine.state_matches_the_model()
            _finish(machine)
        assert len(machine.faulted) == len(_WALKS) + len(machine.ruled), machine.faulted
    finally:
        machine.teardown()


def _finish(machine: CliFaultMachine) -> None:
    """End the walk's container, if the faulted step left one: kill it, delete it."""
    if machine.status in ("created", "running"):
        machine.operate("kill")
    if machine.status == "stopped":
        machine.operate("delete")


@pytest.mark.requirement(*FAULT_REQUIREMENTS)
def test_cli_fault_state_machine(
    subject: Any,
    rtgate_options: Any,
    verify: Any,
    runtime_access: RuntimeAccess,
    rtgate_hypothesis: Any,
    command_log: CommandLog,
) -> None:
    require_runtime(runtime_access)
    host = rtgate_options.host
    budget = machine_settings(rtgate_hypothesis, host, EXAMPLES[host], STEPS[host])
    probe = CliFaultMachine(subject, rtgate_options, verify, command_log)
    try:
        _skip_without_faults(probe)
    finally:
        probe.teardown()
    with example_hosts(host, rtgate_options.preset) as hosts:
        run_machine(
            lambda: CliFaultMachine(subject, rtgate_options, verify, command_log, hosts),
            rtgate_hypothesis,
            budget,
        )
