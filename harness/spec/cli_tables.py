"""The command-line tables of ``cli.toml``: what each OCI command does in each state, and what
``delete`` does when its teardown meets a fault, per profile.

Pure data and pure functions, like :mod:`harness.spec.tables` (whose profile merging it uses).
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from pathlib import Path
from typing import Any

from harness.errors import SpecError
from harness.spec.tables import DEFAULT_PROFILE
from harness.spec.tables import PROFILES
from harness.spec.tables import merged

__all__ = [
    "CLI_OPERATIONS",
    "CLI_STATES",
    "DeleteFault",
    "UNSPECIFIED",
    "cli",
    "cli_delete_fault",
    "cli_delete_fault_variants",
    "cli_operation",
    "cli_requirement_variants",
    "kill_error",
]

CLI = Path(__file__).with_name("cli.toml")
#: the states a runtime reports, in the order the CLI scenarios reach them
CLI_STATES = ("created", "running", "paused", "stopped")
CLI_OPERATIONS = ("start", "kill", "delete", "pause", "resume")


#: the ``expect`` of a cell the profile has no rule for (the runtime-spec has no pause)
UNSPECIFIED = "unspecified"


@functools.cache
def cli(profile: str = DEFAULT_PROFILE) -> dict[str, Any]:
    """The command-line tables of ``profile``: the base with its overrides merged in, or its
    own tables alone when it is ``standalone`` (a cell it leaves out is unspecified).

    Raises:
        SpecError: the file is unreadable or a cell lacks ``expect`` or ``requirement``.
    """
    try:
        data = tomllib.loads(CLI.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise SpecError(str(CLI), str(err)) from err
    own = dict(data.get("profile", {}).get(profile, {}))
    standalone = bool(own.pop("standalone", False))
    base = {k: v for k, v in data.items() if k != "profile"}
    empty: dict[str, Any] = {"operations": {}, "delete_faults": {}, "kill_errors": {}}
    tables = merged(empty if standalone else base, own)
    for state in CLI_STATES:
        row = tables["operations"].setdefault(state, {})
        for operation in CLI_OPERATIONS:
            cell = row.get(operation)
            if cell is None and standalone:
                continue
            if not isinstance(cell, dict) or {"expect", "requirement"} - set(cell):
                raise SpecError(
                    str(CLI), f"operations.{state}.{operation} needs expect and requirement"
                )
    return tables


def cli_operation(state: str, operation: str, profile: str = DEFAULT_PROFILE) -> tuple[str, str]:
    """(what the command does, the requirement id) for ``operation`` in ``state``;
    (:data:`UNSPECIFIED`, "") where the profile has no rule."""
    cell = cli(profile)["operations"][state].get(operation)
    if cell is None:
        return UNSPECIFIED, ""
    return str(cell["expect"]), str(cell["requirement"])


def cli_requirement_variants(state: str, operation: str) -> tuple[str, ...]:
    """Every profile's requirement id of one cell: what its test is marked with."""
    ids = (cli_operation(state, operation, p)[1] for p in PROFILES)
    return tuple(dict.fromkeys(i for i in ids if i))


@dataclasses.dataclass(frozen=True, slots=True)
class DeleteFault:
    """What ``delete`` of a stopped container does when its teardown meets a fault (one
    ``[delete_faults.<fault>]`` table of cli.toml)."""

    #: the rule this cell checks
    requirement: str
    #: "zero" or "non-zero"
    exit: str
    #: "gone" (``state`` errors afterwards) or "kept" (it answers)
    container: str
    #: the poststop hooks after a failing one: "run" or "skipped" ("" where it says nothing)
    remaining: str = ""
    #: the poststop hooks of a delete whose state dir stays: "run" or "skipped" (or "")
    poststop: str = ""


def cli_delete_fault(fault: str, profile: str = DEFAULT_PROFILE) -> DeleteFault:
    """What ``delete`` of a stopped container does when its teardown meets ``fault``.

    Raises:
        SpecError: ``profile`` has no rule for ``fault``, or its table is not a cell.
    """
    faults = cli(profile)["delete_faults"]
    if fault not in faults:
        raise SpecError(str(CLI), f"profile {profile!r} has no [delete_faults.{fault}]")
    try:
        return DeleteFault(**{k: str(v) for k, v in faults[fault].items()})
    except TypeError as err:
        raise SpecError(str(CLI), f"[delete_faults.{fault}]: {err}") from err


def cli_delete_fault_variants(fault: str) -> tuple[str, ...]:
    """Every profile's requirement id for ``fault``: what its test is marked with."""
    return tuple(
        dict.fromkeys(
            cli_delete_fault(fault, p).requirement
            for p in PROFILES
            if fault in cli(p)["delete_faults"]
        )
    )


def kill_error(key: str, profile: str = DEFAULT_PROFILE, **fields: str) -> str:
    """What a failed ``kill`` prints (``[kill_errors]``: "signal_failed", "not_running").

    Raises:
        SpecError: ``profile`` has no such text.
    """
    texts = cli(profile).get("kill_errors", {})
    if key not in texts:
        raise SpecError(str(CLI), f"profile {profile!r} has no [kill_errors] {key}")
    return str(texts[key]).format(**fields)
