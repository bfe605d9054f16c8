"""What the broken OCI runtimes here share: they are runc (or ``$RTGATE_WRAPPED_RUNTIME``) with
one command changed, run as programs (``rtgate run --subject oci:tests/broken/oci/<file>``)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable

#: global options of runc and crun that take a value
_VALUED = ("--root", "--log", "--log-format", "--criu")

#: ``change(runtime, global_options, command, rest)`` returns the exit code, or None to pass
#: the command on unchanged
Change = Callable[[list[str], list[str], str, list[str]], "int | None"]


def wrapped() -> list[str]:
    return [os.environ.get("RTGATE_WRAPPED_RUNTIME", "runc")]


def run(argv: list[str]) -> int:
    return subprocess.run(argv, check=False).returncode  # noqa: S603 - the wrapped runtime


def main(argv: list[str], change: Change) -> int:
    """Split ``argv`` into global options, the command and its arguments; let ``change`` act
    on it, else run the wrapped runtime as asked."""
    runtime = wrapped()
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
