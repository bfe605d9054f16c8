"""compliance.md: a CI job summary that says the verdict first and cannot be broken by its data."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from harness.report._text import clean_text
from harness.report.aggregate import build_report
from harness.report.markdown_writer import to_markdown
from harness.report.markdown_writer import write_markdown
from harness.report.model import ExpectedFailure
from harness.report.model import HypothesisFailure
from harness.report.model import Report
from harness.report.model import TestResult
from tests.report._samples import RUN
from tests.report._samples import Info
from tests.report._samples import any_reports
from tests.report._samples import sample_report
from tests.report._samples import with_expectation
from tests.report._samples import xpassed

# Tags the writer itself emits; any other "<" outside a fence or code span must be escaped.
_OWN_TAGS = re.compile(r"</?details>|<summary>|</summary>")


def _blocks(markdown: str) -> tuple[list[str], list[list[str]]]:
    """The lines outside fenced blocks, and each fenced block's lines (CommonMark fences).

    A fence opens with three or more backticks and closes with a line of at least as many
    backticks and nothing else; an unclosed fence is an error the tests must see.
    """
    outside: list[str] = []
    blocks: list[list[str]] = []
    fence = ""
    for line in markdown.splitlines():
        if not fence:
            opening = re.match(r"(`{3,})[^`]*$", line)
            if opening:
                fence = opening.group(1)
                blocks.append([])
            else:
                outside.append(line)
        elif re.fullmatch(rf"{fence}`* *", line):
            fence = ""
        else:
            blocks[-1].append(line)
    assert not fence, "a fenced block is never closed"
    return outside, blocks


def _without_code_spans(line: str) -> str:
    """``line`` less its code spans, read as CommonMark does: a backslash escapes a backtick
    outside a span, and a span closes at the next run of exactly as many backticks."""
    kept, index = [], 0
    while index < len(line):
        if line[index] == "\\" and index + 1 < len(line):
            kept.append(line[index : index + 2])
            index += 2
            continue
        run = re.match("`+", line[index:])
        if run is None:
            kept.append(line[index])
            index += 1
            continue
        ticks = run.group(0)
        close = re.compile(rf"(?<!`){ticks}(?!`)").search(line, index + len(ticks))
        if close is None:
            kept.append(ticks)
            index += len(ticks)
        else:
            index = close.end()
    return "".join(kept)


def _section(markdown: str, heading: str) -> str:
    start = markdown.index(heading)
    ends = [markdown.find(mark, start + 1) for mark in ("\n### ", "\n<details>")]
    return markdown[start : min((end for end in ends if end != -1), default=len(markdown))]


def _hostile() -> Report:
    """A report whose every text field tries to break out of its place in the page."""
    infos = [
        Info("H-1", title="<script>alert(1)</script> | pipe ``tick``", area="x|y <b>z</b>"),
        Info("H-2", level="SHOULD", title="[click](javascript:alert(1)) *bold*"),
    ]
    tests = [
        TestResult(
            "t.py::test_h[`a|b`]",
            "fail",
            0.1,
            ("H-1",),
            message="```\n<img src=x onerror=alert(1)>\n````\n\x1b[31mred\x1b[0m\u202eevil",
        ),
        TestResult("t.py::test_h2", "fail", 0.1, ("H-2",), message="<iframe> & | `x`"),
    ]
    return build_report(RUN, infos, tests)


def test_title_has_the_verdict_subject_host_and_profile() -> None:
    first = to_markdown(sample_report()).splitlines()[0]
    assert first == "## rtgate: FAIL — reference 0.1.0 on simulated (seed)"


def test_passing_title_and_unknown_version() -> None:
    run = dataclasses.replace(RUN, subject="python:m:f", subject_version="unknown")
    report = build_report(run, [Info("A")], [TestResult("t::a", "pass", 0.0, ("A",))])
    markdown = to_markdown(report)
    assert markdown.startswith("## rtgate: PASS — python:m:f (version unknown) on simulated")
    assert "Failing the verdict" not in markdown


def test_incomplete_is_loud_and_only_when_incomplete() -> None:
    report = sample_report()
    assert "INCOMPLETE" not in to_markdown(report)
    partial = dataclasses.replace(report, run=dataclasses.replace(report.run, complete=False))
    lines = to_markdown(partial).splitlines()
    assert lines[0].startswith("## rtgate: INCOMPLETE (so far FAIL)")
    assert "> **INCOMPLETE**" in "\n".join(lines[:6])


def test_host_expectations_and_mode() -> None:
    run = dataclasses.replace(
        RUN,
        host="real",
        host_probe={"kernel": "6.8.0", "cgroup_mode": "v2"},
        host_features=("cgroup-v2", "resctrl"),
        expectations={"path": "exp/runc.toml", "sha256": "0123456789abcdef" * 4},
        strict=True,
    )
    report = build_report(run, [Info("A")], [TestResult("t::a", "pass", 0.0, ("A",))])
    markdown = to_markdown(report)
    assert "real, kernel 6.8.0, cgroups v2; features: cgroup-v2, resctrl" in markdown
    assert "`exp/runc.toml` (sha256 `0123456789ab`…)" in markdown
    assert "strict: yes, certify: no" in markdown
    assert "ociVersion" not in markdown, "a run that pinned no ociVersion says nothing of it"


def test_a_pinned_oci_version_is_said() -> None:
    run = dataclasses.replace(RUN, oci_version="1.1.0")
    report = build_report(run, [Info("A")], [TestResult("t::a", "pass", 0.0, ("A",))])
    assert (
        "- **ociVersion:** `1.1.0` in every bundle (`--oci-version`); rules of later"
        " runtime-spec releases skipped"
    ) in to_markdown(report)


def test_counts_table() -> None:
    lines = to_markdown(sample_report()).splitlines()
    assert "| requirements | 5 | 1 | 1 | 1 | 0 | 0 | 1 | 1 |" in lines
    assert "| tests | 5 | 2 | 1 | 1 | 0 | 0 | 1 | 0 |" in lines


def test_failing_section_in_priority_order_with_commands_and_steps() -> None:
    markdown = to_markdown(sample_report())
    failing = _section(markdown, "### Failing the verdict")
    assert failing.index("`A-ERROR`") < failing.index("`A-FAIL`") < failing.index("`A-UNTESTED`")
    assert "A-PASS" not in failing and "A-SKIP" not in failing
    _, blocks = _blocks(failing)
    commands = next(b for b in blocks if any(line.startswith("$ ") for line in b))
    assert commands == [
        "# ... 3 earlier command(s)",
        "$ runc create c1    # exit 0, 0.12 s",
        "$ runc delete c1    # exit 1, 0.50 s",
        "  stderr: container <c1> is running",
    ]
    assert ["state = Machine()", "state.create(cid='a')", "state.teardown()"] in blocks
    assert "Replay it: `rtgate replay REPORT --requirement A-FAIL`" in failing
    assert ["AssertionError: 1 != 2", "more"] in blocks
    assert "[somewhere](https://example.invalid/x)" in failing


def test_expected_failure_is_collapsed_with_reason_link_and_expiry() -> None:
    markdown = to_markdown(with_expectation(sample_report()))
    assert "`A-FAIL`" not in _section(markdown, "### Failing the verdict")
    details = markdown[markdown.index("<summary>Held by expectations (1)</summary>") :]
    details = details[: details.index("</details>")]
    assert "`A-FAIL` XFAIL" in details
    assert (
        "(known bug, [tracked here](https://example.invalid/bug/1), expires 2099-01-01)" in details
    )


def test_xpass_fails_the_verdict_only_when_strict() -> None:
    expectation = ExpectedFailure("was broken", "https://example.invalid/2")
    report = build_report(RUN, [Info("X")], [TestResult("t::x", "pass", 0.0, ("X",))])
    xpass = dataclasses.replace(report.requirements[0], outcome="xpass", expectation=expectation)
    lenient = dataclasses.replace(report, requirements=(xpass,))
    strict = dataclasses.replace(lenient, run=dataclasses.replace(RUN, strict=True))
    assert "expected to fail (was broken" in _section(to_markdown(lenient), "### Other")
    assert "Failing the verdict" not in to_markdown(lenient)
    assert "`X` XPASS" in _section(to_markdown(strict), "### Failing the verdict")


def test_should_failure_is_listed_briefly() -> None:
    other = _section(to_markdown(_hostile()), "### Other requirements")
    assert "**SHOULD** `H-2` FAIL" in other
    assert len(other.strip().splitlines()) == 3  # heading, blank, one line


def test_skips_grouped_by_reason() -> None:
    infos = [Info("S-1"), Info("S-2"), Info("S-3")]
    tests = [
        TestResult("t::a", "skip", 0.0, ("S-1",), message="no resctrl"),
        TestResult("t::b", "skip", 0.0, ("S-2",), message="no resctrl"),
        TestResult("t::c", "skip", 0.0, ("S-3",), message="needs root"),
    ]
    markdown = to_markdown(build_report(RUN, infos, tests))
    assert "<summary>Skipped (2 reason(s))</summary>" in markdown
    assert "- no resctrl (2): `S-1`, `S-2`" in markdown
    assert "- needs root (1): `S-3`" in markdown


def test_area_matrix_counts_outcomes() -> None:
    infos = [Info("A-1", area="hooks"), Info("A-2", area="hooks"), Info("B-1", area="cli")]
    tests = [
        TestResult("t::a", "pass", 0.0, ("A-1",)),
        TestResult("t::b", "fail", 0.0, ("A-2",)),
        TestResult("t::c", "pass", 0.0, ("B-1",)),
    ]
    matrix = _section(to_markdown(build_report(RUN, infos, tests)), "### By area")
    assert "| area | pass | fail |" in matrix
    assert "| cli | 1 | · |" in matrix and "| hooks | 1 | 1 |" in matrix


def test_hostile_text_stays_text() -> None:
    markdown = to_markdown(_hostile())
    outside, blocks = _blocks(markdown)
    for line in outside:
        bare = _OWN_TAGS.sub("", _without_code_spans(line))
        assert not re.search(r"(?<!\\)<", bare), line
        assert not re.search(r"(?<!\\)\]\(javascript", bare), line
    assert "\x1b" not in markdown and "\u202e" not in markdown
    # the message, backticks and all, is one fenced block: its ``` lines did not close it
    assert ["```", "<img src=x onerror=alert(1)>", "````", "redevil"] in blocks


def test_pipes_do_not_split_table_cells() -> None:
    matrix = _section(to_markdown(_hostile()), "### By area")
    row = next(line for line in matrix.splitlines() if line.startswith("| x"))
    header = next(line for line in matrix.splitlines() if line.startswith("| area"))
    assert len(re.findall(r"(?<!\\)\|", row)) == len(re.findall(r"(?<!\\)\|", header))


def test_code_spans_survive_backticks() -> None:
    markdown = to_markdown(_hostile())
    assert "``t.py::test_h[`a|b`]``" in markdown


def _huge() -> Report:
    infos = [Info(f"R-{i:04d}", level="SHOULD" if i % 3 else "MUST") for i in range(600)]
    tests = [
        TestResult(f"t.py::test_{i:04d}", "fail", 0.0, (f"R-{i:04d}",), message="line\n" * 50)
        for i in range(600)
    ]
    return build_report(RUN, infos, tests)


def test_cut_to_max_bytes_and_says_what_it_left_out() -> None:
    report = _huge()
    for limit in (60_000, 10_000, 3_000):
        markdown = to_markdown(report, max_bytes=limit)
        assert len(markdown.encode()) <= limit
        assert re.search(r"_\d+ more item\(s\) left out .*compliance\.json", markdown)
        _blocks(markdown)  # every fence that was opened is closed
        assert "### By area" in markdown
    full = to_markdown(report, max_bytes=10_000_000)
    assert "left out" not in full
    failing = _section(full, "### Failing the verdict")
    assert failing.count("#### ") == 200  # every MUST failure; the SHOULD ones come after


def test_must_failures_come_before_what_is_cut() -> None:
    markdown = to_markdown(_huge(), max_bytes=20_000)
    shown = re.findall(r"`R-(\d{4})`", markdown)
    assert shown and all(int(n) % 3 == 0 for n in shown)  # only MUST ones made it
    assert shown == sorted(shown)


def test_tiny_budget_still_bounded() -> None:
    markdown = to_markdown(_huge(), max_bytes=1_000)
    assert len(markdown.encode()) <= 1_000
    assert markdown.startswith("## rtgate: FAIL")


def test_clean_text_drops_escapes_and_controls() -> None:
    assert clean_text("a\x1b[1;31mb\x1b[0m\x00c\r\nd\te\u202e") == "abc\nd\te"
    assert clean_text("x\ud800y") == "x\ufffdy"


def test_write_markdown(tmp_path: Path) -> None:
    path = write_markdown(sample_report(), tmp_path / "compliance.md")
    assert path.read_text(encoding="utf-8") == to_markdown(sample_report())


def test_reproduce_without_steps_shows_no_empty_block() -> None:
    hypothesis = HypothesisFailure(steps=(), reproduce="@reproduce_failure('6', b'A')")
    test = TestResult("t::m", "fail", 0.0, ("M",), message="boom", hypothesis=hypothesis)
    markdown = to_markdown(build_report(RUN, [Info("M")], [test]))
    assert "Hypothesis found" not in markdown
    assert "Replay it: `rtgate replay REPORT --requirement M`" in markdown


def test_only_http_links_and_parentheses_encoded() -> None:
    infos = [
        Info("U-1", source="evil", url="javascript:alert(1)"),
        Info("U-2", source="paren", url="https://example.invalid/a_(b)"),
    ]
    tests = [TestResult("t::u", "fail", 0.0, ("U-1", "U-2"), message="x")]
    markdown = to_markdown(build_report(RUN, infos, tests))
    assert "Source: evil\n" in markdown and "javascript" not in markdown
    assert "Source: [paren](https://example.invalid/a_%28b%29)" in markdown


def test_certify_says_it_implies_strict() -> None:
    run = dataclasses.replace(RUN, certify=True)
    report = build_report(run, [Info("A")], [TestResult("t::a", "pass", 0.0, ("A",))])
    assert "strict: yes (implied by certify), certify: yes" in to_markdown(report)


def test_blocks_start_after_a_blank_line() -> None:
    for report in (sample_report(), xpassed(with_expectation(sample_report()))):
        assert "\n\n\n" not in to_markdown(report)
    lines = to_markdown(xpassed(with_expectation(sample_report()))).splitlines()
    fence = ""
    for before, line in zip(lines, lines[1:], strict=False):
        if fence:
            fence = "" if line == fence else fence
            continue
        if line.startswith(("#", "<details>", "```")):
            assert before == "", f"no blank line before {line!r}"
        if line.startswith("```"):
            fence = line[: len(line) - len(line.lstrip("`"))]


@settings(max_examples=60, deadline=None)
@given(any_reports(), st.integers(1_000, 20_000))
def test_any_report_is_bounded_and_its_text_stays_text(report: Report, max_bytes: int) -> None:
    markdown = to_markdown(report, max_bytes=max_bytes)
    assert len(markdown.encode("utf-8")) <= max_bytes  # and it can be written as UTF-8
    outside, _ = _blocks(markdown)
    for line in outside:
        assert not re.search(r"(?<!\\)<", _OWN_TAGS.sub("", _without_code_spans(line))), line
