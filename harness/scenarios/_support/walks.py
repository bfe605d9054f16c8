"""The configurations the state machines must reach in every run, and fixed walks that reach
each of them on purpose.

A Hypothesis run explores sequences from its seed; whether it meets, say, a paused container
whose init is gone with two teardown faults armed is luck.  The walks below are the same
machines' rules called in a fixed order, one walk per configuration a rule cares about: the
PID namespace setting (one machine per setting), the hook set, the state destroy meets with
init alive and gone, and each armed fault alone (and, for a killed init, every pair and all
of them).  Each walk then
checks that it reached what it was written for, so a rule that stops arming a fault (or a
precondition that stops letting a state through) fails a test instead of a coverage report.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator

from harness.spec import cli_tables
from harness.spec import tables

__all__ = [
    "HOOK_SETS",
    "JOINED_PID_NAMESPACE",
    "NAMESPACES",
    "CliWalk",
    "LifecycleWalk",
    "Reach",
    "Reached",
    "Step",
    "cli_walks",
    "lifecycle_walks",
]

#: the PID namespace of a container: its own, one it joins by path, none (the host's)
NAMESPACES = ("private", "joined", "none")
#: the PID namespace a "joined" container joins
JOINED_PID_NAMESPACE = "/proc/1/ns/pid"
#: the hooks a container's config carries: none, one poststop hook, and prestart, poststart
#: and poststop hooks
HOOK_SETS = ("none", "poststop", "all")

#: a rule call of a walk: the rule's name and its arguments
Step = tuple[str, dict[str, object]]

#: how a walk brings a container to the state destroy meets, and that state: the model's
#: status ("unstarted": created, never started), and whether init is alive
_SITUATIONS: dict[str, tuple[tuple[Step, ...], str, bool]] = {
    "unstarted": ((), "unstarted", False),
    "created": ((("start", {"run": False}),), "created", True),
    "running": ((("start", {"run": True}),), "running", True),
    "exec": ((("start", {"run": False}), ("exec", {})), "running", True),
    "paused": ((("start", {"run": True}), ("pause", {})), "paused", True),
    "paused-gone": (
        (("start", {"run": True}), ("pause", {}), ("init_dies_paused", {})),
        "paused",
        False,
    ),
    "killed": ((("start", {"run": True}), ("kill_init", {})), "stopped", False),
    "exited": ((("start", {"run": False}), ("init_exits", {})), "stopped", False),
    "loaded": ((("start", {"run": True}), ("load", {})), "running", True),
    "loaded-gone": (
        (("start", {"run": True}), ("kill_init", {}), ("load", {})),
        "stopped",
        False,
    ),
}

#: where the other hook sets make a difference: start (prestart and poststart hooks run) and
#: destroy (poststop hooks run, or there are none to fail)
_HOOK_SITUATIONS = ("unstarted", "created", "killed")
#: where the PID namespace setting makes a difference: whether destroy's kill-all step runs
#: (a created init, a killed one with a busy cgroup, a frozen one); a refused destroy is the
#: same under every setting
_NAMESPACE_SITUATIONS = ("unstarted", "created", "paused-gone", "killed", "exited")


@dataclasses.dataclass(frozen=True, slots=True)
class Reached:
    """The configuration one destroy of the lifecycle machine ran in."""

    namespace: str
    hooks: str
    state: str
    init_alive: bool
    armed: frozenset[str]

    def __str__(self) -> str:
        alive = "alive" if self.init_alive else "gone"
        armed = "+".join(sorted(self.armed)) or "no fault"
        return f"{self.namespace} pidns, hooks {self.hooks}, {self.state} (init {alive}), {armed}"


#: where a machine notes each configuration it reached
Reach = list[Reached]


@dataclasses.dataclass(frozen=True, slots=True)
class LifecycleWalk:
    """Rule calls of the lifecycle machine ending in one destroy, and what it must reach."""

    steps: tuple[Step, ...]
    wants: Reached

    @property
    def name(self) -> str:
        return str(self.wants)


def _faults(namespace: str, hooks: str, state: str, kill_all: bool, rdt: bool) -> tuple[str, ...]:
    """The teardown faults the machine can arm in this configuration."""
    started = state != "unstarted"
    applies = {
        "cgroup": started and not kill_all,
        "rdt": started and rdt,
        "state-dir": True,
        "poststop": hooks != "none",
    }
    return tuple(f for f in tables.error_sources() if applies.get(f, False))


def _fault_sets(faults: tuple[str, ...], every_set: bool) -> Iterator[frozenset[str]]:
    """No fault and each fault alone; with ``every_set`` also every pair and all of them
    (which error wins is a rule of two or more failing steps)."""
    sizes = sorted({0, 1, 2, len(faults)}) if every_set else (0, 1)
    for size in sizes:
        for chosen in itertools.combinations(faults, size):
            yield frozenset(chosen)


def lifecycle_walks(namespace: str, profile: str, rdt_available: bool) -> tuple[LifecycleWalk, ...]:
    """Every walk of a lifecycle machine with PID namespace setting ``namespace``."""
    kill_all = namespace == "none" or (
        namespace == "joined" and tables.kill_all_in_joined_pidns(profile)
    )
    walks = []
    for hooks, (situation, (reach_it, state, alive)) in itertools.product(
        HOOK_SETS, _SITUATIONS.items()
    ):
        if hooks != "poststop" and (situation not in _HOOK_SITUATIONS or namespace != "private"):
            continue
        if namespace != "private" and situation not in _NAMESPACE_SITUATIONS:
            continue
        cell_state = "stopped" if state == "unstarted" else state
        refuses = isinstance(
            tables.destroy_expectation(cell_state, alive, profile), tables.ErrorCell
        )
        faults = () if refuses else _faults(namespace, hooks, state, kill_all, rdt_available)
        if hooks != "poststop" or namespace != "private":
            # another hook set or namespace changes what start, kill-all and the poststop
            # step do: the states where it does once, and a killed init with each fault
            faults = faults if situation == "killed" else ()
        # which error wins depends on the failing steps, not on how init went: every set of
        # them once, where most steps can fail
        every_set = situation == "killed" and hooks == "poststop" and namespace == "private"
        for armed in _fault_sets(faults, every_set):
            rdt = "rdt" in armed
            steps = (
                ("create", {"rdt": rdt, "hooks": hooks, "namespace": namespace}),
                *reach_it,
                *(("arm_fault", {"fault": fault}) for fault in sorted(armed)),
                ("destroy", {}),
            )
            walks.append(LifecycleWalk(steps, Reached(namespace, hooks, state, alive, armed)))
    return tuple(walks)


@dataclasses.dataclass(frozen=True, slots=True)
class CliWalk:
    """Rule calls of the command-line machine: ``path`` from a created container, then
    ``operations`` in the ``state`` the path reaches (cells of ``cli.toml``): the refused
    ones first, which change nothing, then at most one that changes the state."""

    path: tuple[str, ...]
    state: str
    operations: tuple[str, ...]

    @property
    def steps(self) -> tuple[Step, ...]:
        ops = (*self.path, *self.operations)
        return (("create", {}), *(("operate", {"operation": op}) for op in ops))

    @property
    def name(self) -> str:
        via = f" after {', '.join(self.path)}" if self.path else ""
        return f"{', '.join(self.operations)} in {self.state}{via}"


#: the ways into the states a container reports, with the operations to try there (None:
#: all).  A container paused while created, and one killed while paused (the v1 freezer holds
#: the SIGKILL) differ from the others only in what resume and kill do.
_CLI_PATHS: tuple[tuple[tuple[str, ...], tuple[str, ...] | None], ...] = (
    ((), None),
    (("start",), None),
    (("start", "pause"), None),
    (("pause",), ("resume", "kill")),
    (("start", "pause", "kill"), ("resume", "kill")),
    (("start", "kill"), None),
)


def _cli_state(path: tuple[str, ...], profile: str) -> str | None:
    """The status ``path`` leaves a created container in, by the tables; None when a step
    of it is refused or unspecified."""
    state = "created"
    for operation in path:
        expect, _ = cli_tables.cli_operation(state, operation, profile)
        if expect in ("error", "gone", cli_tables.UNSPECIFIED):
            return None
        state = state if expect == "pending" else expect
    return state


def cli_walks(profile: str) -> tuple[CliWalk, ...]:
    """Every (state, operation) cell the profile specifies, and resume and kill from each
    way into a paused state: one container per operation that changes the state, the
    refused operations tried on the first."""
    walks = []
    for path, wanted in _CLI_PATHS:
        state = _cli_state(path, profile)
        if state is None:
            continue
        specified = [
            op
            for op in wanted or cli_tables.CLI_OPERATIONS
            if cli_tables.cli_operation(state, op, profile)[0] != cli_tables.UNSPECIFIED
        ]
        refused = tuple(
            op for op in specified if cli_tables.cli_operation(state, op, profile)[0] == "error"
        )
        changing = [op for op in specified if op not in refused] or [None]
        for index, operation in enumerate(changing):
            tried = refused if index == 0 else ()
            walks.append(CliWalk(path, state, (*tried, *(op for op in (operation,) if op))))
    return tuple(walks)
