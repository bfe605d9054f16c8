"""compliance.html: escaped, self-contained, complete; and in a real browser, its filters work.

The browser tests share one headless Chromium (tests/report/_browser.py) and skip, saying why,
where there is none.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from harness.report._text import clean_text
from harness.report.aggregate import build_report
from harness.report.html_writer import exit_status
from harness.report.html_writer import output_homes
from harness.report.html_writer import to_html
from harness.report.html_writer import write_html
from harness.report.json_writer import to_json
from harness.report.model import OUTCOMES
from harness.report.model import CommandResult
from harness.report.model import ExpectedFailure
from harness.report.model import HypothesisFailure
from harness.report.model import Report
from harness.report.model import TestResult
from tests.report._browser import Browser
from tests.report._browser import BrowserError
from tests.report._browser import browser
from tests.report._browser import unavailable
from tests.report._samples import RUN
from tests.report._samples import Info
from tests.report._samples import sample_report
from tests.report._samples import with_expectation

# Elements that would make the page fetch something, and the attribute that would name it.
_FETCHING = {
    "script": "src",
    "link": "href",
    "img": "src",
    "iframe": "src",
    "embed": "src",
    "object": "data",
    "source": "src",
    "video": "src",
    "audio": "src",
    "track": "src",
}


class _Page(HTMLParser):
    """The parts of a page the tests look at: every start tag, the requirement rows."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def rows(self) -> dict[str, dict[str, str | None]]:
        """Requirement id -> the attributes of its ``tr.req``."""
        return {
            str(attrs["id"]).removeprefix("req-"): attrs
            for tag, attrs in self.tags
            if tag == "tr" and "req" in str(attrs.get("class", "")).split()
        }


def every_outcome_report(complete: bool = True) -> Report:
    """A report with each outcome, three areas and an expectation behind the xfail and xpass."""
    infos = [
        Info("C-PASS", area="create"),
        Info("C-FAIL", area="create", title="create <fails>"),
        Info("C-SKIP", level="SHOULD", area="create"),
        Info("D-XFAIL", area="destroy", url="https://example.invalid/spec#d"),
        Info("D-XPASS", level="MAY", area="destroy"),
        Info("D-FAIL", level="SHOULD", area="destroy"),
        Info("H-ERROR", level="MUST NOT", area="hooks"),
        Info("H-UNTESTED", area="hooks"),
    ]
    tests = [
        TestResult("t.py::test_pass", "pass", 0.5, ("C-PASS", "C-FAIL")),
        TestResult("t.py::test_fail", "fail", 0.25, ("C-FAIL",), message="AssertionError: no"),
        TestResult("t.py::test_skip", "skip", 0.0, ("C-SKIP",), message="no resctrl"),
        TestResult("t.py::test_xfail", "xfail", 0.1, ("D-XFAIL",), message="known"),
        TestResult("t.py::test_xpass", "xpass", 0.1, ("D-XPASS",)),
        TestResult("t.py::test_should", "fail", 0.1, ("D-FAIL",), message="late"),
        TestResult("t.py::test_error", "error", 0.1, ("H-ERROR",), message="RuntimeError: x"),
    ]
    report = build_report(dataclasses.replace(RUN, complete=complete), infos, tests)
    expectation = ExpectedFailure("known bug", "https://example.invalid/bug/2", None)
    requirements = tuple(
        dataclasses.replace(r, expectation=expectation) if r.area == "destroy" else r
        for r in report.requirements
    )
    return dataclasses.replace(report, requirements=requirements)


def big_report() -> Report:
    """About 250 requirements and 250 tests, with the bulk a failing run really carries."""
    areas = ("create", "start", "kill", "delete", "hooks", "cgroups", "resctrl", "netns")
    levels = ("MUST", "MUST", "MUST NOT", "SHOULD", "MAY")
    infos = [
        Info(
            f"REQ-{i:03d}",
            level=levels[i % len(levels)],
            title=f"requirement number {i} says what a runtime must do " * 2,
            source=f"runtime-spec config.md section {i}",
            url=f"https://example.invalid/spec/{i}",
            area=areas[i % len(areas)],
        )
        for i in range(250)
    ]
    # most commands succeed quietly; a failing one says why, and the last one says the most
    commands = tuple(
        CommandResult(
            ("runc", "--root", "/run/rtgate/x", "delete", "--force", f"c{i}"),
            1 if i % 8 == 7 else 0,
            0.01,
            "runc: container is not running\n" * (60 if i == 39 else 8) if i % 8 == 7 else "",
        )
        for i in range(40)
    )
    traceback = "Traceback (most recent call last):\n" + '  File "x.py", line 1\n' * 100
    tests = [
        TestResult(
            f"harness/scenarios/test_x.py::test_{i}",
            "fail" if i % 10 == 0 else "pass",
            0.5,
            (f"REQ-{i:03d}", f"REQ-{(i + 1) % 250:03d}"),
            message="AssertionError: the container is still there" if i % 10 == 0 else None,
            details=traceback if i % 10 == 0 else None,
            commands=commands if i % 10 == 0 else commands[:3],
            commands_omitted=17 if i % 10 == 0 else 0,
        )
        for i in range(249)
    ]
    machine = TestResult(
        "harness/scenarios/test_machine.py::TestLifecycle::runTest",
        "fail",
        30.0,
        tuple(f"REQ-{i:03d}" for i in range(0, 250, 4)),
        message="AssertionError: [REQ-004] delete left the cgroup",
        details=traceback,
        commands=commands,
        commands_omitted=500,
        hypothesis=HypothesisFailure(tuple(f"state.step_{i}()" for i in range(30)), None),
    )
    return build_report(RUN, infos, [*tests, machine])


def test_text_is_escaped_and_control_characters_dropped() -> None:
    text = to_html(sample_report())
    assert "fails &lt;badly&gt; &amp; loudly" in text
    assert "<badly>" not in text
    assert re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text) is None
    assert "[31m" not in text
    assert "red  end" in text  # the ANSI colour and the NUL went, the text stayed


def test_clean_text() -> None:
    assert clean_text("a\x1b[1;31mb\x1b[0m\tc\r\nd\x07e\ud800") == "ab\tc\nde\ufffd"


def test_nothing_is_fetched() -> None:
    text = to_html(with_expectation(sample_report()))
    for tag, attrs in _Page(text).tags:
        fetches = _FETCHING.get(tag)
        assert fetches is None or not attrs.get(fetches), (tag, attrs)
        if tag == "a":
            assert str(attrs.get("href")).startswith(("#", "https://")), attrs
    assert "@import" not in text and "url(" not in text and "@font-face" not in text


def test_a_requirement_url_that_is_not_http_is_not_a_link() -> None:
    report = sample_report()
    evil = dataclasses.replace(report.requirements[0], url="javascript:alert(1)")
    text = to_html(dataclasses.replace(report, requirements=(evil, *report.requirements[1:])))
    assert 'href="javascript' not in text


def test_every_requirement_is_a_row_with_its_outcome() -> None:
    report = every_outcome_report()
    rows = _Page(to_html(report)).rows()
    assert {req_id: attrs["data-outcome"] for req_id, attrs in rows.items()} == {
        r.id: r.outcome for r in report.requirements
    }
    assert {r.outcome for r in report.requirements} == set(OUTCOMES)
    assert rows["D-XFAIL"]["data-area"] == "destroy"
    assert rows["H-ERROR"]["data-level"] == "MUST NOT"


def test_no_row_is_hidden_before_the_script_runs() -> None:
    rows = _Page(to_html(every_outcome_report())).rows()
    assert rows and all("hidden" not in attrs for attrs in rows.values())


def test_fatal_requirements_are_marked() -> None:
    report = sample_report()
    rows = _Page(to_html(report)).rows()
    marked = {req_id for req_id, attrs in rows.items() if "fatal" in str(attrs["class"]).split()}
    assert marked == set(report.summary.fatal) == {"A-ERROR", "A-FAIL", "A-UNTESTED"}


def test_the_expectation_behind_an_xfail() -> None:
    text = to_html(with_expectation(sample_report()))
    assert "known bug" in text
    assert 'href="https://example.invalid/bug/1"' in text
    assert "2099-01-01" in text


def test_commands_and_hypothesis_steps() -> None:
    text = to_html(sample_report())
    assert "runc delete c1" in text
    assert str(escape("container <c1> is running")) in text
    assert "3 earlier commands omitted" in text
    steps = "\n".join(sample_report().tests[1].hypothesis.steps)  # type: ignore[union-attr]
    assert str(escape(steps)) in text
    assert "rtgate replay REPORT --requirement A-FAIL" in text
    assert "@reproduce_failure" not in text, "Hypothesis' line cannot be used as printed"
    assert "AssertionError: 1 != 2\nmore" in text


def test_incomplete_only_when_the_run_is() -> None:
    assert "INCOMPLETE" not in to_html(every_outcome_report(complete=True))
    text = to_html(every_outcome_report(complete=False))
    assert '<span class="incomplete-badge">INCOMPLETE</span>' in text
    assert "the verdict is not final" in text


def test_run_information() -> None:
    run = dataclasses.replace(
        RUN,
        command="rtgate run --subject oci:runc --strict",
        strict=True,
        expectations={"path": "expectations/runc.toml", "sha256": "ab" * 32, "entries": 3},
        hypothesis={"profile": "ci", "derandomize": True, "seed": None},
        host_features=("cgroup-v1", "resctrl"),
        oci_version="1.2.0",
    )
    text = to_html(dataclasses.replace(sample_report(), run=run))
    assert "<dt>ociVersion</dt><dd><code>1.2.0</code>" in text
    for expected in ("rtgate run --subject oci:runc --strict", "expectations/runc.toml"):
        assert expected in text
    assert "ab" * 32 in text and "derandomize=True" in text and "strict" in text
    assert '<span class="tag">resctrl</span>' in text
    assert "<dt>cgroup</dt><dd>v1" in text  # the host probe as a definition list


def test_exit_status() -> None:
    assert (exit_status(0), exit_status(-9), exit_status(-200)) == (
        "0",
        "-9 (SIGKILL)",
        "-200 (signal 200)",
    )


def test_a_test_output_is_printed_once() -> None:
    report = big_report()
    text = to_html(report)
    homes = output_homes(report)
    machine = "harness/scenarios/test_machine.py::TestLifecycle::runTest"
    assert homes[machine] == "REQ-000"  # the worst outcome, then the first id
    assert text.count("500 earlier commands omitted") == 1
    assert text.count("state.step_29()") == 1


def test_a_big_report_stays_small() -> None:
    report = big_report()
    size = len(to_html(report).encode())
    # not much bigger than the JSON of the same report: nothing is printed twice
    assert size < 1_000_000 and size < 1.5 * len(to_json(report).encode()), size


def test_an_empty_report() -> None:
    report = build_report(dataclasses.replace(RUN, host_probe={}), [], [])
    text = to_html(report)
    assert "not probed" in text and '<tr class="req' not in text


def test_write_html(tmp_path: Path) -> None:
    path = write_html(sample_report(), tmp_path / "compliance.html")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# --- in a real browser -------------------------------------------------------------------


@pytest.fixture(scope="module")
def page() -> Iterator[Browser]:
    reason = unavailable()
    if reason:
        pytest.skip(reason)
    with browser() as driver:
        yield driver


def _open(page: Browser, path: Path, report: Report, fragment: str = "") -> None:
    write_html(report, path)
    page.open(path.as_uri() + fragment)
    assert page.errors == []


# a data attribute of every requirement row the filters show, and their ids
_VISIBLE = """Array.from(document.querySelectorAll("tr.req"))
    .filter((row) => !row.hidden).map((row) => row.dataset.%s)"""
_VISIBLE_IDS = """Array.from(document.querySelectorAll("tr.req"))
    .filter((row) => !row.hidden).map((row) => row.id)"""
_HIDDEN = 'document.querySelectorAll("tr.req[hidden]").length'


def test_the_page_renders_without_errors(page: Browser, tmp_path: Path) -> None:
    _open(page, tmp_path / "compliance.html", every_outcome_report())
    png = page.screenshot(tmp_path / "page.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    assert len(page.evaluate(_VISIBLE % "outcome")) == 8 and page.evaluate(_HIDDEN) == 0
    assert page.evaluate('document.getElementById("filters").hidden') is False
    assert page.errors == []


def test_the_outcome_filter(page: Browser, tmp_path: Path) -> None:
    _open(page, tmp_path / "compliance.html", every_outcome_report())
    page.evaluate(
        """for (const box of document.querySelectorAll("#filters input[name=outcome]")) {
             if (box.checked !== (box.value === "fail")) box.click();
           }"""
    )
    visible = page.evaluate(_VISIBLE % "outcome")
    assert visible and set(visible) == {"fail"}
    assert page.evaluate(_HIDDEN) > 0
    assert page.evaluate("location.hash") == "#outcome=fail"
    assert page.errors == []


def test_the_area_filter(page: Browser, tmp_path: Path) -> None:
    _open(page, tmp_path / "compliance.html", every_outcome_report())
    page.evaluate(
        """const select = document.querySelector("#filters select[name=area]");
           select.value = "destroy";
           select.dispatchEvent(new Event("change", { bubbles: true }));"""
    )
    assert page.evaluate(_VISIBLE % "area") == ["destroy"] * 3
    assert page.evaluate(_HIDDEN) == 5
    assert page.evaluate("location.hash") == "#area=destroy"


@pytest.mark.parametrize(
    ("fragment", "shown", "checked", "area"),
    [
        ("#outcome=xfail", ["D-XFAIL"], ["xfail"], ""),
        ("#outcome=fail,error&area=hooks", ["H-ERROR"], ["fail", "error"], "hooks"),
        ("#level=MUST%20NOT", ["H-ERROR"], list(OUTCOMES), ""),
    ],
)
def test_a_filter_in_the_address_applies_at_load(
    page: Browser, tmp_path: Path, fragment: str, shown: list[str], checked: list[str], area: str
) -> None:
    _open(page, tmp_path / "compliance.html", every_outcome_report(), fragment)
    assert page.evaluate(_VISIBLE_IDS) == [f"req-{req_id}" for req_id in shown]
    boxes = 'Array.from(document.querySelectorAll("input[name=outcome]:checked"), (b) => b.value)'
    assert page.evaluate(boxes) == checked
    assert page.evaluate('document.querySelector("select[name=area]").value') == area


def test_a_matrix_cell_filters_by_area_and_level(page: Browser, tmp_path: Path) -> None:
    _open(page, tmp_path / "compliance.html", every_outcome_report())
    shown = page.evaluate(
        """new Promise((resolve) => {
             window.addEventListener("hashchange", () => resolve(
               Array.from(document.querySelectorAll("tr.req"))
                 .filter((row) => !row.hidden).map((row) => row.id)), { once: true });
             document.querySelector('table.matrix a[href="#area=hooks&level=MUST"]').click();
           })"""
    )
    assert shown == ["req-H-UNTESTED"]


def test_a_link_to_a_tests_output_shows_it(page: Browser, tmp_path: Path) -> None:
    # test_pass checks C-FAIL and C-PASS; its output is under C-FAIL, hidden by the filter
    _open(page, tmp_path / "compliance.html", every_outcome_report(), "#outcome=pass")
    shown = page.evaluate(
        """new Promise((resolve) => {
             window.addEventListener("hashchange", () => {
               const target = document.querySelector(location.hash);
               resolve([target.closest("details").open, target.closest("tr.req").hidden,
                        target.closest("tr.req").id, location.hash]);
             }, { once: true });
             document.querySelector("#req-C-PASS a.see").click();
           })"""
    )
    assert shown[:3] == [True, False, "req-C-FAIL"] and shown[3].startswith("#test-")


def test_a_link_to_a_requirement_opens_it(page: Browser, tmp_path: Path) -> None:
    _open(page, tmp_path / "compliance.html", every_outcome_report(), "#req-C-FAIL")
    assert page.evaluate('document.querySelector("#req-C-FAIL details").open') is True
    assert page.evaluate('document.getElementById("shown").textContent') == (
        "showing 8 of 8 requirements"
    )


def test_without_javascript_everything_is_there(page: Browser, tmp_path: Path) -> None:
    page.call("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        _open(page, tmp_path / "compliance.html", every_outcome_report(), "#outcome=fail")
        assert page.evaluate(_HIDDEN) == 0
        assert page.evaluate('document.getElementById("filters").hidden') is True
    finally:
        page.call("Emulation.setScriptExecutionDisabled", {"value": False})


def test_a_malformed_address_is_no_error(page: Browser, tmp_path: Path) -> None:
    _open(page, tmp_path / "compliance.html", every_outcome_report(), "#%E0%A4%A")
    assert page.evaluate(_HIDDEN) == 0


def test_every_wait_has_a_deadline(page: Browser) -> None:
    with pytest.raises(BrowserError, match="in time"):
        page.evaluate("new Promise(() => {})", timeout=0.3)


def test_the_browser_check_sees_a_script_error(page: Browser, tmp_path: Path) -> None:
    broken = to_html(every_outcome_report()).replace(
        "</body>", "<script>undefinedFunction()</script></body>"
    )
    path = tmp_path / "broken.html"
    path.write_text(broken, encoding="utf-8")
    page.open(path.as_uri())
    assert page.errors and "undefinedFunction" in page.errors[0]
