"""The simulated kernel knows no runtime and no room above it: ``harness/fakes`` imports only the
standard library, pyfakefs, ``harness.errors`` and itself."""

from __future__ import annotations

import ast
from pathlib import Path

import harness.fakes

#: the packages the kernel model must never import (a runtime, or the rooms built on the kernel)
FORBIDDEN = (
    "reference_impl",
    "harness.hosts",
    "harness.subjects",
    "harness.plugin",
    "harness.scenarios",
    "harness.fidelity",
)


def _imported_modules(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module is not None and not node.level:
            names.append(node.module)
    return names


def test_the_kernel_model_imports_no_runtime_and_no_room_above_it() -> None:
    root = Path(harness.fakes.__file__).parent
    offending = [
        f"{path.relative_to(root)}: {name}"
        for path in sorted(root.rglob("*.py"))
        for name in _imported_modules(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)
    ]
    assert offending == []
