"""hosts and fidelity import each other in one direction only: fidelity probes a host, and a
host's facts never need fidelity."""

from __future__ import annotations

import ast
from pathlib import Path

import harness

HARNESS = Path(harness.__file__).parent


def _imports(package: str) -> set[str]:
    """Every module a package's files import (absolute imports, top-level or inside functions)."""
    found: set[str] = set()
    for path in (HARNESS / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
    return found


def test_hosts_import_nothing_of_fidelity() -> None:
    assert not {m for m in _imports("hosts") if m.startswith("harness.fidelity")}


def test_fidelity_reads_host_facts_from_hosts() -> None:
    assert "harness.hosts.facts" in _imports("fidelity")


def test_report_imports_no_host() -> None:
    assert not {m for m in _imports("report") if m.startswith("harness.hosts")}
