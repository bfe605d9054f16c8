"""Running hook programs: the state JSON on stdin, the seed's error texts, a timeout.

The seed's poststop hooks get a ``HookState`` with only ``ociVersion``, ``id`` and ``bundle``
(``status`` is sent empty, ``pid`` left out as zero); prestart and poststart add the pid.  Key
order and compact separators follow Go's ``json.Marshal`` of ``specs.State``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from reference_impl.configs import Hook
from reference_impl.errors import HookError
from reference_impl.errors import go_strerror
from reference_impl.system import System

__all__ = ["hook_state_json", "run_hook"]


def hook_state_json(
    version: str,
    container_id: str,
    bundle: str,
    pid: int,
    status: str,
    annotations: Mapping[str, str] | None = None,
) -> bytes:
    """``json.Marshal(configs.HookState{...})`` as the seed builds it; ``status`` is empty
    there, and the profile's for each kind of hook in later runc; a ``pid`` of 0 is left out,
    and so are empty ``annotations`` (specs.State's ``omitempty``; the seed never fills them,
    runc 1.2's currentOCIState does, v1.2.0 container_linux.go:1010-1017)."""
    state: dict[str, object] = {"ociVersion": version, "id": container_id, "status": status}
    if pid:
        state["pid"] = pid
    state["bundle"] = bundle
    if annotations:
        state["annotations"] = dict(annotations)
    return json.dumps(state, separators=(",", ":")).encode()


def run_hook(hook: Hook, state: bytes, system: System, prefix: str) -> None:
    """``configs.Command.Run``; ``prefix`` is the seed's, which runc 1.2 dropped (6a4870e4a).

    Raises:
        HookError: "<prefix>exit status N, stdout: ..., stderr: ...", the start error of a
            program that cannot run, or "hook ran past specified timeout of N.Ns".
    """
    try:
        result = system.run_hook(hook.path, hook.args, hook.env, state, hook.timeout)
    except OSError as err:
        raise HookError(f"fork/exec {hook.path}: {go_strerror(err.errno)}") from err
    if result.timed_out:
        # only a hook with a timeout can run past it
        raise HookError(f"hook ran past specified timeout of {hook.timeout:.1f}s")
    if result.exit_code != 0:
        raise HookError(
            f"{prefix}exit status {result.exit_code}, "
            f"stdout: {result.stdout}, stderr: {result.stderr}"
        )
