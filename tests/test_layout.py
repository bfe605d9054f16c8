"""The house plan kept true: which way imports go, no package cycles, modules and functions of
a readable size.

The rules are DESIGN.md's "Which way imports go"; the code is read as text (its AST), never
imported, so a rule is checked whether or not the module would load.  Where the tree does not
meet a rule yet, the departure is listed here by name with the issue that removes it: a new
departure fails, and so does a listed one that is gone (the list must shrink with the code).
"""

from __future__ import annotations

import ast
import dataclasses
import functools
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("harness", "reference_impl")
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60

#: (importing package, imported package) pairs that may never appear
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "reference_impl": ("harness",),
    "harness.fakes": (
        "reference_impl",
        "harness.hosts",
        "harness.subjects",
        "harness.plugin",
        "harness.scenarios",
        "harness.fidelity",
    ),
    "harness.hosts": ("harness.fidelity", "harness.scenarios", "harness.plugin", "harness.report"),
    "harness.subjects": ("harness.scenarios", "harness.plugin", "harness.fidelity"),
    "harness.scenarios": ("harness.fakes", "harness.plugin"),
    "harness.report": ("harness.hosts", "harness.fakes", "harness.subjects", "harness.plugin"),
    "harness.spec": ("harness.hosts", "harness.fakes", "harness.subjects", "reference_impl"),
}

#: packages that may import nothing of rtgate but these (and the standard library, pytest, ...)
ONLY: dict[str, tuple[str, ...]] = {
    "harness.scenarios": ("harness.scenarios", "harness.subjects", "harness.hosts", "harness.spec"),
}

#: departures from FORBIDDEN still in the tree: (importing module, imported module) -> why.
#: Empty since issue 13; an entry needs a reason and the issue that removes it.
KNOWN_IMPORTS: dict[tuple[str, str], str] = {}

#: departures from the size rules still in the tree: "module" or "module:function" -> why
KNOWN_SIZES: dict[str, str] = {}


@dataclasses.dataclass(frozen=True)
class Import:
    """One import statement: who imports what, and where."""

    importer: str
    imported: str
    line: int


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@functools.cache
def _sources() -> dict[str, Path]:
    """Every product module by dotted name."""
    return {
        _module_name(path): path
        for top in PRODUCT
        for path in sorted((ROOT / top).rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def _is_package(name: str) -> bool:
    path = _sources().get(name)
    return path is not None and path.name == "__init__.py"


def _imports_of(name: str, path: Path) -> Iterable[Import]:
    """Every import in the module, lazy and TYPE_CHECKING ones included: each is an arrow of
    the plan, whether or not it runs at import time."""
    package = name if _is_package(name) else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # ``from harness.fakes import cgroup`` imports a submodule; name it so.
                full = f"{base}.{alias.name}"
                yield Import(name, full if full in _sources() else base, node.lineno)


@functools.cache
def _all_imports() -> tuple[Import, ...]:
    return tuple(
        item
        for name, path in _sources().items()
        for item in _imports_of(name, path)
        if item.imported.split(".")[0] in PRODUCT
    )


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _unit(name: str, parent: str) -> str | None:
    """The direct child of ``parent`` that ``name`` lies in (a subpackage or a module)."""
    if not name.startswith(parent + "."):
        return None
    return f"{parent}.{name[len(parent) + 1 :].split('.')[0]}"


def _cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan's algorithm)."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _sibling_edges(parent: str) -> set[tuple[str, str]]:
    """Arrows between the direct children of ``parent`` that are packages."""
    edges = set()
    for item in _all_imports():
        a, b = _unit(item.importer, parent), _unit(item.imported, parent)
        if a and b and a != b and _is_package(a) and _is_package(b):
            edges.add((a, b))
    return edges


def test_the_tree_is_read() -> None:
    assert "harness.plugin" in _sources() and "reference_impl.states" in _sources()
    assert any(i.imported.startswith("reference_impl") for i in _all_imports())


@pytest.mark.parametrize("importer", sorted(FORBIDDEN))
def test_imports_go_the_planned_way(importer: str) -> None:
    found = {
        (item.importer, item.imported): f"{_sources()[item.importer].name}:{item.line}"
        for item in _all_imports()
        if _within(item.importer, importer)
        and any(_within(item.imported, banned) for banned in FORBIDDEN[importer])
    }
    known = {pair for pair in KNOWN_IMPORTS if _within(pair[0], importer)}
    new = sorted(set(found) - known)
    assert not new, f"{importer} must not import {FORBIDDEN[importer]}: " + "; ".join(
        f"{a} imports {b} ({found[(a, b)]})" for a, b in new
    )
    gone = sorted(known - set(found))
    assert not gone, f"listed in KNOWN_IMPORTS but no longer in the tree (remove them): {gone}"


@pytest.mark.parametrize("importer", sorted(ONLY))
def test_the_suite_sees_only_subjects_hosts_and_spec(importer: str) -> None:
    outside = sorted(
        f"{item.importer} imports {item.imported}"
        for item in _all_imports()
        if _within(item.importer, importer)
        and not any(_within(item.imported, allowed) for allowed in ONLY[importer])
    )
    assert not outside, f"{importer} may import only {ONLY[importer]}: {outside}"


def test_no_package_cycles() -> None:
    parents = [name for name in _sources() if _is_package(name)]
    cycles = {tuple(cycle) for parent in parents for cycle in _cycles(_sibling_edges(parent))}
    top = {
        ("reference_impl" if a.startswith("reference_impl") else _unit(a, "harness") or a,
         "reference_impl" if b.startswith("reference_impl") else _unit(b, "harness") or b)
        for a, b in ((i.importer, i.imported) for i in _all_imports())
    }  # fmt: skip
    cycles |= {tuple(cycle) for cycle in _cycles({(a, b) for a, b in top if a != b})}
    assert not cycles, f"packages that import each other: {sorted(cycles)}"


def _sizes() -> dict[str, int]:
    """Every harness module over its line budget and every function over its own."""
    over: dict[str, int] = {}
    for name, path in _sources().items():
        if not name.startswith("harness"):
            continue
        text = path.read_text()
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            over[name] = lines
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    over[f"{name}:{node.name}"] = length
    return over


def test_modules_and_functions_stay_readable() -> None:
    over = _sizes()
    new = {k: v for k, v in over.items() if k not in KNOWN_SIZES}
    assert not new, (
        f"over {MAX_MODULE_LINES} lines a module or {MAX_FUNCTION_LINES} a function "
        f"(split it by concern): {new}"
    )
    gone = sorted(set(KNOWN_SIZES) - set(over))
    assert not gone, f"listed in KNOWN_SIZES but within budget now (remove them): {gone}"


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}) == [["a", "b", "c"]]
    assert _cycles({("a", "b"), ("b", "c")}) == []
