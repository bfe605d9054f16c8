"""Running one of the suite's Hypothesis state machines with rtgate's settings and seed.

They are given to the machine's run itself (``settings=``, ``hypothesis.seed``), never loaded
for the session, so a session that happens to have the plugin installed keeps Hypothesis'
defaults for its own tests, and a run of the suite is repeatable whatever else is loaded.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from hypothesis import Phase
from hypothesis import reproduce_failure
from hypothesis import seed
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import run_state_machine_as_test

__all__ = ["machine_settings", "run_machine"]

#: how often a machine says how far it got, in sequences
EVERY = 20
#: phases a host drops from the profile's: on a real host a failing step can wait out a settle
#: deadline, and shrinking replays it hundreds of times, so the failure is reported as found
DROPPED_PHASES: dict[str, tuple[Phase, ...]] = {"simulated": (), "real": (Phase.shrink,)}


def machine_settings(
    run: Any, host: str, examples: int | None = None, steps: int | None = None
) -> settings:
    """rtgate's profile for this run (``run``: the ``rtgate_hypothesis`` fixture), held to
    ``examples`` of ``steps`` and the host's phases."""
    base = run.settings
    return settings(
        base,
        max_examples=min(base.max_examples, examples or base.max_examples),
        stateful_step_count=min(base.stateful_step_count, steps or base.stateful_step_count),
        phases=[p for p in base.phases if p not in DROPPED_PHASES[host]],
    )


def warm_local_constants() -> None:
    """Have Hypothesis collect the constants of the loaded modules now, on the real filesystem.

    Hypothesis draws now and then from the literals of the code under test, and scans the
    modules for them at its first draw after new ones are loaded.  A machine's first draw comes
    after its host is up, under pyfakefs: the scan then paid for about a thousand module paths
    resolved on the fake filesystem (0.3 s, a third of what its examples spent outside their
    rules) and read each source from where it does not exist.  It is a private function: a
    Hypothesis without it has nothing to warm.
    """
    from hypothesis.internal.conjecture import providers

    scan = getattr(providers, "_get_local_constants", None)
    if callable(scan):
        scan()


def run_machine(factory: Callable[[], RuleBasedStateMachine], run: Any, budget: settings) -> Any:
    """``run_state_machine_as_test`` of ``factory`` under ``budget``, seeded with the run's
    seed (``run``: the ``rtgate_hypothesis`` fixture), saying every :data:`EVERY` sequences
    how far it got: a machine runs for many seconds behind a single pending dot."""
    count = itertools.count(1)

    def counted() -> RuleBasedStateMachine:
        machine = factory()
        index = next(count)
        if index == 1 or index % EVERY == 0:
            run.progress(
                f"  {type(machine).__name__}: sequence {index} (of {budget.max_examples}, up to"
                f" {budget.stateful_step_count} steps each; more while shrinking a failure)"
            )
        return machine

    warm_local_constants()
    factory_run = seed(run.seed)(counted)
    if run.replay is not None:  # exactly the sequence a report recorded (rtgate replay)
        factory_run = reproduce_failure(*run.replay)(factory_run)
    return run_state_machine_as_test(factory_run, settings=budget)
