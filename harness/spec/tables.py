"""The lifecycle tables of ``lifecycle.toml``, loaded once, checked, and asked in plain words.

Pure data and pure functions: nothing here runs a runtime.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

from harness.errors import SpecError

__all__ = [
    "CELL_KINDS",
    "STATES",
    "destroy_expectation",
    "error_sources",
    "lifecycle",
    "message",
    "operation_expectation",
    "status_of",
    "teardown_steps",
    "transition_cell",
    "transition_error",
]

LIFECYCLE = Path(__file__).with_name("lifecycle.toml")
CELL_KINDS = ("assign", "noop", "error", "check-running")


@functools.cache
def lifecycle() -> dict[str, Any]:
    """The parsed and checked table file."""
    try:
        data = tomllib.loads(LIFECYCLE.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise SpecError(str(LIFECYCLE), str(err)) from err
    states = data.get("states", [])
    for row in states:
        cells = data["transitions"].get(row, {})
        if sorted(cells) != sorted(states):
            raise SpecError(str(LIFECYCLE), f"[transitions.{row}] must name every state")
        for target, kind in cells.items():
            if kind not in CELL_KINDS:
                raise SpecError(
                    str(LIFECYCLE),
                    f"'transitions.{row}.{target}' must be one of {CELL_KINDS} (got {kind!r})",
                )
    return data


STATES: tuple[str, ...] = tuple(lifecycle()["states"])


def status_of(state: str) -> str:
    """The status name a state reports (restored reports running)."""
    return str(lifecycle()["status"][state])


def transition_cell(from_state: str, to_state: str) -> str:
    return str(lifecycle()["transitions"][from_state][to_state])


def message(key: str, **fields: Any) -> str:
    return str(lifecycle()["messages"][key]).format(**fields)


def transition_error(from_state: str, to_state: str) -> str:
    """The exact text of the transition error between two states."""
    return message("transition", **{"from": status_of(from_state), "to": status_of(to_state)})


def destroy_expectation(state: str, init_alive: bool) -> str:
    return str(lifecycle()["destroy"][state]["alive" if init_alive else "gone"])


def operation_expectation(state: str, operation: str) -> str:
    return str(lifecycle()["operations"][state][operation])


def teardown_steps() -> tuple[str, ...]:
    return tuple(lifecycle()["teardown"]["steps"])


def error_sources() -> tuple[str, ...]:
    return tuple(lifecycle()["teardown"]["error_sources"])


# -- resources.toml: the cgroup manager and the resctrl writer ------------------------------

RESOURCES = Path(__file__).with_name("resources.toml")


@functools.cache
def resources() -> dict[str, Any]:
    """The parsed expectations of the cgroup manager and the resctrl writer."""
    try:
        return tomllib.loads(RESOURCES.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise SpecError(str(RESOURCES), str(err)) from err


# read now, on the real filesystem: scenarios ask for texts while a simulated host is patched in
resources()


def resource_message(key: str, **fields: Any) -> str:
    """A cgroup or resctrl error text; for a kernel text with eras, the newest era's."""
    value = resources()["messages"][key]
    text = value[0] if isinstance(value, list) else value
    return str(text).format(**fields)


def resource_messages(key: str, **fields: Any) -> tuple[str, ...]:
    """Every era's text of a kernel message (newest first)."""
    value = resources()["messages"][key]
    texts = value if isinstance(value, list) else [value]
    return tuple(str(t).format(**fields) for t in texts)


def v1_limit_file(limit: str) -> tuple[str, str]:
    """(hierarchy, file) a limit of the config is written to on cgroup v1."""
    hierarchy, name = resources()["v1_files"][limit]
    return str(hierarchy), str(name)


def v2_file(name: str) -> str:
    """The cgroup v2 file of a limit, or of the freezer ("freeze", "events", ...)."""
    return str(resources()["v2_files"][name])


def v2_controller(limit: str) -> str:
    """The controller a limit needs enabled above a cgroup2 group."""
    return str(resources()["v2_controllers"][limit])


def shares_to_weight() -> dict[int, int]:
    """cpu shares -> the cgroup v2 cpu.weight runc writes for them."""
    return {int(r["shares"]): int(r["weight"]) for r in resources()["shares_to_weight"]}
