"""Every requirement a test of several requirements declares has a check naming it.

In a test of several requirements only ``verify`` calls are checks (harness/plugin/checks.py);
a plain ``assert`` there is setup.  A declared requirement that no ``verify`` names could
never pass, so this reads the suite's source: for each profile, each test whose marks hold
more than one id of that profile must name each of them in a ``verify(...)``,
``verify.each(...)`` or a state machine's ``self.check(...)``.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
from pathlib import Path
from typing import Any

import pytest

from harness.spec.catalog import load_catalog

SCENARIOS = Path(__file__).resolve().parent.parent / "harness" / "scenarios"
#: state machines whose checks take ids from the spec's tables (one per cell), not literals:
#: only the ids their marks spell out must be named; the rest are named at run time, and a
#: declared id no example reached is reported "no check ran", never passed
MACHINES = {
    "test_lifecycle_state_machine",
    "test_lifecycle_walks",
    "test_cli_state_machine",
    "test_cli_walks",
    "test_cli_fault_state_machine",
    "test_cli_fault_walks",
}
_CHECKS = ("verify", "check")


@dataclasses.dataclass(frozen=True, slots=True)
class Declared:
    """One test function: the ids its marks declare and the ids its checks name."""

    module: str
    name: str
    ids: tuple[str, ...]
    literal: frozenset[str]
    named: frozenset[str]


def _marks(
    node: ast.FunctionDef, constants: dict[str, ast.expr], namespace: dict[str, Any]
) -> tuple[tuple[str, ...], frozenset[str]]:
    """The ids of the ``requirement`` marks, and those written as literals (``constants``: the
    module's top-level assignments, for a mark that spreads one of them)."""
    ids: list[str] = []
    literal: set[str] = set()
    for decorator in node.decorator_list:
        if not isinstance(decorator, ast.Call):
            continue
        if not ast.unparse(decorator.func).endswith("mark.requirement"):
            continue
        args = list(decorator.args)
        while args:
            arg = args.pop(0)
            spread = arg.value if isinstance(arg, ast.Starred) else None
            if isinstance(spread, ast.Name) and isinstance(constants.get(spread.id), ast.Tuple):
                args[:0] = constants[spread.id].elts  # type: ignore[attr-defined]
            elif spread is not None:
                ids.extend(_variants(spread, namespace))
            elif isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                ids.append(arg.value)
                literal.add(arg.value)
    return tuple(ids), frozenset(literal)


def _constants(tree: ast.Module) -> dict[str, ast.expr]:
    """The module's top-level ``NAME = <expression>`` assignments."""
    return {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _variants(expression: ast.expr, namespace: dict[str, Any]) -> tuple[str, ...]:
    """A starred mark argument (``*tables.x(...)``, ``*IDS``), evaluated in its module."""
    code = compile(ast.Expression(expression), "<requirement mark>", "eval")
    return tuple(eval(code, dict(namespace)))  # noqa: S307 - the suite's own source


def _named(tree: ast.AST) -> frozenset[str]:
    """Every string constant in the id position of a check call under ``tree``."""
    names: set[str] = set()
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "each":
            positions = [a.elts[0] for a in call.args if isinstance(a, ast.Tuple) and a.elts]
        elif name in _CHECKS and call.args:
            positions = [call.args[0]]
        else:
            continue
        for position in positions:
            names.update(
                c.value
                for c in ast.walk(position)
                if isinstance(c, ast.Constant) and isinstance(c.value, str)
            )
    return frozenset(names)


def declared_tests() -> list[Declared]:
    found = []
    for path in sorted(SCENARIOS.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module_named = _named(tree)
        constants = _constants(tree)
        namespace = vars(importlib.import_module(f"harness.scenarios.{path.stem}"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                ids, literal = _marks(node, constants, namespace)
                named = module_named if node.name in MACHINES else _named(node)
                found.append(Declared(path.name, node.name, ids, literal, named))
    return found


def test_the_reader_finds_the_tests_of_several_requirements() -> None:
    several = {t.name for t in declared_tests() if len(set(t.ids)) > 1}
    assert {"test_poststop_hooks_run_in_order_with_state", *MACHINES} <= several


@pytest.mark.parametrize("profile", sorted(load_catalog().profiles))
def test_each_requirement_of_a_test_of_several_is_named_by_a_check(profile: str) -> None:
    in_profile = {r.id for r in load_catalog().for_profile(profile)}
    missing = []
    for test in declared_tests():
        own = sorted(set(test.ids) & in_profile)
        if len(own) < 2:
            continue  # one requirement: the test's own body is its check
        wanted = test.literal if test.name in MACHINES else set(own)
        missing += [f"{test.module}::{test.name}: {r}" for r in sorted(wanted - test.named)]
    assert missing == [], f"declared under {profile} but no verify(...) names it: {missing}"
