"""The lifecycle tables of ``lifecycle.toml``, loaded once, checked, and asked in plain words.

Pure data and pure functions: nothing here runs a runtime.  Every accessor takes the profile
whose expectations it answers (``seed`` by default): the seed's tables with that profile's
``[profile."<name>"]`` overrides merged in.
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.errors import SpecError
from harness.spec.resource_tables import RESOURCES  # noqa: F401 - re-exported
from harness.spec.resource_tables import blkio_weight_file_without_cfq  # noqa: F401 - re-exported
from harness.spec.resource_tables import cfs_period_retried  # noqa: F401 - re-exported
from harness.spec.resource_tables import cgroup_write_error  # noqa: F401 - re-exported
from harness.spec.resource_tables import cpu_default  # noqa: F401 - re-exported
from harness.spec.resource_tables import directory_mode  # noqa: F401 - re-exported
from harness.spec.resource_tables import exec_tasks_write_error  # noqa: F401 - re-exported
from harness.spec.resource_tables import freeze_without_group  # noqa: F401 - re-exported
from harness.spec.resource_tables import freezer_file  # noqa: F401 - re-exported
from harness.spec.resource_tables import frozen_sigkill  # noqa: F401 - re-exported
from harness.spec.resource_tables import kill_all_file  # noqa: F401 - re-exported
from harness.spec.resource_tables import limit_without_group  # noqa: F401 - re-exported
from harness.spec.resource_tables import limit_without_group_read_first  # noqa: F401 - re-exported
from harness.spec.resource_tables import memory_limit_busy  # noqa: F401 - re-exported
from harness.spec.resource_tables import memory_read_candidates  # noqa: F401 - re-exported
from harness.spec.resource_tables import memory_unlimited_overrides_swap  # noqa: F401 - re-exported
from harness.spec.resource_tables import memory_unlimited_reads  # noqa: F401 - re-exported
from harness.spec.resource_tables import memory_usage_files  # noqa: F401 - re-exported
from harness.spec.resource_tables import paused_kill_reaches  # noqa: F401 - re-exported
from harness.spec.resource_tables import procs_einval_retries  # noqa: F401 - re-exported
from harness.spec.resource_tables import procs_write_error  # noqa: F401 - re-exported
from harness.spec.resource_tables import rdt_destroy_unstarted_removes_group  # noqa: F401 - re-exported
from harness.spec.resource_tables import resource_message  # noqa: F401 - re-exported
from harness.spec.resource_tables import resource_messages  # noqa: F401 - re-exported
from harness.spec.resource_tables import resources  # noqa: F401 - re-exported
from harness.spec.resource_tables import schemata_write_error  # noqa: F401 - re-exported
from harness.spec.resource_tables import shares_to_weight  # noqa: F401 - re-exported
from harness.spec.resource_tables import shares_wrapped  # noqa: F401 - re-exported
from harness.spec.resource_tables import swappiness_invalid  # noqa: F401 - re-exported
from harness.spec.resource_tables import tasks_write_error  # noqa: F401 - re-exported
from harness.spec.resource_tables import v1_cpu_shares_bounds  # noqa: F401 - re-exported
from harness.spec.resource_tables import v1_extra_hierarchies  # noqa: F401 - re-exported
from harness.spec.resource_tables import v1_freeze_rounds  # noqa: F401 - re-exported
from harness.spec.resource_tables import v1_limit_file  # noqa: F401 - re-exported
from harness.spec.resource_tables import v1_unlimited  # noqa: F401 - re-exported
from harness.spec.resource_tables import v2_controller  # noqa: F401 - re-exported
from harness.spec.resource_tables import v2_file  # noqa: F401 - re-exported
from harness.spec.resource_tables import v2_freeze_wait  # noqa: F401 - re-exported
from harness.spec.resource_tables import v2_unlimited  # noqa: F401 - re-exported

__all__ = [
    "CELL_KINDS",
    "DEFAULT_PROFILE",
    "Cell",
    "ErrorCell",
    "API_PROFILES",
    "PROFILES",
    "STATES",
    "destroy_error",
    "destroy_expectation",
    "destroy_requirement",
    "refreshed_state",
    "error_sources",
    "factory_ids",
    "factory_requirement",
    "kill_all_failure",
    "lifecycle",
    "merged",
    "message",
    "operation_expectation",
    "operation_requirement",
    "poststop_status",
    "release",
    "requirement_for",
    "requirement_variants",
    "start_hook_status",
    "status_of",
    "teardown_error",
    "teardown_mode",
    "teardown_steps",
    "transition_cell",
    "transition_error",
    "transition_requirement",
    "unreleased_expectation",
]

LIFECYCLE = Path(__file__).with_name("lifecycle.toml")
CELL_KINDS = ("assign", "noop", "error", "check-running")
DEFAULT_PROFILE = "seed"
#: keys of a ``[profile."<name>"]`` table that describe the profile instead of overriding
_PROFILE_META = ("source", "requirements", "inherits", "scope", "release")


@dataclasses.dataclass(frozen=True, slots=True)
class ErrorCell:
    """A cell of ``[destroy]`` or ``[operations]`` that says the call fails: with the text of
    message ``key``, after the call did ``first`` (restored's pause freezes, then fails)."""

    key: str
    first: str = ""

    def text(self, profile: str = DEFAULT_PROFILE, **fields: Any) -> str:
        """The exact error text under ``profile``, ``fields`` filled in."""
        return message(self.key, profile, **fields)


#: what a call does: a plain outcome ("destroy", "paused", "delivered", ...) or an error
Cell = str | ErrorCell
#: how the file writes an error cell: ``error:<key>`` or ``<first>-then-error:<key>``
_ERROR_MARK = "error:"


def _cell(text: str) -> Cell:
    """The typed value of one cell, parsed once as the tables load."""
    head, mark, key = text.partition(_ERROR_MARK)
    if not mark:
        return text
    return ErrorCell(key=key, first=head.removesuffix("-then-"))


def _typed_cells(table: dict[str, Any]) -> dict[str, dict[str, Cell]]:
    return {row: {col: _cell(str(v)) for col, v in cells.items()} for row, cells in table.items()}


@functools.cache
def _raw() -> dict[str, Any]:
    try:
        return tomllib.loads(LIFECYCLE.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise SpecError(str(LIFECYCLE), str(err)) from err


def merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` merged in, table by table; other values are replaced."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


@functools.cache
def lifecycle(profile: str = DEFAULT_PROFILE) -> dict[str, Any]:
    """The parsed and checked tables of ``profile``.

    Raises:
        SpecError: the file is unreadable, a transition cell is not a known kind, or the
            profile has no table in the file.
    """
    data = _raw()
    base = {k: v for k, v in data.items() if k != "profile"}
    if profile != DEFAULT_PROFILE:
        overrides = data.get("profile", {})
        if profile not in overrides:
            known = (DEFAULT_PROFILE, *sorted(overrides))
            raise SpecError(str(LIFECYCLE), f"'profile' must be one of {known} (got {profile!r})")
        parent = overrides[profile].get("inherits")
        for name in (parent, profile) if parent else (profile,):
            own = {k: v for k, v in overrides[name].items() if k not in _PROFILE_META}
            base = merged(base, own)
    states = base.get("states", [])
    for row in states:
        cells = base["transitions"].get(row, {})
        if sorted(cells) != sorted(states):
            raise SpecError(str(LIFECYCLE), f"[transitions.{row}] must name every state")
        for target, kind in cells.items():
            if kind not in CELL_KINDS:
                raise SpecError(
                    str(LIFECYCLE),
                    f"'transitions.{row}.{target}' must be one of {CELL_KINDS} (got {kind!r})",
                )
    base["destroy"] = _typed_cells(base["destroy"])
    base["unreleased"] = {call: _cell(str(v)) for call, v in base["unreleased"].items()}
    base["operations"] = _typed_cells(base["operations"])
    return base


STATES: tuple[str, ...] = tuple(lifecycle()["states"])
#: every profile the tables know, the seed first
PROFILES: tuple[str, ...] = (DEFAULT_PROFILE, *sorted(_raw().get("profile", {})))
#: the profiles with rules of the factory API (not those of the command line alone)
API_PROFILES: tuple[str, ...] = tuple(
    p for p in PROFILES if _raw().get("profile", {}).get(p, {}).get("scope") != "cli"
)


def release(profile: str = DEFAULT_PROFILE) -> str:
    """The release ``profile`` stands for ("runc v1.2.0"): no rule of a later one is its."""
    if profile == DEFAULT_PROFILE:
        return str(_raw()["release"])
    lifecycle(profile)  # an unknown profile is a SpecError
    return str(_raw()["profile"][profile]["release"])


def status_of(state: str, profile: str = DEFAULT_PROFILE) -> str:
    """The status name a state reports (restored reports running)."""
    return str(lifecycle(profile)["status"][state])


def transition_cell(from_state: str, to_state: str, profile: str = DEFAULT_PROFILE) -> str:
    return str(lifecycle(profile)["transitions"][from_state][to_state])


def message(key: str, profile: str = DEFAULT_PROFILE, **fields: Any) -> str:
    """The exact text of message ``key`` under ``profile``, ``fields`` filled in."""
    return str(lifecycle(profile)["messages"][key]).format(**fields)


def error_kind(key: str, profile: str = DEFAULT_PROFILE) -> str:
    """The kind (error code or sentinel) of the refusal ``key`` under ``profile``."""
    return str(lifecycle(profile)["error_kinds"][key])


def state_file_keys(profile: str = DEFAULT_PROFILE) -> frozenset[str]:
    """The keys state.json holds for a container without external descriptors."""
    return frozenset(str(k) for k in lifecycle(profile)["state_file"]["keys"])


def namespace_paths(
    profile: str, kinds: tuple[str, ...], init_pid: int, supported: Callable[[str], bool]
) -> dict[str, str]:
    """state.json's ``namespace_paths`` for a config with namespaces of ``kinds`` (the API's:
    "pid", "mount", ...) and init ``init_pid``; ``supported(name)``: whether the host shows
    /proc/self/ns/<name>."""
    types = lifecycle(profile)["namespace_type"]
    wanted = list(dict.fromkeys(kinds))
    for kind in lifecycle(profile)["state_file"]["namespace_types"]:
        if kind not in wanted and supported(str(types[kind][1])):
            wanted.append(kind)
    return {str(types[k][0]): f"/proc/{init_pid}/ns/{types[k][1]}" for k in wanted}


def state_rdt_path_without_intel_rdt(profile: str, resctrl_group: str | None) -> str:
    """state.json's ``intel_rdt_path`` of a container whose config has no intelRdt, where
    ``resctrl_group`` is ``<resctrl>/<id>`` (None: resctrl is not mounted)."""
    if lifecycle(profile)["state_file"]["rdt_path"] == "mounted" and resctrl_group:
        return resctrl_group
    return ""


def start_failure_warnings(cause: str, profile: str = DEFAULT_PROFILE) -> list[str]:
    """What a start that kills the init it started warns of: after a failing hook (``cause``
    "terminate"), or after an error of the init's own, which had ended ("init_error")."""
    return [str(w) for w in lifecycle(profile)["start_failure"][f"{cause}_warnings"]]


def pipe_fds_read(profile: str = DEFAULT_PROFILE) -> str:
    """When a start of init reads init's fds 0-2: "before_apply" or "after_apply"."""
    return str(lifecycle(profile)["start_failure"]["pipe_fds_read"])


def failed_start_removes_groups(profile: str = DEFAULT_PROFILE) -> bool:
    """Whether a start of init that fails inside the parent's start removes the container's
    cgroups and resctrl group."""
    return bool(lifecycle(profile)["start_failure"]["removes_groups"])


@dataclasses.dataclass(frozen=True)
class StateFileWriting:
    """How saveState writes state.json: ``written`` "in-place" (os.Create) or "rename" (a
    temporary ``temp_prefix`` file renamed over it, a failed start's error inside
    ``save_layers``, outermost first), the file created with ``mode`` less the umask."""

    written: str
    mode: int
    temp_prefix: str
    save_layers: tuple[str, ...]


def state_file_writing(profile: str = DEFAULT_PROFILE) -> StateFileWriting:
    """How ``profile``'s saveState writes state.json."""
    table = lifecycle(profile)["state_file"]
    return StateFileWriting(
        written=str(table["written"]),
        mode=int(table["mode"]),
        temp_prefix=str(table.get("temp_prefix", "")),
        save_layers=tuple(str(layer) for layer in table.get("save_layers", ())),
    )


def exec_fifo_mode(profile: str = DEFAULT_PROFILE) -> int:
    """The permission bits ``profile``'s createExecFifo gives exec.fifo, whatever the umask."""
    return int(lifecycle(profile)["exec_fifo"]["mode"])


def transition_error(from_state: str, to_state: str, profile: str = DEFAULT_PROFILE) -> str:
    """The exact text of the transition error between two states."""
    return message(
        "transition",
        profile,
        **{"from": status_of(from_state, profile), "to": status_of(to_state, profile)},
    )


def transition_requirement(from_state: str, to_state: str) -> str:
    """The id of the rule of one cell of ``[transitions]``."""
    return f"LC-TRANS-{from_state.upper()}-{to_state.upper()}"


def destroy_expectation(state: str, init_alive: bool, profile: str = DEFAULT_PROFILE) -> Cell:
    """What destroy does in ``state``: the whole teardown ("destroy", "kill-then-destroy",
    "thaw-then-destroy"), or an :class:`ErrorCell` (nothing is torn down)."""
    cell: Cell = lifecycle(profile)["destroy"][state]["alive" if init_alive else "gone"]
    return cell


def refreshed_state(shows: str, profile: str = DEFAULT_PROFILE) -> str:
    """The state a loaded container's refresh picks when the host ``shows`` "frozen", "fifo"
    (init alive, exec.fifo present), "released" (init alive, no FIFO) or "gone"."""
    return str(lifecycle(profile)["refresh"][shows])


def unreleased_expectation(call: str, profile: str = DEFAULT_PROFILE) -> Cell:
    """What ``call`` ("stop": the running -> stopped transition, or "destroy") does to a
    running state whose init lives but still waits on exec.fifo."""
    cell: Cell = lifecycle(profile)["unreleased"][call]
    return cell


def destroy_requirement(state: str, init_alive: bool, profile: str | None = None) -> str:
    """The id of the rule of destroy in ``state``: the seed's, or ``profile``'s counterpart."""
    seed_id = f"LC-DESTROY-{state.upper()}-{'ALIVE' if init_alive else 'GONE'}"
    return seed_id if profile is None else requirement_for(seed_id, profile)


def operation_expectation(state: str, operation: str, profile: str = DEFAULT_PROFILE) -> Cell:
    """What ``operation`` (pause, resume, signal) does in ``state``: a plain outcome or an
    :class:`ErrorCell`."""
    cell: Cell = lifecycle(profile)["operations"][state][operation]
    return cell


def operation_requirement(state: str, operation: str, profile: str | None = None) -> str:
    """The id of the rule of ``operation`` in ``state``: the seed's, or ``profile``'s."""
    seed_id = f"LC-{operation.upper()}-{state.upper()}"
    return seed_id if profile is None else requirement_for(seed_id, profile)


def factory_requirement(verdict: str, profile: str = DEFAULT_PROFILE) -> str:
    """The id of the rule of container ids the factory must take (``accepted``) or refuse."""
    return requirement_for(f"LC-FACTORY-ID-{verdict.upper()}", profile)


def teardown_steps(profile: str = DEFAULT_PROFILE) -> tuple[str, ...]:
    """Destroy's steps in the order it runs them (``[teardown] steps``)."""
    return tuple(lifecycle(profile)["teardown"]["steps"])


def error_sources(profile: str = DEFAULT_PROFILE) -> tuple[str, ...]:
    return tuple(lifecycle(profile)["teardown"]["error_sources"])


def teardown_mode(profile: str = DEFAULT_PROFILE) -> str:
    """``all-steps`` (every step runs, the state ends stopped) or ``early-return``."""
    return str(lifecycle(profile)["teardown"]["behaviour"]["mode"])


def kill_all_failure(profile: str = DEFAULT_PROFILE) -> str:
    """What destroy does with a failed kill-all: ``logged`` or ``discarded``."""
    return str(lifecycle(profile)["teardown"]["behaviour"]["kill_all_failure"])


def kill_all_in_joined_pidns(profile: str = DEFAULT_PROFILE) -> bool:
    """Whether destroy kills the cgroup's processes when the config joins a PID namespace."""
    return bool(lifecycle(profile)["teardown"]["behaviour"]["kill_all_in_joined_pidns"])


def rdt_group_of_unstarted(profile: str = DEFAULT_PROFILE) -> str:
    """What destroy of a container never started does with a resctrl group under its id:
    "kept" or "removed"."""
    return str(lifecycle(profile)["teardown"]["behaviour"]["rdt_group_of_unstarted"])


def hook_failed(code: int, stdout: str, stderr: str, profile: str = DEFAULT_PROFILE) -> str:
    """The error of a hook program that exited with ``code`` (``Command.Run``)."""
    return message("hook_failed", profile, code=code, stdout=stdout, stderr=stderr)


def hook_oci_version(profile: str, config_version: str) -> str:
    """The ``ociVersion`` hooks read on stdin: the profile's own spec version where it sends
    one (runc 1.2's ``specs.Version``), else the config's (the seed)."""
    return str(lifecycle(profile)["hooks"].get("oci_version", config_version))


def hook_state_annotations(profile: str) -> bool:
    """Whether the state hooks read carries the config's annotations (runc 1.2) or none (the
    seed)."""
    return bool(lifecycle(profile)["hooks"]["state_annotations"])


def start_hook_status(kind: str, profile: str = DEFAULT_PROFILE) -> str:
    """The ``status`` a ``kind`` hook (prestart, createRuntime, poststart) reads on stdin."""
    return str(lifecycle(profile)["hooks"]["start_status"][kind])


def teardown_error(source: str, error: str, profile: str = DEFAULT_PROFILE, index: int = 0) -> str:
    """The text ``Destroy`` returns when teardown step ``source`` failed with ``error`` (the
    ``index``-th poststop hook, for ``poststop``): the step's wrapper inside destroy's."""
    wrappers = lifecycle(profile)["teardown"]["wrappers"]
    inner = str(wrappers[source]).format(error=error, index=index)
    return str(wrappers["destroy"]).format(error=inner)


def destroy_error(error: str, profile: str = DEFAULT_PROFILE) -> str:
    """What ``Destroy`` makes of an error of its state's ``destroy`` (runc 1.2 wraps it)."""
    return str(lifecycle(profile)["teardown"]["wrappers"]["destroy"]).format(error=error)


def poststop_status(profile: str = DEFAULT_PROFILE) -> str:
    """The ``status`` poststop hooks read on stdin."""
    return str(lifecycle(profile)["hooks"]["poststop_status"])


def factory_ids(kind: str, profile: str = DEFAULT_PROFILE) -> tuple[str, ...]:
    """Container ids the factory must take (``accepted``) or refuse (``refused``)."""
    return tuple(lifecycle(profile)["factory"][f"{kind}_ids"])


def factory_root(profile: str = DEFAULT_PROFILE) -> tuple[str, int]:
    """Who makes a state root that does not exist ("new": the factory's constructor,
    "create": each Create) and the mode it is made with (less the umask)."""
    table = lifecycle(profile)["factory"]
    return str(table["root_made_by"]), int(table["root_mode"])


def factory_state_dir_join(profile: str = DEFAULT_PROFILE) -> str:
    """How ``<root>/<id>`` is joined: "join" follows a symlink there anywhere, "secure"
    resolves it inside the root."""
    return str(lifecycle(profile)["factory"]["state_dir_join"])


def factory_state_dir_mode(profile: str = DEFAULT_PROFILE) -> int:
    """The mode Create makes ``<root>/<id>`` with (less the umask)."""
    return int(lifecycle(profile)["factory"]["state_dir_mode"])


def requirement_for(req_id: str, profile: str = DEFAULT_PROFILE) -> str:
    """The id that checks ``req_id``'s case under ``profile`` (itself unless remapped)."""
    if profile == DEFAULT_PROFILE:
        return req_id
    table = _raw().get("profile", {}).get(profile, {}).get("requirements", {})
    return str(table.get(req_id, req_id))


def requirement_variants(req_id: str) -> tuple[str, ...]:
    """``req_id`` and every profile's counterpart of it: what a test of that case is marked
    with, so that the run's profile keeps exactly its own id."""
    return tuple(dict.fromkeys(requirement_for(req_id, p) for p in API_PROFILES))


# -- resources.toml rows that follow the profiles' inheritance ------------------------
@dataclasses.dataclass(frozen=True, slots=True)
class CgroupBusy:
    """How a profile's cgroup manager gives up on a group it cannot remove (EBUSY)."""

    #: rmdir calls on the busy group before the error, at least
    rmdirs: int
    #: seconds slept between them, at least
    wait: float
    #: the error on cgroup v1, and on v2: "map" (RemovePaths' text) or an rmdir text
    v1: str
    v2: str
    #: whether each busy group waits ``wait`` in turn (runc 1.2) or all wait it together (seed)
    wait_each_group: bool = False

    def waited(self, groups: int) -> float:
        """Seconds slept in all before the error, when ``groups`` groups are left busy."""
        return self.wait * (groups if self.wait_each_group else 1)

    def error(self, cgroup_mode: str, groups: dict[str, str]) -> str:
        """The manager's error when ``groups`` (subsystem -> dir) are left busy."""
        template = self.v2 if cgroup_mode == "v2" else self.v1
        if template == "map":
            pairs = " ".join(f"{k}:{v}" for k, v in sorted(groups.items()))
            return f"{resource_message('cgroup_remove')}map[{pairs}]"
        return template.format(path=next(iter(groups.values())))


def cgroup_busy(profile: str) -> CgroupBusy:
    """The removal of a busy group under ``profile`` (resources.toml ``[cgroup_busy]``)."""
    table = resources()["cgroup_busy"]
    if profile not in table:  # a profile without its own row has its parent's
        profile = str(_raw().get("profile", {}).get(profile, {}).get("inherits", DEFAULT_PROFILE))
    row = table[profile]
    return CgroupBusy(
        int(row["rmdirs"]),
        float(row["wait"]),
        str(row["v1"]),
        str(row["v2"]),
        bool(row.get("wait_each_group", False)),
    )
