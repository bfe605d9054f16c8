"""The reference's runc-style command line: a whole lifecycle through fresh invocations, on the
simulated host in process and, as root, on this machine as a program."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.hosts import SimulatedHost
from harness.hosts import real_host
from harness.hosts import simulated_host
from reference_impl import cli
from tests._real import real_host_off

ROOT = Path(__file__).resolve().parents[2]


def _bundle(directory: str, args: list[str], hooks: dict[str, list[dict[str, object]]]) -> str:
    os.makedirs(directory, exist_ok=True)
    spec = {
        "ociVersion": "1.0.2",
        "process": {"args": args, "cwd": "/", "env": ["PATH=/bin:/usr/bin"]},
        "root": {"path": "rootfs"},
        "hooks": hooks,
        "linux": {"namespaces": [{"type": "mount"}]},
    }
    with open(os.path.join(directory, "config.json"), "w", encoding="utf-8") as f:
        json.dump(spec, f)
    return directory


class Cli:
    """``rtgate-reference --root ROOT ...`` in process, with its output kept."""

    def __init__(self, host: SimulatedHost, root: str) -> None:
        self.host, self.root = host, root

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = cli.main(
            ["--root", self.root, *argv], system=self.host.system, stdout=out, stderr=err
        )
        self.host.runtime_exited()  # each command is a process of its own that ends here
        return code, out.getvalue(), err.getvalue()

    def status(self, cid: str) -> str:
        code, out, err = self("state", cid)
        assert code == 0, err
        return str(json.loads(out)["status"])


@pytest.fixture
def sim() -> Iterator[tuple[SimulatedHost, Cli]]:
    with simulated_host() as host:
        yield host, Cli(host, host.state_root)


def test_lifecycle_through_fresh_invocations(sim: tuple[SimulatedHost, Cli]) -> None:
    host, run = sim
    hook = host.hook_program("post", host_program_ok())
    bundle = _bundle("/bundles/a", ["/bin/sleep", "600"], {"poststop": [{"path": hook}]})
    assert run("create", "--bundle", bundle, "a")[0] == 0
    assert run.status("a") == "created"
    code, out, _ = run("state", "a")
    state = json.loads(out)
    assert state["pid"] > 0 and state["bundle"] == bundle and state["ociVersion"] == "1.0.2"
    assert run("start", "a")[0] == 0
    assert run.status("a") == "running"
    assert run("start", "a")[1:] == (
        "",
        "rtgate-reference: cannot start an already running container\n",
    )
    assert run("pause", "a")[0] == 0
    assert run.status("a") == "paused"
    assert run("delete", "a")[2] == (
        "rtgate-reference: cannot delete container a that is not stopped: paused\n"
    )
    assert run("resume", "a")[0] == 0
    assert run("kill", "a", "KILL")[0] == 0
    assert host.dies(state["pid"])
    assert run.status("a") == "stopped"
    assert run("delete", "a")[0] == 0
    assert len(host.hook_runs(hook)) == 1, "delete runs the poststop hook"
    assert host.cgroup_dirs("/a") == []
    code, _, err = run("state", "a")
    assert code == 1 and "does not exist" in err


def test_delete_of_a_created_container_kills_it(sim: tuple[SimulatedHost, Cli]) -> None:
    host, run = sim
    bundle = _bundle("/bundles/c", ["/bin/sleep", "600"], {})
    assert run("create", "--bundle", bundle, "c")[0] == 0
    pid = json.loads(run("state", "c")[1])["pid"]
    assert run("delete", "c")[0] == 0, "runc deletes a created container (spec: MUST error)"
    assert host.dies(pid)
    assert not os.path.exists(os.path.join(host.state_root, "c"))


def test_failing_prestart_hook_fails_create_and_leaves_nothing(
    sim: tuple[SimulatedHost, Cli],
) -> None:
    host, run = sim
    from harness.hosts.base import HookProgram

    hook = host.hook_program("pre", HookProgram.exit(1, stderr="no"))
    bundle = _bundle("/bundles/p", ["/bin/sleep", "600"], {"prestart": [{"path": hook}]})
    code, _, err = run("create", "--bundle", bundle, "p")
    assert code == 1 and "running prestart hook 0" in err
    assert host.live_children() == set()
    assert host.cgroup_dirs("/p") == []
    assert not os.path.exists(os.path.join(host.state_root, "p"))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["create", "--bundle", "/nowhere", "x"], "open /nowhere/config.json: no such file"),
        (["kill", "ghost", "KILL"], "does not exist"),
        (["--profile", "nope", "state", "x"], "unknown profile 'nope'"),
    ],
)
def test_errors_are_one_line_and_exit_1(
    sim: tuple[SimulatedHost, Cli], argv: list[str], message: str
) -> None:
    code, out, err = sim[1](*argv)
    assert code == 1 and out == ""
    assert message in err and err.count("\n") == 1, err


def test_unknown_signal(sim: tuple[SimulatedHost, Cli]) -> None:
    host, run = sim
    assert run("create", "--bundle", _bundle("/bundles/s", ["/bin/sleep", "1"], {}), "s")[0] == 0
    assert run("kill", "s", "NOPE")[2] == 'rtgate-reference: unknown signal "NOPE"\n'
    assert cli.parse_signal("9") == cli.parse_signal("KILL") == cli.parse_signal("SIGKILL")
    assert cli.parse_signal("term") == signal.SIGTERM


def host_program_ok():  # noqa: ANN201 - the simulated program type
    from harness.hosts.base import HookProgram

    return HookProgram.exit(0)


@pytest.mark.skipif(real_host_off() is not None, reason=f"{real_host_off()}")
def test_lifecycle_as_a_program_on_this_machine(tmp_path: Path) -> None:
    """Each command is its own process, as runc's are; init outlives the create command."""
    with real_host() as host:
        cid = host.container_id("cli")
        bundle = _bundle(str(tmp_path / "bundle"), ["/bin/sleep", "600"], {})

        def run(*argv: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "reference_impl.cli", "--root", host.state_root, *argv],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=60,
            )

        assert run("create", "--bundle", bundle, cid).returncode == 0
        state = json.loads(run("state", cid).stdout)
        assert state["status"] == "created"
        pid = state["pid"]
        assert run("start", cid).returncode == 0
        assert json.loads(run("state", cid).stdout)["status"] == "running"
        assert run("kill", cid, "KILL").returncode == 0
        assert host.dies(pid)
        assert json.loads(run("state", cid).stdout)["status"] == "stopped"
        done = run("delete", cid)
        assert done.returncode == 0, done.stderr
        assert host.cgroup_dirs(f"/{cid}") == []
