"""Proof that the lifecycle state machine catches broken runtimes whatever its seed.

Hypothesis' exploration alone (the walks left out) runs the way
``test_lifecycle_state_machine`` runs it (without shrinking) under seeds 0 to 4;
each broken runtime of :data:`CAUGHT` must fail under every seed, naming the requirement it
breaks.  The seed is applied with ``@seed``, the same ``Random(seed)`` that
``--hypothesis-seed`` gives; one ``rtgate run --hypothesis-seed`` shows the option reaches the
machine and the report.  The walks need no seed: each runtime of :data:`WALKED` (the
exploration misses some under some seed) must fail them, naming its requirement.
"""

from __future__ import annotations

import json
import types
from pathlib import Path

import pytest
from hypothesis import Phase
from hypothesis import seed
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from harness.hosts.reuse import example_hosts
from harness.scenarios.test_lifecycle_machine import LifecycleMachine
from harness.scenarios.test_lifecycle_machine import run_walks
from harness.spec import tables
from harness.subjects.registry import parse_subject
from tests.broken import expectation
from tests.test_broken_variants import rtgate

#: the first error destroy returns, by the step that failed first
_FIRST_ERROR = tuple(f"LC-DESTROY-FIRST-ERROR-{step.upper()}" for step in tables.error_sources())
#: runc 1.2's rules of a destroy that returns at its first failing step: the error of that
#: step, the state kept, no poststop hook
_EARLY_RETURN = (
    *(f"LC-DESTROY-EARLY-RETURN-{step.upper()}" for step in ("cgroup", "rdt", "state-dir")),
    "LC-DESTROY-EARLY-RETURN-KEEPS-STATE",
    "LC-DESTROY-EARLY-RETURN-NO-POSTSTOP",
)
#: broken runtimes whose rule the lifecycle machine checks, and the requirements one of which
#: it must name (which step's error comes out wrong depends on the faults a sequence arms)
CAUGHT = {
    "running_after_failed_destroy": ("LC-DESTROY-ALWAYS-STOPPED",),
    "precedence_reversed": _FIRST_ERROR,
    "poststop_after_early_return": ("LC-DESTROY-EARLY-RETURN-NO-POSTSTOP",),
}
SEEDS = range(5)
#: broken runtimes the walks must catch, and the requirement they must name
WALKED = {
    **CAUGHT,
    "paused_destroyable": ("LC-DESTROY-PAUSED-ALIVE",),
    "destroy_continues_after_failure": _EARLY_RETURN,
}


class _Verify:
    """The ``verify`` fixture's contract: a failed check raises, naming its requirement."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def __call__(self, req_id: str, ok: object, message: str) -> None:
        if not ok:
            self.failed.append(req_id)
            raise AssertionError(f"[{req_id}] {message}")


def _first_failure(module: str, number: int) -> str | None:
    """The requirement the machine blames first under seed ``number``, None if it passes."""
    wanted = expectation(module)
    subject = parse_subject(f"python:tests.broken.{module}:new_factory")
    options = types.SimpleNamespace(host="simulated", preset="v1-cat", profile=wanted.profile)
    profile = settings.get_profile("rtgate")
    # as make test finds it: shrinking replays the failure many times and proves nothing here
    fast = settings(profile, phases=[p for p in profile.phases if p is not Phase.shrink])
    verify = _Verify()

    try:
        with example_hosts(options.host, options.preset) as hosts:  # as the machine's test

            def machine() -> LifecycleMachine:
                return LifecycleMachine(subject, options, verify, hosts=hosts)

            run_state_machine_as_test(seed(number)(machine), settings=fast)
    except AssertionError:
        return verify.failed[0] if verify.failed else "an assertion without a requirement"
    return None


@pytest.mark.parametrize("module", sorted(CAUGHT))
def test_machine_catches_broken_runtime_under_every_seed(module: str) -> None:
    found = {number: _first_failure(module, number) for number in SEEDS}
    missed = {number: got for number, got in found.items() if got not in CAUGHT[module]}
    assert not missed, f"tests/broken/{module}.py must fail {CAUGHT[module]}; by seed: {missed}"


@pytest.mark.parametrize("module", sorted(WALKED))
def test_walks_catch_broken_runtime(module: str) -> None:
    wanted = expectation(module)
    subject = parse_subject(f"python:tests.broken.{module}:new_factory")
    options = types.SimpleNamespace(host="simulated", preset="v1-cat", profile=wanted.profile)
    verify = _Verify()
    with pytest.raises(AssertionError):
        run_walks(subject, options, verify, "private")
    assert verify.failed[0] in WALKED[module], f"{module}: the walks blamed {verify.failed}"


def test_the_seed_option_reaches_the_machine_and_the_report(tmp_path: Path) -> None:
    module = "poststop_after_early_return"
    result = rtgate(
        "run",
        "--quick",
        "--profile",
        "runc-1.2",
        "--hypothesis-seed",
        "3",
        "-k",
        "lifecycle_state_machine",
        "--subject",
        f"python:tests.broken.{module}:new_factory",
        "--report-dir",
        str(tmp_path),
    )
    assert result.returncode == 1, f"{result.stdout}\n{result.stderr}"
    report = json.loads((tmp_path / "compliance.json").read_text())
    assert report["run"]["hypothesis"]["seed"] == "3"
    failed = {r["id"] for r in report["requirements"] if r["outcome"] in ("fail", "error")}
    assert CAUGHT[module][0] in failed, f"failed: {sorted(failed)}"
