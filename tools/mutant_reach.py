"""Which tests of a pass reach the line a mutant changes, for ``make mutate``.

mutmut picks a mutant's tests by function: every test that calls the function runs, so a
survivor in a function that every container calls (``Container._start_parent``) costs the whole
suite, pass after pass.  A mutant changes one place, though.  A test that never executes
that line in the unmutated run behaves the same under the mutant: everything up to the first
execution of the line is the same, and there is none.  Each pass therefore runs the suite once
under coverage, with each test's node id as the coverage context
(this module is that pytest plugin too).  Then:

* a mutant no test of the pass reaches is not run in it at all ("not reached");
* a mutant runs only the tests that reach its lines (:mod:`tools.mutant_order` deselects the
  others, from ``.reach.json`` in the directory mutmut runs the tests in);
* a mutant of a ``def``'s signature (a default) keeps all its function's tests: the signature
  runs once, at import, and its mutant is in effect at every call;
* a line of a body run outside any test (at import, to build a module constant) does not count:
  mutmut forks each mutant from a process that imported the modules unmutated, and switches
  the mutant on only for the calls its tests make.

The suite is deterministic on the simulated host (a virtual clock, derandomized Hypothesis), so
the unmutated run shows what each test reaches.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["REACH_FILE", "changed_lines", "line_reach", "reaching_tests"]

#: the mutant -> node ids map, in the directory mutmut runs the tests in (its ``mutants/``)
REACH_FILE = Path(".reach.json")
_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@")
#: file -> line -> node ids of the tests that ran it ("" for outside any test)
Reach = dict[str, dict[int, set[str]]]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Under ``coverage run``: what this test runs (setup, call, teardown) is its context."""
    import coverage

    cov = coverage.Coverage.current()
    if cov is not None:
        cov.switch_context(item.nodeid)
    yield
    if cov is not None:
        cov.switch_context("")


def line_reach(where: Path, pytest_args: list[str], log: Path) -> Reach:
    """Run the pass's suite once under coverage in the stage ``where`` (the unmutated code);
    which tests ran each line of reference_impl.

    Raises:
        RuntimeError: the suite failed unmutated, or coverage wrote nothing.
    """
    data_file = where / ".coverage.reach"
    command = [
        sys.executable, "-m", "coverage", "run", f"--data-file={data_file}",
        "--source=reference_impl", "-m", "pytest", "-p", "tools.mutant_reach", *pytest_args,
    ]  # fmt: skip
    with open(log, "w") as sink:
        done = subprocess.run(command, cwd=where, stdout=sink, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise RuntimeError(f"the unmutated suite under coverage failed (exit {done.returncode})")
    import coverage

    data = coverage.CoverageData(basename=str(data_file))
    data.read()
    reach: Reach = {}
    for measured in data.measured_files():
        relative = Path(measured).resolve().relative_to(where.resolve()).as_posix()
        by_line = data.contexts_by_lineno(measured)
        reach[relative] = {line: set(contexts) for line, contexts in by_line.items()}
    if not reach:
        raise RuntimeError(f"coverage measured no file of reference_impl in {where}")
    return reach


def _function_span(source: str, mangled: str) -> tuple[int, int] | None:
    """The line of the ``def`` of mutmut's ``x_name`` or ``xǁClassǁname``, and the first line
    of its body (the lines between are its signature)."""
    if mangled.startswith("x_"):
        owner, name = None, mangled[2:]
    else:
        parts = [p for p in mangled.split("ǁ") if p]
        if len(parts) != 3:
            return None
        owner, name = parts[1], parts[2]
    tree = ast.parse(source)
    scope = tree.body
    if owner is not None:
        classes = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == owner]
        if not classes:
            return None
        scope = classes[0].body
    for node in scope:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            return node.lineno, node.body[0].lineno
    return None


def _hunks(lines: list[str]) -> list[list[tuple[int, str, bool]]]:
    """The old side of each hunk: (line in the function's text, text, changed)."""
    hunks: list[list[tuple[int, str, bool]]] = []
    old = 0
    for line in lines:
        match = _HUNK.match(line)
        if match:
            old = int(match.group(1))
            hunks.append([])
        elif hunks and line.startswith(("-", " ")) and not line.startswith("--- "):
            hunks[-1].append((old, line[1:].strip(), line.startswith("-")))
            old += 1
    return hunks


#: how many lines above its ``def`` a function's text may begin (libcst keeps the comment lines
#: right above a definition with it, so mutmut's diff counts from the first of them)
_LEADING = range(0, 16)


def changed_lines(name: str, diff: str, root: Path) -> tuple[str, list[int]] | None:
    """The file and the lines of it that mutant ``name``'s diff changes; None when the diff
    cannot be placed in the source, or changes the signature (then every test of its function
    runs).

    mutmut's diff numbers the lines of the function's text, which starts at its ``def`` or at
    comment lines above it; the offset is the one where every old line of the diff matches the
    source (indentation aside, as a method's text is dedented)."""
    lines = diff.splitlines()
    path = next((line[4:].strip() for line in lines if line.startswith("--- ")), None)
    if path is None or not (root / path).is_file():
        return None
    source = (root / path).read_text()
    mangled = name.rsplit(".", 1)[-1].rsplit("__mutmut_", 1)[0]
    span = _function_span(source, mangled)
    hunks = _hunks(lines)
    if span is None or not hunks:
        return None
    start, body = span
    text = [line.strip() for line in source.splitlines()]
    for lead in _LEADING:
        first = start - lead
        placed = [
            (first + at - 1, changed)
            for hunk in hunks
            for at, old, changed in hunk
            if 0 < first + at - 1 <= len(text) and text[first + at - 2] == old
        ]
        if len(placed) == sum(len(h) for h in hunks):
            found = [at for at, changed in placed if changed]
            if not found or any(at < body for at in found):
                return None
            tree = ast.parse(source)
            return path, sorted({_statement_start(tree, at) for at in found})
    return None


def _statement_start(tree: ast.Module, line: int) -> int:
    """The first line of the innermost statement that holds ``line``: a line that continues a
    statement (the second line of a string or a call spread over lines) has no line event of
    its own, so coverage records the statement's first line instead."""
    starts = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.stmt) and node.lineno <= line <= (node.end_lineno or node.lineno)
    ]
    return max(starts, default=line)


def reaching_tests(name: str, diff: str, root: Path, reach: Reach) -> set[str] | None:
    """The node ids of the tests that run a line mutant ``name`` changes (a run outside any
    test does not count); None when every test of its function must run (a signature, or a
    diff not placed)."""
    placed = changed_lines(name, diff, root)
    if placed is None:
        return None
    path, lines = placed
    by_line = reach.get(path, {})
    tests: set[str] = set()
    for line in lines:
        tests |= by_line.get(line, set()) - {""}
    return tests


def write_reach(directory: Path, tests: dict[str, set[str] | None]) -> None:
    """``.reach.json`` for :mod:`tools.mutant_order`: each mutant's tests (none: all)."""
    chosen = {name: sorted(t) for name, t in tests.items() if t is not None}
    (directory / REACH_FILE).write_text(json.dumps(chosen))
