"""Each deploy file passes the checker of its own ecosystem, and each checker is shown to
catch a mistake in it: kubernetes-validate (strict) for the manifests, actionlint for the
workflow, ``systemd-analyze verify`` for the units.  A checker that is missing skips its
test, naming what the probe did not find."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy._files import ACTIONLINT_CONFIG
from tests.deploy._files import DEPLOY
from tests.deploy._files import KUBERNETES
from tests.deploy._files import SYSTEMD
from tests.deploy._files import WORKFLOW
from tests.deploy._files import WORKLOADS
from tests.deploy._files import documents
from tests.deploy._files import unit_values

kubernetes_validate = pytest.importorskip(
    "kubernetes_validate", reason="kubernetes-validate is not installed (the 'test' extra)"
)

#: the oldest and the newest Kubernetes release kubernetes-validate ships schemas for
K8S_VERSIONS = (kubernetes_validate.utils.all_versions()[0], kubernetes_validate.latest_version())
LINT = DEPLOY / "lint"
#: directories that hold systemd's own units (sysinit.target, timers.target, ...)
UNIT_DIRS = (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system"))


# -- Kubernetes ------------------------------------------------------------------------------
def _manifests() -> list[Any]:
    return [
        pytest.param(doc, id=f"{path.stem}:{doc['kind']}")
        for path in sorted(KUBERNETES.glob("*.yaml"))
        for doc in documents(path)
    ]


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("doc", _manifests())
def test_manifest_passes_kubernetes_validate(doc: dict[str, Any], version: str) -> None:
    if doc["apiVersion"].startswith("nfd.k8s-sigs.io/"):
        # NFD's CRDs are not among Kubernetes' schemas; the rule is checked against the table
        # (test_nfd_labels) instead
        with pytest.raises(kubernetes_validate.SchemaNotFoundError):
            kubernetes_validate.validate(doc, version, strict=True)
        return
    kubernetes_validate.validate(doc, version, strict=True)


def test_kubernetes_validate_catches_a_misspelt_field() -> None:
    (daemonset,) = documents(WORKLOADS["DaemonSet"])
    broken = copy.deepcopy(daemonset)
    spec = broken["spec"]["template"]["spec"]
    spec["hostPid"] = spec.pop("hostPID")
    with pytest.raises(kubernetes_validate.ValidationError, match="hostPid"):
        kubernetes_validate.validate(broken, K8S_VERSIONS[-1], strict=True)


# -- GitHub Actions --------------------------------------------------------------------------
def _actionlint_missing() -> str | None:
    if shutil.which("node") is None:
        return "node not found on PATH (actionlint runs as WebAssembly under Node.js)"
    if not (LINT / "node_modules" / "@tktco" / "node-actionlint").is_dir():
        return "deploy/lint/node_modules has no actionlint: npm ci --prefix deploy/lint"
    return None


def _actionlint(*paths: Path) -> list[dict[str, Any]]:
    done = subprocess.run(
        ["node", str(LINT / "actionlint.cjs"), *map(str, paths)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found


def _configured(finding: dict[str, Any], labels: list[str]) -> bool:
    """A finding actionlint.yaml answers: an unknown runner label that the config declares
    (the WebAssembly build reads no config file)."""
    return finding["kind"] == "runner-label" and any(
        finding["message"].startswith(f'label "{label}" is unknown') for label in labels
    )


@pytest.mark.skipif(_actionlint_missing() is not None, reason=str(_actionlint_missing()))
def test_workflow_passes_actionlint(tmp_path: Path) -> None:
    labels = yaml.safe_load(ACTIONLINT_CONFIG.read_text())["self-hosted-runner"]["labels"]
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("inputs.runtime ||", "inputs.runtme ||"))
    found = _actionlint(WORKFLOW, broken)
    mine = [f for f in found if f["file"] == str(WORKFLOW) and not _configured(f, labels)]
    assert mine == [], "\n".join(f"{f['line']}:{f['column']} {f['message']}" for f in mine)
    assert any(f["file"] == str(broken) and f["kind"] == "expression" for f in found), (
        f"actionlint missed an undeclared input: {found}"
    )


# -- systemd ---------------------------------------------------------------------------------
def _install(units: Path, root: Path) -> list[str]:
    """Lay ``units`` out under ``root`` as installed: in /etc/systemd/system, systemd's own
    units beside them, and a stub for each program they run (the docs install rtgate there);
    returns the units' names."""
    system = next(d for d in UNIT_DIRS if (d / "sysinit.target").exists())
    shutil.copytree(system, root / "usr/lib/systemd/system", symlinks=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    for unit in units.iterdir():
        shutil.copy(unit, root / "etc/systemd/system" / unit.name)
        for line in unit_values(unit, "ExecStart") + unit_values(unit, "ExecStartPre"):
            program = root / line.lstrip("-").split()[0].lstrip("/")
            program.parent.mkdir(parents=True, exist_ok=True)
            program.write_text("#!/bin/sh\n")
            program.chmod(0o755)
    return sorted(unit.name for unit in units.iterdir())


def _verify(root: Path, names: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", "verify", f"--root={root}", "--man=no", *names],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def _systemd_missing() -> str | None:
    if shutil.which("systemd-analyze") is None:
        return "systemd-analyze not found on PATH (Debian package systemd)"
    if not any((d / "sysinit.target").exists() for d in UNIT_DIRS):
        return f"no sysinit.target in {', '.join(map(str, UNIT_DIRS))}: systemd's units"
    return None


@pytest.mark.skipif(_systemd_missing() is not None, reason=str(_systemd_missing()))
def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    names = _install(SYSTEMD, tmp_path)
    done = _verify(tmp_path, names)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")
    timer = tmp_path / "etc/systemd/system/rtgate.timer"
    timer.write_text(timer.read_text().replace("OnCalendar=daily", "OnCalendar=dayly"))
    done = _verify(tmp_path, names)
    assert done.returncode != 0 and "dayly" in done.stderr, done.stderr
