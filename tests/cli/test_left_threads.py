"""``rtgate`` exits when its verdict is printed, whatever threads a subject left: a ``python:``
subject that starts a thread which never ends (not a daemon, so Python would wait for it at
exit) used to keep the process alive forever after the report was written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: the reference, and a thread that waits forever, started when the subject is imported; not
#: a daemon, said outright: the import runs on rtgate's call thread (harness/subjects/bounded.py),
#: a daemon, whose daemon flag a thread started there would otherwise inherit
SUBJECT = """
import threading

from reference_impl import new_factory  # noqa: F401 - the subject's factory

threading.Thread(target=threading.Event().wait, name="subject-watcher", daemon=False).start()
"""


def test_a_thread_the_subject_left_does_not_keep_rtgate_alive(tmp_path: Path) -> None:
    (tmp_path / "lingering.py").write_text(SUBJECT)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)])}
    argv = [sys.executable, "-m", "rtgate", "run", "--subject", "python:lingering:new_factory",
            "--requirement", "LC-DESTROY-ORDER", "--report-dir", str(tmp_path / "out")]  # fmt: skip
    with subprocess.Popen(
        argv, cwd=tmp_path, env=env, text=True, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    ) as process:  # fmt: skip
        try:
            out, err = process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.communicate()
            waited = "rtgate run did not end: it waited for the subject's thread"
            raise AssertionError(waited) from None
    assert process.returncode == 0, out[-3000:] + err
    assert "rtgate: verdict PASS" in out
    assert err.strip().splitlines()[-1] == (
        "rtgate: 1 thread(s) still running (subject-watcher), started by the subject: exiting"
        " without waiting for them"
    )
