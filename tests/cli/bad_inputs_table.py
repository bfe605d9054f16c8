"""Inputs a user can get wrong, one row each: the ``rtgate`` words, and what to make first.

Every row of a bad input must end in exit code 2 and exactly one line on stderr,
``rtgate: error: ...``, that says what was wrong where (``says``), with no traceback anywhere:
tests/cli/test_bad_inputs.py runs each row through the real command in a subprocess, and a
reliability script can run the same rows (:func:`run_case`).  In ``argv`` and ``says``,
``{tmp}`` is the row's own directory, also the command's working directory (a ``python:``
subject is imported from there).

A subject that hangs (:mod:`tests.subjects.hanging`, never released in a program) is no bad
input, but it must end as clearly: a hung import is one such line; a hung operation makes its
test an error naming the subject, the operation and the limit (exit 1, the report complete);
a run that its ``--timeout`` stops exits 124 with a report marked incomplete that says so.
Those rows give their ``exit_code``, and ``says`` is looked for in the report.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.interrupts import TIMED_OUT_EXIT
from harness.report.json_writer import to_json
from tests.report._samples import sample_report

__all__ = ["CASES", "BadInput", "run_case"]

ROOT = Path(__file__).resolve().parents[2]


@dataclasses.dataclass(frozen=True, slots=True)
class BadInput:
    """One bad input: how to give it, and what the error line must name."""

    #: the row's name (the test id)
    name: str
    #: the words after ``rtgate``
    argv: tuple[str, ...]
    #: makes what the row needs in its directory (files, FIFOs), or None
    setup: Callable[[Path], None] | None = None
    #: what the one error line must contain: the file, the key or field, the option
    says: tuple[str, ...] = ()
    #: seconds before the command counts as hung
    timeout: float = 60
    #: what the command must exit with: 2 for a bad input (one error line), else the code of a
    #: run that ended despite its subject, whose report (``{tmp}/out``) must hold ``says``
    exit_code: int = 2


def run_case(case: BadInput, tmp: Path) -> subprocess.CompletedProcess[str]:
    """Run ``case`` as a user would, ``python -m rtgate`` from this checkout, in ``tmp``.

    The command runs in a session of its own, killed whole after ``case.timeout``: a row that
    regressed (``-n 99999`` starting its workers) must not leave processes behind.

    Raises:
        subprocess.TimeoutExpired: the command hung (a FIFO read, workers spawned...).
    """
    if case.setup is not None:
        case.setup(tmp)
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    argv = [sys.executable, "-m", "rtgate", *(w.format(tmp=tmp) for w in case.argv)]
    with subprocess.Popen(
        argv, cwd=tmp, env=env, text=True, start_new_session=True,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    ) as process:  # fmt: skip
        try:
            out, err = process.communicate(timeout=case.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
    return subprocess.CompletedProcess(argv, process.returncode, out, err)


def problem_with(case: BadInput, done: subprocess.CompletedProcess[str], tmp: Path) -> str | None:
    """What is wrong with how ``case`` was handled (``done``, run in ``tmp``), or None when
    it ended as a bad input must: exit 2, one ``rtgate: error:`` line naming what
    ``case.says``, no traceback."""
    lines = done.stderr.splitlines()
    if "Traceback" in done.stdout + done.stderr:
        return f"a traceback: {done.stderr[-2000:]}"
    if case.exit_code != 2:
        return _run_problem(case, done, tmp)
    if (done.returncode, len(lines)) != (2, 1):
        return f"exit {done.returncode}, {len(lines)} line(s): {done.stderr or done.stdout[-2000:]}"
    if not lines[0].startswith("rtgate: error: "):
        return f"not an error line: {lines[0]}"
    missing = [part.format(tmp=tmp) for part in case.says if part.format(tmp=tmp) not in lines[0]]
    return f"{lines[0]!r} does not name {missing}" if missing else None


def _run_problem(case: BadInput, done: subprocess.CompletedProcess[str], tmp: Path) -> str | None:
    """What is wrong with a run that had to end despite its subject: its exit code, and its
    report, which must say ``case.says`` in a requirement's error or in why the run stopped
    (and be incomplete exactly when the run timed out)."""
    said = done.stderr[-2000:] or done.stdout[-2000:]
    if done.returncode != case.exit_code:
        return f"exit {done.returncode}, not {case.exit_code}: {said}"
    try:
        report = json.loads((tmp / "out" / "compliance.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        return f"no report: {err}: {said}"
    run = report["run"]
    if run["complete"] != (case.exit_code != TIMED_OUT_EXIT):
        return f"the report says complete={run['complete']}, stopped={run.get('stopped')!r}"
    errors = [r["message"] or "" for r in report["requirements"] if r["outcome"] == "error"]
    texts = [*errors, run.get("stopped", "")]
    wanted = [part.format(tmp=tmp) for part in case.says]
    if not any(all(part in text for part in wanted) for text in texts):
        return f"the report does not say {wanted}: errors {errors}, stopped {run.get('stopped')!r}"
    return None


def _file(name: str, text: str) -> Callable[[Path], None]:
    def setup(tmp: Path) -> None:
        (tmp / name).write_text(text, encoding="utf-8")

    return setup


def _fifo(name: str) -> Callable[[Path], None]:
    def setup(tmp: Path) -> None:
        os.mkfifo(tmp / name)

    return setup


#: an expectations file of the default subject with one entry, to spoil one key at a time
_ENTRY = 'requirement = "LC-DESTROY-ORDER"\nreason = "r"\nlink = "https://example.invalid/1"\n'
_EXPECT = ("run", "--expectations", "{tmp}/e.toml", "--report-dir", "{tmp}/out")


def _expectations(name: str, top: str, entry: str = _ENTRY, *says: str) -> BadInput:
    """A row of an expectations file whose top level is ``top`` and whose one entry is
    ``entry``; the error must name the file and ``says``."""
    text = f'subject = "reference"\n{top}\n[[expected]]\n{entry}'
    return BadInput(f"expectations-{name}", _EXPECT, _file("e.toml", text), ("e.toml", *says))


EXPECTATIONS = [
    _expectations("expires-datetime", "", _ENTRY + "expires = 2027-06-30T10:00:00\n",
                  "'expires'", "date and time"),
    _expectations("expires-time", "", _ENTRY + "expires = 10:00:00\n", "'expires'"),
    _expectations("expires-string", "", _ENTRY + 'expires = "2027-06-30"\n', "'expires'"),
    _expectations("expires-number", "", _ENTRY + "expires = 20270630\n", "'expires'"),
    _expectations("requirement-number", "", _ENTRY.replace('"LC-DESTROY-ORDER"', "5"),
                  "'requirement'"),
    _expectations("reason-array", "", _ENTRY.replace('"r"', '["r"]'), "'reason'"),
    _expectations("link-bool", "", _ENTRY.replace('"https://example.invalid/1"', "true"),
                  "'link'"),
    _expectations("entry-versions-number", "", _ENTRY + "versions = 1.1\n", "'versions'"),
    _expectations("entry-versions-array", "", _ENTRY + 'versions = [">=1"]\n', "'versions'"),
    _expectations("host-number", "", _ENTRY + "host = 5\n", "'host'"),
    _expectations("host-table", "", _ENTRY + "host = {a = 1}\n", "'host'"),
    _expectations("profiles-number", "", _ENTRY + "profiles = 5\n", "'profiles'"),
    _expectations("entry-unknown-key", "", _ENTRY + "reson = 'x'\n", "reson"),
    _expectations("versions-number", "versions = 5", _ENTRY, "'versions'"),
    _expectations("versions-array", 'versions = [">=1"]', _ENTRY, "'versions'"),
    _expectations("require-string", 'require = "resctrl"', _ENTRY, "'require'"),
    _expectations("require-numbers", "require = [1]", _ENTRY, "'require'"),
    _expectations("top-unknown-key", 'expect = "x"', _ENTRY, "expect"),
    BadInput("expectations-expected-number", _EXPECT,
             _file("e.toml", 'subject = "reference"\nexpected = 5\n'), ("e.toml", "'expected'")),
    BadInput("expectations-expected-strings", _EXPECT,
             _file("e.toml", 'subject = "reference"\nexpected = ["a"]\n'), ("e.toml", "table")),
    BadInput("expectations-subject-number", _EXPECT,
             _file("e.toml", "subject = 5\n"), ("e.toml", "'subject'")),
    BadInput("expectations-fifo", _EXPECT, _fifo("e.toml"), ("e.toml", "FIFO")),
    BadInput("expectations-dev-zero", ("run", "--expectations", "/dev/zero"),
             None, ("/dev/zero", "character device")),
    BadInput("expectations-directory", ("run", "--expectations", "{tmp}"), None, ("directory",)),
    BadInput("expectations-too-large", _EXPECT,
             _file("e.toml", 'subject = "reference"\n' + "#" * (9 << 20)), ("larger than",)),
    BadInput("catalog-fifo", ("run", "--catalog", "{tmp}/c.toml"), _fifo("c.toml"), ("FIFO",)),
]  # fmt: skip


def _report(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    """Writes a good report as ``{tmp}/good.json`` and, spoilt by ``change``, ``bad.json``."""

    def setup(tmp: Path) -> None:
        text = to_json(sample_report())
        (tmp / "good.json").write_text(text, encoding="utf-8")
        data = json.loads(text)
        change(data)
        (tmp / "bad.json").write_text(json.dumps(data), encoding="utf-8")

    return setup


def _set(*path: str | int, to: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        node: Any = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = to

    return change


#: each command that reads a report, with ``{bad}`` where the spoilt one goes
_READERS = {
    "render": ("report", "render", "{tmp}/bad.json", "--out", "{tmp}/out"),
    "diff": ("report", "diff", "{tmp}/good.json", "{tmp}/bad.json"),
    "merge": ("report", "merge", "{tmp}/good.json", "{tmp}/bad.json", "--out", "{tmp}/out"),
    "failed": ("run", "--failed", "{tmp}/bad.json"),
    "replay": ("replay", "{tmp}/bad.json", "--requirement", "A-FAIL"),
    "expectations": ("expectations", "update", "{tmp}/bad.json"),
}
#: ways to spoil a report, each with the field the error must name
_SPOILT = {
    "requirements-string": (_set("requirements", to="abc"), "requirements"),
    "outcome-number": (_set("requirements", 0, "outcome", to=5), "requirements[0].outcome"),
    "test-outcome-number": (_set("tests", 0, "outcome", to=5), "tests[0].outcome"),
    "tests-of-requirement-string": (_set("requirements", 1, "tests", to="x"),
                                    "requirements[1].tests"),
    "command-number": (_set("run", "command", to=5), "run.command"),
    "duration-string": (_set("run", "duration_s", to="x"), "run.duration_s"),
    "verdict-number": (_set("summary", "verdict", to=7), "summary.verdict"),
    "counts-list": (_set("summary", "counts", to=[1]), "summary.counts"),
    "count-bool": (_set("summary", "counts", "pass", to=True), "summary.counts.pass"),
    "argv-string": (_set("tests", 0, "commands", to=[{"argv": "x"}]), "tests[0].commands[0]"),
}  # fmt: skip
REPORTS = [
    BadInput(f"report-{reader}-{name}", argv, _report(change), ("bad.json", field))
    for name, (change, field) in _SPOILT.items()
    for reader, argv in _READERS.items()
    if reader == "diff" or name in ("outcome-number", "command-number")
] + [
    BadInput("report-fifo", ("report", "diff", "{tmp}/r.json", "{tmp}/r.json"), _fifo("r.json"),
             ("r.json", "FIFO")),
    BadInput("report-dev-zero", ("report", "render", "/dev/zero"), None, ("/dev/zero",)),
]  # fmt: skip


def _read_only_dir(tmp: Path) -> None:
    """``{tmp}/ro``: a directory nobody may write; as root, whom modes do not stop, a link to
    sysfs, where nobody may make a file."""
    made = tmp / "made-ro"
    made.mkdir(mode=0o555)
    (tmp / "ro").symlink_to(made if not os.access(made, os.W_OK) else Path("/sys/kernel"))


#: ``rtgate run``, quick to fail if the report directory is refused before the run
_RUN = ("run", "-k", "test_transitions")
REPORT_DIRS = [
    BadInput("report-dir-is-a-file", (*_RUN, "--report-dir", "{tmp}/f"), _file("f", ""),
             ("{tmp}/f", "not a directory")),
    BadInput("report-dir-under-a-file", (*_RUN, "--report-dir", "{tmp}/f/out"), _file("f", ""),
             ("{tmp}/f/out", "Not a directory")),
    BadInput("report-dir-read-only", (*_RUN, "--report-dir", "{tmp}/ro"), _read_only_dir,
             ("{tmp}/ro", "cannot write the report there")),
    BadInput("report-dir-name-too-long", (*_RUN, "--report-dir", "{tmp}/" + "x" * 300), None,
             ("File name too long",)),
    BadInput("report-render-out-is-a-file",
             ("report", "render", "{tmp}/good.json", "--out", "{tmp}/good.json"),
             _report(_set("run", "command", to="")), ("good.json",)),
]  # fmt: skip


def _numbers(
    name: str, option: tuple[str, ...], values: tuple[str, ...], says: str
) -> list[BadInput]:
    """Rows of a numeric option; quick to time out, in case one starts what it counts."""
    return [
        BadInput(f"{name}-{value}", (*_RUN, *option, value), None, (says, value), timeout=20)
        for value in values
    ]


NUMBERS = [
    *_numbers("workers", ("-n",), ("99999", "0", "-1", "2.5", "many"), "argument -n"),
    *_numbers("pytest-workers", ("--", "-n"), ("99999",), "argument -n/--numprocesses"),
    *_numbers("pytest-numprocesses", ("--", "--numprocesses"), ("99999",), "-n/--numprocesses"),
    *_numbers("seed", ("--hypothesis-seed",), ("-1", str(2**64), "x"), "--hypothesis-seed"),
    *_numbers("timeout", ("--timeout",), ("0", "-1", "x", "1e99", "nan"), "--timeout"),
    *_numbers("call-timeout", ("--call-timeout",), ("0", "inf"), "--call-timeout"),
]

_OUT = ("--report-dir", "{tmp}/out")
SELECTIONS = [
    BadInput("select-keyword-nothing", ("run", *_OUT, "-k", "no_such_test"), None,
             ("-k 'no_such_test'", "matched no test")),
    BadInput("select-marker-nothing", ("run", *_OUT, "--", "-m", "no_such_marker"), None,
             ("-m no_such_marker", "matched no test")),
    BadInput("select-requirement-and-keyword-nothing",
             ("run", *_OUT, "--requirement", "LC-DESTROY-ORDER", "-k", "test_transitions"), None,
             ("--requirement LC-DESTROY-ORDER", "matched no test")),
]  # fmt: skip


def _subject(module: str, body: str) -> BadInput:
    """A row of a ``python:`` subject, the module ``module`` (``body``) in the row's directory."""
    argv = ("run", *_OUT, "--subject", f"python:{module}:new_factory")
    return BadInput(f"subject-{module.replace('_', '-')}", argv, _file(f"{module}.py", body),
                    (f"python:{module}:new_factory", "exited at import"))  # fmt: skip


SUBJECTS = [
    _subject("exits_0_at_import", "import sys\nsys.exit(0)\n"),
    _subject("exits_3_at_import", "import sys\nsys.exit(3)\n"),
    _subject("exits_saying_at_import", "raise SystemExit('no')\n"),
    _subject("os_exits_0_at_import", "import os\nos._exit(0)\n"),
]

#: the call limit of the hanging rows, as the option takes it and the messages say it
_LIMIT = "1"
_HANGS_AT_IMPORT = "python:tests.subjects.hangs_at_import:new_factory"


def _hanging(operation: str, what: str, requirement: str, *more: str) -> BadInput:
    """A row of a subject that hangs in ``operation`` (``what``, as the error names it) in the
    test of ``requirement``: that requirement errors, and the run ends (exit 1)."""
    subject = f"python:tests.subjects.hanging:hangs_in_{operation}"
    argv = ("run", *_OUT, "--subject", subject, "--requirement", requirement,
            "--call-timeout", _LIMIT, *more)  # fmt: skip
    return BadInput(f"hanging-{operation}", argv, None,
                    (subject, f"{what} did not return within {_LIMIT} s"), exit_code=1)  # fmt: skip


HANGING = [
    BadInput("hanging-import", ("run", *_OUT, "--subject", _HANGS_AT_IMPORT, "--call-timeout",
                                _LIMIT),
             None, (_HANGS_AT_IMPORT, f"did not finish within {_LIMIT} s")),
    _hanging("new_factory", "new_factory()", "LC-FACTORY-CREATE-STOPPED"),
    _hanging("create", "_Factory.create()", "LC-FACTORY-CREATE-STOPPED"),
    _hanging("load", "_Factory.load()", "LC-PAUSE-LOADED"),
    _hanging("start", "_Container.start()", "LC-START-CREATED"),
    _hanging("run", "_Container.run()", "LC-RUN"),
    _hanging("signal", "_Container.signal()", "LC-SIGNAL-CREATED"),
    _hanging("pause", "_Container.pause()", "LC-PAUSE-CREATED"),
    _hanging("resume", "_Container.resume()", "LC-RESUME-PAUSED"),
    _hanging("destroy", "_Container.destroy()", "LC-DESTROY-ORDER"),
    _hanging("status", "_Container.status()", "LC-FACTORY-CREATE-STOPPED"),
    dataclasses.replace(
        _hanging("create", "", "LC-FACTORY-CREATE-STOPPED", "--call-timeout", "600",
                 "--timeout", "3"),
        name="hanging-create-run-timeout", says=("timeout after 3 s",),
        exit_code=TIMED_OUT_EXIT,
    ),
]  # fmt: skip

#: every row, in the order the test runs them
CASES: list[BadInput] = [
    *EXPECTATIONS, *REPORTS, *REPORT_DIRS, *NUMBERS, *SELECTIONS, *SUBJECTS, *HANGING
]  # fmt: skip
