"""The lifecycle machine with hollow rules: the same rules, preconditions and argument
strategies as :class:`~harness.scenarios.test_lifecycle_machine.LifecycleMachine`, whose
bodies only keep the model's status, with no subject, host or check behind them.  Its rate is
what Hypothesis' stateful engine alone allows a machine of that shape on this machine: the
ceiling of any speed-up of the subject and the simulated kernel."""

from __future__ import annotations

import time

from hypothesis import seed
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import initialize
from hypothesis.stateful import invariant
from hypothesis.stateful import precondition
from hypothesis.stateful import rule
from hypothesis.stateful import run_state_machine_as_test

from harness.scenarios.test_lifecycle_machine import FAULTS
from harness.scenarios.test_lifecycle_machine import FIRST_CONTAINER
from harness.scenarios.test_lifecycle_machine import NEXT_CONTAINER
from harness.scenarios.test_lifecycle_machine import NextContainer
from harness.scenarios.test_lifecycle_machine import When

__all__ = ["hollow_rate"]


class HollowLifecycleMachine(RuleBasedStateMachine):
    """The status model of the lifecycle machine, step for step."""

    def __init__(self) -> None:
        super().__init__()
        self.status, self.started, self.init_alive, self.paused_from = "none", False, False, ""
        self.steps = 0

    def _new(self, started: str) -> None:
        self.status = {"running": "running", "created": "created"}.get(started, "stopped")
        self.started = started != "unstarted"
        self.init_alive, self.paused_from = self.started, ""

    @initialize(**FIRST_CONTAINER)
    def first_container(self, rdt: bool, hooks: str, namespace: str, run: bool) -> None:
        self._new("running" if run else "created")

    @precondition(When.unstarted)
    @rule(run=st.booleans())
    def start(self, run: bool) -> None:
        self._new("running" if run else "created")

    @precondition(When.created)
    @rule()
    def exec(self) -> None:
        self.status = "running"

    @precondition(When.in_a_life)
    @rule()
    def pause(self) -> None:
        if self.status in ("created", "running"):
            self.paused_from, self.status = self.status, "paused"

    @precondition(When.resumable)
    @rule()
    def resume(self) -> None:
        if self.status == "paused":
            self.status = "running"

    @precondition(When.init_runs)
    @rule()
    def kill_init(self) -> None:
        self.init_alive, self.status = False, "stopped"

    @precondition(When.init_runs)
    @rule()
    def init_exits(self) -> None:
        self.init_alive, self.status = False, "stopped"

    @precondition(When.started)
    @rule()
    def load(self) -> None:
        pass

    @precondition(When.in_a_life)
    @rule(fault=st.sampled_from(FAULTS))
    def arm_fault(self, fault: str) -> None:
        pass

    @precondition(When.paused_with_init)
    @rule()
    def init_dies_paused(self) -> None:
        self.init_alive = False

    @precondition(When.in_a_life)
    @rule(faults=st.sets(st.sampled_from(FAULTS)), then=NEXT_CONTAINER)
    def destroy(self, faults: frozenset[str], then: NextContainer) -> None:
        if self.status == "stopped" or not self.init_alive:
            self._new(then[3])

    @invariant()
    def counted(self) -> None:
        self.steps += 1


def hollow_rate(budget: settings, number: int = 0) -> tuple[float, int]:
    """Steps per second of the hollow machine under ``budget`` and seed ``number``, counted
    as the real machine's are (every invariant check after a machine's first), and the steps."""
    machines: list[HollowLifecycleMachine] = []

    def factory() -> HollowLifecycleMachine:
        machines.append(HollowLifecycleMachine())
        return machines[-1]

    start = time.perf_counter()
    run_state_machine_as_test(seed(number)(factory), settings=budget)
    seconds = time.perf_counter() - start
    steps = sum(machine.steps - 1 for machine in machines)
    return steps / seconds, steps
