"""Recording hooks, run directly as a runtime would run them, and read back."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

from harness.subjects.oci import all_hook_runs
from harness.subjects.oci import hook_runs
from harness.subjects.oci import write_recording_hook

STATE = {"ociVersion": "1.0.2", "id": "rtgate-1-oci-1", "status": "created", "pid": 42}


def run_hook(path: str, *args: str, stdin: bytes = b"", env: dict[str, str] | None = None):
    return subprocess.run(
        [path, *args], input=stdin, capture_output=True, env=env, timeout=30, check=False
    )


def test_a_run_records_its_argv_state_and_environment(tmp_path) -> None:
    path = write_recording_hook(str(tmp_path), "prestart-1")
    assert os.access(path, os.X_OK)
    done = run_hook(path, "one", "two words", stdin=json.dumps(STATE).encode(), env={"K": "v"})
    assert done.returncode == 0
    [run] = hook_runs(str(tmp_path), "prestart-1")
    assert run.name == "prestart-1"
    assert run.args == (path, "one", "two words")
    assert run.state == STATE
    # only what the hook was given: the script's own PATH fallback does not show
    assert run.env == ("K=v",)
    assert run.at_ns > 0 and run.pid > 0


def test_exit_code_and_stderr(tmp_path) -> None:
    path = write_recording_hook(str(tmp_path), "bad", exit_code=3, stderr="hook says no")
    done = run_hook(path, stdin=b"{}")
    assert done.returncode == 3
    assert done.stderr == b"hook says no"
    assert len(hook_runs(str(tmp_path), "bad")) == 1


def test_stdin_that_is_not_json_is_kept_as_bytes(tmp_path) -> None:
    path = write_recording_hook(str(tmp_path), "h")
    run_hook(path, stdin=b"not json")
    [run] = hook_runs(str(tmp_path), "h")
    assert run.stdin == b"not json" and run.state is None


def test_runs_come_back_oldest_first_across_hooks(tmp_path) -> None:
    first = write_recording_hook(str(tmp_path), "a")
    second = write_recording_hook(str(tmp_path), "b")
    for path in (first, second, first):
        run_hook(path, os.path.basename(path), stdin=b"{}")
    runs = all_hook_runs(str(tmp_path))
    assert [run.name for run in runs] == ["a", "b", "a"]
    assert [run.at_ns for run in runs] == sorted(run.at_ns for run in runs)
    assert len(hook_runs(str(tmp_path), "a")) == 2


def test_no_runs_yet(tmp_path) -> None:
    write_recording_hook(str(tmp_path), "idle")
    assert hook_runs(str(tmp_path), "idle") == []
    assert hook_runs(str(tmp_path), "never-written") == []
    assert all_hook_runs(str(tmp_path / "nowhere")) == []


def _comm(pid: int) -> str:
    with open(f"/proc/{pid}/comm", encoding="utf-8") as f:
        return f.read().strip()


def test_a_hanging_hook_records_then_keeps_running(tmp_path) -> None:
    path = write_recording_hook(str(tmp_path), "hang", hang=True)
    proc = subprocess.Popen([path], stdin=subprocess.PIPE)
    try:
        assert proc.stdin is not None
        proc.stdin.write(b"{}")
        proc.stdin.close()
        deadline = time.monotonic() + 10
        while not hook_runs(str(tmp_path), "hang") and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(hook_runs(str(tmp_path), "hang")) == 1
        assert proc.poll() is None
        # the sleep replaces the shell (just after the record is written): the hook's own pid
        # is what a runtime kills at timeout
        comm = _comm(proc.pid)
        while comm != "sleep" and time.monotonic() < deadline:
            time.sleep(0.01)
            comm = _comm(proc.pid)
        assert comm == "sleep"
    finally:
        proc.send_signal(signal.SIGKILL)  # the process this test started
        proc.wait()


def test_rewriting_a_hook_changes_its_behaviour(tmp_path) -> None:
    write_recording_hook(str(tmp_path), "h", exit_code=1)
    path = write_recording_hook(str(tmp_path), "h", exit_code=0)
    assert run_hook(path, stdin=b"{}").returncode == 0


def test_a_date_without_nanoseconds_gives_whole_seconds(tmp_path) -> None:
    # busybox's date prints "%N" literally, as in a container's root
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    date = fake_bin / "date"
    date.write_text(
        '#!/bin/sh\ncase "$1" in +%s%N) echo 1700000000%N ;; *) echo 1700000000 ;; esac\n'
    )
    date.chmod(0o755)
    path = write_recording_hook(str(tmp_path / "hooks"), "h")
    run_hook(path, stdin=b"{}", env={"PATH": f"{fake_bin}:/usr/bin:/bin"})
    [run] = hook_runs(str(tmp_path / "hooks"), "h")
    assert run.at_ns == 1_700_000_000 * 10**9


@pytest.mark.parametrize("name", ["", ".runs", "a/b"])
def test_names_must_be_plain_file_names(tmp_path, name) -> None:
    with pytest.raises(ValueError, match="plain file name"):
        write_recording_hook(str(tmp_path), name)


def test_sequence_numbers_order_runs_strictly_and_never_repeat(tmp_path) -> None:
    # One after another: each run numbers above the one before, also across hooks.
    first = write_recording_hook(str(tmp_path), "first")
    second = write_recording_hook(str(tmp_path), "second")
    for path in (second, first, second):
        assert run_hook(path).returncode == 0
    runs = all_hook_runs(str(tmp_path))
    assert [(r.name, r.seq) for r in runs] == [("second", 0), ("first", 1), ("second", 2)]
    # At once: every run still gets a number of its own.
    procs = [subprocess.Popen([first], stdin=subprocess.DEVNULL) for _ in range(6)]
    assert all(p.wait(timeout=30) == 0 for p in procs)
    seqs = [r.seq for r in all_hook_runs(str(tmp_path))]
    assert sorted(seqs) == list(range(9)), seqs
