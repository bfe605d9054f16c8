"""What a start of init that fails returns, layer by layer: the contexts around a failed
cgroup or resctrl step, and around a failed start hook, as ``lifecycle.toml`` gives them per
profile (the seed's quoting SystemErrors, or runc 1.2's ``%w`` wrapping).

Pure functions over :mod:`harness.spec.tables`' data, as :mod:`harness.spec.cli_tables` is.
"""

from __future__ import annotations

from harness.spec.tables import DEFAULT_PROFILE
from harness.spec.tables import lifecycle

__all__ = [
    "errors_quoted",
    "go_quoted",
    "program_lookup_cause",
    "start_hook_error",
    "start_hook_error_parts",
    "start_hook_error_text",
    "start_set_error",
    "start_step_error_layers",
]


def start_set_error(profile: str, phase: str) -> tuple[str, str]:
    """(the step's context, the sync loop's) of a start whose cgroup Set fails in ``phase``."""
    table = lifecycle(profile)["start_set_error"]
    return str(table[phase]), str(table["sync_loop"])


def start_step_error_layers(step: str, profile: str = DEFAULT_PROFILE) -> tuple[str, ...]:
    """The contexts around a failed ``step`` (spawn_init, cgroup_apply, rdt_apply, rdt_set) of
    a start of init, or the fork of a process started in a running container (spawn_setns),
    outermost first."""
    return tuple(str(layer) for layer in lifecycle(profile)["start_step_error"][step])


def program_lookup_cause(case: str, name: str, profile: str = DEFAULT_PROFILE) -> str:
    """Go's exec.LookPath error for the program ``name`` ("missing", "not_in_path",
    "not_executable"), which a start whose init cannot find its program returns inside the
    layers ``start_step_error_layers("lookup_init" or "lookup_setns")`` give."""
    return str(lifecycle(profile)["program_lookup"][case]).format(name=name)


def errors_quoted(profile: str = DEFAULT_PROFILE) -> bool:
    """Whether ``profile``'s start errors are the seed's SystemErrors, each layer printing its
    Go source line and quoting the one inside (``file:line: cause caused "..."``), rather than
    plain ``%w`` wrapping."""
    return bool(lifecycle(profile)["hooks"]["start_error_quoted"])


def start_hook_error(kind: str, index: int, error: str, profile: str = DEFAULT_PROFILE) -> str:
    """The error of the ``index``-th ``kind`` ("prestart", "poststart") hook that failed."""
    hooks = lifecycle(profile)["hooks"]
    return str(hooks["start_error"]).format(kind=kind, index=index, error=error)


def go_quoted(text: str) -> str:
    """``text`` inside Go's ``%q``, without the outer quotes (what escaping adds)."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def start_hook_error_parts(
    kind: str, index: int, error: str, profile: str = DEFAULT_PROFILE
) -> tuple[str, ...]:
    """What the error of a failed start hook contains, outermost layer first: each layer's
    ``<cause> caused "`` (where the profile quotes), then the hook's own error as
    :func:`start_hook_error` says, escaped once per layer around it."""
    hooks = lifecycle(profile)["hooks"]
    layers = tuple(str(c) for c in hooks["start_error_layers"][kind])
    inner = start_hook_error(kind, index, error, profile)
    if not hooks["start_error_quoted"]:
        return (*reversed(layers), inner)
    parts = []
    quote = '"'
    for cause in reversed(layers):  # a layer's own quote is escaped by every layer around it
        parts.append(f"{cause} caused {quote}")
        quote = go_quoted(quote)
        inner = go_quoted(inner)
    return (*parts, inner)


def start_hook_error_text(
    kind: str, index: int, error: str, profile: str = DEFAULT_PROFILE
) -> str | None:
    """The whole text of a failed start hook's error where the profile's layers are plain
    ``%w`` wrapping (runc >= 1.0); None where the seed's SystemError also prints the Go source
    line that made it (``file:line: cause caused "..."``), which no rule can know."""
    if errors_quoted(profile):
        return None
    return ": ".join(start_hook_error_parts(kind, index, error, profile))
