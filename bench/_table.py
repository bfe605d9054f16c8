"""One table for every benchmark figure (issue 18): a row per figure with its value, its target
and whether the target was met, so that ``make bench`` answers "are we within budget?" in one
place instead of five scripts' own formats.

A row's value is text for people (the unit and how many samples, ``N``, included) and a raw
number for code; a figure without a target is shown with an empty "met" column, and one that
was not measured says why in place of its value.
"""

from __future__ import annotations

import dataclasses
import operator
import sys
from collections.abc import Callable
from collections.abc import Iterable
from typing import Literal
from typing import TextIO

__all__ = ["Row", "Target", "format_table", "measured", "print_table", "skipped"]

Bound = Literal["≤", "<", "≥", ">"]
_COMPARE: dict[Bound, Callable[[float, float], bool]] = {
    "≤": operator.le,
    "<": operator.lt,
    "≥": operator.ge,
    ">": operator.gt,
}
#: units written without a space after the number (``10×``, ``5%``, ``300/s``)
_TIGHT_UNITS = ("×", "%", "/s")


def _with_unit(number: float | str, unit: str) -> str:
    if not unit:
        return str(number)
    return f"{number}{unit}" if unit in _TIGHT_UNITS else f"{number} {unit}"


@dataclasses.dataclass(frozen=True, slots=True)
class Target:
    """What a figure must stay within: ``number <bound> limit``, e.g. ``Target("≤", 10, "×")``."""

    bound: Bound
    limit: float
    unit: str = ""

    def __str__(self) -> str:
        return f"{self.bound} {_with_unit(f'{self.limit:g}', self.unit)}"

    def met_by(self, number: float) -> bool:
        return _COMPARE[self.bound](number, self.limit)


@dataclasses.dataclass(frozen=True, slots=True)
class Row:
    """One figure of the table."""

    #: what was measured, e.g. "simulated host boot, v1-cat"
    figure: str
    #: the measured value as people read it, unit and N included, or why it was not measured
    value: str
    #: the raw number in the row's unit; None when nothing was measured
    number: float | None = None
    #: the target as text ("≤ 10×"); empty when the figure has none
    target: str = ""
    #: whether the target was met; None without a target or without a measurement
    met: bool | None = None


def measured(
    figure: str,
    number: float,
    unit: str,
    *,
    digits: int = 1,
    n: int | str | None = None,
    target: Target | None = None,
) -> Row:
    """A measured figure, its value rounded to ``digits`` and judged against ``target``."""
    value = _with_unit(f"{number:,.{digits}f}", unit)
    if n is not None:
        value += f" (N={n})"
    if target is None:
        return Row(figure, value, number)
    return Row(figure, value, number, str(target), target.met_by(number))


def skipped(figure: str, reason: str, target: Target | None = None) -> Row:
    """A figure this run did not measure, and why (its target shown, never judged)."""
    return Row(figure, f"skipped: {reason}", None, "" if target is None else str(target))


def _verdict(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: ""}[met]


def format_table(rows: Iterable[Row]) -> list[str]:
    """The table's lines: a header, a row per figure, and the count of targets met and missed.

    The columns are as wide as their widest cell except the value's, which is held to the
    widest measured value: a skip's reason runs on past it rather than widen every row.
    """
    rows = list(rows)
    cells = [("figure", "value", "target", "met")] + [
        (row.figure, row.value, row.target, _verdict(row.met)) for row in rows
    ]
    measured_values = [row.value for row in rows if row.number is not None]
    widths = [
        max(len(cell[0]) for cell in cells),
        max(map(len, ["value", *measured_values])),
        max(len(cell[2]) for cell in cells),
    ]
    lines = [
        f"{figure:<{widths[0]}}  {value:<{widths[1]}}  {target:<{widths[2]}}  {met}".rstrip()
        for figure, value, target, met in cells
    ]
    lines.insert(1, "-" * (sum(widths) + 6 + len("MISSED")))
    met = sum(row.met is True for row in rows)
    missed = sum(row.met is False for row in rows)
    lines.append(f"targets: {met} met, {missed} missed")
    return lines


def print_table(rows: Iterable[Row], out: TextIO | None = None) -> None:
    """Print :func:`format_table` of ``rows`` (to stdout by default)."""
    stream = out if out is not None else sys.stdout
    for line in format_table(rows):
        print(line, file=stream, flush=True)
