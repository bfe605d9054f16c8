"""Hook programs that record each of their runs, and the reader of those records: one
recorder for the hooks a real host installs (``RealHost.hook_program``) and those the OCI
bundles of ``harness.subjects.oci`` name.

A recording hook is a ``/bin/sh`` script at ``<dir>/<name>``.  Each run takes a stamp from
``date +%s%N`` first (whole seconds where ``date`` has no ``%N``, as busybox's), then stores
what it got under ``<dir>/.runs/<name>/<stamp>.<pid>``: ``.stdin`` (the state JSON the runtime
wrote), ``.env`` (its environment, NUL-separated, read from ``/proc/$$/environ`` so that the
script's own settings do not show), ``.seq`` (its sequence number) and ``.args`` last (its argv,
NUL-separated), so a run without ``.args`` is still being recorded.

The sequence number orders runs strictly where stamps cannot (two runs in one second without
``%N``): every hook of ``<dir>`` claims the lowest free number at or above the count of
``<dir>/.seq``, by creating ``<dir>/.seq/<n>`` with O_EXCL (``set -C``).  A run that starts after
another one ended gets a higher number; two at once get different ones.

``args[0]`` of a recorded run is the script's path, not the ``args[0]`` of the hook entry: the
kernel runs a script as ``/bin/sh <path> <args[1:]>``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shlex
from typing import Any

__all__ = ["HookRun", "all_hook_runs", "hook_runs", "write_recording_hook"]

RUNS_DIR = ".runs"
SEQ_DIR = ".seq"
#: a run that finds no free sequence number within this many tries records -1
_SEQ_TRIES = 1000
#: a hanging hook sleeps this long, unless its runtime kills it first
HANG_S = 600
#: where the script looks for ``date`` and ``cat`` when the hook entry's env has no PATH
_FALLBACK_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


@dataclasses.dataclass(frozen=True, slots=True)
class HookRun:
    """One recorded run of a hook."""

    #: the hook's file name in its directory
    name: str
    args: tuple[str, ...]
    env: tuple[str, ...]
    stdin: bytes
    #: ``date +%s%N`` when the run began: orders runs, also across hooks
    at_ns: int
    pid: int
    #: the run's sequence number among every hook run of its directory (-1: none recorded)
    seq: int = -1
    #: argv[0] of the container's init when the run looked (``.init``); None: it did not
    init_argv0: str | None = None

    @property
    def state(self) -> dict[str, Any] | None:
        """The state JSON read on stdin, or None if it was not a JSON object."""
        try:
            value = json.loads(self.stdin)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


def _check_name(name: str) -> None:
    if not name or "/" in name or name.startswith("."):
        raise ValueError(f"hook name must be a plain file name (got {name!r})")


def write_recording_hook(
    dir: str,
    name: str,
    exit_code: int = 0,
    hang: bool = False,
    stderr: str = "",
    hang_s: int = HANG_S,
    stdout: str = "",
    init_program: str = "",
    init_wait_s: float = 0.0,
) -> str:
    """Write an executable script that records its run, then fails, hangs or exits 0.

    Args:
        dir: where the script goes (made if missing); its runs go under ``dir/.runs/name``.
        name: the script's file name.
        exit_code: what the script exits with after recording.
        hang: sleep ``hang_s`` seconds instead of exiting (``exec``, so a runtime that kills
            the hook at its timeout kills the sleep itself).
        stderr: text written to stderr before exiting.
        stdout: text written to stdout before exiting.
        init_program: when given, the run records in ``.init`` argv[0] of the process whose
            pid the state on stdin names, once it is ``init_program`` or ``init_wait_s``
            seconds have passed (polled every 0.1 s; 0: one look).

    Returns:
        The script's absolute path.

    Raises:
        ValueError: ``name`` is not a plain file name.
    """
    _check_name(name)
    dir = os.path.abspath(dir)
    runs = os.path.join(dir, RUNS_DIR, name)
    seqs = os.path.join(dir, SEQ_DIR)
    os.makedirs(runs, 0o755, exist_ok=True)
    os.makedirs(seqs, 0o755, exist_ok=True)
    lines = _record_lines(runs, seqs, init_program, init_wait_s)
    if stdout:
        lines.append(f"printf %s {shlex.quote(stdout)}")
    if stderr:
        lines.append(f"printf %s {shlex.quote(stderr)} >&2")
    if hang:
        lines.append(f"exec sleep {int(hang_s)} </dev/null >/dev/null 2>&1")
    else:
        lines.append(f"exit {int(exit_code)}")
    path = os.path.join(dir, name)
    temp = path + ".new"
    with open(temp, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(temp, 0o755)
    os.replace(temp, path)  # a copy that is running keeps the text it started with
    return path


def _record_lines(runs: str, seqs: str, init_program: str, init_wait_s: float) -> list[str]:
    """The script's first lines: what every run records (see the module's docstring)."""
    return [
        "#!/bin/sh",
        f'PATH="${{PATH:-{_FALLBACK_PATH}}}"',
        "stamp=$(date +%s%N)",
        # busybox's date has no %N: whole seconds then (inside a container, for instance)
        'case "$stamp" in *[!0-9]*) stamp="$(date +%s)000000000" ;; esac',
        *_claim_seq_lines(seqs),
        f'run={shlex.quote(runs)}/"$stamp".$$',
        'cat > "$run.stdin"',
        *_init_lines(init_program, init_wait_s),
        'cat /proc/$$/environ > "$run.env" 2>/dev/null',
        'printf %s "$n" > "$run.seq"',
        'printf "%s\\0" "$0" "$@" > "$run.args"',
    ]


def _init_lines(program: str, wait_s: float) -> list[str]:
    """Shell lines that write init's argv[0] into ``$run.init`` (see write_recording_hook):
    the hooks run in the runtime's namespace, where /proc shows the state's pid."""
    if not program:
        return []
    return [
        """pid=$(sed -n 's/.*"pid" *: *\\([0-9][0-9]*\\).*/\\1/p' "$run.stdin")""",
        "tries=0",
        "while :; do",
        '  first=$(tr "\\000" "\\n" < "/proc/${pid:-0}/cmdline" 2>/dev/null | head -n 1)',
        f'  [ "$first" = {shlex.quote(program)} ] || [ "$tries" -ge {int(wait_s * 10)} ] && break',
        "  sleep 0.1; tries=$((tries + 1))",
        "done",
        'printf %s "$first" > "$run.init"',
    ]


def _claim_seq_lines(seqs: str) -> list[str]:
    """Shell lines that set ``n`` to the run's sequence number (see the module's docstring)."""
    return [
        f"seqs={shlex.quote(seqs)}",
        'n=$(($(ls "$seqs" | wc -l))); tries=0',
        'until (set -C; : > "$seqs/$n") 2>/dev/null; do',
        "  n=$((n + 1)); tries=$((tries + 1))",
        f'  [ "$tries" -lt {_SEQ_TRIES} ] || {{ n=-1; break; }}',
        "done",
    ]


def _split(data: bytes) -> tuple[str, ...]:
    return tuple(part.decode(errors="replace") for part in data.split(b"\0") if part)


def hook_runs(dir: str, name: str) -> list[HookRun]:
    """The finished runs of the hook ``name`` written into ``dir``, oldest first.

    Raises:
        ValueError: ``name`` is not a plain file name.
    """
    _check_name(name)
    runs = os.path.join(dir, RUNS_DIR, name)
    try:
        entries = os.listdir(runs)
    except FileNotFoundError:
        return []
    found = []
    for entry in entries:
        if not entry.endswith(".args"):
            continue
        stem = entry.removesuffix(".args")
        stamp, _, pid = stem.partition(".")
        base = os.path.join(runs, stem)
        with open(base + ".args", "rb") as f:
            args = _split(f.read())
        with open(base + ".stdin", "rb") as f:
            stdin = f.read()
        try:
            with open(base + ".env", "rb") as f:
                env = _split(f.read())
        except FileNotFoundError:
            env = ()
        found.append(
            HookRun(name, args, env, stdin, int(stamp), int(pid), _read_seq(base), _read_init(base))
        )
    found.sort(key=_order)
    return found


def _read_seq(base: str) -> int:
    try:
        with open(base + ".seq", encoding="ascii") as f:
            return int(f.read().strip() or -1)
    except (FileNotFoundError, ValueError):
        return -1


def _read_init(base: str) -> str | None:
    try:
        with open(base + ".init", encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return None


def _order(run: HookRun) -> tuple[int, int, int]:
    """Oldest first: by sequence number, then by stamp."""
    return (run.seq, run.at_ns, run.pid)


def all_hook_runs(dir: str) -> list[HookRun]:
    """The finished runs of every recording hook in ``dir``, oldest first."""
    try:
        names = os.listdir(os.path.join(dir, RUNS_DIR))
    except FileNotFoundError:
        return []
    found = [run for name in names for run in hook_runs(dir, name)]
    found.sort(key=_order)
    return found
