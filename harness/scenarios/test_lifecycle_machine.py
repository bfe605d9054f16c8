"""A Hypothesis state machine: any sequence of lifecycle operations and injected teardown
faults, checked step by step against the spec's tables.

The model is plain data (what status the container must report, whether init lives, which
teardown faults are armed); the subject is driven through its API on a fresh simulated host per
example.  Every check goes through the ``verify`` fixture, so a failure names the requirement
it breaks and the report blames that one.
"""

from __future__ import annotations

import functools
import signal
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

from harness.hosts import HookProgram
from harness.hosts import open_host
from harness.hosts.base import TeardownStep
from harness.hosts.reuse import ExampleHosts
from harness.hosts.reuse import begin_example
from harness.hosts.reuse import example_hosts
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import classify_teardown_error
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import container_dirs
from harness.scenarios._support.containers import make_init_gone
from harness.scenarios._support.machine_run import machine_settings
from harness.scenarios._support.machine_run import run_machine
from harness.scenarios._support.walks import HOOK_SETS
from harness.scenarios._support.walks import JOINED_PID_NAMESPACE
from harness.scenarios._support.walks import NAMESPACES
from harness.scenarios._support.walks import Reach
from harness.scenarios._support.walks import Reached
from harness.scenarios._support.walks import Step
from harness.scenarios._support.walks import lifecycle_walks
from harness.spec import tables
from harness.spec.tables import ErrorCell
from harness.spec.teardown import TeardownOutcome
from harness.spec.teardown import teardown_outcome

FAULTS = tables.error_sources()
#: the next container after a destroy: RDT, the hook set and the PID namespace create takes,
#: and how far it goes at once: started with run (running), with start (created), or not
NextContainer = tuple[bool, str, str, str]
NEXT_CONTAINER = st.tuples(
    st.booleans(),
    st.sampled_from(HOOK_SETS),
    st.sampled_from(NAMESPACES),
    st.sampled_from(("running", "created", "unstarted")),
)


#: the first container's configuration, drawn by initialize: RDT, the hook set, the PID
#: namespace, and whether it is started with run (running) or start (created)
FIRST_CONTAINER = {
    "rdt": st.booleans(),
    "hooks": st.sampled_from(HOOK_SETS),
    "namespace": st.sampled_from(NAMESPACES),
    "run": st.booleans(),
}


class When:
    """When each rule may run, by the model's state alone (a machine with ``status``,
    ``started``, ``init_alive`` and ``paused_from``; bench/_hollow_machine.py has them too)."""

    @staticmethod
    def in_a_life(m: Any) -> bool:
        return bool(m.status != "none")

    @staticmethod
    def unstarted(m: Any) -> bool:
        return bool(m.status == "stopped" and not m.started)

    @staticmethod
    def created(m: Any) -> bool:
        return bool(m.status == "created")

    @staticmethod
    def started(m: Any) -> bool:
        return bool(m.status != "none" and m.started)

    @staticmethod
    def init_runs(m: Any) -> bool:
        return bool(m.init_alive and m.status in ("created", "running"))

    @staticmethod
    def paused_with_init(m: Any) -> bool:
        return bool(m.init_alive and m.status == "paused")

    # Resuming a container paused from created leaves it unable to refresh (running ->
    # created is no transition); test_operations checks that quirk on its own.  A paused
    # container whose init is gone is only destroyed (test_operations resumes one).
    @staticmethod
    def resumable(m: Any) -> bool:
        return bool(
            m.status != "none"
            and m.paused_from != "created"
            and (m.init_alive or m.status != "paused")
        )


class LifecycleMachine(RuleBasedStateMachine):
    """One container at a time; a new id after each destroy so leftovers do not collide."""

    # set with the host (:attr:`host`)
    factory: Any
    rdt_available: bool
    ok_hook: str
    start_hook: str

    def __init__(
        self,
        subject: Any,
        options: Any,
        verify: Any,
        reach: Reach | None = None,
        hosts: ExampleHosts | None = None,
    ) -> None:
        super().__init__()
        #: the configurations its destroys ran in, when the caller keeps them
        self.reach: Reach = [] if reach is None else reach
        self.namespace = "private"  # the PID namespace setting of the current container
        self.kill_all = False  # whether its destroy runs the kill-all step
        self.subject = subject
        self.profile = options.profile
        self._stack = ExitStack()
        #: where the example's host comes from (a host of its own unless the test shares one)
        self.hosts = begin_example(self._stack, options, hosts)
        self.check = verify
        self.serial = 0
        self.c: Any = None  # the container of the current life, None between lives
        self.status = "none"
        self.init_alive = False
        self.armed: set[str] = set()
        self.paused_from = ""

    @functools.cached_property
    def host(self) -> Any:
        """The example's host, asked for by its first container (an example Hypothesis
        discards before one needs none), with the factory and the hooks the machine uses."""
        host = self.hosts.host()
        self.factory = self.subject.new_factory(host.state_root, host.system, self.profile)
        self.rdt_available = host.rdt_unavailable() is None
        self.ok_hook = host.hook_program("ok", HookProgram.exit(0))
        self.start_hook = host.hook_program("start-ok", HookProgram.exit(0))
        return host

    def teardown(self) -> None:
        self._stack.close()

    # -- checks ------------------------------------------------------------------------------
    def expect_error(self, call: Any, text: str, requirement: str) -> None:
        try:
            call()
        except Exception as err:  # noqa: BLE001 - any error type; the text is the contract
            self.check(requirement, str(err) == text, f"expected {text!r}, got {err!r}")
            return
        self.check(requirement, False, f"expected the error {text!r}, but the call succeeded")

    @property
    def cid(self) -> str:
        return self.host.container_id(f"c{self.serial}")

    # -- rules -------------------------------------------------------------------------------
    # Every example starts with a started container: the states destroy refuses are a step
    # or two away, not four.
    @initialize(**FIRST_CONTAINER)
    def first_container(self, rdt: bool, hooks: str, namespace: str, run: bool) -> None:
        self.create(rdt, hooks, namespace)
        self.start(run)

    # Not a rule of its own: a destroy that ends a container creates the next one (see
    # destroy), so no example dead-ends in "none" when its swarm leaves a create rule out.
    def create(self, rdt: bool, hooks: str, namespace: str) -> None:
        self.serial += 1
        cid = self.cid  # the first container brings the host (and the factory, the hooks)
        self.namespace = namespace
        self.kill_all = namespace == "none" or (
            namespace == "joined" and tables.kill_all_in_joined_pidns(self.profile)
        )
        rdt = rdt and self.rdt_available
        start_hooks = (self.start_hook,) if hooks == "all" else ()
        config = config_for(
            cid,
            pid_namespace=self.namespace == "private",
            joined_pid_namespace=JOINED_PID_NAMESPACE if self.namespace == "joined" else None,
            l3_schema=self.host.l3_schema("f") if rdt else None,
            prestart=start_hooks,
            poststart=start_hooks,
            poststop=(self.ok_hook,) if hooks != "none" else (),
        )
        self.c = self.factory.create(cid, config)
        self.hooks = hooks
        self.rdt = rdt
        self.status = "stopped"
        self.started = False
        self.armed = set()
        self.paused_from = ""

    @precondition(When.unstarted)
    @rule(run=st.booleans())
    def start(self, run: bool) -> None:
        if run:
            self.c.run(INIT)
            self.status = "running"
        else:
            self.c.start(INIT)
            self.status = "created"
        self.started = True
        self.init_alive = True

    @precondition(When.created)
    @rule()
    def exec(self) -> None:
        self.c.exec()
        self.status = "running"

    @precondition(When.in_a_life)
    @rule()
    def pause(self) -> None:
        expected = tables.operation_expectation(self.status, "pause", self.profile)
        requirement = tables.operation_requirement(self.status, "pause", self.profile)
        if isinstance(expected, ErrorCell):
            text = expected.text(self.profile, status=self.status)
            self.expect_error(self.c.pause, text, requirement)
        else:
            self.paused_from = self.status
            self.c.pause()
            self.status = "paused"

    @precondition(When.resumable)
    @rule()
    def resume(self) -> None:
        expected = tables.operation_expectation(self.status, "resume", self.profile)
        requirement = tables.operation_requirement(self.status, "resume", self.profile)
        if expected == "running":
            self.c.resume()
            self.status = "running"
        else:
            text = tables.message("resume_refused", self.profile)
            self.expect_error(self.c.resume, text, requirement)

    @precondition(When.init_runs)
    @rule()
    def kill_init(self) -> None:
        pid = self.c.init_process.pid
        self.c.signal(signal.SIGKILL)
        self.host.await_exit(pid)  # a real kernel kills a moment after kill(2) returns
        self.init_alive = False
        self.status = "stopped"

    @precondition(When.init_runs)
    @rule()
    def init_exits(self) -> None:
        self.host.end_process(self.c.init_process.pid)
        self.init_alive = False
        self.status = "stopped"

    @precondition(When.started)
    @rule()
    def load(self) -> None:
        self.c = self.factory.load(self.cid)

    @precondition(When.in_a_life)
    @rule(fault=st.sampled_from(FAULTS))
    def arm_fault(self, fault: TeardownStep) -> None:
        self._arm(fault)

    def _arm(self, fault: TeardownStep) -> None:
        if fault in self.armed or (fault in ("cgroup", "rdt") and not self.started):
            return
        if (fault == "rdt" and not self.rdt) or (fault == "poststop" and self.hooks == "none"):
            return
        self.host.break_teardown(fault, self.cid, hook="ok")
        if fault == "cgroup" and self.kill_all and not self._kill_all_misses_outsider():
            return  # destroy's kill-all step would kill the outsider: not a fault then
        self.armed.add(fault)

    def _kill_all_misses_outsider(self) -> bool:
        """Whether destroy's kill-all goes through another hierarchy than the one the
        outsider of a broken cgroup step joins: runc 1.2's cgroup.kill of the unified group on
        a hybrid host, which a process in v1 groups only survives."""
        hierarchy, _ = tables.kill_all_file(self.profile, self.host.cgroup_mode())
        return hierarchy == "unified" and self.host.process_hierarchy() != "unified"

    @precondition(When.paused_with_init)
    @rule()
    def init_dies_paused(self) -> None:
        make_init_gone(self.host, self.c)
        self.init_alive = False

    # Faults drawn with destroy itself: a destroy meets armed faults in most examples, not
    # only when arm_fault happened to come first.  The next container is drawn with it too:
    # Hypothesis' swarm testing leaves some rules out of each example, and a lone create rule
    # left out would end every example at its first destroy as a discarded one.
    @precondition(When.in_a_life)
    @rule(faults=st.sets(st.sampled_from(FAULTS)), then=NEXT_CONTAINER)
    def destroy(
        self, faults: frozenset[TeardownStep] = frozenset(), then: NextContainer | None = None
    ) -> None:
        self._destroy(faults)
        if then is not None and self.status == "none":
            rdt, hooks, namespace, started = then
            self.create(rdt, hooks, namespace)
            if started != "unstarted":
                self.start(started == "running")

    def _destroy(self, faults: frozenset[TeardownStep]) -> None:
        for fault in sorted(faults):
            self._arm(fault)
        state, profile = self.status, self.profile
        self._record_reach()
        expected = tables.destroy_expectation(state, self.init_alive, profile)
        requirement = tables.destroy_requirement(state, self.init_alive, profile)
        if isinstance(expected, ErrorCell):
            self.expect_error(self.c.destroy, expected.text(profile), requirement)
            return
        want = teardown_outcome(profile, self.armed, case_requirement=requirement)
        before = self.c.state.name
        runs_before = len(self.host.hook_runs(self.ok_hook))
        try:
            self.c.destroy()
        except Exception as err:  # noqa: BLE001
            got = classify_teardown_error(err, self.host, self.cid, profile)
            self.check(
                requirement, want.winner is not None, f"destroy failed, no fault armed: {err}"
            )
            self.check(
                str(want.error_requirement),
                got == want.winner,
                f"armed {sorted(self.armed)}: expected the {want.winner} error, got {got}",
            )
        else:
            self.check(requirement, want.winner is None, f"destroy hid the {want.winner} error")
        self._check_what_destroy_left(want, before, runs_before)
        # The next container starts clean: faults off, hooks healthy; one that destroy left
        # behind early is abandoned (a new id follows).
        self.host.clear_faults()
        self.host.hook_program("ok", HookProgram.exit(0))
        self.status = "none"
        self.init_alive = False

    def _record_reach(self) -> None:
        """Note the configuration this destroy runs in: the walks check they reach theirs."""
        reached = Reached(
            self.namespace,
            self.hooks,
            self.status if self.started else "unstarted",
            self.init_alive,
            frozenset(self.armed),
        )
        self.reach.append(reached)
        if currently_in_test_context():
            event("destroy", str(reached))

    def _check_what_destroy_left(
        self, want: TeardownOutcome, before: str, runs_before: int
    ) -> None:
        """The state, the poststop hooks and the directories after a destroy, as ``want``
        says for the armed faults."""
        left = container_dirs(self.host, self.c)
        if want.returns_early:
            self.check(
                want.state_requirement,
                self.c.state.name == before,
                f"destroy returned early from {before}; the state became {self.c.state.name}",
            )
            runs = len(self.host.hook_runs(self.ok_hook)) - runs_before
            self.check(
                want.poststop_requirement,
                runs == 0,
                f"after an early return no poststop hook may run; it ran {runs} time(s)",
            )
            self.check(
                want.left_requirement,
                left["state-dir"],
                "after an early return the state dir must still be there",
            )
        else:
            self.check(
                want.state_requirement,
                self.c.state.name == "stopped",
                f"after destroy the state is {self.c.state.name}",
            )
            self.check(
                "LC-DESTROY-STATE-DIR",
                not left["state-dir"] or "state-dir" in self.armed,
                "the state dir survived destroy",
            )
            self.check(
                "LC-DESTROY-RDT",
                not left["rdt"] or "rdt" in self.armed,
                "the resctrl group survived destroy",
            )

    # -- invariants --------------------------------------------------------------------------
    @invariant()
    def status_matches_the_model(self) -> None:
        if self.status == "none" or self.c is None:
            return
        status = str(self.c.status())
        self.check(
            "LC-MODEL-STATUS",
            status == self.status,
            f"the container reports {status}; the spec says {self.status}",
        )


#: what the machine checks besides the cells of the tables
REQUIREMENTS = (
    "LC-MODEL-STATUS",
    *tables.requirement_variants("LC-DESTROY-ALWAYS-STOPPED"),
    *tables.requirement_variants("LC-DESTROY-CONTINUES-AFTER-ERROR"),
)


@pytest.mark.requirement(*REQUIREMENTS)
def test_lifecycle_state_machine(
    subject: Any, rtgate_options: Any, verify: Any, rtgate_hypothesis: Any
) -> None:
    budget = machine_settings(rtgate_hypothesis, rtgate_options.host)
    with example_hosts(rtgate_options.host, rtgate_options.preset) as hosts:
        run_machine(
            lambda: LifecycleMachine(subject, rtgate_options, verify, hosts=hosts),
            rtgate_hypothesis,
            budget,
        )


@pytest.mark.parametrize("namespace", NAMESPACES)
@pytest.mark.requirement(*REQUIREMENTS)
def test_lifecycle_walks(subject: Any, rtgate_options: Any, verify: Any, namespace: str) -> None:
    run_walks(subject, rtgate_options, verify, namespace)


def run_walks(subject: Any, options: Any, verify: Any, namespace: str) -> None:
    """The machine's fixed walks: every configuration its rules care about, each reached."""
    with open_host(options.host, options.preset) as host:
        rdt_available = host.rdt_unavailable() is None
    machine: LifecycleMachine | None = None
    try:
        for walk in lifecycle_walks(namespace, options.profile, rdt_available):
            if machine is None or "rdt" in walk.wants.armed:
                machine = _fresh(machine, subject, options, verify)
            first = len(machine.reach)
            _walk(machine, walk.steps)
            _walk(machine, _finish(machine))
            reached = machine.reach[first:]
            assert walk.wants in reached, f"{walk.name}: reached {', '.join(map(str, reached))}"
    finally:
        if machine is not None:
            machine.teardown()


def _fresh(
    old: LifecycleMachine | None, subject: Any, options: Any, verify: Any
) -> LifecycleMachine:
    """A machine on a new host: a resctrl group a destroy failed to remove on purpose holds
    a closID, and the host has few; they must not run out."""
    if old is not None:
        old.teardown()
    return LifecycleMachine(subject, options, verify, reach=[])


def _walk(machine: LifecycleMachine, steps: tuple[Step, ...]) -> None:
    """Call the rules as Hypothesis would: each followed by the invariant."""
    for name, arguments in steps:
        getattr(machine, name)(**arguments)
        machine.status_matches_the_model()


def _finish(machine: LifecycleMachine) -> tuple[Step, ...]:
    """Rule calls that end a container whose destroy was refused: init goes, then destroy."""
    if machine.status == "none":
        return ()
    ends = "init_dies_paused" if machine.status == "paused" else "kill_init"
    return ((ends, {}), ("destroy", {}))
