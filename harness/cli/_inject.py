"""``rtgate inject``: run one command under the syscall fault engine, by hand.

What a scenario arms for one runtime command, a runtime developer can arm for any command line,
to replay a counterexample or to try a fault of their own::

    rtgate inject --fault rmdir:EBUSY:every:/sys/fs/cgroup/*/ctr -- runc delete ctr

Each ``--fault`` is ``OP:ERRNO:WHEN:PATH``: an operation of the engine's vocabulary, an errno
name, ``first`` (the first attempt of the whole command fails) or ``every`` (each attempt),
and an absolute path or fnmatch pattern (last, so that it may hold colons).  The command's
output is its own; rtgate adds one line per fault to stderr, saying how often it fired, and
exits with the command's exit code.
"""

from __future__ import annotations

import argparse
import errno
import os
import subprocess
import sys

from harness.errors import UsageError
from harness.fakes.faults import FaultPlan
from harness.fakes.faults import KernelOp

__all__ = ["inject", "parse_fault"]

_WHEN = {"first": 1, "every": None}


def parse_fault(plan: FaultPlan, text: str) -> None:
    """Arm the fault ``OP:ERRNO:WHEN:PATH`` on ``plan``.

    Raises:
        UsageError: the text is not of that shape, or names an unknown op, errno or when.
    """
    from harness.hosts.inject import INJECTABLE_OPS

    parts = text.split(":", 3)
    if len(parts) != 4 or not parts[3]:
        raise UsageError(f"--fault wants OP:ERRNO:WHEN:PATH (got {text!r})")
    op, name, when, path = parts
    if op not in INJECTABLE_OPS:
        raise UsageError(f"--fault {text!r}: op must be one of {', '.join(sorted(INJECTABLE_OPS))}")
    err = getattr(errno, name.upper(), None)
    if not isinstance(err, int) or name.upper() not in errno.errorcode.values():
        raise UsageError(f"--fault {text!r}: {name!r} is not an errno name (EBUSY, EIO, ...)")
    if when not in _WHEN:
        raise UsageError(f"--fault {text!r}: WHEN must be 'first' or 'every' (got {when!r})")
    if not path.startswith("/"):
        raise UsageError(f"--fault {text!r}: the path must be absolute")
    plan.fail(op, path, err, count=_WHEN[when])  # type: ignore[arg-type]


def inject(args: argparse.Namespace, command: list[str]) -> int:
    """Run ``command`` under the faults of ``args.fault``; its exit code.

    Raises:
        UsageError: no command, no fault, not root, or an engine this host cannot run.
    """
    from harness.hosts.inject import supervised
    from harness.hosts.inject import unsupported

    if not command:
        raise UsageError("inject needs the command to run after '--'")
    if not args.fault:
        raise UsageError("inject needs at least one --fault OP:ERRNO:WHEN:PATH")
    plan = FaultPlan()
    for text in args.fault:
        parse_fault(plan, text)
    why = unsupported()
    if why is not None:
        raise UsageError(f"the syscall fault engine cannot run here: {why}")
    if os.geteuid() != 0:
        raise UsageError(f"inject needs root for the runtimes it faults (euid {os.geteuid()})")
    log: list[KernelOp] = []
    try:
        with supervised(plan, log) as under_faults:
            code = subprocess.call(command, **under_faults)  # noqa: S603 - the user's command
    except FileNotFoundError:
        raise UsageError(f"no such program: {command[0]}") from None
    for fault in plan.armed:
        fired = sum(1 for f in plan.fired if f.fault is fault)
        print(f"rtgate: inject: {fault.op} {fault.pattern} {errno.errorcode[fault.err]}: "
              f"fired {fired} time(s)", file=sys.stderr)  # fmt: skip
    return code
