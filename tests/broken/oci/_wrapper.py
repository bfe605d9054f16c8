"""What the broken OCI runtimes here share: they are runc (or ``$RTGATE_WRAPPED_RUNTIME``) with
one command changed, run as programs (``rtgate run --subject oci:tests/broken/oci/<file>``)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from typing import Any

#: global options of runc and crun that take a value
_VALUED = ("--root", "--log", "--log-format", "--criu")

#: ``change(runtime, global_options, command, rest)`` returns the exit code, or None to pass
#: the command on unchanged
Change = Callable[[list[str], list[str], str, list[str]], "int | None"]


def wrapped(default: str = "runc") -> list[str]:
    return [os.environ.get("RTGATE_WRAPPED_RUNTIME", default)]


def option(options: list[str], name: str) -> str | None:
    """The value of the global option ``name`` (``--root R`` or ``--root=R``)."""
    for i, arg in enumerate(options):
        if arg == name and i + 1 < len(options):
            return options[i + 1]
        if arg.startswith(f"{name}="):
            return arg.partition("=")[2]
    return None


def state(runtime: list[str], options: list[str], cid: str) -> dict[str, Any]:
    """What ``state`` says of ``cid`` ({} when it fails)."""
    done = subprocess.run(  # noqa: S603 - the wrapped runtime
        [*runtime, *options, "state", cid], capture_output=True, text=True, check=False
    )
    return json.loads(done.stdout) if done.returncode == 0 else {}


def bundle_config(known: dict[str, Any]) -> dict[str, Any]:
    """The config.json of the bundle a ``state`` names ({} when it cannot be read)."""
    try:
        with open(os.path.join(known.get("bundle", ""), "config.json"), encoding="utf-8") as f:
            return dict(json.load(f))
    except (OSError, ValueError):
        return {}


def cgroup_dirs(config: dict[str, Any]) -> list[str]:
    """The container's cgroup directories on this host: its cgroupsPath under every
    hierarchy mounted in /sys/fs/cgroup (the v1 controllers, and cgroup2 at unified)."""
    path = str((config.get("linux") or {}).get("cgroupsPath") or "").strip("/")
    if not path:
        return []
    mounts = sorted({os.path.realpath(e.path) for e in os.scandir("/sys/fs/cgroup")})
    return [os.path.join(m, path) for m in mounts if os.path.isdir(os.path.join(m, path))]


def run(argv: list[str]) -> int:
    return subprocess.run(argv, check=False).returncode  # noqa: S603 - the wrapped runtime


def main(argv: list[str], change: Change, runtime: list[str] | None = None) -> int:
    """Split ``argv`` into global options, the command and its arguments; let ``change`` act
    on it, else run the wrapped runtime (runc unless ``runtime``) as asked."""
    runtime = runtime or wrapped()
    index = next(
        (i for i, a in enumerate(argv)
         if not a.startswith("-") and (i == 0 or argv[i - 1] not in _VALUED)),
        None,
    )  # fmt: skip
    if index is not None:
        code = change(runtime, argv[:index], argv[index], argv[index + 1 :])
        if code is not None:
            return code
    return run([*runtime, *argv])


def create_bundle(rest: list[str]) -> str:
    """The bundle a ``create`` names (``--bundle B``, ``-b B``, ``--bundle=B``; else the
    working directory, as runc takes it)."""
    for i, arg in enumerate(rest):
        if arg in ("--bundle", "-b") and i + 1 < len(rest):
            return rest[i + 1]
        if arg.startswith("--bundle="):
            return arg.partition("=")[2]
    return os.getcwd()


def edit_config(bundle: str, edit: Callable[[dict[str, Any]], None]) -> None:
    """Rewrite ``<bundle>/config.json`` after ``edit`` changed it in place."""
    path = os.path.join(bundle, "config.json")
    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    edit(spec)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(spec, f)


def editing_create(
    edit: Callable[[dict[str, Any]], None], commands: tuple[str, ...] = ("create",)
) -> Change:
    """A change that edits the config.json of the bundle of every command of ``commands``
    (``create``, also ``run`` if asked), then lets the wrapped runtime go on from it."""

    def change(runtime: list[str], options: list[str], command: str, rest: list[str]) -> int | None:
        if command in commands:
            edit_config(create_bundle(rest), edit)
        return None

    return change
