"""``fleet.md``: a fleet report for a CI summary or a terminal, most urgent first.

Hosts and their verdicts, the requirements that stand out (fail on some hosts only) with the
features that explain it, the history of every requirement that fails now or flaps (when
hosts were given several runs), the matrix, and every run with its report.  Every value from a
report goes through :func:`harness.report._text.md_cell`; links to the runs' own reports are
relative to the fleet report's directory (see :attr:`harness.report.fleet_model.FleetRun.links`).
"""

from __future__ import annotations

import urllib.parse
from collections import Counter
from collections.abc import Mapping
from collections.abc import Sequence

from harness.report._text import md_cell
from harness.report.fleet_history import FAILING
from harness.report.fleet_history import PASSING
from harness.report.fleet_history import NodeHistory
from harness.report.fleet_model import Fleet
from harness.report.fleet_model import FleetHost
from harness.report.fleet_model import FleetRow
from harness.report.fleet_model import FleetRun

__all__ = ["MAX_HOST_COLUMNS", "MAX_LISTED", "MISSING", "summary_text", "to_fleet_markdown"]

#: what a cell shows for a requirement not in a host's profile
MISSING = "—"
#: more hosts than this and fleet.md's matrix has one column per feature group instead
MAX_HOST_COLUMNS = 12
#: hosts named in one cell of fleet.md before "and N more"
MAX_LISTED = 5


def summary_text(row: FleetRow) -> str:
    """``1 pass, 1 fail, 1 error``: a row's outcomes counted over its hosts."""
    return ", ".join(f"{n} {o}" for o, n in row.summary().items())


def _cell(outcome: str | None) -> str:
    if outcome is None:
        return MISSING
    return f"**{outcome.upper()}**" if outcome in FAILING else outcome


def to_fleet_markdown(fleet: Fleet) -> str:
    """Verdicts per host, what stands out, history, the matrix, then every run."""
    lines = [
        "# rtgate fleet report",
        "",
        f"Made {fleet.created_at} from {len(fleet.runs)} reports of {len(fleet.hosts)} hosts.",
    ]
    if fleet.warnings:
        lines += ["", *(f"> **Warning:** {md_cell(w)}  " for w in fleet.warnings)]
    lines += _md_hosts(fleet) + _md_standing_out(fleet) + _md_history(fleet) + _md_matrix(fleet)
    if fleet.has_history:
        lines += _md_runs(fleet)
    return "\n".join(lines) + "\n"


def _verdict(run: FleetHost | FleetRun) -> str:
    """``FAIL``, or ``FAIL (incomplete)`` for an interrupted run."""
    return run.verdict.upper() + ("" if run.complete else " (incomplete)")


def _links(links: Mapping[str, str]) -> str:
    """``[html](../a/compliance.html) [md](...) [json](...)``: the files that exist."""
    return " ".join(f"[{kind}]({urllib.parse.quote(path)})" for kind, path in links.items())


def _md_hosts(fleet: Fleet) -> list[str]:
    heads = ("Host", "Features", "Subject", "Profile", "Verdict", "Kernel", "Runtime", "Runs")
    lines = ["", "## Hosts", "", f"| {' | '.join(heads)} | Report |", "|---" * 9 + "|"]
    for host in fleet.hosts:
        verdict = _verdict(host)
        report = _links(host.links) or md_cell(host.source)
        lines.append(
            f"| {md_cell(host.label)} | {md_cell(' '.join(host.features) or 'unknown')} "
            f"| {md_cell(host.subject)} {md_cell(host.subject_version)} | {md_cell(host.profile)} "
            f"| {verdict} | {md_cell(host.kernel)} | {md_cell(host.subject_version)} "
            f"| {len(host.runs)} | {report} |"
        )
    return lines


def _md_standing_out(fleet: Fleet) -> list[str]:
    rows = fleet.standing_out
    lines = ["", f"## Standing out ({len(rows)})", ""]
    if not rows:
        return [*lines, "No requirement fails on some hosts and passes on others."]
    lines += [
        "Requirements that fail on some hosts and pass on others, and what the failing hosts "
        "have in common.",
        "",
        "| Requirement | Level | Finding | Failing on | Passing on |",
        "|---" * 5 + "|",
    ]
    for row in rows:
        failing = _first([f"{md_cell(h)}: {md_cell(m)}" for h, m in row.messages.items()])
        passing = _some(
            [h.label for h, o in zip(fleet.hosts, row.outcomes, strict=True) if o in PASSING]
        )
        lines.append(
            f"| `{row.id}` {md_cell(row.title)} | {row.level} | **{md_cell(row.explanation())}** "
            f"| {failing} | {passing} |"
        )
    return lines


def _md_history(fleet: Fleet) -> list[str]:
    """Per requirement failing now or flapping, and per group: since when, where it flaps."""
    rows = fleet.changing
    lines = ["", f"## History ({len(rows)})", ""]
    if not fleet.has_history:
        return [*lines, "Each host was given one run: there is no history to show."]
    if not rows:
        return [*lines, "No requirement fails in a host's latest run or flaps."]
    lines += [
        "Requirements failing in a host's latest run or flapping, per group of hosts; each "
        "host's outcomes run oldest first.",
        "",
        "| Requirement | Group | Finding | Runs |",
        "|---" * 4 + "|",
    ]
    for row in rows:
        by_node = {history.node: history for history in row.history}
        for finding in row.findings:
            group = next(g for g in fleet.groups if g.label == finding.group)
            shown = _first([_sequence(by_node[node]) for node in group.hosts if node in by_node])
            lines.append(
                f"| `{row.id}` | {md_cell(finding.group)} | **{md_cell(finding.sentence())}** "
                f"| {shown} |"
            )
    return lines


def _sequence(history: NodeHistory) -> str:
    """``node-7: pass → **FAIL** → pass``."""
    return f"{md_cell(history.node)}: " + " → ".join(_cell(o) for o in history.outcomes)


def _md_matrix(fleet: Fleet) -> list[str]:
    group_of = {label: i for i, g in enumerate(fleet.groups, 1) for label in g.hosts}
    lines = ["", "## Matrix", ""]
    lines += [
        f"- **G{i}** ({md_cell(g.label)}): {_some(g.hosts)}" for i, g in enumerate(fleet.groups, 1)
    ]
    if len(fleet.hosts) > MAX_HOST_COLUMNS:
        return lines + _md_group_matrix(fleet)
    heads = [f"{md_cell(h.label)} (G{group_of[h.label]})" for h in fleet.hosts]
    lines += ["", f"| Requirement | Level | {' | '.join(heads)} | Across hosts |"]
    lines.append("|---" * (len(heads) + 3) + "|")
    for row in fleet.rows:
        mark = " ⚑" if row.stands_out else ""
        cells = " | ".join(_cell(o) for o in row.outcomes)
        lines.append(f"| `{row.id}`{mark} | {row.level} | {cells} | {summary_text(row)} |")
    return lines


def _md_group_matrix(fleet: Fleet) -> list[str]:
    """One column per feature group, each cell the outcomes of its hosts counted: a fleet of
    hundreds of hosts does not fit one column per host (compliance.html and fleet.json have
    every host)."""
    column = {
        h.label: i for i, g in enumerate(fleet.groups) for h in fleet.hosts if h.label in g.hosts
    }
    heads = [f"G{i}" for i in range(1, len(fleet.groups) + 1)]
    lines = [
        "",
        f"{len(fleet.hosts)} hosts: one column per group of hosts with the same features.",
        "",
        f"| Requirement | Level | {' | '.join(heads)} | Across hosts |",
        "|---" * (len(heads) + 3) + "|",
    ]
    for row in fleet.rows:
        per_group: list[Counter[str]] = [Counter() for _ in fleet.groups]
        for host, outcome in zip(fleet.hosts, row.outcomes, strict=True):
            per_group[column[host.label]][outcome or MISSING] += 1
        cells = " | ".join(_counted(c) for c in per_group)
        mark = " ⚑" if row.stands_out else ""
        lines.append(f"| `{row.id}`{mark} | {row.level} | {cells} | {summary_text(row)} |")
    return lines


def _counted(outcomes: Counter[str]) -> str:
    """``38 pass, **2 FAIL**``: failures first and loud."""
    order = sorted(outcomes, key=lambda o: (o not in FAILING, o))
    return ", ".join(
        f"**{outcomes[o]} {o.upper()}**" if o in FAILING else f"{outcomes[o]} {o}" for o in order
    )


def _md_runs(fleet: Fleet) -> list[str]:
    """Every input report, host by host, oldest first, with its own report's files."""
    lines = ["", f"## Runs ({len(fleet.runs)})", ""]
    lines += ["| Host | Started | Runtime | Kernel | Verdict | Report |", "|---" * 6 + "|"]
    for run in fleet.runs:
        verdict = _verdict(run)
        lines.append(
            f"| {md_cell(run.node)} | {md_cell(run.started_at)} | {md_cell(run.subject_version)} "
            f"| {md_cell(run.kernel)} | {verdict} | {_links(run.links) or md_cell(run.source)} |"
        )
    return lines


def _some(labels: Sequence[str]) -> str:
    """Host labels for a line of text: the first few, then how many more."""
    return _first([md_cell(label) for label in labels], ", ", " ")


def _first(items: Sequence[str], joint: str = "<br>", before_more: str = "<br>") -> str:
    """The first :data:`MAX_LISTED` of ``items`` (Markdown already), then how many more."""
    text = joint.join(items[:MAX_LISTED])
    more = len(items) - MAX_LISTED
    return text + (f"{before_more}and {more} more" if more > 0 else "")
