"""A fixed sample of ``make mutate``, small enough for every ``make test``.

``make mutate`` (tools/mutate.py, mutmut) takes up to an hour, so CI runs none of it.  These few
textual mutants of reference_impl, each a plausible bug in one behaviour, are applied to a copy
of the tree in a temporary directory, never to the tree itself; the conformance suite's tests
named with each must fail on the copy, under the profile and preset the mutant is about.  The
same tests run once on an unmutated copy and must pass there, so each failure is the mutant's.
mutmut is not needed.  A mutant whose text is gone from the source (the code was rewritten)
fails with what to update, rather than passing by testing nothing.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@dataclasses.dataclass(frozen=True)
class Mutant:
    """One textual change of one file of reference_impl, and the suite's tests that kill it."""

    name: str
    path: str
    original: str
    mutated: str
    killers: tuple[str, ...]
    profile: str = "seed"
    preset: str = "v1-cat"


SAMPLE = (
    Mutant(
        "pause reads as not paused",
        "reference_impl/container.py",
        "return state == FROZEN",
        "return False",
        ("test_operations.py::test_pause",),
    ),
    Mutant(
        "destroy keeps the state dir",
        "reference_impl/states.py",
        'steps.append(("state-dir", lambda: remove_all(c.root)))',
        'steps.append(("state-dir", lambda: None))',
        ("test_destroy.py::test_destroy_removes_cgroups_and_state_dir",),
    ),
    Mutant(
        "the hook state names the bundle as the id",
        "reference_impl/hooks.py",
        '"id": container_id',
        '"id": bundle',
        ("test_cli.py::test_delete_runs_poststop_hooks_in_order_with_state",),
    ),
    Mutant(
        "a busy cgroup is tried once",
        "reference_impl/cgroups/fs.py",
        "for round_no in range(5):",
        "for round_no in range(1):",
        ("test_resources.py::test_busy_cgroup_fails_after_retries",),
    ),
    Mutant(
        "the MB schema is dropped",
        "reference_impl/intelrdt/manager.py",
        "(config.l3_cache_schema, config.mem_bw_schema)",
        "(config.l3_cache_schema,)",
        ("test_rdt_writer.py::test_l3_and_mb_written_as_one_value",),
        profile="runc-1.2",
    ),
)
#: the profile and preset of each group of killers, for one unmutated run per group
GROUPS = sorted({(m.profile, m.preset) for m in SAMPLE})


def _copy_of_tree(where: Path) -> Path:
    """The code under test copied, the suite linked: pytest run in it imports the copy."""
    where.mkdir()
    shutil.copytree(ROOT / "reference_impl", where / "reference_impl")
    (where / "harness").symlink_to(ROOT / "harness", target_is_directory=True)
    for name in ("conftest.py", "pyproject.toml"):
        shutil.copy2(ROOT / name, where / name)
    return where


def _run_suite(tree: Path, mutant: Mutant, tests: tuple[str, ...]) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    argv += [f"--rtgate-profile={mutant.profile}", f"--rtgate-preset={mutant.preset}"]
    argv += ["--hypothesis-profile=rtgate-quick", *(f"harness/scenarios/{t}" for t in tests)]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    return subprocess.run(
        argv, cwd=tree, env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.parametrize("group", GROUPS, ids="--".join)
def test_the_killers_pass_on_an_unmutated_copy(group: tuple[str, str], tmp_path: Path) -> None:
    tree = _copy_of_tree(tmp_path / "tree")
    mutants = [m for m in SAMPLE if (m.profile, m.preset) == group]
    killers = tuple(t for m in mutants for t in m.killers)
    done = _run_suite(tree, mutants[0], killers)
    assert done.returncode == 0, f"{killers} fail unmutated:\n{done.stdout[-3000:]}"


@pytest.mark.parametrize("mutant", SAMPLE, ids=lambda m: m.name.replace(" ", "-"))
def test_the_suite_kills_the_mutant(mutant: Mutant, tmp_path: Path) -> None:
    tree = _copy_of_tree(tmp_path / "tree")
    target = tree / mutant.path
    source = target.read_text()
    assert source.count(mutant.original) == 1, (
        f"{mutant.path} must hold {mutant.original!r} once for the mutant {mutant.name!r}: "
        "update SAMPLE in tests/test_mutation_sample.py to the code as it is now"
    )
    target.write_text(source.replace(mutant.original, mutant.mutated))
    done = _run_suite(tree, mutant, mutant.killers)
    assert done.returncode == 1, (
        f"the suite must fail on the mutant {mutant.name!r} ({mutant.killers}), "
        f"exit {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}"
    )
