"""The reference's createRuntime hooks (runtime-spec 1.0.2, runc v1.0.0-rc91): read from
config.json, kept in state.json, run during create right after the prestart hooks, and a
failure named by phase; the seed profile, whose configs know no createRuntime, ignores them."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator

import pytest

from harness.hosts import SimulatedHost
from harness.hosts import simulated_host
from harness.hosts.base import HookProgram
from reference_impl import Config
from reference_impl import Hook
from reference_impl import Hooks
from reference_impl import cli
from reference_impl.oci_config import load_bundle


def _bundle(directory: str, hooks: dict[str, list[dict[str, object]]]) -> str:
    os.makedirs(directory, exist_ok=True)
    spec = {
        "ociVersion": "1.0.2",
        "process": {"args": ["/bin/sleep", "600"], "cwd": "/"},
        "hooks": hooks,
        "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}]},
    }
    with open(os.path.join(directory, "config.json"), "w", encoding="utf-8") as f:
        json.dump(spec, f)
    return directory


def _create(
    host: SimulatedHost, bundle: str, cid: str, profile: str = "runc-1.1"
) -> tuple[int, str]:
    err = io.StringIO()
    code = cli.main(
        ["--root", host.state_root, "--profile", profile, "create", "--bundle", bundle, cid],
        system=host.system,
        stdout=io.StringIO(),
        stderr=err,
    )
    host.runtime_exited()
    return code, err.getvalue()


@pytest.fixture
def host() -> Iterator[SimulatedHost]:
    with simulated_host() as h:
        yield h


def test_config_json_create_runtime_is_read(host: SimulatedHost) -> None:
    bundle = _bundle("/bundles/r", {"createRuntime": [{"path": "/h/a", "args": ["a", "1"]}]})
    config, _ = load_bundle(bundle, "r")
    assert config.hooks is not None
    assert config.hooks.create_runtime == (Hook(path="/h/a", args=("a", "1")),)


def test_create_runtime_hooks_survive_state_json() -> None:
    config = Config(hooks=Hooks(prestart=(Hook("/h/p"),), create_runtime=(Hook("/h/c"),)))
    assert Config.from_json(json.loads(json.dumps(config.to_json()))) == config


def test_create_runtime_runs_after_prestart_during_create(host: SimulatedHost) -> None:
    pre = host.hook_program("pre", HookProgram.exit(0))
    cr = host.hook_program("cr", HookProgram.exit(0))
    bundle = _bundle("/bundles/o", {"prestart": [{"path": pre}], "createRuntime": [{"path": cr}]})
    code, err = _create(host, bundle, "o")
    assert code == 0, err
    [pre_run], [cr_run] = host.hook_runs(pre), host.hook_runs(cr)
    assert pre_run.seq < cr_run.seq
    assert json.loads(cr_run.stdin)["id"] == "o"


def test_a_failing_create_runtime_hook_fails_create_and_leaves_nothing(
    host: SimulatedHost,
) -> None:
    cr = host.hook_program("cr-fails", HookProgram.exit(1, stderr="no"))
    bundle = _bundle("/bundles/f", {"createRuntime": [{"path": cr}]})
    code, err = _create(host, bundle, "f")
    # runc 1.1 names the failed hook as the seed names prestart's: "running <kind> hook <n>"
    assert code == 1 and "running createRuntime hook 0" in err, err
    assert host.cgroup_dirs("/f") == []
    assert not os.path.exists(os.path.join(host.state_root, "f"))


def test_the_seed_ignores_create_runtime_hooks(host: SimulatedHost) -> None:
    """692f6e1's configs.Hooks has no createRuntime: the key is dropped, create succeeds and
    the hook never runs."""
    cr = host.hook_program("cr-seed", HookProgram.exit(1, stderr="no"))
    bundle = _bundle("/bundles/s", {"createRuntime": [{"path": cr}]})
    code, err = _create(host, bundle, "s", profile="seed")
    assert code == 0, err
    assert host.hook_runs(cr) == []
