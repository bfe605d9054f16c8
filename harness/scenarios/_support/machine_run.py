"""Running one of the suite's Hypothesis state machines with rtgate's settings and seed.

They are given to the machine's run itself (``settings=``, ``hypothesis.seed``), never loaded
for the session, so a session that happens to have the plugin installed keeps Hypothesis'
defaults for its own tests, and a run of the suite is repeatable whatever else is loaded.
"""

from __future__ import annotations

import itertools
import sys
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


def keep_local_constants_out() -> None:
    """Leave Hypothesis' pool of the loaded modules' literals empty, as it always was here.

    Hypothesis draws now and then from the literals of the code under test, scanning the
    modules loaded so far at its first draw after new ones are loaded.  A machine's first draw
    comes with its host up, under pyfakefs, where no module's source can be read: the pool
    stayed empty, and the scan still cost 0.3 s of fake path lookups.  A pool filled from the
    real sources would depend on which modules a process happened to load, so on test order
    and the xdist split: one seed would no longer replay one sequence.  So the modules loaded
    now are marked as scanned, which costs nothing and keeps the pool as it was; modules loaded
    later are scanned during an example, under pyfakefs, as before.  These are private names:
    a Hypothesis without them is left alone.
    """
    from hypothesis.internal.conjecture import providers

    seen = getattr(providers, "_seen_modules", None)
    if not isinstance(seen, set) or not hasattr(providers, "_sys_modules_len"):
        return
    seen.update(id(module) for module in list(sys.modules.values()))
    providers._sys_modules_len = len(sys.modules)


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

    keep_local_constants_out()
    factory_run = seed(run.seed)(counted)
    if run.replay is not None:  # exactly the sequence a report recorded (rtgate replay)
        factory_run = reproduce_failure(*run.replay)(factory_run)
    return run_state_machine_as_test(factory_run, settings=budget)
