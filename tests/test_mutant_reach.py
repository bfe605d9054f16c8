"""tools.mutant_reach: a mutant's diff placed in the source, and the tests that reach it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import tools.mutate
from tests.test_mutate_tool import hooks_run
from tools.mutant_reach import changed_lines
from tools.mutant_reach import reaching_tests

SOURCE = '''"""A module."""

LIMIT = 3


def helper(x: int, y: int = 2) -> int:
    """Doc."""
    if x > LIMIT:
        return x * y
    return y


class Box:
    # -- opening ----------------------------------------------------------------------------
    def open(self, force: bool) -> str:
        if force:
            return "forced"
        return "opened"


def warn(name: str) -> str:
    return (
        "a "
        f"{name}"
    )
'''

#: mutmut's diffs: the function's text from its def line, the class's indentation taken off
HELPER_DIFF = """--- pkg/mod.py
+++ pkg/mod.py
@@ -2,5 +2,5 @@
     \"\"\"Doc.\"\"\"
     if x > LIMIT:
-        return x * y
+        return x / y
     return y
"""
#: libcst keeps the comment above a def with it: the method's text starts there
METHOD_DIFF = """--- pkg/mod.py
+++ pkg/mod.py
@@ -2,5 +2,5 @@
 def open(self, force: bool) -> str:
     if force:
         return "forced"
-    return "opened"
+    return "XXopenedXX"
"""
#: a line that continues a statement: coverage has no event for it, only for the statement's first
CONTINUED_DIFF = """--- pkg/mod.py
+++ pkg/mod.py
@@ -1,5 +1,5 @@
 def warn(name: str) -> str:
     return (
-        "a "
+        "XXa XX"
         f"{name}"
     )
"""
DEFAULT_DIFF = """--- pkg/mod.py
+++ pkg/mod.py
@@ -1,4 +1,4 @@
-def helper(x: int, y: int = 2) -> int:
+def helper(x: int, y: int = 3) -> int:
     \"\"\"Doc.\"\"\"
     if x > LIMIT:
         return x * y
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text(SOURCE)
    return tmp_path


def test_a_diff_is_placed_on_the_lines_of_its_function(root: Path) -> None:
    assert changed_lines("pkg.mod.x_helper__mutmut_1", HELPER_DIFF, root) == ("pkg/mod.py", [9])
    assert changed_lines("pkg.mod.xǁBoxǁopen__mutmut_4", METHOD_DIFF, root) == ("pkg/mod.py", [18])


def test_a_line_that_continues_a_statement_is_looked_up_at_its_first(root: Path) -> None:
    assert changed_lines("pkg.mod.x_warn__mutmut_1", CONTINUED_DIFF, root) == ("pkg/mod.py", [22])
    reach = {"pkg/mod.py": {22: {"t::w"}}}
    assert reaching_tests("pkg.mod.x_warn__mutmut_1", CONTINUED_DIFF, root, reach) == {"t::w"}


def test_a_diff_that_does_not_match_the_source_is_not_placed(root: Path) -> None:
    stale = HELPER_DIFF.replace("return x * y", "return x ** y")
    assert changed_lines("pkg.mod.x_helper__mutmut_1", stale, root) is None
    assert changed_lines("pkg.mod.x_gone__mutmut_1", HELPER_DIFF, root) is None


def test_only_the_tests_that_run_the_line_are_kept(root: Path) -> None:
    reach = {"pkg/mod.py": {6: {""}, 8: {"t::a", "t::b"}, 9: {"t::b"}, 10: {"t::a"}, 17: {"t::a"}}}
    assert reaching_tests("pkg.mod.x_helper__mutmut_1", HELPER_DIFF, root, reach) == {"t::b"}
    assert reaching_tests("pkg.mod.xǁBoxǁopen__mutmut_4", METHOD_DIFF, root, reach) == set()
    # a default of the signature, run at import: every test of the function runs
    assert reaching_tests("pkg.mod.x_helper__mutmut_9", DEFAULT_DIFF, root, reach) is None


def test_a_run_of_a_line_outside_any_test_does_not_count(root: Path) -> None:
    """mutmut switches a mutant on only in the calls of the tests of a process forked after
    the imports: a body line run at import alone is not reached, and with tests, only they run."""
    at_import = {"pkg/mod.py": {9: {""}}}
    assert reaching_tests("pkg.mod.x_helper__mutmut_1", HELPER_DIFF, root, at_import) == set()
    both = {"pkg/mod.py": {9: {"", "t::b"}}}
    assert reaching_tests("pkg.mod.x_helper__mutmut_1", HELPER_DIFF, root, both) == {"t::b"}


def test_a_pass_runs_only_the_mutants_some_test_reaches(tmp_path: Path, monkeypatch) -> None:
    reached, unreached = (
        "reference_impl.hooks.x_run_hook__mutmut_1",
        "reference_impl.hooks.x_run_hook__mutmut_2",
    )
    runs: list[tuple[str, ...]] = []

    def fake_mutmut(where: Path, *args: str, log: Path | None = None) -> str:
        if args[0] == "run":
            runs.append(args)
            return ""
        done = any(reached in run for run in runs)
        return (
            f"    {reached}: {'killed' if done else 'not checked'}\n    {unreached}: not checked\n"
        )

    (tmp_path / "mutants").mkdir()
    monkeypatch.setattr(tools.mutate, "mutmut", fake_mutmut)
    monkeypatch.setattr(tools.mutate, "stage", lambda step, base, quick: tmp_path)
    monkeypatch.setattr(tools.mutate, "line_reach", lambda where, args, log: {})
    monkeypatch.setattr(tools.mutate, "diffs_of", lambda where, names: dict.fromkeys(names, ""))
    monkeypatch.setattr(
        tools.mutate,
        "reaching_tests",
        lambda name, diff, where, reach: {"t::a"} if name == reached else set(),
    )
    args = hooks_run(tmp_path)
    outcomes = tools.mutate.mutate(args)
    assert runs[-1][-1] == reached and unreached not in runs[-1], runs
    assert {o.name: list(o.statuses.values()) for o in outcomes} == {
        reached: ["killed"],
        unreached: ["not reached"],
    }
    assert json.loads((tmp_path / "mutants" / ".reach.json").read_text()) == {
        reached: ["t::a"],
        unreached: [],
    }
