"""The runtime driver against a stand-in runtime (a shell script): argv, records, timeouts."""

from __future__ import annotations

import contextlib
import os
import shlex
import time

import pytest

from harness.hosts.facts import parse_stat
from harness.hosts.facts import stat_or_none
from harness.subjects.oci import OciCommandError
from harness.subjects.oci import OciRuntime
from harness.subjects.oci import OciTimeouts
from harness.subjects.oci import RuntimeMissing
from harness.subjects.oci import StatusTimeout
from harness.subjects.oci.runtime import STDERR_TAIL
from harness.subjects.oci.runtime import parse_version

RUNC_VERSION = """runc version 1.1.5+ds1
commit: 1.1.5+ds1-1+deb12u1
spec: 1.0.2-dev
go: go1.19.8
libseccomp: 2.5.4
"""
CRUN_VERSION = """crun version 1.8.1
commit: f8a096be060b22ccd3d5f3ebe44108517fbf6c30
rundir: /run/crun
spec: 1.0.0
+SYSTEMD +SELINUX +APPARMOR +CAP +SECCOMP +EBPF +YAJL
"""


def fake_runtime(tmp_path, body: str) -> str:
    """A runtime that logs its argv (one per line) to ``argv.log``, then runs ``body``."""
    path = tmp_path / "fake-runtime"
    log = shlex.quote(str(tmp_path / "argv.log"))
    path.write_text(f'#!/bin/sh\necho "$*" >> {log}\n{body}\n')
    path.chmod(0o755)
    return str(path)


def logged(tmp_path) -> list[str]:
    return (tmp_path / "argv.log").read_text().splitlines()


def test_a_missing_runtime_is_one_clear_line(tmp_path) -> None:
    with pytest.raises(RuntimeMissing) as info:
        OciRuntime("rtgate-no-such-runtime", str(tmp_path / "root"))
    message = str(info.value)
    assert "shutil.which('rtgate-no-such-runtime') returned None" in message
    assert "\n" not in message


def test_a_path_that_is_not_executable_is_missing(tmp_path) -> None:
    plain = tmp_path / "runc"
    plain.write_text("")
    with pytest.raises(RuntimeMissing, match="no executable file at"):
        OciRuntime(str(plain), str(tmp_path / "root"))


def test_a_runtime_that_vanishes_is_missing_not_a_traceback(tmp_path) -> None:
    runtime = OciRuntime(fake_runtime(tmp_path, "exit 0"), str(tmp_path / "root"))
    os.unlink(runtime.binary)
    with pytest.raises(RuntimeMissing, match="vanished"):
        runtime.start("c1")


def test_every_command_passes_root_and_takes_its_arguments_in_order(tmp_path) -> None:
    runtime = OciRuntime(fake_runtime(tmp_path, "exit 0"), str(tmp_path / "root"))
    assert os.path.isdir(runtime.root_dir)
    runtime.create("c1", "/b")
    runtime.start("c1")
    runtime.kill("c1", "KILL")
    runtime.kill("c1", "TERM", all_processes=True)
    runtime.pause("c1")
    runtime.resume("c1")
    runtime.delete("c1")
    runtime.delete("c1", force=True)
    runtime.run("c2", "/b")
    root = f"--root {runtime.root_dir}"
    assert logged(tmp_path) == [
        f"{root} create --bundle /b c1",
        f"{root} start c1",
        f"{root} kill c1 KILL",
        f"{root} kill --all c1 TERM",
        f"{root} pause c1",
        f"{root} resume c1",
        f"{root} delete c1",
        f"{root} delete --force c1",
        f"{root} run --detach --bundle /b c2",
    ]
    assert [record.argv[3] for record in runtime.records] == [
        "create", "start", "kill", "kill", "pause", "resume", "delete", "delete", "run",
    ]  # fmt: skip
    assert all(record.ok for record in runtime.records)


def test_global_args_come_before_root_and_the_command_of_every_command(tmp_path) -> None:
    flags = ("--debug", "--log-format=json")
    runtime = OciRuntime(fake_runtime(tmp_path, "exit 0"), str(tmp_path / "r"), global_args=flags)
    runtime.create("c1", "/b")
    runtime.kill("c1", "KILL")
    runtime.state_record("c1")
    root = f"--root {runtime.root_dir}"
    assert logged(tmp_path) == [
        f"--debug --log-format=json {root} create --bundle /b c1",
        f"--debug --log-format=json {root} kill c1 KILL",
        f"--debug --log-format=json {root} state c1",
    ]
    assert all(record.argv[1:3] == flags for record in runtime.records)


def test_a_failure_is_recorded_with_its_exit_code_and_the_end_of_stderr(tmp_path) -> None:
    body = "head -c 5000 /dev/zero | tr '\\0' x >&2; echo 'container not stopped' >&2; exit 7"
    runtime = OciRuntime(fake_runtime(tmp_path, body), str(tmp_path / "root"))
    record = runtime.delete("c1")
    assert record.exit_code == 7 and not record.ok and not record.timed_out
    assert len(record.stderr_tail) == STDERR_TAIL
    assert record.stderr_tail.endswith("container not stopped\n")
    described = record.describe()
    assert described.startswith(f"`{runtime.binary} --root {runtime.root_dir} delete c1` exited 7")
    # the end of the last line only: a description stays one readable line
    assert described.endswith(": " + "x" * 179 + "container not stopped")
    assert runtime.records == [record]


def test_a_command_past_its_timeout_is_killed_and_recorded(tmp_path) -> None:
    runtime = OciRuntime(
        fake_runtime(tmp_path, "exec sleep 30"),
        str(tmp_path / "root"),
        OciTimeouts(kill=0.3),
    )
    started = time.monotonic()
    record = runtime.kill("c1", "KILL")
    assert time.monotonic() - started < 10
    assert record.timed_out and not record.ok
    assert record.exit_code == -9
    assert "timed out" in record.describe()


def test_a_timed_out_command_is_ended_with_every_process_of_its_group(tmp_path) -> None:
    # as a hung create's helpers: a child and a grandchild of the runtime stay in its group
    body = (
        f"cd {tmp_path}; sleep 30 & echo $! >> kids;"
        " (sleep 30 & echo $! >> kids; wait) & echo $! >> kids; exec sleep 30"
    )
    runtime = OciRuntime(fake_runtime(tmp_path, body), str(tmp_path / "r"), OciTimeouts(create=0.5))
    record = runtime.create("c1", "/b")
    assert record.timed_out and record.exit_code == -9
    kids = [int(pid) for pid in (tmp_path / "kids").read_text().split()]
    assert len(kids) == 3
    assert all(stat_or_none(pid) is None or stat_or_none(pid).exited for pid in kids)
    killed = {int(entry.split()[0]) for entry in record.killed}
    assert len(killed) == 4 and set(kids) < killed and not record.survived
    assert "its process group killed: " in record.describe()


def test_each_command_has_a_process_group_of_its_own_and_the_hosts_arguments(tmp_path) -> None:
    body = 'echo "$$ $RTGATE_MARK"; cat /proc/self/stat'
    env = {**os.environ, "RTGATE_MARK": "from-the-host"}
    runtime = OciRuntime(
        fake_runtime(tmp_path, body),
        str(tmp_path / "r"),
        launching=lambda: contextlib.nullcontext({"env": env}),
    )
    first, stat_line = runtime.state_record("c1").stdout.splitlines()
    leader, mark = first.split()
    assert mark == "from-the-host"
    assert parse_stat(stat_line).pgrp == int(leader) != os.getpgrp()


def test_output_left_open_by_a_child_does_not_hold_the_command(tmp_path) -> None:
    # as create does: the container's process keeps the runtime's stdout and stderr
    body = "sleep 30 & echo $! > child.pid; exit 0"
    runtime = OciRuntime(fake_runtime(tmp_path, f"cd {tmp_path}; {body}"), str(tmp_path / "r"))
    try:
        record = runtime.create("c1", "/b")
        assert record.ok and record.duration_s < 10
        # a command that ends in time leaves what it started: create leaves the container
        child = stat_or_none(int((tmp_path / "child.pid").read_text()))
        assert child is not None and not child.exited and not record.killed
    finally:
        pid = int((tmp_path / "child.pid").read_text())
        os.kill(pid, 9)  # the sleep this test's stand-in runtime started


def test_state_parses_the_json(tmp_path) -> None:
    body = 'echo \'{"id": "c1", "status": "running", "pid": 12}\''
    runtime = OciRuntime(fake_runtime(tmp_path, body), str(tmp_path / "root"))
    assert runtime.state("c1") == {"id": "c1", "status": "running", "pid": 12}


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("echo 'container \"c1\" does not exist' >&2; exit 1", "state failed.*does not exist"),
        ("echo 'not json'", "state printed no JSON"),
        ("echo '[1]'", "no JSON object"),
    ],
)
def test_state_failures_raise_with_the_record(tmp_path, body, match) -> None:
    runtime = OciRuntime(fake_runtime(tmp_path, body), str(tmp_path / "root"))
    with pytest.raises(OciCommandError, match=match) as info:
        runtime.state("c1")
    assert info.value.record is runtime.records[-1]


def test_wait_for_status_polls_until_the_status_comes(tmp_path) -> None:
    counter = tmp_path / "count"
    counter.write_text("0")
    body = f"""n=$(($(cat {counter}) + 1)); echo $n > {counter}
if [ $n -ge 3 ]; then s=running; else s=created; fi
echo "{{\\"id\\": \\"c1\\", \\"status\\": \\"$s\\", \\"pid\\": 5}}" """
    runtime = OciRuntime(fake_runtime(tmp_path, body), str(tmp_path / "root"))
    state = runtime.wait_for_status("c1", "running", deadline=10)
    assert state["status"] == "running"
    assert counter.read_text().strip() == "3"
    assert [record.argv[3] for record in runtime.records] == ["state"] * 3


def test_wait_for_status_accepts_any_of_several(tmp_path) -> None:
    body = 'echo \'{"id": "c1", "status": "stopped"}\''
    runtime = OciRuntime(fake_runtime(tmp_path, body), str(tmp_path / "root"))
    assert runtime.wait_for_status("c1", ("stopped", "running"))["status"] == "stopped"


def test_wait_for_status_gives_up_at_the_deadline_saying_what_it_saw(tmp_path) -> None:
    body = 'echo \'{"id": "c1", "status": "created"}\''
    runtime = OciRuntime(fake_runtime(tmp_path, body), str(tmp_path / "root"))
    started = time.monotonic()
    with pytest.raises(StatusTimeout, match="not running within 0.3s; last seen: status 'created'"):
        runtime.wait_for_status("c1", "running", deadline=0.3)
    assert 0.3 <= time.monotonic() - started < 5
    assert len(runtime.records) >= 2


def test_list_ids(tmp_path) -> None:
    body = 'echo \'[{"id": "a", "status": "running"}, {"id": "b", "status": "stopped"}]\''
    runtime = OciRuntime(fake_runtime(tmp_path, body), str(tmp_path / "root"))
    assert runtime.list_ids() == ["a", "b"]
    assert logged(tmp_path) == [f"--root {runtime.root_dir} list --format json"]


def test_list_ids_of_none(tmp_path) -> None:
    runtime = OciRuntime(fake_runtime(tmp_path, "echo null"), str(tmp_path / "root"))
    assert runtime.list_ids() == []


def test_version_is_asked_without_root(tmp_path) -> None:
    body = f"cat <<'END'\n{RUNC_VERSION}END"
    runtime = OciRuntime(fake_runtime(tmp_path, body), str(tmp_path / "root"))
    version = runtime.version()
    assert (version.name, version.version, version.spec) == ("runc", "1.1.5+ds1", "1.0.2-dev")
    assert logged(tmp_path) == ["--version"]


def test_version_that_says_nothing_is_an_error(tmp_path) -> None:
    runtime = OciRuntime(fake_runtime(tmp_path, "echo hello"), str(tmp_path / "root"))
    with pytest.raises(OciCommandError, match="gave no version"):
        runtime.version()


def test_parse_version_of_crun() -> None:
    version = parse_version(CRUN_VERSION)
    assert version is not None
    assert (version.name, version.version, version.spec) == ("crun", "1.8.1", "1.0.0")
    assert parse_version("") is None
