"""What ``delete`` does on the command line when teardown steps fail: every combination.

The teardown oracle (:mod:`harness.spec.teardown`) says what destroy does under a profile with
some steps failing; ``[delete_teardown]`` of cli.toml says what the command line makes of it.
:func:`cli_teardown` joins them into the facts a scenario checks of one ``delete``, each with
the rule it is checked under, or None where the profile says nothing (the runtime-spec gives no
order of the steps and nothing of a second delete).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from harness.errors import SpecError
from harness.spec.cli_tables import CLI
from harness.spec.cli_tables import cli
from harness.spec.cli_tables import cli_delete_fault
from harness.spec.tables import PROFILES
from harness.spec.tables import error_sources
from harness.spec.teardown import LEFT_BEHIND
from harness.spec.teardown import teardown_outcome

__all__ = ["CliTeardown", "cli_busy_once", "cli_teardown", "cli_teardown_variants"]


@dataclasses.dataclass(frozen=True, slots=True)
class CliTeardown:
    """What one ``delete`` with ``failing`` steps must show under ``profile``.

    A fact whose rule is None is not specified by the profile and not checked.
    """

    profile: str
    failing: frozenset[str]
    #: delete exits 0
    exit_zero: bool
    #: ``state`` still answers afterwards (the state dir step never ran)
    state_answers: bool | None
    exit_requirement: str
    #: the directories left, of :data:`LEFT_BEHIND` (only those the container had count)
    left: frozenset[str] | None
    #: (the first poststop hook ran, the second ran); the first fails when poststop does
    hooks: tuple[bool, bool]
    left_requirement: str
    #: the failing step the error output must name first (None: it names none)
    first_named: str | None
    first_named_requirement: str | None
    #: what a second ``delete``, with no fault, leaves; whether it exits 0
    again_left: frozenset[str] | None
    again_zero: bool | None
    again_requirement: str | None

    def requirements(self) -> tuple[str, ...]:
        ids = (
            self.exit_requirement,
            self.left_requirement,
            self.first_named_requirement,
            self.again_requirement,
        )
        return tuple(dict.fromkeys(i for i in ids if i))


def _table(profile: str) -> dict[str, str]:
    table = cli(profile).get("delete_teardown")
    if not isinstance(table, dict) or {"destroy_error", "exit", "left"} - set(table):
        raise SpecError(str(CLI), f"profile {profile!r}: [delete_teardown] needs destroy_error,"
                        " exit and left")  # fmt: skip
    return {k: str(v) for k, v in table.items()}


def cli_teardown(profile: str, failing: Iterable[str]) -> CliTeardown:
    """What ``delete`` of a container whose init is gone does under ``profile`` when the
    teardown steps ``failing`` fail.

    Raises:
        SpecError: the profile has no ``[delete_teardown]``.
        ValueError: a failing step is not one of ``[teardown] error_sources``.
    """
    table = _table(profile)
    failed = frozenset(failing)
    unknown = failed - set(error_sources(profile))
    if unknown:
        raise ValueError(
            f"'failing' must be among {error_sources(profile)} (got {sorted(unknown)})"
        )
    remaining = cli_delete_fault("poststop", profile).remaining == "run"
    if table["destroy_error"] == "left":
        return _by_resources(profile, failed, table, remaining)
    outcome = teardown_outcome(profile, failed)
    answers = "state-dir" in outcome.skipped
    left = frozenset(s for s in LEFT_BEHIND if outcome.left_behind(s))
    first_runs = outcome.poststop_runs
    return CliTeardown(
        profile=profile,
        failing=failed,
        exit_zero=outcome.winner is None or table["destroy_error"] == "logged",
        state_answers=answers,
        exit_requirement=table["exit"],
        left=left,
        hooks=(first_runs, first_runs and ("poststop" not in failed or remaining)),
        left_requirement=table["left"],
        first_named=outcome.winner,
        first_named_requirement=table.get("first_named"),
        again_left=frozenset() if answers else left - {"state-dir"},
        # the failing poststop hook is a program that still fails the second time
        again_zero=answers and "poststop" not in failed,
        again_requirement=table.get("again"),
    )


def _by_resources(
    profile: str, failed: frozenset[str], table: dict[str, str], remaining: bool
) -> CliTeardown:
    """A profile that says only that delete deletes what create made (the runtime-spec)."""
    return CliTeardown(
        profile=profile,
        failing=failed,
        exit_zero=not failed & set(LEFT_BEHIND),
        state_answers=None,
        exit_requirement=table["left"] if failed == {"poststop"} else table["exit"],
        left=None,
        hooks=(True, remaining),
        left_requirement=table["left"] if failed == {"poststop"} else "",
        first_named=None,
        first_named_requirement=None,
        again_left=None,
        again_zero=None,
        again_requirement=None,
    )


def cli_teardown_variants(failing: Iterable[str]) -> tuple[str, ...]:
    """Every profile's rules for one combination: what its test is marked with."""
    failed = tuple(failing)
    ids = (r for p in PROFILES for r in cli_teardown(p, failed).requirements())
    return tuple(dict.fromkeys(ids))


def cli_busy_once(profile: str) -> tuple[str, bool]:
    """(the rule, whether it must survive) of a delete whose cgroup dirs are each busy at
    their first rmdir only: libcontainer's manager tries again, so delete must succeed whole;
    the runtime-spec asks for no retry, only that a delete leaving the cgroup exits non-zero.

    Raises:
        SpecError: the profile's ``[delete_teardown]`` has no ``busy_once``.
    """
    table = _table(profile)
    if "busy_once" not in table:
        raise SpecError(str(CLI), f"profile {profile!r}: [delete_teardown] needs busy_once")
    return table["busy_once"], table["destroy_error"] != "left"
