"""rtgate as users install it: every third-party import declared, and the wheel and the sdist
built (tools/build_dist.py), installed into a fresh venv and run outside the source tree,
where it finds its spec data and templates and names its commit."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: the packages a wheel ships (pyproject's packages.find)
SHIPPED = ("harness", "reference_impl", "rtgate")


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = (re.split(r"[<>=!~\[ ;]", spec, maxsplit=1)[0] for spec in project["dependencies"])
    return {name.lower().replace("_", "-") for name in names}


def _imported() -> dict[str, str]:
    """Top-level third-party modules the shipped code imports -> a file importing it."""
    found: dict[str, str] = {}
    for package in SHIPPED:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in SHIPPED:
                        found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def test_every_third_party_import_is_a_declared_dependency() -> None:
    owners = importlib.metadata.packages_distributions()
    declared = _declared()
    undeclared = {
        module: where
        for module, where in _imported().items()
        if not {d.lower().replace("_", "-") for d in owners.get(module, [module])} & declared
    }
    assert not undeclared, f"imported but not in pyproject's dependencies: {undeclared}"


@pytest.mark.slow  # builds a wheel and installs it into a new venv
def test_the_wheel_runs_from_a_fresh_venv_outside_the_tree(tmp_path: Path) -> None:
    from harness.build_info import checkout_commit
    from tools.build_dist import build

    built = build(tmp_path / "dist")
    wheel = next(p for p in built if p.suffix == ".whl")
    assert any(p.name.endswith(".tar.gz") for p in built), built
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    installed = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", str(wheel)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr[-3000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    def rtgate(*args: str, module: bool = False) -> subprocess.CompletedProcess[str]:
        head = (
            [str(venv / "bin" / "python"), "-m", "rtgate"]
            if module
            else [str(venv / "bin" / "rtgate")]
        )
        return subprocess.run(
            [*head, *args], cwd=elsewhere, capture_output=True, text=True, timeout=300, check=False
        )

    commit = checkout_commit(ROOT)
    assert commit is not None
    for module in (False, True):
        done = rtgate("--version", module=module)
        assert done.stdout.strip() == f"rtgate 0.1.0+g{commit[:12]}", done.stdout + done.stderr
    completion = rtgate("completion", "bash")
    assert completion.returncode == 0 and "complete -F _rtgate rtgate" in completion.stdout
    report = elsewhere / "report"
    run = rtgate("run", "--quick", "--requirement", "LC-DESTROY-ORDER", "--report-dir", str(report))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert {p.name for p in report.iterdir()} >= {"compliance.json", "compliance.html", "junit.xml"}
    assert not (ROOT / "harness" / "BUILD_COMMIT").exists(), "the build left its stamp behind"
