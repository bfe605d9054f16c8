"""The checked-in deploy files, read as their tools read them (YAML, INI-like units)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
WORKFLOW = DEPLOY / "github" / "rtgate.yml"
ACTIONLINT_CONFIG = DEPLOY / "github" / "actionlint.yaml"
SYSTEMD = DEPLOY / "systemd"
CONTAINERFILE = DEPLOY / "Containerfile"
RECIPE = ROOT / "docs" / "fleet-recipe.md"
#: the manifests that run the gate, by kind
WORKLOADS = {
    "Job": KUBERNETES / "rtgate-job.yaml",
    "DaemonSet": KUBERNETES / "rtgate-daemonset.yaml",
}


def documents(path: Path) -> list[dict[str, Any]]:
    """Every YAML document of ``path`` (a manifest file may hold several)."""
    with path.open(encoding="utf-8") as f:
        return [doc for doc in yaml.safe_load_all(f) if doc is not None]


def pod_spec(path: Path) -> dict[str, Any]:
    """The pod template's spec of the one workload in ``path``."""
    (workload,) = documents(path)
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


def gate_container(spec: dict[str, Any]) -> dict[str, Any]:
    """The (init) container that runs ``rtgate run``."""
    found = [
        c
        for c in spec.get("initContainers", []) + spec.get("containers", [])
        if "run" in c.get("args", [])
    ]
    assert len(found) == 1, f"expected one container running 'rtgate run', found {len(found)}"
    return found[0]


def option(args: list[str], name: str) -> str:
    """The value after ``name`` in ``args`` (``--x V`` or ``--x=V``)."""
    for i, arg in enumerate(args):
        if arg == name:
            return args[i + 1]
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
    raise AssertionError(f"{name} is not in {args}")


def unit_values(path: Path, key: str) -> list[str]:
    """Every value of ``key=`` in a systemd unit file (continuation lines are not used)."""
    return [
        line.split("=", 1)[1]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith(f"{key}=")
    ]
