"""The benchmarks' one table (bench/_table.py): targets judged, rows aligned, the count of
targets met and missed at the end.  No timing here: the benchmarks measure, nothing asserts a
number of theirs."""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _load_table() -> ModuleType:
    """bench/ is scripts, not a package: its modules are loaded from their files."""
    spec = importlib.util.spec_from_file_location("rtgate_bench_table", BENCH / "_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


table = _load_table()


@pytest.mark.parametrize(
    ("bound", "number", "met"),
    [("≤", 10, True), ("≤", 10.01, False), ("<", 15, False), ("<", 14.9, True),
     ("≥", 2000, True), ("≥", 1999, False), (">", 1, False)],
)  # fmt: skip
def test_a_target_is_judged_by_its_bound(bound: str, number: float, met: bool) -> None:
    limit = {"≤": 10, "<": 15, "≥": 2000, ">": 1}[bound]
    row = table.measured("figure", number, "×", target=table.Target(bound, limit, "×"))
    assert row.met is met
    assert row.number == number


def test_a_row_says_its_value_unit_n_and_target() -> None:
    row = table.measured("boot", 1.234, "ms", digits=2, n="5x30", target=table.Target("<", 5, "s"))
    assert row.value == "1.23 ms (N=5x30)"
    assert row.target == "< 5 s"
    assert table.measured("rate", 2500.4, "/s", digits=0).value == "2,500/s"
    assert str(table.Target("≤", 1.3, "×")) == "≤ 1.3×"


def test_a_figure_without_target_or_measurement_is_not_judged() -> None:
    assert table.measured("size", 3.0, "ms").met is None
    row = table.skipped("real crun", "needs --host real", table.Target("≤", 2, "×"))
    assert (row.number, row.met, row.target) == (None, None, "≤ 2×")
    assert row.value == "skipped: needs --host real"


def test_the_table_is_aligned_and_counts_targets() -> None:
    rows = [
        table.measured("a", 1.0, "s", target=table.Target("<", 15, "s")),
        table.measured("longer figure", 20.0, "s", target=table.Target("<", 15, "s")),
        table.measured("no target", 3.0, "%"),
        table.skipped("skipped one", "a reason longer than any value in the table"),
    ]
    lines = table.format_table(rows)
    assert lines[0].split() == ["figure", "value", "target", "met"]
    assert set(lines[1]) == {"-"}
    assert lines[2].endswith("met") and lines[3].endswith("MISSED")
    assert lines[4].rstrip() == lines[4] and not lines[4].endswith(("met", "MISSED"))
    assert lines[-1] == "targets: 1 met, 1 missed"
    values = ("1.0 s", "20.0 s", "3.0%", "skipped:")
    starts = {line.index(value) for line, value in zip(lines[2:6], values, strict=True)}
    assert starts == {lines[0].index("value")}
    targets = [line.index("< 15 s") for line in lines[2:4]]
    assert targets[0] == targets[1] == lines[0].index("target")


def test_print_table_writes_the_lines() -> None:
    out = io.StringIO()
    table.print_table([table.measured("x", 1.0, "s")], out)
    assert out.getvalue().splitlines() == table.format_table([table.measured("x", 1.0, "s")])
