"""A fleet: the reports of one runtime on many hosts, side by side, grouped by what they offer.

The question a fleet answers is "where does it fail, and what do those hosts have in common?".
Hosts with identical ``host_features`` form a :class:`FeatureGroup` (a host whose report has no
features forms the group "unknown features", listed last); every requirement gets one outcome
per host (``None`` where the host's profile lacks it).

A requirement *stands out* when it fails (``fail`` or ``error``) on some hosts and passes
(``pass`` or ``xpass``) on others; ``skip``, ``xfail`` and ``untested`` count for neither side,
so a test that only skips where the hardware is missing does not stand out.  For each such
requirement :attr:`FleetRow.failing_with` names the features every failing host has and no
passing host has (``("cdp",)``: "fails only on hosts with cdp"), and
:attr:`FleetRow.failing_without` the features every passing host has and no failing host has
("fails only on hosts without mba"); :func:`~harness.report.features.feature_wording` words
them.
Both are empty when no feature explains the split: then it is the host, not its features.

A host may be given several times, from runs on different dates: reports with the same label
(:func:`host_label`), subject and profile and different ``started_at`` are runs of one *node*
(:class:`FleetRun`), and the node's column shows its latest run.  Each requirement then also
has its history on every node and, per feature group, since when it fails and where it flaps
(:mod:`harness.report.fleet_history`).  The same run given twice (same start time), or two hosts
with the same label and start time, stay two columns, told apart by ``#2``.

The writers of :mod:`harness.report.fleet_writers` turn a :class:`Fleet` into files.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path

from harness.report.features import feature_wording
from harness.report.fleet_history import FAILING
from harness.report.fleet_history import PASSING
from harness.report.fleet_history import GroupFinding
from harness.report.fleet_history import NodeHistory
from harness.report.fleet_history import group_findings
from harness.report.messages import clean_message
from harness.report.model import OUTCOMES
from harness.report.model import Outcome
from harness.report.model import Report
from harness.report.model import RequirementResult
from harness.report.model import RunInfo

__all__ = [
    "FAILING",
    "PASSING",
    "UNKNOWN_FEATURES",
    "FeatureGroup",
    "Fleet",
    "FleetHost",
    "FleetRow",
    "FleetRun",
    "REPORT_FILES",
    "build_fleet",
    "host_label",
    "kernel_of",
]

#: how a group of hosts whose reports list no features is labelled
UNKNOWN_FEATURES = "unknown features"
#: the files of a report directory a fleet report links to, by format, when they exist
REPORT_FILES = {"html": "compliance.html", "md": "compliance.md", "json": "compliance.json"}


@dataclasses.dataclass(frozen=True, slots=True)
class FleetRun:
    """One input report: one run of one node."""

    #: ``<node>@<started_at>``: unique in the fleet
    id: str
    node: str
    #: the compliance.json it was read from
    source: str
    started_at: str
    subject_version: str
    kernel: str
    verdict: str
    complete: bool
    #: format (``html``, ``md``, ``json``) -> path of that file of its report, relative to the
    #: fleet report's directory when that is known; only the files that exist
    links: dict[str, str]


@dataclasses.dataclass(frozen=True, slots=True)
class FleetHost:
    """One input report, as one column of the fleet."""

    label: str
    #: the compliance.json it was read from
    source: str
    subject: str
    subject_version: str
    host: str
    profile: str
    features: tuple[str, ...]
    verdict: str
    complete: bool
    started_at: str
    #: requirement outcome counts of its report
    counts: dict[str, int]
    #: the kernel release its probe recorded (see :func:`kernel_of`)
    kernel: str = "unknown"
    #: the files of its report (see :attr:`FleetRun.links`)
    links: dict[str, str] = dataclasses.field(default_factory=dict)
    #: the ids of the node's runs, oldest first: the last one is this column
    runs: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class FeatureGroup:
    """Hosts that offer exactly the same features."""

    features: tuple[str, ...]
    #: labels of its hosts, in input order
    hosts: tuple[str, ...]

    @property
    def label(self) -> str:
        """``cat-l3 cdp cgroup-v1 resctrl``, or ``unknown features``."""
        return " ".join(self.features) if self.features else UNKNOWN_FEATURES


@dataclasses.dataclass(frozen=True, slots=True)
class FleetRow:
    """One requirement across the fleet."""

    id: str
    level: str
    title: str
    #: one per host, in :attr:`Fleet.hosts` order; None: not in that host's profile
    outcomes: tuple[Outcome | None, ...]
    #: why it did not pass, per label of a host where it failed or errored
    messages: dict[str, str]
    #: fails on some hosts and passes on others (see the module docstring)
    stands_out: bool = False
    failing_with: tuple[str, ...] = ()
    failing_without: tuple[str, ...] = ()
    #: its outcome in every run, one per host in :attr:`Fleet.hosts` order
    history: tuple[NodeHistory, ...] = ()
    #: per feature group where it fails now or flaps: since when, on how many nodes
    findings: tuple[GroupFinding, ...] = ()

    def summary(self) -> dict[str, int]:
        """How many hosts ended in each outcome, in :data:`OUTCOMES` order, zeros left out."""
        counts = {o: sum(1 for x in self.outcomes if x == o) for o in OUTCOMES}
        return {o: n for o, n in counts.items() if n}

    def explanation(self) -> str:
        """The finding in words: ``fails only on hosts with cdp``, or why there is none.

        Each feature in :attr:`failing_with` or :attr:`failing_without` alone tells the
        failing hosts from the passing ones; the first is named, the others follow as equals.
        """
        words = [feature_wording(f, True) for f in self.failing_with]
        words += [feature_wording(f, False) for f in self.failing_without]
        if not words:
            return "no host feature explains which hosts fail"
        text = f"fails only on hosts {words[0]}"
        return text + (f" (equally: {'; '.join(words[1:])})" if len(words) > 1 else "")

    @property
    def flapping(self) -> tuple[str, ...]:
        """The hosts on which it flaps."""
        return tuple(h.node for h in self.history if h.flapping)


@dataclasses.dataclass(frozen=True, slots=True)
class Fleet:
    """Hosts grouped by features, and every requirement across them."""

    #: ordered group by group, input order within a group: the matrix's columns
    hosts: tuple[FleetHost, ...]
    groups: tuple[FeatureGroup, ...]
    #: sorted by requirement id
    rows: tuple[FleetRow, ...]
    #: what makes the hosts less than comparable (different subjects, profiles, ...)
    warnings: tuple[str, ...]
    #: ISO-8601 UTC time the fleet report was made
    created_at: str
    #: every input report, node by node in column order, oldest first
    runs: tuple[FleetRun, ...] = ()

    @property
    def standing_out(self) -> tuple[FleetRow, ...]:
        """The rows whose outcome depends on the host."""
        return tuple(row for row in self.rows if row.stands_out)

    @property
    def has_history(self) -> bool:
        """Whether some host was given more than one run."""
        return any(len(host.runs) > 1 for host in self.hosts)

    @property
    def changing(self) -> tuple[FleetRow, ...]:
        """The rows that fail now on some host or flap on one."""
        return tuple(row for row in self.rows if row.findings)


def host_label(report: Report, source: Path) -> str:
    """The host's name, else its simulated preset, else the name of the report's directory."""
    probe = report.run.host_probe
    for key in ("hostname", "preset"):
        value = probe.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return source.absolute().parent.name or source.stem


def kernel_of(run: RunInfo) -> str:
    """The kernel release the host probe recorded (``describe_real``), ``simulated`` for a
    simulated host (its kernel is rtgate's fake), ``unknown`` when the probe does not say."""
    kernel = run.host_probe.get("kernel")
    if isinstance(kernel, str) and kernel.strip():
        return kernel.strip()
    return "simulated" if run.host == "simulated" else "unknown"


def build_fleet(
    reports: Sequence[tuple[Path, Report]], created_at: str, links_from: Path | None = None
) -> Fleet:
    """The fleet of ``reports``, each with the path it was read from.

    Hosts are labelled by :func:`host_label`; duplicate labels get ``#2``, ``#3``, ...  The
    files of each report that exist beside its ``compliance.json`` are linked relative to
    ``links_from`` (the fleet report's directory), or by their paths as given without it.
    """
    nodes = _nodes(reports)
    labels = _unique([host_label(reports[n[0]][1], reports[n[0]][0]) for n in nodes])
    runs = [
        [_run(label, *reports[index], links_from) for index in members]
        for label, members in zip(labels, nodes, strict=True)
    ]
    hosts = [
        _host(node_runs, reports[members[-1]][1])
        for node_runs, members in zip(runs, nodes, strict=True)
    ]
    groups = _groups(hosts)
    order = {name: i for i, name in enumerate(n for g in groups for n in g.hosts)}
    columns = sorted(range(len(hosts)), key=lambda i: order[hosts[i].label])
    ordered_hosts = tuple(hosts[i] for i in columns)
    # per column, each run of its node (oldest first) and its results by requirement id
    results = [
        [(run, _by_id(reports[index][1])) for run, index in zip(runs[i], nodes[i], strict=True)]
        for i in columns
    ]
    ids = sorted({rid for per_run in results for rid in per_run[-1][1]})
    rows = tuple(_row(rid, results, ordered_hosts, groups) for rid in ids)
    return Fleet(
        hosts=ordered_hosts,
        groups=groups,
        rows=rows,
        warnings=tuple(_warnings(ordered_hosts)),
        created_at=created_at,
        runs=tuple(run for i in columns for run in runs[i]),
    )


def _nodes(reports: Sequence[tuple[Path, Report]]) -> list[list[int]]:
    """The indices of ``reports`` by node, each node's oldest first, nodes in input order.

    Runs of one label, subject and profile are one node's; a run whose start time the node
    already has opens another node of the same label (the same report given twice).
    """
    nodes: list[list[int]] = []
    series: dict[tuple[str, str, str], list[int]] = {}
    for index, (path, report) in sorted(
        enumerate(reports), key=lambda item: item[1][1].run.started_at
    ):
        run = report.run
        key = (host_label(report, path), run.subject, run.profile)
        candidates = series.setdefault(key, [])
        for node in candidates:
            if all(reports[i][1].run.started_at != run.started_at for i in nodes[node]):
                nodes[node].append(index)
                break
        else:
            candidates.append(len(nodes))
            nodes.append([index])
    return sorted(nodes, key=min)


def _by_id(report: Report) -> dict[str, RequirementResult]:
    return {result.id: result for result in report.requirements}


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return unique


def _run(node: str, source: Path, report: Report, links_from: Path | None) -> FleetRun:
    run = report.run
    return FleetRun(
        id=f"{node}@{run.started_at}",
        node=node,
        source=str(source),
        started_at=run.started_at,
        subject_version=run.subject_version,
        kernel=kernel_of(run),
        verdict=report.summary.verdict,
        complete=run.complete,
        links=_links(source, links_from),
    )


def _links(source: Path, links_from: Path | None) -> dict[str, str]:
    """The files of the report at ``source`` that exist: the JSON itself, and the other formats
    beside it when it is a report directory's ``compliance.json``."""
    names = dict(REPORT_FILES) if source.name == REPORT_FILES["json"] else {"json": source.name}
    links = {}
    for kind, name in names.items():
        path = source.parent / name
        if path.is_file():
            where = os.path.relpath(path, links_from) if links_from is not None else str(path)
            links[kind] = Path(where).as_posix()
    return links


def _host(runs: Sequence[FleetRun], latest: Report) -> FleetHost:
    """The column of a node: its latest run."""
    run, last = latest.run, runs[-1]
    return FleetHost(
        label=last.node,
        source=last.source,
        subject=run.subject,
        subject_version=run.subject_version,
        host=run.host,
        profile=run.profile,
        features=tuple(sorted(run.host_features)),
        verdict=latest.summary.verdict,
        complete=run.complete,
        started_at=run.started_at,
        counts={o: n for o, n in latest.summary.counts.items() if n},
        kernel=last.kernel,
        links=last.links,
        runs=tuple(r.id for r in runs),
    )


def _groups(hosts: Sequence[FleetHost]) -> tuple[FeatureGroup, ...]:
    """One group per distinct feature set: known ones sorted, unknown features last."""
    members: dict[tuple[str, ...], list[str]] = {}
    for host in hosts:
        members.setdefault(host.features, []).append(host.label)
    ordered = sorted(members, key=lambda features: (not features, features))
    return tuple(FeatureGroup(features, tuple(members[features])) for features in ordered)


def _row(
    rid: str,
    results: Sequence[Sequence[tuple[FleetRun, dict[str, RequirementResult]]]],
    hosts: Sequence[FleetHost],
    groups: Sequence[FeatureGroup],
) -> FleetRow:
    """Requirement ``rid`` across the hosts (their latest runs) and through their runs."""
    latest = [per_run[-1][1].get(rid) for per_run in results]
    shown = next(r for r in latest if r is not None)
    outcomes = tuple(r.outcome if r else None for r in latest)
    failing = [h.features for h, o in zip(hosts, outcomes, strict=True) if o in FAILING]
    passing = [h.features for h, o in zip(hosts, outcomes, strict=True) if o in PASSING]
    messages = {
        h.label: clean_message(r.message, rid) or r.outcome
        for h, r in zip(hosts, latest, strict=True)
        if r is not None and r.outcome in FAILING
    }
    history = tuple(_history(rid, per_run) for per_run in results)
    row = FleetRow(
        shown.id,
        shown.level,
        shown.title,
        outcomes,
        messages,
        history=history,
        findings=group_findings(history, [(g.label, g.hosts) for g in groups]),
    )
    if not (failing and passing):
        return row
    return dataclasses.replace(
        row,
        stands_out=True,
        failing_with=_only_in(failing, passing),
        failing_without=_only_in(passing, failing),
    )


def _history(
    rid: str, per_run: Sequence[tuple[FleetRun, dict[str, RequirementResult]]]
) -> NodeHistory:
    found = [results.get(rid) for _, results in per_run]
    return NodeHistory(
        node=per_run[-1][0].node,
        outcomes=tuple(r.outcome if r else None for r in found),
        runs=tuple(run.id for run, _ in per_run),
        started=tuple(run.started_at for run, _ in per_run),
    )


def _only_in(
    these: Sequence[tuple[str, ...]], others: Sequence[tuple[str, ...]]
) -> tuple[str, ...]:
    """The features every one of ``these`` has and none of ``others`` has, sorted."""
    shared = set(these[0]).intersection(*these[1:])
    return tuple(sorted(shared.difference(*others)))


def _warnings(hosts: Sequence[FleetHost]) -> list[str]:
    notes = []
    for field, what in (("subject", "subjects"), ("profile", "profiles")):
        values = sorted({getattr(h, field) for h in hosts})
        if len(values) > 1:
            notes.append(f"the reports are of different {what}: {', '.join(values)}")
    versions = sorted({f"{h.subject} {h.subject_version}" for h in hosts})
    if len(versions) > 1 and len({h.subject for h in hosts}) == 1:
        notes.append(f"the reports are of different versions: {', '.join(versions)}")
    notes += [f"{h.label}: the run did not complete" for h in hosts if not h.complete]
    unknown = [h.label for h in hosts if not h.features]
    if unknown:
        notes.append(
            f"no host features recorded for {', '.join(unknown)}: grouped as {UNKNOWN_FEATURES}"
        )
    return notes
