"""compliance.ktap: KTAP version 1 that a strict checker accepts, one test per requirement.

The checker below is written from the kernel's Documentation/dev-tools/ktap.rst and is stricter
than the spec where rtgate's writer promises more: every block has a plan right after its
version line, every ``#`` after a description starts a known directive, and the directives go
with the result the writer documents (SKIP and XFAIL with ``ok``, ERROR and TIMEOUT with
``not ok``).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings

from harness.report.aggregate import build_report
from harness.report.ktap_writer import safe_description
from harness.report.ktap_writer import to_ktap
from harness.report.ktap_writer import write_ktap
from harness.report.model import CommandResult
from harness.report.model import HypothesisFailure
from harness.report.model import Report
from harness.report.model import TestResult
from harness.report.rerun import REPLAY_NOTE
from tests.report._samples import RUN
from tests.report._samples import Info
from tests.report._samples import any_reports
from tests.report._samples import incomplete
from tests.report._samples import sample_report
from tests.report._samples import with_expectation
from tests.report._samples import xpassed

_RESULT = re.compile(r"(ok|not ok) ([1-9][0-9]*) ([^#]*?)(?: # (.*))?")
_DIRECTIVE = re.compile(r"(SKIP|TODO|XFAIL|TIMEOUT|ERROR)(?: (.*))?")
_WITH_OK = {"SKIP": True, "XFAIL": True, "TODO": False, "ERROR": False, "TIMEOUT": False}


class KtapError(Exception):
    """The text is not KTAP version 1 as rtgate writes it."""


@dataclasses.dataclass
class Case:
    """One result line, with the subtests and diagnostics that came before it."""

    ok: bool
    description: str
    directive: str | None
    reason: str | None
    diagnostics: list[str]
    subtests: list[Case]


def parse_ktap(text: str) -> list[Case]:
    """The top-level cases of ``text``; raises :class:`KtapError` where it breaks the grammar."""
    if not text.endswith("\n"):
        raise KtapError("the text does not end in a newline")
    lines = text[:-1].split("\n")
    cases, end, diagnostics = _block(lines, 0, "")
    if end != len(lines):
        raise KtapError(f"line {end + 1}: not part of the top-level block: {lines[end]!r}")
    if not cases:
        raise KtapError("no results")
    return cases


def _block(lines: list[str], start: int, indent: str) -> tuple[list[Case], int, list[str]]:
    """Parse the block whose version line is ``lines[start]``: its cases and where it ends."""
    if start + 1 >= len(lines) or lines[start] != indent + "KTAP version 1":
        raise KtapError(f"line {start + 1}: expected {indent!r} + 'KTAP version 1'")
    plan = re.fullmatch(re.escape(indent) + r"1\.\.(0|[1-9][0-9]*)", lines[start + 1])
    if plan is None:
        raise KtapError(f"line {start + 2}: expected the plan '1..N', got {lines[start + 1]!r}")
    planned = int(plan.group(1))
    cases: list[Case] = []
    diagnostics: list[str] = []
    subtests: list[Case] | None = None
    index = start + 2
    while index < len(lines):
        line = lines[index]
        if line == indent + INDENT_STEP + "KTAP version 1":
            if subtests is not None:
                raise KtapError(f"line {index + 1}: two subtest blocks before one result")
            subtests, index, inner = _block(lines, index, indent + INDENT_STEP)
            diagnostics += inner
            continue
        if not line.startswith(indent) or line[len(indent) : len(indent) + 1] == " ":
            if line.startswith(indent + " "):
                raise KtapError(f"line {index + 1}: bad indentation: {line!r}")
            break  # the block ended: the parent goes on
        body = line[len(indent) :]
        if body == "#" or body.startswith("# "):
            diagnostics.append(body[2:])
        else:
            cases.append(_result(body, len(cases) + 1, index, diagnostics, subtests or []))
            diagnostics, subtests = [], None
        index += 1
    if subtests is not None:
        raise KtapError(f"line {index}: a subtest block without its parent's result line")
    if len(cases) != planned:
        raise KtapError(f"block at line {start + 1}: plan 1..{planned}, {len(cases)} results")
    return cases, index, diagnostics


INDENT_STEP = "  "


def _result(body: str, number: int, index: int, diags: list[str], subs: list[Case]) -> Case:
    match = _RESULT.fullmatch(body)
    if match is None:
        raise KtapError(f"line {index + 1}: neither a result nor a diagnostic: {body!r}")
    ok, got, description, rest = match.groups()
    if int(got) != number:
        raise KtapError(f"line {index + 1}: test number {got}, expected {number}")
    if not description or " " in description:
        raise KtapError(f"line {index + 1}: description {description!r} is empty or has spaces")
    directive = reason = None
    if rest is not None:
        parsed = _DIRECTIVE.fullmatch(rest)
        if parsed is None:
            raise KtapError(f"line {index + 1}: unknown directive {rest!r}")
        directive, reason = parsed.groups()
        if _WITH_OK[directive] != (ok == "ok"):
            raise KtapError(f"line {index + 1}: {directive} does not go with {ok!r}")
    return Case(ok == "ok", description, directive, reason, diags, subs)


def _by_id(text: str) -> dict[str, Case]:
    return {case.description: case for case in parse_ktap(text)}


def _strict(report: Report) -> Report:
    return dataclasses.replace(report, run=dataclasses.replace(report.run, strict=True))


SAMPLES = {
    "sample": sample_report,
    "expected": lambda: with_expectation(sample_report()),
    "incomplete": lambda: incomplete(sample_report()),
    "xpass": lambda: xpassed(sample_report()),
    "strict-xpass": lambda: _strict(xpassed(sample_report())),
}


@pytest.mark.parametrize("name", SAMPLES)
def test_samples_are_valid_ktap(name: str) -> None:
    report = SAMPLES[name]()
    cases = parse_ktap(to_ktap(report))
    assert [c.description for c in cases] == [r.id for r in report.requirements]
    for case, requirement in zip(cases, report.requirements, strict=True):
        assert [s.description for s in case.subtests] == [
            safe_description(n) for n in requirement.tests
        ]


def test_outcomes_map_to_results_and_directives() -> None:
    cases = _by_id(to_ktap(sample_report()))
    got = {i: (c.ok, c.directive, c.reason) for i, c in cases.items()}
    assert got == {
        "A-ERROR": (False, "ERROR", "error in setup: RuntimeError: x"),
        "A-FAIL": (False, None, None),
        "A-PASS": (True, None, None),
        "A-SKIP": (True, "SKIP", "no resctrl"),
        "A-UNTESTED": (False, "ERROR", "untested"),
    }
    subtests = {s.description: s.ok for s in cases["A-FAIL"].subtests}
    assert subtests == {"t.py::test_fail": False, "t.py::test_pass": True}


def test_xfail_is_ok_with_the_expectation_as_reason() -> None:
    case = _by_id(to_ktap(with_expectation(sample_report())))["A-FAIL"]
    assert (case.ok, case.directive, case.reason) == (True, "XFAIL", "known bug")
    assert "expectation: known bug <https://example.invalid/bug/1>" in case.diagnostics


def test_xpass_is_ok_unless_strict() -> None:
    lenient = _by_id(to_ktap(xpassed(sample_report())))["A-PASS"]
    assert lenient.ok and "XPASS: expected to fail, but passed" in lenient.diagnostics
    strict = _by_id(to_ktap(_strict(xpassed(sample_report()))))["A-PASS"]
    assert not strict.ok and strict.directive == "ERROR"


def test_diagnostics_carry_level_title_commands_and_steps() -> None:
    case = _by_id(to_ktap(sample_report()))["A-FAIL"]
    assert case.diagnostics == ["A-FAIL: MUST fails <badly> & loudly (fail)"]
    failing = next(s for s in case.subtests if s.description == "t.py::test_fail")
    assert failing.diagnostics[:2] == ["AssertionError: 1 != 2", "more"]
    assert "$ runc delete c1  [exit 1]" in failing.diagnostics
    assert "  stderr: container <c1> is running" in failing.diagnostics
    assert "  state.create(cid='a')" in failing.diagnostics
    assert (
        f"replay: rtgate replay REPORT --requirement A-FAIL ({REPLAY_NOTE})" in failing.diagnostics
    )


def test_run_info_leads_and_incomplete_is_said() -> None:
    lines = to_ktap(incomplete(sample_report())).splitlines()
    assert lines[:3] == ["KTAP version 1", "1..5", "# rtgate 0.1.0: verdict FAIL"]
    head = "\n".join(lines[:12])
    assert "# INCOMPLETE:" in head and "# subject: reference, version 0.1.0" in head
    assert "INCOMPLETE" not in to_ktap(sample_report())
    assert lines[-1].startswith("# Totals: pass:1 fail:1 skip:1")


def test_hostile_node_ids_and_messages_stay_in_their_lines() -> None:
    tests = [
        TestResult(
            "t.py::test_x[a # b\nok 9 fake]",
            "fail",
            0.1,
            ("H-1",),
            message="line one\nnot ok 7 injected\n\x1b[31mred\x00\nSubtest: fake",
            commands=(CommandResult(("runc", "kill"), -9, 5.0, "", timed_out=True),),
        )
    ]
    text = to_ktap(build_report(RUN, [Info("H-1")], tests))
    (case,) = parse_ktap(text)
    (sub,) = case.subtests
    assert sub.description == "t.py::test_x[a___b_ok_9_fake]"
    assert (sub.ok, sub.directive) == (False, "TIMEOUT")
    assert "not ok 7 injected" in sub.diagnostics and "red" in sub.diagnostics
    assert "(Subtest: fake)" in sub.diagnostics
    assert "\x1b" not in text and "\x00" not in text


def test_long_messages_are_bounded() -> None:
    tests = [TestResult("t::a", "error", 0.0, ("L",), message="x" * 5000 + "\n" + "y\n" * 50)]
    text = to_ktap(build_report(RUN, [Info("L")], tests))
    parse_ktap(text)
    assert max(len(line) for line in text.splitlines()) <= 210
    assert "  # ... 41 more line(s)" in text.splitlines()


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("KTAP version 1\n1..2\nok 1 a\n", "plan 1..2, 1 results"),
        ("KTAP version 1\n1..2\nok 1 a\nok 3 b\n", "test number 3, expected 2"),
        ("KTAP version 1\n1..1\nok 2 a\n", "test number 2, expected 1"),
        ("KTAP version 2\n1..1\nok 1 a\n", "'KTAP version 1'"),
        ("KTAP version 1\nok 1 a\n", "expected the plan"),
        ("KTAP version 1\n1..1\nok 1 a # PASSED\n", "unknown directive"),
        ("KTAP version 1\n1..1\nnot ok 1 a # SKIP why\n", "SKIP does not go with"),
        ("KTAP version 1\n1..1\nok 1 a b\n", "has spaces"),
        ("KTAP version 1\n1..1\nok 1 a\n", None),
        ("KTAP version 1\n1..1\n  KTAP version 1\n  1..1\n  ok 1 s\nok 1 a\n", None),
        ("KTAP version 1\n1..1\n  KTAP version 1\n  1..2\n  ok 1 s\nok 1 a\n", "plan 1..2"),
        ("KTAP version 1\n1..1\n   KTAP version 1\nok 1 a\n", "bad indentation"),
        ("KTAP version 1\n1..1\nok 1 a\n  KTAP version 1\n  1..1\n  ok 1 s\n", "without its"),
        ("KTAP version 1\n1..1\nhello\nok 1 a\n", "neither a result"),
        ("KTAP version 1\n1..1\nok 1 a", "newline"),
    ],
)
def test_the_checker_rejects_broken_ktap(text: str, complaint: str | None) -> None:
    if complaint is None:
        parse_ktap(text)
        return
    with pytest.raises(KtapError, match=re.escape(complaint)):
        parse_ktap(text)


def test_write_ktap(tmp_path: Path) -> None:
    path = write_ktap(sample_report(), tmp_path / "compliance.ktap")
    parse_ktap(path.read_text(encoding="utf-8"))


def test_reproduce_without_steps() -> None:
    hypothesis = HypothesisFailure(steps=(), reproduce="@reproduce_failure('6', b'A')")
    test = TestResult("t::m", "fail", 0.0, ("M",), message="boom", hypothesis=hypothesis)
    (case,) = parse_ktap(to_ktap(build_report(RUN, [Info("M")], [test])))
    replay = f"replay: rtgate replay REPORT --requirement M ({REPLAY_NOTE})"
    assert case.subtests[0].diagnostics == ["boom", replay]


# Any text at all: controls, escapes, surrogates, and the characters each format reads.
@settings(max_examples=60, deadline=None)
@given(any_reports())
def test_any_report_is_valid_ktap(report: Report) -> None:
    text = to_ktap(report)
    text.encode("utf-8")  # it can be written
    assert len(parse_ktap(text)) == len(report.requirements)
