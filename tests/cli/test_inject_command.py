"""``rtgate inject``: a command run by hand under the syscall fault engine, as a replay of a
counterexample needs it; every mistake of the user is one line and exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli import main
from harness.hosts.inject import unsupported
from tests._real import real_host_off

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--fault", "rmdir:EBUSY:every:/x"], "needs the command to run"),
        (["--", "true"], "needs at least one --fault"),
        (["--fault", "rmdir:EBUSY:every", "--", "true"], "wants OP:ERRNO:WHEN:PATH"),
        (["--fault", "chown:EBUSY:every:/x", "--", "true"], "op must be one of"),
        (["--fault", "rmdir:EBUSSY:every:/x", "--", "true"], "is not an errno name"),
        (["--fault", "rmdir:EBUSY:twice:/x", "--", "true"], "WHEN must be 'first' or 'every'"),
        (["--fault", "rmdir:EBUSY:every:x", "--", "true"], "the path must be absolute"),
    ],
)
def test_a_mistake_is_one_line_and_exit_2(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["inject", *argv]) == 2
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1, err


@pytest.mark.skipif(real_host_off() is not None, reason=f"the engine: {real_host_off()}")
@pytest.mark.skipif(unsupported() is not None, reason=f"no syscall fault engine: {unsupported()}")
def test_the_first_attempt_fails_and_the_command_s_exit_code_is_kept(tmp_path: Path) -> None:
    group = tmp_path / "group"
    group.mkdir()
    program = (
        "import os, sys\n"
        "for attempt in range(2):\n"
        "    try:\n"
        f"        os.rmdir({str(group)!r}); print('removed at', attempt); sys.exit(3)\n"
        "    except OSError as err: print('attempt', attempt, err.strerror)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from harness.cli import main; sys.exit(main())",
         "inject", "--fault", f"rmdir:EBUSY:first:{tmp_path}/*", "--",
         sys.executable, "-c", program],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert done.stdout.splitlines() == ["attempt 0 Device or resource busy", "removed at 1"]
    assert f"rmdir {tmp_path}/* EBUSY: fired 1 time(s)" in done.stderr
