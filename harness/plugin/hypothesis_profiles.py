"""The Hypothesis settings profiles of rtgate runs, and the seed every run uses.

``rtgate`` makes runs repeatable and comparable (a fixed seed, no example database, no
deadline on a shared CI machine); ``rtgate-quick`` is the same with fewer examples and no
shrinking (a failure is reported as found), for ``rtgate run --quick``: the proofs that broken
runtimes are caught run it dozens of times, and a broken runtime fails in many sequences.
``rtgate-deep`` runs many more examples and longer sequences, for a nightly job.
Only rtgate's own tests get them (:func:`rtgate_settings`, :func:`rtgate_seed`): with rtgate
installed, its plugin is active in every pytest session of the environment, and another
project's Hypothesis tests keep Hypothesis' defaults (nothing is loaded or seeded globally).

The seed is explicit: ``--hypothesis-seed`` (``rtgate run --hypothesis-seed N``), else
:data:`DEFAULT_SEED`.  It is not Hypothesis' ``derandomize``, whose seed is a hash of the
test's source text: with it, adding one space to a lambda changed which sequences a state
machine tried, and so which defects it caught.  The report records the seed, so a failure
replays with the same one.

A failing runtime must not cost minutes: both profiles shrink only the smallest failure
(``report_multiple_bugs=False``; every violated requirement is still recorded as the machines
meet it) and skip the explain phase, whose notes say little about a state machine.

Hypothesis is imported inside the functions: ``rtgate run`` imports the plugin before it starts
pytest, and pytest can only rewrite asserts of plugin modules it imports itself.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import pytest

from harness.report.model import HypothesisFailure

__all__ = [
    "DEEP",
    "DEFAULT",
    "DEFAULT_SEED",
    "PROFILES",
    "QUICK",
    "SHORT_NAMES",
    "HypothesisRun",
    "describe",
    "parse_hypothesis",
    "parse_replay",
    "register_profiles",
    "reproduce_arguments",
    "rtgate_hypothesis",
    "rtgate_seed",
    "rtgate_settings",
]

#: the line that starts the example: older Hypothesis prints it in its report section, newer
#: adds it to the exception's notes ("Failing test case: <state machine>")
_FALSIFYING = ("Falsifying example", "Failing test case")
#: lines that end the falsifying example
_AFTER_EXAMPLE = ("You can reproduce", "Explanation", "Trying example", "Highest target",
                  "Unreliable test", *_FALSIFYING, "Draw ")  # fmt: skip
#: pytest's prefix of exception lines in a traceback
_EXCEPTION_PREFIX = re.compile(r"^E(?= |$)")
_REPRODUCE = re.compile(r"@reproduce_failure\([^)]*\)")

DEFAULT = "rtgate"
QUICK = "rtgate-quick"
DEEP = "rtgate-deep"
#: every profile rtgate registers
PROFILES = (DEFAULT, QUICK, DEEP)
#: what ``rtgate run --hypothesis-profile`` also takes: quick for a developer's loop, ci for a
#: gate (the default), deep for a nightly job.  Only the command line knows them: registered
#: with Hypothesis, ``ci`` would replace its own profile of that name in every session
SHORT_NAMES = {"quick": QUICK, "ci": DEFAULT, "deep": DEEP}
#: the seed of every Hypothesis test when ``--hypothesis-seed`` is not given
DEFAULT_SEED = 0


def register_profiles() -> None:
    """Register the profiles (registering again overwrites, so this is idempotent)."""
    from hypothesis import HealthCheck
    from hypothesis import Phase
    from hypothesis import settings

    settings.register_profile(
        DEFAULT,
        derandomize=False,  # the seed is set explicitly: see rtgate_seed
        database=None,
        deadline=None,
        max_examples=60,
        stateful_step_count=25,
        suppress_health_check=[HealthCheck.too_slow],
        report_multiple_bugs=False,
        print_blob=True,
        phases=[phase for phase in Phase if phase is not Phase.explain],
    )
    settings.register_profile(
        QUICK,
        parent=settings.get_profile(DEFAULT),
        max_examples=10,
        phases=[phase for phase in Phase if phase not in (Phase.explain, Phase.shrink)],
    )
    settings.register_profile(
        DEEP,
        parent=settings.get_profile(DEFAULT),
        max_examples=2000,
        stateful_step_count=50,
    )


def rtgate_settings(config: pytest.Config) -> Any:
    """The settings of rtgate's own Hypothesis tests: the profile ``--hypothesis-profile``
    names when it is one of rtgate's, else :data:`DEFAULT`.  Never the session's default,
    which belongs to whatever other tests share the session with the plugin installed."""
    from hypothesis import settings

    name = config.getoption("--hypothesis-profile", None)
    return settings.get_profile(name if name in PROFILES else DEFAULT)


@dataclasses.dataclass(frozen=True, slots=True)
class HypothesisRun:
    """What rtgate's own Hypothesis tests run with (the ``rtgate_hypothesis`` fixture), and
    where a state machine says how far it got (a line on the terminal; nothing on an xdist
    worker, which has none)."""

    settings: Any
    seed: int | str
    progress: Callable[[str], None] = lambda line: None
    #: ``--rtgate-replay``: (Hypothesis version, blob) of the one sequence to run again
    replay: tuple[str, bytes] | None = None


def rtgate_hypothesis(config: pytest.Config) -> HypothesisRun:
    """:func:`rtgate_settings` and :func:`rtgate_seed` of this session."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    replay = parse_replay(config.getoption("rtgate_replay", None))
    if reporter is None or capture is None or hasattr(config, "workerinput"):
        return HypothesisRun(rtgate_settings(config), rtgate_seed(config), replay=replay)

    def progress(line: str) -> None:
        # a test's output is captured while it runs: the line goes past the capture
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)

    return HypothesisRun(rtgate_settings(config), rtgate_seed(config), progress, replay)


def parse_replay(value: str | None) -> tuple[str, bytes] | None:
    """``VERSION:BLOB`` of ``--rtgate-replay`` (the two arguments of the
    ``@reproduce_failure`` Hypothesis printed), or None."""
    if not value:
        return None
    version, _, blob = value.partition(":")
    return version, blob.encode("ascii")


def reproduce_arguments(printed: str) -> tuple[str, str] | None:
    """(version, blob) of a printed ``@reproduce_failure('6.1', b'AX==')``, or None."""
    found = re.fullmatch(r"@reproduce_failure\('([^']+)', b'([A-Za-z0-9+/=]+)'\)", printed.strip())
    return (found.group(1), found.group(2)) if found else None


def rtgate_seed(config: pytest.Config) -> int | str:
    """The seed of rtgate's own Hypothesis tests: ``--hypothesis-seed``, else
    :data:`DEFAULT_SEED`; given to each test itself (``hypothesis.seed``), not to the session."""
    given = config.getoption("--hypothesis-seed", None)
    if given is None:
        return DEFAULT_SEED
    return int(given) if str(given).isdigit() else str(given)


def describe(config: pytest.Config) -> dict[str, Any]:
    """How rtgate's Hypothesis tests run in this session, for the report: what a replay
    needs to match."""
    import hypothesis

    current = rtgate_settings(config)
    name = config.getoption("--hypothesis-profile", None)
    return {
        "profile": name if name in PROFILES else DEFAULT,
        "derandomize": bool(current.derandomize),
        "seed": str(rtgate_seed(config)),
        "max_examples": current.max_examples,
        "version": hypothesis.__version__,
    }


def parse_hypothesis(text: str) -> HypothesisFailure | None:
    """The falsifying example in Hypothesis' report or traceback of a failing test, as steps.

    For a state machine the example is the steps (``state = Machine()``, ``state.rule(...)``,
    ``state.teardown()``); for ``@given`` it is the one call.  None when there is no example.
    """
    lines = [_EXCEPTION_PREFIX.sub("", line) for line in text.splitlines()]
    steps: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        if not stripped.startswith(_FALSIFYING):
            continue
        indent = len(line) - len(stripped)
        head = stripped.split(":", 1)[1].strip() if ":" in stripped else ""
        steps = [head] if head and head != "<state machine>" else []
        for follow in lines[index + 1 :]:
            step = follow[indent:].rstrip() if follow[:indent].isspace() else follow.strip()
            if not step or step.startswith(_AFTER_EXAMPLE):
                break
            steps.append(step)
        break
    found = _REPRODUCE.search(text)
    if not steps and found is None:
        return None
    return HypothesisFailure(steps=tuple(steps), reproduce=found.group(0) if found else None)
