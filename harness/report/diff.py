"""What changed between two reports: the question a person asks after upgrading a runtime.

:func:`diff_reports` compares two :class:`~harness.report.model.Report` values requirement by
requirement and sorts every change into exactly one kind, first match wins:

``regression``
    it got worse: a requirement that was ``pass``, ``xpass``, ``xfail`` or ``skip`` is now
    ``fail`` or ``error`` (pass -> fail and pass -> error are the core; xfail -> fail means the
    expectation is gone or expired and the failure counts again; skip -> fail means a test that did
    not run before runs now and fails), or a requirement that was tested before (any outcome
    but ``untested``) is now ``untested``: coverage was lost.  Every level counts: a SHOULD
    that broke is a regression too, even though it does not fail the verdict.
``fix``
    a requirement that was ``fail`` or ``error`` is now ``pass`` or ``xpass``.
``new`` / ``removed``
    the requirement is only in the new / only in the old report (the profile or the catalog
    changed); not a regression even when it fails: the verdict says that.
``other``
    any other change of outcome (pass -> skip, fail -> xfail when an expectation was added,
    fail <-> error, untested -> fail, ...) or of level with the same outcome.

It also says how the verdict changed and which facts of the runs differ (subject, version,
host, preset, host features, profile): comparing different subjects is allowed, and flagged.
The renderers turn a :class:`ReportDiff` into text for a terminal, Markdown, or JSON (schema
``rtgate-diff/1``: ``{"schema", "old": {run}, "new": {run}, "verdict": {"old", "new"},
"run_differences": [{"field", "old", "new"}], "warnings": [text], "counts": {kind: n,
"unchanged": n}, "changes": [{"kind", "id",
"level", "old_level", "title", "old", "new", "message"}]}``, regressions first).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Literal

from harness.report._text import first_line
from harness.report._text import md_cell
from harness.report.model import Outcome
from harness.report.model import Report
from harness.report.model import RequirementResult
from harness.report.model import RunInfo

__all__ = [
    "CHANGE_KINDS",
    "DIFF_FORMATS",
    "DIFF_SCHEMA",
    "ChangeKind",
    "ReportDiff",
    "RequirementChange",
    "RunDifference",
    "RunSide",
    "classify",
    "diff_reports",
    "render_diff",
    "to_diff_json",
    "to_diff_markdown",
    "to_diff_text",
]

DIFF_SCHEMA = "rtgate-diff/1"
ChangeKind = Literal["regression", "fix", "new", "removed", "other"]
#: the kinds in the order every renderer lists them: what needs attention first
CHANGE_KINDS: tuple[ChangeKind, ...] = ("regression", "fix", "new", "removed", "other")

_BAD: frozenset[Outcome] = frozenset({"fail", "error"})
_WAS_FINE: frozenset[Outcome] = frozenset({"pass", "xpass", "xfail", "skip"})
_FIXED: frozenset[Outcome] = frozenset({"pass", "xpass"})
#: what Markdown (GFM) or HTML reads in running text; a backslash makes each one literal
_HEADINGS: dict[ChangeKind, str] = {
    "regression": "Regressions",
    "fix": "Fixes",
    "new": "New requirements",
    "removed": "Removed requirements",
    "other": "Other changes",
}


@dataclasses.dataclass(frozen=True, slots=True)
class RequirementChange:
    """One requirement whose outcome or level differs; ``None`` where a report lacks it."""

    kind: ChangeKind
    id: str
    #: the new level (the old one for a removed requirement)
    level: str
    old_level: str | None
    title: str
    old: Outcome | None
    new: Outcome | None
    #: why it did not pass, from the new report (the old one for a removed requirement)
    message: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class RunDifference:
    """A fact of the two runs that differs, so that the reader knows what was compared."""

    field: str
    old: str
    new: str


@dataclasses.dataclass(frozen=True, slots=True)
class RunSide:
    """What a diff needs to say about one of the two runs."""

    subject: str
    subject_version: str
    host: str
    preset: str | None
    profile: str
    started_at: str
    verdict: str
    complete: bool

    def describe(self) -> str:
        """One line: ``reference 0.1.0, simulated (v1-cat), profile seed, 2025-..., PASS``."""
        where = f"{self.host} ({self.preset})" if self.preset else self.host
        incomplete = ", INCOMPLETE" if not self.complete else ""
        return (
            f"{self.subject} {self.subject_version}, {where}, profile {self.profile}, "
            f"started {self.started_at}, verdict {self.verdict.upper()}{incomplete}"
        )


@dataclasses.dataclass(frozen=True, slots=True)
class ReportDiff:
    """Every change between two reports, by kind, in requirement id order within a kind."""

    old: RunSide
    new: RunSide
    changes: tuple[RequirementChange, ...]
    run_differences: tuple[RunDifference, ...]
    #: requirements in both reports with the same outcome and level
    unchanged: int

    def of_kind(self, kind: ChangeKind) -> tuple[RequirementChange, ...]:
        """The changes of one kind, sorted by requirement id."""
        return tuple(c for c in self.changes if c.kind == kind)

    @property
    def regressions(self) -> tuple[RequirementChange, ...]:
        """What got worse: non-empty makes ``rtgate report diff`` exit 1."""
        return self.of_kind("regression")

    @property
    def verdict_changed(self) -> bool:
        """Whether the two verdicts differ."""
        return self.old.verdict != self.new.verdict

    def counts(self) -> dict[str, int]:
        """How many changes of each kind, every kind present."""
        return {kind: len(self.of_kind(kind)) for kind in CHANGE_KINDS}


def diff_reports(old: Report, new: Report) -> ReportDiff:
    """Compare ``old`` with ``new``, requirement by requirement (see the module docstring)."""
    olds = {r.id: r for r in old.requirements}
    news = {r.id: r for r in new.requirements}
    changes = [_change(olds.get(i), news.get(i)) for i in sorted(olds.keys() | news.keys())]
    found = tuple(c for c in changes if c is not None)
    return ReportDiff(
        old=_side(old),
        new=_side(new),
        changes=tuple(sorted(found, key=lambda c: (CHANGE_KINDS.index(c.kind), c.id))),
        run_differences=_run_differences(old.run, new.run),
        unchanged=sum(1 for i in olds.keys() & news.keys() if _same(olds[i], news[i])),
    )


def classify(old: Outcome | None, new: Outcome | None) -> ChangeKind | None:
    """The kind of change from ``old`` to ``new`` (None: absent); None when nothing changed."""
    if old is None:
        return "new"
    if new is None:
        return "removed"
    if old == new:
        return None
    if (old in _WAS_FINE and new in _BAD) or (old != "untested" and new == "untested"):
        return "regression"
    if old in _BAD and new in _FIXED:
        return "fix"
    return "other"


def _change(
    old: RequirementResult | None, new: RequirementResult | None
) -> RequirementChange | None:
    kind = classify(old.outcome if old else None, new.outcome if new else None)
    if kind is None and old is not None and new is not None and old.level != new.level:
        kind = "other"
    if kind is None:
        return None
    shown = new or old
    assert shown is not None  # one of the two is there: the id came from one of them
    return RequirementChange(
        kind=kind,
        id=shown.id,
        level=shown.level,
        old_level=old.level if old else None,
        title=shown.title,
        old=old.outcome if old else None,
        new=new.outcome if new else None,
        message=shown.message,
    )


def _same(old: RequirementResult, new: RequirementResult) -> bool:
    return old.outcome == new.outcome and old.level == new.level


def _side(report: Report) -> RunSide:
    run = report.run
    return RunSide(
        subject=run.subject,
        subject_version=run.subject_version,
        host=run.host,
        preset=_preset(run),
        profile=run.profile,
        started_at=run.started_at,
        verdict=report.summary.verdict,
        complete=run.complete,
    )


def _preset(run: RunInfo) -> str | None:
    preset = run.host_probe.get("preset")
    return str(preset) if preset is not None else None


#: the facts of a run that make two reports compare different things, and how to read them
_COMPARED: tuple[tuple[str, Callable[[RunInfo], str]], ...] = (
    ("subject", lambda run: run.subject),
    ("subject_version", lambda run: run.subject_version),
    ("host", lambda run: run.host),
    ("preset", lambda run: _preset(run) or "-"),
    ("host_features", lambda run: " ".join(run.host_features) or "(unknown)"),
    ("profile", lambda run: run.profile),
    ("runtime_args", lambda run: " ".join(run.runtime_args) or "(none)"),
    ("oci_version", lambda run: run.oci_version or "(not pinned)"),
    ("strict", lambda run: str(run.strict or run.certify).lower()),
)


def _run_differences(old: RunInfo, new: RunInfo) -> tuple[RunDifference, ...]:
    pairs = ((field, read(old), read(new)) for field, read in _COMPARED)
    return tuple(RunDifference(field, a, b) for field, a, b in pairs if a != b)


def _warnings(diff: ReportDiff) -> list[str]:
    """What makes the comparison less than like for like, one sentence each."""
    notes = []
    fields = {d.field for d in diff.run_differences}
    if "subject" in fields:
        notes.append("the reports are of different subjects: this compares two runtimes")
    if "profile" in fields:
        notes.append("the profiles differ: new and removed requirements may come from that")
    for name, side in (("old", diff.old), ("new", diff.new)):
        if not side.complete:
            notes.append(f"the {name} run did not complete: its outcomes are partial")
    return notes


def _arrow(change: RequirementChange) -> str:
    return f"{change.old or '-'} -> {change.new or '-'}"


def _headline(diff: ReportDiff) -> str:
    counts = diff.counts()
    parts = ", ".join(f"{_HEADINGS[kind].lower()}: {counts[kind]}" for kind in CHANGE_KINDS)
    return f"{parts}; unchanged: {diff.unchanged}"


def to_diff_text(diff: ReportDiff) -> str:
    """For a terminal: the runs, then each change on one line with its message below."""
    lines = [
        f"old: {diff.old.describe()}",
        f"new: {diff.new.describe()}",
        f"verdict: {diff.old.verdict.upper()} -> {diff.new.verdict.upper()}"
        + ("" if diff.verdict_changed else " (unchanged)"),
    ]
    lines += [f"differs: {d.field}: {d.old} -> {d.new}" for d in diff.run_differences]
    lines += [f"warning: {note}" for note in _warnings(diff)]
    lines.append(f"changes: {_headline(diff)}")
    width = max((len(c.id) for c in diff.changes), default=0)
    for kind in CHANGE_KINDS:
        chosen = diff.of_kind(kind)
        if not chosen:
            continue
        lines += ["", f"{_HEADINGS[kind]} ({len(chosen)}):"]
        for change in chosen:
            lines.append(
                f"  {change.id:<{width}}  {change.level:<8}  {_arrow(change):<18}  "
                f"{first_line(change.title)}"
            )
            message = first_line(change.message) if change.new != "pass" else ""
            if message:
                lines.append(f"      {message}")
    return "\n".join(lines) + "\n"


def to_diff_markdown(diff: ReportDiff) -> str:
    """For a pull request or a ticket: the runs, then one table per kind of change."""
    lines = [
        "# rtgate report diff",
        "",
        "| | run |",
        "|---|---|",
        f"| old | {md_cell(diff.old.describe())} |",
        f"| new | {md_cell(diff.new.describe())} |",
        "",
        f"**Verdict:** {diff.old.verdict.upper()} → {diff.new.verdict.upper()}",
        "",
        f"**Changes:** {_headline(diff)}",
    ]
    notes = [f"{d.field} differs: {d.old} → {d.new}" for d in diff.run_differences]
    notes += _warnings(diff)
    if notes:
        lines += ["", *(f"> **Note:** {md_cell(note)}  " for note in notes)]
    for kind in CHANGE_KINDS:
        chosen = diff.of_kind(kind)
        if not chosen:
            continue
        lines += ["", f"## {_HEADINGS[kind]} ({len(chosen)})", ""]
        lines += ["| Requirement | Level | Old | New | Title | Message |", "|---" * 6 + "|"]
        lines += [
            f"| `{c.id}` | {c.level} | {c.old or '—'} | {c.new or '—'} | {md_cell(c.title)} "
            f"| {md_cell(c.message if c.new != 'pass' else None)} |"
            for c in chosen
        ]
    return "\n".join(lines) + "\n"


def to_diff_json(diff: ReportDiff) -> str:
    """For scripts: the shape in the module docstring, full messages, keys in a fixed order."""
    data = {
        "schema": DIFF_SCHEMA,
        "old": dataclasses.asdict(diff.old),
        "new": dataclasses.asdict(diff.new),
        "verdict": {"old": diff.old.verdict, "new": diff.new.verdict},
        "run_differences": [dataclasses.asdict(d) for d in diff.run_differences],
        "warnings": _warnings(diff),
        "counts": {**diff.counts(), "unchanged": diff.unchanged},
        "changes": [dataclasses.asdict(c) for c in diff.changes],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


#: ``--format`` value -> renderer
DIFF_FORMATS: dict[str, Callable[[ReportDiff], str]] = {
    "text": to_diff_text,
    "md": to_diff_markdown,
    "json": to_diff_json,
}


def render_diff(diff: ReportDiff, fmt: str = "text") -> str:
    """``diff`` in the format ``fmt`` names (a key of :data:`DIFF_FORMATS`)."""
    return DIFF_FORMATS[fmt](diff)
