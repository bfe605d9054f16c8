"""What destroy must do when some of its teardown steps fail: one oracle, read from the tables.

``lifecycle.toml`` says which steps can fail (``[teardown] error_sources``, first to last), the
order the steps run in (``steps``) and whether destroy runs them all and returns the first error
(the seed's ``all-steps``) or returns at the first failing step (runc 1.2's ``early-return``).
:func:`teardown_outcome` turns a profile and a set of failing steps into every fact a scenario
checks, each with the requirement id it is checked under, so that no scenario works out
precedence or assembles an id itself.  :func:`error_source` reads an error text back to the
step it comes from, by the profile's wrappers of each step's error.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from harness.spec import tables

__all__ = [
    "LEFT_BEHIND",
    "TeardownOutcome",
    "error_source",
    "first_error_requirement",
    "teardown_outcome",
]

#: the steps that leave a directory behind when they fail or never run
LEFT_BEHIND = ("cgroup", "rdt", "state-dir")
_ALWAYS_STOPPED = "LC-DESTROY-ALWAYS-STOPPED"
_CONTINUES = "LC-DESTROY-CONTINUES-AFTER-ERROR"
_WRAPPED = "LC-DESTROY-ERROR-WRAPPED"


def first_error_requirement(source: str, profile: str = tables.DEFAULT_PROFILE) -> str:
    """The id of the rule that destroy returns the error of ``source`` when it fails first."""
    return tables.requirement_for(f"LC-DESTROY-FIRST-ERROR-{source.upper()}", profile)


@dataclasses.dataclass(frozen=True, slots=True)
class TeardownOutcome:
    """What destroy does under ``profile`` with ``failing`` steps, and the id of each fact."""

    profile: str
    failing: frozenset[str]
    #: ``all-steps`` or ``early-return`` (``[teardown.behaviour] mode``)
    mode: str
    #: the failing step whose error destroy returns; None when destroy succeeds
    winner: str | None
    #: the steps destroy never runs because it returned at ``winner``
    skipped: tuple[str, ...]
    #: the rule that destroy returns ``winner``'s error (None: it returns none)
    error_requirement: str | None
    #: the rule that the returned error is wrapped by destroy's own text (early-return only)
    wrapped_requirement: str | None
    #: the rule of the state destroy ends in (stopped, or kept after an early return)
    state_requirement: str
    #: the rule of whether the poststop hooks run
    poststop_requirement: str
    #: the rule of which directories are left behind
    left_requirement: str

    @property
    def returns_early(self) -> bool:
        """Destroy returns at ``winner`` and runs no later step."""
        return bool(self.skipped)

    @property
    def ends_stopped(self) -> bool:
        return "mark-stopped" not in self.skipped

    @property
    def keeps_init(self) -> bool:
        """Destroy returned before it dropped the container's init process."""
        return "drop-init" in self.skipped

    @property
    def poststop_runs(self) -> bool:
        return "poststop" not in self.skipped

    @property
    def error_prefix(self) -> str:
        """What every error destroy returns starts with (runc 1.2 wraps them)."""
        return tables.destroy_error("", self.profile)

    def left_behind(self, step: str) -> bool:
        """Whether the directory of ``step`` (one of :data:`LEFT_BEHIND`) outlives destroy,
        if it existed: its step failed or never ran."""
        return step in self.failing or step in self.skipped

    def requirements(self) -> tuple[str, ...]:
        """The rules a test of this case checks under this profile, in the catalog's order
        of precedence: the seed's rules of every destroy first, runc 1.2's error rules first.
        An early-return profile has no rule for a destroy where nothing fails."""
        if self.mode == "all-steps":
            ids = (self.state_requirement, self.poststop_requirement, self.error_requirement)
        elif self.winner is None:
            return ()
        else:
            ids = (
                self.error_requirement,
                self.wrapped_requirement,
                self.state_requirement,
                self.poststop_requirement,
            )
        return tuple(dict.fromkeys(i for i in ids if i is not None))


def teardown_outcome(
    profile: str, failing: Iterable[str], case_requirement: str | None = None
) -> TeardownOutcome:
    """What destroy of a container whose init is gone does under ``profile`` when the steps
    ``failing`` (of ``[teardown] error_sources``) fail.

    The seed runs every step and returns the first error.  runc 1.2 returns at a failing step
    and skips every later one; the poststop hooks are its last error source, and their error
    is returned once the state is stopped, so they skip nothing.  Where the profile returns
    early, a destroy that runs to the end is checked under the poststop rule (the one rule of
    that path), or under ``case_requirement`` when nothing fails and the caller has one.
    """
    failed = frozenset(failing)
    sources = tables.error_sources(profile)
    unknown = failed - set(sources)
    if unknown:
        raise ValueError(f"'failing' must be among {sources} (got {sorted(unknown)})")
    mode = tables.teardown_mode(profile)
    winner = next((s for s in sources if s in failed), None)
    steps = tables.teardown_steps(profile)
    early = mode == "early-return" and winner is not None and winner != sources[-1]
    skipped = steps[steps.index(winner) + 1 :] if early and winner is not None else ()
    error_id = first_error_requirement(winner, profile) if winner is not None else None
    if mode == "all-steps" or skipped:
        state_id = tables.requirement_for(_ALWAYS_STOPPED, profile)
        poststop_id = tables.requirement_for(_CONTINUES, profile)
        left_id = str(error_id) if skipped else poststop_id
    else:
        fallback = case_requirement if winner is None else None
        state_id = poststop_id = left_id = fallback or first_error_requirement("poststop", profile)
    return TeardownOutcome(
        profile=profile,
        failing=failed,
        mode=mode,
        winner=winner,
        skipped=skipped,
        error_requirement=error_id,
        wrapped_requirement=_WRAPPED if mode == "early-return" and winner is not None else None,
        state_requirement=state_id,
        poststop_requirement=poststop_id,
        left_requirement=left_id,
    )


def error_source(
    text: str, profile: str = tables.DEFAULT_PROFILE, *, rdt_group: str, state_dir: str
) -> str:
    """Which teardown step the error ``text`` comes from: the profile's wrapper for that step
    must enclose it (runc 1.2 wraps twice; the seed not at all), and the text inside must be
    that step's own (its message, or the path it failed on: ``rdt_group``, ``state_dir``).
    Anything else is ``unknown error: <text>``."""
    rmdir_busy = tables.cgroup_busy(profile).v2
    rmdir_pattern = re.escape(rmdir_busy).replace(re.escape("{path}"), ".+")
    hook_failed = tables.hook_failed(0, "", "", profile).partition("0")[0]
    own = {
        "cgroup": lambda inner: (
            inner.startswith(tables.message("cgroup_remove"))
            or (rmdir_busy != "map" and re.fullmatch(rmdir_pattern, inner) is not None)
        ),
        "poststop": lambda inner: inner.startswith((hook_failed, "hook ran past")),
        "rdt": lambda inner: rdt_group in inner,
        "state-dir": lambda inner: state_dir in inner,
    }
    for source in tables.error_sources(profile):
        inner = _unwrap(text, source, profile)
        if inner is not None and own[source](inner):
            return source
    return f"unknown error: {text!r}"


def _unwrap(text: str, source: str, profile: str) -> str | None:
    """The step's own error inside ``text``, when ``text`` has the shape of its wrappers."""
    index_mark, error_mark = "9999999", "\x00"
    template = tables.teardown_error(source, error_mark, profile, index=int(index_mark))
    pattern = re.escape(template).replace(index_mark, r"\d+").replace(error_mark, "(.*)")
    found = re.fullmatch(pattern, text, flags=re.DOTALL)
    return found.group(1) if found else None
