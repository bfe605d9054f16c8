"""The fleet report: hosts grouped by features, what stands out, and its three files."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from harness.report.fleet_model import Fleet
from harness.report.fleet_model import build_fleet
from harness.report.fleet_model import host_label
from harness.report.fleet_writers import FLEET_SCHEMA
from harness.report.fleet_writers import to_fleet_html
from harness.report.fleet_writers import to_fleet_json
from harness.report.fleet_writers import to_fleet_markdown
from harness.report.fleet_writers import write_fleet
from harness.report.model import Report
from tests.report._browser import browser
from tests.report._browser import unavailable
from tests.report._samples import sample_report

PLAIN = ("cat-l3", "cgroup-v1", "resctrl")
CDP = ("cat-l3", "cdp", "cgroup-v1", "resctrl")
NOW = "2025-02-01T08:00:00Z"


def _host(
    name: str, features: tuple[str, ...], outcomes: dict[str, str], **run: object
) -> tuple[Path, Report]:
    """The sample report as if run on the preset ``name``, some outcomes replaced."""
    report = sample_report()
    requirements = tuple(
        dataclasses.replace(r, outcome=outcomes[r.id], message=f"{r.id} on {name}")
        if r.id in outcomes
        else r
        for r in report.requirements
    )
    info = dataclasses.replace(
        report.run, host_probe={"preset": name}, host_features=features, **run
    )
    path = Path("/reports") / f"dir-{name}" / "compliance.json"
    return path, dataclasses.replace(report, run=info, requirements=requirements)


def _three_hosts() -> list[tuple[Path, Report]]:
    """A-FAIL fails only on the two CDP hosts; A-SKIP runs on one host only."""
    return [
        _host("xeon-cdp", CDP, {}),
        _host("v1-cat", PLAIN, {"A-FAIL": "pass", "A-SKIP": "pass"}),
        _host("cdp-2", CDP, {"A-FAIL": "error"}),
    ]


@pytest.fixture
def fleet() -> Fleet:
    return build_fleet(_three_hosts(), created_at=NOW)


def test_hosts_are_grouped_by_features(fleet: Fleet) -> None:
    assert [(g.features, g.hosts) for g in fleet.groups] == [
        (CDP, ("xeon-cdp", "cdp-2")),
        (PLAIN, ("v1-cat",)),
    ]
    assert [h.label for h in fleet.hosts] == ["xeon-cdp", "cdp-2", "v1-cat"]
    assert fleet.groups[0].label == "cat-l3 cdp cgroup-v1 resctrl"


def test_a_requirement_failing_only_on_cdp_hosts_names_cdp(fleet: Fleet) -> None:
    (row,) = fleet.standing_out
    assert row.id == "A-FAIL"
    assert row.outcomes == ("fail", "error", "pass")
    assert row.failing_with == ("cdp",)
    assert row.failing_without == ()
    assert row.explanation() == "fails only on hosts with cdp"
    assert row.messages == {"xeon-cdp": "1 != 2\nmore", "cdp-2": "A-FAIL on cdp-2"}
    assert row.summary() == {"pass": 1, "fail": 1, "error": 1}


def test_failing_everywhere_or_skipping_somewhere_does_not_stand_out(fleet: Fleet) -> None:
    rows = {row.id: row for row in fleet.rows}
    assert not rows["A-ERROR"].stands_out
    assert not rows["A-SKIP"].stands_out
    assert rows["A-SKIP"].outcomes == ("skip", "skip", "pass")


def test_a_requirement_failing_without_a_feature() -> None:
    reports = [
        _host("with", PLAIN, {}),
        _host("without", ("cgroup-v1", "no-rdt"), {"A-PASS": "fail"}),
    ]
    row = next(r for r in build_fleet(reports, NOW).rows if r.id == "A-PASS")
    assert row.stands_out
    assert row.failing_with == ("no-rdt",)
    assert row.failing_without == ("cat-l3", "resctrl")
    assert row.explanation() == (
        "fails only on hosts without RDT (equally: without cat-l3; without resctrl)"
    )


def test_a_split_within_one_feature_group_is_not_explained() -> None:
    reports = [_host("a", PLAIN, {}), _host("b", PLAIN, {"A-FAIL": "pass"})]
    (row,) = build_fleet(reports, NOW).standing_out
    assert (row.failing_with, row.failing_without) == ((), ())
    assert row.explanation() == "no host feature explains which hosts fail"


def test_unknown_features_form_the_last_group_with_a_warning() -> None:
    reports = [_host("old", (), {}), _host("new", PLAIN, {})]
    fleet = build_fleet(reports, NOW)
    assert [g.label for g in fleet.groups] == ["cat-l3 cgroup-v1 resctrl", "unknown features"]
    assert any("no host features recorded for old" in w for w in fleet.warnings)


def test_labels_prefer_hostname_then_preset_then_directory() -> None:
    path, report = _host("v1-cat", PLAIN, {})
    named = dataclasses.replace(report.run, host_probe={"hostname": "node7", "preset": "x"})
    assert host_label(dataclasses.replace(report, run=named), path) == "node7"
    assert host_label(report, path) == "v1-cat"
    real = dataclasses.replace(report.run, host_probe={"kernel": "6.1"})
    assert host_label(dataclasses.replace(report, run=real), path) == "dir-v1-cat"
    here = Path.cwd().name
    assert host_label(dataclasses.replace(report, run=real), Path("compliance.json")) == here


def test_duplicate_labels_are_told_apart() -> None:
    reports = [_host("v1-cat", PLAIN, {}), _host("v1-cat", PLAIN, {}), _host("v1-cat", CDP, {})]
    labels = [h.label for h in build_fleet(reports, NOW).hosts]
    assert sorted(labels) == ["v1-cat", "v1-cat#2", "v1-cat#3"]


def test_no_warning_for_one_subject_and_profile(fleet: Fleet) -> None:
    assert fleet.warnings == ()


def test_different_subjects_and_profiles_are_warned_about() -> None:
    reports = [
        _host("a", PLAIN, {}),
        _host("b", PLAIN, {}, subject="oci:crun", profile="oci"),
    ]
    warnings = build_fleet(reports, NOW).warnings
    assert "the reports are of different subjects: oci:crun, reference" in warnings
    assert "the reports are of different profiles: oci, seed" in warnings


def test_a_requirement_missing_from_a_profile_is_none() -> None:
    path, report = _host("short", PLAIN, {})
    shorter = dataclasses.replace(report, requirements=report.requirements[1:])
    fleet = build_fleet([(path, shorter), _host("full", PLAIN, {})], NOW)
    first = fleet.rows[0]
    assert first.id == report.requirements[0].id
    assert first.outcomes == (None, report.requirements[0].outcome)
    assert "| — |" in to_fleet_markdown(fleet)


def test_json_shape(fleet: Fleet) -> None:
    data = json.loads(to_fleet_json(fleet))
    assert list(data) == ["schema", "created_at", "warnings", "hosts", "groups", "requirements"]
    assert data["schema"] == FLEET_SCHEMA
    assert data["created_at"] == NOW
    assert [h["label"] for h in data["hosts"]] == ["xeon-cdp", "cdp-2", "v1-cat"]
    assert data["hosts"][0]["features"] == list(CDP)
    assert data["hosts"][0]["source"] == "/reports/dir-xeon-cdp/compliance.json"
    assert data["groups"][1] == {
        "label": " ".join(PLAIN),
        "features": list(PLAIN),
        "hosts": ["v1-cat"],
    }
    row = next(r for r in data["requirements"] if r["id"] == "A-FAIL")
    assert row["outcomes"] == {"xeon-cdp": "fail", "cdp-2": "error", "v1-cat": "pass"}
    assert row["stands_out"] is True
    assert row["failing_with"] == ["cdp"]
    assert row["summary"] == {"pass": 1, "fail": 1, "error": 1}


def test_markdown_puts_verdicts_and_standing_out_before_the_matrix(fleet: Fleet) -> None:
    text = to_fleet_markdown(fleet)
    hosts = text.index("## Hosts")
    standing = text.index("## Standing out (1)")
    matrix = text.index("## Matrix")
    assert hosts < standing < matrix
    assert "| xeon-cdp | cat-l3 cdp cgroup-v1 resctrl | reference 0.1.0 | seed | FAIL |" in text
    assert "**fails only on hosts with cdp**" in text[standing:matrix]
    assert "| xeon-cdp: 1 \\!= 2<br>cdp-2: A-FAIL on cdp-2 | v1-cat |" in text
    assert (
        "| Requirement | Level | xeon-cdp (G1) | cdp-2 (G1) | v1-cat (G2) | Across hosts |" in text
    )
    assert "| `A-FAIL` ⚑ | MUST | **FAIL** | **ERROR** | pass | 1 pass, 1 fail, 1 error |" in text
    assert "| `A-PASS` | MUST | pass | pass | pass | 3 pass |" in text


def test_markdown_escapes_table_cells() -> None:
    reports = [_host("a|b", PLAIN, {}), _host("<c>", PLAIN, {})]
    text = to_fleet_markdown(build_fleet(reports, NOW))
    assert "a\\|b (G1)" in text
    assert "\\<c\\> (G1)" in text
    assert "<c>" not in text
    assert "\x01" not in text


def test_html_is_self_contained(fleet: Fleet) -> None:
    page = to_fleet_html(fleet)
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page
    for external in ("<script", "<link", "src=", "@import", "url(", "http://", "https://"):
        assert external not in page


def test_html_groups_columns_colors_cells_and_highlights_rows(fleet: Fleet) -> None:
    page = to_fleet_html(fleet)
    assert "position: sticky" in page
    heads = re.findall(r'<th class="group" colspan="(\d)" scope="colgroup">([^<]*)</th>', page)
    assert heads == [("2", "cat-l3 cdp cgroup-v1 resctrl"), ("1", "cat-l3 cgroup-v1 resctrl")]
    row = page[page.index('<tr id="req-A-FAIL"') :]
    row = row[: row.index("</tr>")]
    assert 'class="stands-out"' in row
    assert re.findall(r'class="o o-(\w+)', row) == ["fail", "error", "pass"]
    assert "fails only on hosts with cdp" in row
    assert 'class="stands-out"' not in page[page.index('<tr id="req-A-PASS"') :]


def test_html_escapes_what_the_reports_say() -> None:
    reports = [_host("<script>alert(1)</script>", PLAIN, {}), _host("b", CDP, {"A-FAIL": "pass"})]
    page = to_fleet_html(build_fleet(reports, NOW))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "fails &lt;badly&gt; &amp; loudly" in page
    assert "\x01" not in page


def test_write_fleet_writes_three_files(tmp_path: Path, fleet: Fleet) -> None:
    written = write_fleet(fleet, tmp_path / "fleet")
    assert [p.name for p in written] == ["fleet.md", "fleet.html", "fleet.json"]
    assert json.loads(written[-1].read_text())["schema"] == FLEET_SCHEMA
    assert sorted(p.name for p in (tmp_path / "fleet").iterdir()) == [
        "fleet.html",
        "fleet.json",
        "fleet.md",
    ]


def _tall(path: Path, report: Report) -> tuple[Path, Report]:
    """``report`` with 300 requirements: a page much taller than the browser's window."""
    first = report.requirements[0]
    many = tuple(dataclasses.replace(first, id=f"R-{n:03}") for n in range(300))
    return path, dataclasses.replace(report, requirements=many)


@pytest.mark.skipif(unavailable() is not None, reason=str(unavailable()))
def test_html_header_sticks_when_scrolled_in_a_browser(tmp_path: Path) -> None:
    fleet = build_fleet([_tall(*host) for host in _three_hosts()], NOW)
    page = write_fleet(fleet, tmp_path)[1]
    with browser() as driver:
        driver.open(page.as_uri())
        where = driver.evaluate(
            """(() => {
                document.getElementById('req-R-250').scrollIntoView();
                const head = document.querySelector('.matrix thead').getBoundingClientRect();
                const table = document.querySelector('.matrix').getBoundingClientRect();
                const names = [...document.querySelectorAll('.matrix thead tr.names th')];
                return {head: head.top, table: table.top, hosts: names.map(th => th.textContent)};
            })()"""
        )
        assert driver.errors == []
    assert where["table"] < -1000  # scrolled far past the table's start
    assert abs(where["head"]) < 1  # and its head is still at the top of the window
    assert where["hosts"] == ["xeon-cdp", "cdp-2", "v1-cat"]


def test_an_incomplete_run_is_warned_about() -> None:
    fleet = build_fleet([_host("a", PLAIN, {}), _host("b", PLAIN, {}, complete=False)], NOW)
    assert fleet.warnings == ("b: the run did not complete",)
    assert "| b | cat-l3 cgroup-v1 resctrl | reference 0.1.0 | seed | FAIL (incomplete) |" in (
        to_fleet_markdown(fleet)
    )


def test_a_big_fleet_s_markdown_counts_per_feature_group() -> None:
    hosts = [_host(f"cdp-{n}", CDP, {}) for n in range(9)]
    hosts += [_host(f"plain-{n}", PLAIN, {"A-FAIL": "pass", "A-SKIP": "pass"}) for n in range(11)]
    text = to_fleet_markdown(build_fleet(hosts, created_at=NOW))
    matrix = text[text.index("## Matrix") :]
    header = next(line for line in matrix.splitlines() if line.startswith("| Requirement"))
    assert header == "| Requirement | Level | G1 | G2 | Across hosts |", "not 20 host columns"
    (a_fail,) = [line for line in matrix.splitlines() if line.startswith("| `A-FAIL`")]
    assert "| **9 FAIL** | 11 pass |" in a_fail
    assert "cdp-0, cdp-1, cdp-2, cdp-3, cdp-4 and 4 more" in matrix
    standing = text[text.index("## Standing out") : text.index("## Matrix")]
    assert "and 4 more" in standing, "the failing hosts are listed five at a time"
