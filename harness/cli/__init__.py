"""The ``rtgate`` command: ``run``, ``requirements``, ``presets``, ``doctor``, ``cleanup`` and
``report render | diff | merge`` (rebuild, compare or merge the reports runs wrote).

Errors the user caused end in one line, ``rtgate: error: ...``, and the exit code of
:mod:`harness.errors` (2 for bad usage or input files); anything unexpected is exit 3 with one
line, and ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import traceback
from collections.abc import Callable
from collections.abc import Sequence
from typing import NoReturn

from harness.cli._cleanup import cleanup
from harness.cli._exit import exit_now
from harness.cli._expectations import expectations
from harness.cli._failed import expand_failed
from harness.cli._inject import inject
from harness.cli._listing import list_presets
from harness.cli._listing import list_requirements
from harness.cli._parser import ArgumentParser
from harness.cli._parser import build_parser
from harness.cli._parser import check_pytest_workers
from harness.cli._report import report
from harness.cli._run import run
from harness.errors import RtgateError
from harness.errors import UsageError

__all__ = ["ArgumentParser", "build_parser", "console_main", "main"]


def _doctor(args: argparse.Namespace) -> int:
    from harness.cli._doctor import doctor  # imports the simulated kernel: only here

    return doctor(args)


def _replay(args: argparse.Namespace) -> int:
    from harness.cli._replay import replay  # imports Hypothesis: only here

    return replay(args)


def _completion(args: argparse.Namespace) -> int:
    from harness.cli._completion import completion_script

    print(completion_script(build_parser(), args.shell))
    return 0


#: every command but ``run`` (which also takes the words after ``--``); argparse accepts no other
_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "requirements": list_requirements,
    "presets": list_presets,
    "doctor": _doctor,
    "cleanup": cleanup,
    "report": report,
    "completion": _completion,
    "expectations": expectations,
    "replay": _replay,
}


def _dispatch(words: list[str], extra: list[str]) -> int:
    """Parse ``words`` and run the command they name.  Only the parser's own exit (``--help``,
    ``--version``) is an exit code: any other :class:`SystemExit` (a subject's) goes up."""
    try:
        args = build_parser().parse_args(words)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 0
    if extra and args.command not in ("run", "inject"):
        raise UsageError(
            f"only 'run' (pytest's) and 'inject' (the command's) take arguments after '--'"
            f" (got {extra})"
        )
    if args.command == "run":
        check_pytest_workers(extra)
        args.invocation = ["rtgate", *words, *(["--", *extra] if extra else [])]
        return run(args, extra)
    if args.command == "inject":
        return inject(args, extra)
    return _COMMANDS[args.command](args)


def console_main() -> NoReturn:
    """The ``rtgate`` console script (and ``python -m rtgate``): :func:`main`, then the
    process ends, whatever threads a subject left (:mod:`harness.cli._exit`)."""
    exit_now(main())


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``rtgate`` command and return its exit code (the console script exits with it).

    Arguments after ``--`` are handed to pytest by ``rtgate run``.
    """
    words = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in words
    before = words[: words.index("--")] if "--" in words else words
    if "run" in before and any(w.split("=")[0] == "--failed" for w in before):
        try:
            expanded, said = expand_failed(words)
        except RtgateError as err:
            print(f"rtgate: {err.label}: {err}", file=sys.stderr)
            return err.exit_code
        if expanded is None:
            print(f"rtgate: {said}")
            return 0
        words = expanded
    extra: list[str] = []
    if "--" in words:
        cut = words.index("--")
        words, extra = words[:cut], words[cut + 1 :]
    try:
        return _dispatch(words, extra)
    except RtgateError as err:
        if debug:
            traceback.print_exc()
        print(f"rtgate: {err.label}: {err}", file=sys.stderr)
        return err.exit_code
    except BrokenPipeError:
        # The reader (e.g. `| head`) left; say nothing more and keep Python from complaining.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:  # a Ctrl-C before ``run`` handles signals, or another command
        print("rtgate: interrupted", file=sys.stderr)
        return 128 + signal.SIGINT
    except SystemExit as stop:  # a subject's sys.exit() outside any test: never rtgate's code
        if debug:
            traceback.print_exc()
        print(f"rtgate: error: internal error: sys.exit({stop.code!r}) ended the command "
              "(see --debug)", file=sys.stderr)  # fmt: skip
        return RtgateError.exit_code
    except Exception as err:  # noqa: BLE001 - the last boundary: one line, not a traceback
        if debug:
            traceback.print_exc()
        print(
            f"rtgate: error: internal error: {type(err).__name__}: {err}"
            f" (at {_raised_at(err)}; see --debug)",
            file=sys.stderr,
        )
        return RtgateError.exit_code


def _raised_at(err: BaseException) -> str:
    """Where ``err`` was raised, as ``file:line in function``: a one-off internal error in a
    CI log, run without --debug, still names the line to look at."""
    frames = traceback.extract_tb(err.__traceback__)
    if not frames:
        return "an unknown place"
    last = frames[-1]
    path = last.filename
    checkout = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for root in sorted({checkout, *sys.path}, key=len, reverse=True):
        if root and path.startswith(root.rstrip(os.sep) + os.sep):
            path = os.path.relpath(path, root)
            break
    return f"{path}:{last.lineno} in {last.name}"
