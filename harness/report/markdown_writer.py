"""``compliance.md``: the report as a CI job summary (GitHub's step summary, GitLab).

A person opening a CI job wants the verdict, then what failed it and why, then the rest; so the
page is, in order: a title with the verdict, a loud INCOMPLETE warning for an unfinished run,
the host, expectations and mode, the counts, the requirements that fail the verdict (with the
last commands of their failing tests and the Hypothesis steps), the other non-passing ones,
the requirements expectations hold and the skips (collapsed), and a matrix of outcomes by area.

CI systems cap the size of a summary (GitHub: 1 MiB per step, and long pages are unreadable),
so the page is cut to ``max_bytes``: the header, the counts, the area matrix and a closing
pointer always stay; the items of the sections fill what is left in priority order, and the
page says how many it left out and where to find them (compliance.html, compliance.json).

Everything taken from the report is untrusted text (runtime stderr, assertion messages): it is
stripped of control characters and ANSI escapes, backslash-escaped where Markdown or HTML
could read it, and put in code spans and fences that its own backticks cannot close.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from harness.report._atomic import write_text_atomic
from harness.report._text import clean_text
from harness.report._text import escape_markdown
from harness.report.model import OUTCOMES
from harness.report.model import CommandResult
from harness.report.model import Report
from harness.report.model import RequirementResult
from harness.report.model import RunInfo
from harness.report.model import TestResult
from harness.report.rerun import REPLAY_NOTE
from harness.report.rerun import replay_command
from harness.report.rerun import rerun_command

__all__ = ["to_markdown", "write_markdown"]

#: message lines shown for one failing requirement
MESSAGE_LINES = 20
#: failing tests shown per requirement, and commands per test
TESTS_SHOWN = 3
COMMANDS_SHOWN = 3
#: Hypothesis steps shown per test
STEPS_SHOWN = 40
#: a line of data longer than this is cut
LINE_CHARS = 300
#: requirement ids listed per skip reason
IDS_PER_REASON = 30

# CSI and other ESC sequences, then every C0/C1 control but tab and newline, DEL, and the
# bidirectional overrides that make text read differently from what it is.
_BACKTICKS = re.compile("`+")
_LEFT_OUT = "compliance.html or compliance.json"


def to_markdown(report: Report, max_bytes: int = 60_000) -> str:
    """The report as Markdown of at most ``max_bytes`` UTF-8 bytes (for ``max_bytes`` >= 1000)."""
    head = _header(report) + _counts_table(report)
    tail = _area_matrix(report) + _footer(report.run)
    sections = [
        _Section("### Failing the verdict", _fatal_items(report), closing=()),  # items end blank
        _Section("### Other requirements that did not pass", _other_items(report)),
        _details_section("Held by expectations", _xfail_items(report)),
        _details_section("Skipped", _skip_items(report), "reason"),
    ]
    note_room = 200
    budget = max_bytes - _size(head) - _size(tail) - note_room
    if budget < 0:  # a tiny budget: the matrix goes first, then the header is cut
        tail = _footer(report.run)
        budget = max_bytes - _size(head) - _size(tail) - note_room
    body, omitted = _fit(sections, budget)
    if omitted:
        body.append(f"_{omitted} more item(s) left out to keep this page short: see {_LEFT_OUT}._")
        body.append("")
    text = "\n".join(head + body + tail).rstrip("\n") + "\n"
    return _clip(text, max_bytes)


def write_markdown(report: Report, path: str | os.PathLike[str]) -> Path:
    """Write :func:`to_markdown` to ``path`` atomically."""
    return write_text_atomic(path, to_markdown(report))


# --- the sections -----------------------------------------------------------------------------


class _Section:
    """A heading (and closing lines) around items that are kept or left out whole."""

    def __init__(
        self, heading: str, items: list[list[str]], closing: Iterable[str] = ("",)
    ) -> None:
        self.opening = [heading, ""]
        self.items = items
        self.closing = [*closing]


def _details_section(what: str, items: list[list[str]], unit: str = "") -> _Section:
    """A collapsed section; its summary is rtgate's own text, never the report's."""
    count = f"{len(items)} {unit}(s)" if unit else str(len(items))
    summary = f"<details><summary>{what} ({count})</summary>"
    return _Section(summary, items, ["", "</details>", ""])


def _fit(sections: list[_Section], budget: int) -> tuple[list[str], int]:
    """The sections' lines within ``budget`` bytes, items in order; and how many were left out.

    The first item that does not fit ends the page: a later, smaller item must not appear
    while a more important one is missing.
    """
    lines: list[str] = []
    omitted = 0
    for section in sections:
        if not section.items:
            continue
        if omitted:
            omitted += len(section.items)
            continue
        room = budget - _size(section.opening) - _size(section.closing)
        kept: list[str] = []
        for index, item in enumerate(section.items):
            if _size(item) > room:
                omitted += len(section.items) - index
                break
            kept.extend(item)
            room -= _size(item)
        if kept:
            lines.extend(section.opening + kept + section.closing)
            budget -= _size(section.opening) + _size(kept) + _size(section.closing)
    return lines, omitted


def _header(report: Report) -> list[str]:
    run, summary = report.run, report.summary
    verdict = summary.verdict.upper()
    if not run.complete:
        verdict = f"INCOMPLETE (so far {verdict})"
    version = run.subject_version if run.subject_version not in ("", "unknown") else ""
    subject = _inline(f"{run.subject} {version}".strip() if version else run.subject)
    if not version:
        subject += " (version unknown)"
    lines = [f"## rtgate: {verdict} — {subject} on {_inline(run.host)} ({_inline(run.profile)})"]
    lines.append("")
    if not run.complete:
        lines += [
            "> [!WARNING]",
            f"> **INCOMPLETE**: {run.unfinished}. The report holds only",
            "> the tests that had finished, and its verdict is not a gate's answer.",
            "",
        ]
    lines += [f"- **Host:** {_host(run)}", f"- **Expectations:** {_expectations(run)}"]
    if run.runtime_args:
        flags = " ".join(_code(flag) for flag in run.runtime_args)
        lines.append(f"- **Runtime flags:** {flags} (before every command)")
    if run.oci_version:
        lines.append(
            f"- **ociVersion:** {_code(run.oci_version)} in every bundle (`--oci-version`);"
            " rules of later runtime-spec releases skipped"
        )
    if run.host_probe.get("runtime_probe"):
        lines.append(f"- **Runtime probe:** {_inline(str(run.host_probe['runtime_probe']))}")
    lines += [f"- **Verdict failed:** {_inline(note)}" for note in summary.verdict_notes]
    if run.selected:
        lines.append(
            f"- **Selection:** {len(run.selected)} requirement(s) (`--requirement`, or the"
            " tests chosen); the verdict is theirs alone"
        )
    strict = "yes (implied by certify)" if run.certify and not run.strict else _yes(run.strict)
    mode = f"strict: {strict}, certify: {_yes(run.certify)}"
    lines.append(f"- **Mode:** {mode}; rtgate {_inline(run.rtgate_version)}")
    started = _inline(run.started_at)
    lines.append(f"- **Run:** started {started}, {run.duration_s:.1f} s")
    lines.append("")
    return lines


def _host(run: RunInfo) -> str:
    probe = run.host_probe
    topology = probe.get("topology") if isinstance(probe.get("topology"), dict) else {}
    if probe.get("preset"):
        host = f"{run.host}, preset {probe['preset']}"
        if probe.get("summary"):
            host += f": {probe['summary']}"
    elif probe.get("kernel"):
        mode = probe.get("cgroup_mode") or topology.get("cgroup_mode") or "unknown"
        host = f"{run.host}, kernel {probe['kernel']}, cgroups {mode}"
    else:
        host = run.host
    features = ", ".join(run.host_features) if run.host_features else "none recorded"
    return f"{_inline(host)}; features: {_inline(features)}"


def _expectations(run: RunInfo) -> str:
    if not run.expectations:
        return "none"
    path = str(run.expectations.get("path", "?"))
    digest = str(run.expectations.get("sha256", ""))[:12]
    return f"{_code(path)} (sha256 {_code(digest)}…)" if digest else _code(path)


def _counts_table(report: Report) -> list[str]:
    summary = report.summary
    rows = [
        ("requirements", len(report.requirements), summary.counts),
        ("tests", len(report.tests), summary.test_counts),
    ]
    lines = ["| | total | " + " | ".join(OUTCOMES) + " |", "|---" * (len(OUTCOMES) + 2) + "|"]
    for name, total, counts in rows:
        cells = " | ".join(str(counts.get(outcome, 0)) for outcome in OUTCOMES)
        lines.append(f"| {name} | {total} | {cells} |")
    return lines + [""]


def _area_matrix(report: Report) -> list[str]:
    areas = sorted({r.area for r in report.requirements})
    if not areas:
        return []
    counts = {(r.area, r.outcome): 0 for r in report.requirements}
    for result in report.requirements:
        counts[(result.area, result.outcome)] += 1
    columns = [o for o in OUTCOMES if any((a, o) in counts for a in areas)]
    lines = ["### By area", "", "| area | " + " | ".join(columns) + " |"]
    lines.append("|---" * (len(columns) + 1) + "|")
    for area in areas:
        cells = " | ".join(str(counts.get((area, o), 0) or "·") for o in columns)
        lines.append(f"| {_inline(area)} | {cells} |")
    return lines + [""]


def _footer(run: RunInfo) -> list[str]:
    lines = [
        "---",
        "",
        "Full report: compliance.html, compliance.json, junit.xml, compliance.ktap.",
    ]
    if run.command:
        lines += ["", f"Run again: {_code(run.command)}"]
    return lines


# --- the items --------------------------------------------------------------------------------


def _fatal_items(report: Report) -> list[list[str]]:
    """What fails the verdict: failures and errors, then untested, then (strict) xpasses."""
    strict = report.run.strict or report.run.certify
    failing = [r for r in report.requirements if r.fails_verdict(strict)]
    order = {"fail": 0, "error": 0, "untested": 1, "xpass": 2}
    failing.sort(key=lambda r: (order.get(r.outcome, 3), r.id))
    tests = {t.nodeid: t for t in report.tests}
    return [_fatal_item(r, tests, report.run.command) for r in failing]


def _fatal_item(result: RequirementResult, tests: dict[str, TestResult], command: str) -> list[str]:
    lines = [f"#### {_requirement_line(result)}", ""]
    source = _link(result.source, result.url)
    if result.spec_version:
        source += f" (runtime-spec {_inline(result.spec_version)})"
    lines += [f"Source: {source}", ""]
    if result.outcome == "untested" and not result.tests:
        return lines + ["No test checks this requirement, and untested is never a pass.", ""]
    if result.checks is not None:
        lines += [f"Checks: {result.checks.summary}.", ""]
    if result.expectation is not None:
        lines += [f"Expected to fail: {_expectation(result)}; it passed (strict mode).", ""]
    if result.message:
        lines += _fence(_first_lines(result.message, MESSAGE_LINES)) + [""]
    rerun = rerun_command(command, [result.id]) if result.outcome in ("fail", "error") else None
    if rerun:
        lines += [f"Rerun: {_code(rerun)}", ""]
    failing = [
        tests[n]
        for n in result.tests
        if n in tests and tests[n].outcome_for(result.id) in ("fail", "error", "xpass", "untested")
    ]
    for test in failing[:TESTS_SHOWN]:
        lines += _test_lines(test, result)
    if len(failing) > TESTS_SHOWN:
        lines += [f"_… and {len(failing) - TESTS_SHOWN} more failing test(s)._", ""]
    return lines


def _test_lines(test: TestResult, result: RequirementResult) -> list[str]:
    outcome = test.outcome_for(result.id)
    lines = [f"**Test** {_code(test.nodeid)}: {outcome}, {test.duration_s:.2f} s", ""]
    first = _first_lines(test.message or "", 1)
    if first and first != _first_lines(result.message or "", 1):
        lines += [f"> {_inline(first)}", ""]
    if test.commands:
        lines += _fence(_commands(test.commands, test.commands_omitted)) + [""]
    return lines + _hypothesis_lines(test)


def _hypothesis_lines(test: TestResult) -> list[str]:
    """The failing sequence in a fence and the line that replays it, as far as they are known."""
    if test.hypothesis is None:
        return []
    lines: list[str] = []
    steps = test.hypothesis.steps
    if steps:
        shown = "\n".join(steps[:STEPS_SHOWN])
        if len(steps) > STEPS_SHOWN:
            shown += f"\n# ... {len(steps) - STEPS_SHOWN} more steps"
        lines += ["Hypothesis found this failing sequence:", ""] + _fence(shown, "python") + [""]
    replay = replay_command(test)
    if replay:
        lines += [f"Replay it: {_code(replay)} ({REPLAY_NOTE})", ""]
    return lines


def _commands(commands: tuple[CommandResult, ...], omitted: int) -> str:
    shown = commands[-COMMANDS_SHOWN:]
    earlier = omitted + len(commands) - len(shown)
    lines = [f"# ... {earlier} earlier command(s)"] if earlier else []
    for command in shown:
        status = command.status
        lines.append(f"$ {' '.join(command.argv)}    # {status}, {command.duration_s:.2f} s")
        stderr = [line for line in command.stderr_tail.splitlines() if line.strip()]
        if stderr:
            lines.append(f"  stderr: {stderr[-1]}")
    return "\n".join(lines)


def _other_items(report: Report) -> list[list[str]]:
    """Non-passing requirements that do not fail the verdict: SHOULD/MAY failures, xpasses."""
    strict = report.run.strict or report.run.certify
    others = [
        r
        for r in report.requirements
        if r.outcome in ("fail", "error", "xpass") and not r.fails_verdict(strict)
    ]
    return [[_brief_line(r)] for r in sorted(others, key=lambda r: (r.outcome, r.id))]


def _xfail_items(report: Report) -> list[list[str]]:
    xfails = sorted((r for r in report.requirements if r.outcome == "xfail"), key=lambda r: r.id)
    return [[_brief_line(r)] for r in xfails]


def _brief_line(result: RequirementResult) -> str:
    """One list line: level, id, outcome, title, and the expectation or the first message line."""
    line = f"- {_requirement_line(result)}"
    if result.expectation is not None:
        passed = " but passed" if result.outcome == "xpass" else ""
        return line + f": expected to fail ({_expectation(result)}){passed}"
    if result.message:
        return line + f": {_inline(_first_lines(result.message, 1))}"
    return line


def _skip_items(report: Report) -> list[list[str]]:
    """One item per skip reason, with the requirements it skipped."""
    by_reason: dict[str, list[str]] = {}
    for result in sorted(report.requirements, key=lambda r: r.id):
        if result.outcome == "skip":
            reason = _first_lines(result.message or "", 1) or "(no reason given)"
            by_reason.setdefault(reason, []).append(result.id)
    items = []
    for reason, ids in sorted(by_reason.items(), key=lambda pair: (-len(pair[1]), pair[0])):
        shown = ", ".join(_code(i) for i in ids[:IDS_PER_REASON])
        more = f" and {len(ids) - IDS_PER_REASON} more" if len(ids) > IDS_PER_REASON else ""
        items.append([f"- {_inline(reason)} ({len(ids)}): {shown}{more}"])
    return items


def _requirement_line(result: RequirementResult) -> str:
    level, outcome = _inline(result.level), result.outcome.upper()
    return f"**{level}** {_code(result.id)} {outcome}: {_inline(result.title)}"


def _expectation(result: RequirementResult) -> str:
    expectation = result.expectation
    assert expectation is not None
    text = _inline(expectation.reason)
    if expectation.link:
        text += f", {_link('tracked here', expectation.link)}"
    if expectation.expires:
        text += f", expires {_inline(expectation.expires)}"
    return text


# --- safe Markdown ----------------------------------------------------------------------------


def _inline(text: str) -> str:
    """Running text: one line, bounded, with every character Markdown or HTML reads escaped."""
    flat = " ".join(clean_text(text).split())
    return escape_markdown(_cut(flat, LINE_CHARS))


def _code(text: str) -> str:
    """A code span its own backticks cannot close (not for table cells: ``|`` is not escaped)."""
    flat = _cut(" ".join(clean_text(text).split()), LINE_CHARS)
    longest = max((len(run) for run in _BACKTICKS.findall(flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _fence(text: str, info: str = "text") -> list[str]:
    """A fenced block longer than any backtick run inside it, so the text cannot end it."""
    body = "\n".join(_cut(line, LINE_CHARS) for line in clean_text(text).splitlines())
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{info}", *body.splitlines(), fence]


def _link(text: str, url: str | None) -> str:
    """A link for an http(s) URL, plain text otherwise (no ``javascript:`` and the like)."""
    if not url or not re.match(r"https?://", url):
        return _inline(text)
    safe = quote(clean_text(url), safe="/:?#&=%+,;@!$*'~.-_")
    return f"[{_inline(text)}]({safe.replace('(', '%28').replace(')', '%29')})"


def _first_lines(text: str, count: int) -> str:
    lines = clean_text(text).strip().splitlines()
    shown = "\n".join(lines[:count])
    if count > 1 and len(lines) > count:
        shown += f"\n... {len(lines) - count} more line(s) in compliance.json"
    return shown


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _size(lines: list[str]) -> int:
    return sum(len(line.encode()) + 1 for line in lines)


def _clip(text: str, max_bytes: int) -> str:
    """A last guard for tiny budgets: the whole lines that fit, then a pointer to the rest.

    Only the header can be cut here (the sections were fitted before), so no fence is broken.
    """
    if len(text.encode()) <= max_bytes:
        return text
    note = f"_Cut to {max_bytes} bytes: see {_LEFT_OUT}._\n"
    kept = text.encode()[: max(max_bytes - len(note), 0)].decode(errors="ignore")
    return kept[: kept.rfind("\n") + 1] + note
