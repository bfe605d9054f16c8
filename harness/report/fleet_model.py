"""A fleet: the reports of one runtime on many hosts, side by side, grouped by what they offer.

The question a fleet answers is "where does it fail, and what do those hosts have in common?".
Hosts with identical ``host_features`` form a :class:`FeatureGroup` (a host whose report has no
features forms the group "unknown features", listed last); every requirement gets one outcome
per host (``None`` where the host's profile lacks it).

A requirement *stands out* when it fails (``fail`` or ``error``) on some hosts and passes
(``pass`` or ``xpass``) on others; ``skip``, ``xfail`` and ``untested`` count for neither side,
so a test that only skips where the hardware is missing does not stand out.  For each such
requirement :attr:`FleetRow.failing_with` names the features every failing host has and no
passing host has ("fails only on CDP parts": ``('cdp',)``), and :attr:`FleetRow.failing_without`
the features every passing host has and no failing host has ("fails only without resctrl").
Both are empty when no feature explains the split: then it is the host, not its features.

The writers of :mod:`harness.report.fleet_writers` turn a :class:`Fleet` into files.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from harness.report.model import OUTCOMES
from harness.report.model import Outcome
from harness.report.model import Report
from harness.report.model import RequirementResult

__all__ = [
    "FAILING",
    "PASSING",
    "UNKNOWN_FEATURES",
    "FeatureGroup",
    "Fleet",
    "FleetHost",
    "FleetRow",
    "build_fleet",
    "host_label",
]

#: outcomes that put a host on the failing side of a standing-out requirement
FAILING: frozenset[Outcome] = frozenset({"fail", "error"})
#: outcomes that put a host on the passing side
PASSING: frozenset[Outcome] = frozenset({"pass", "xpass"})
#: how a group of hosts whose reports list no features is labelled
UNKNOWN_FEATURES = "unknown features"


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

    def summary(self) -> dict[str, int]:
        """How many hosts ended in each outcome, in :data:`OUTCOMES` order, zeros left out."""
        counts = {o: sum(1 for x in self.outcomes if x == o) for o in OUTCOMES}
        return {o: n for o, n in counts.items() if n}

    def explanation(self) -> str:
        """The finding in words: ``fails only with cdp``, or why there is none."""
        parts = []
        if self.failing_with:
            parts.append(f"fails only with {', '.join(self.failing_with)}")
        if self.failing_without:
            parts.append(f"fails only without {', '.join(self.failing_without)}")
        return "; ".join(parts) or "no host feature explains which hosts fail"


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

    @property
    def standing_out(self) -> tuple[FleetRow, ...]:
        """The rows whose outcome depends on the host."""
        return tuple(row for row in self.rows if row.stands_out)


def host_label(report: Report, source: Path) -> str:
    """The host's name, else its simulated preset, else the name of the report's directory."""
    probe = report.run.host_probe
    for key in ("hostname", "preset"):
        value = probe.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return source.absolute().parent.name or source.stem


def build_fleet(reports: Sequence[tuple[Path, Report]], created_at: str) -> Fleet:
    """The fleet of ``reports``, each with the path it was read from.

    Hosts are labelled by :func:`host_label`; duplicate labels get ``#2``, ``#3``, ...
    """
    names = _unique([host_label(r, p) for p, r in reports])
    hosts = [_host(name, path, report) for name, (path, report) in zip(names, reports, strict=True)]
    groups = _groups(hosts)
    order = {name: i for i, name in enumerate(n for g in groups for n in g.hosts)}
    columns = sorted(range(len(hosts)), key=lambda i: order[hosts[i].label])
    ordered_hosts = tuple(hosts[i] for i in columns)
    by_id = [{r.id: r for r in reports[i][1].requirements} for i in columns]
    ids = sorted({rid for results in by_id for rid in results})
    rows = tuple(_row([results.get(rid) for results in by_id], ordered_hosts) for rid in ids)
    return Fleet(
        hosts=ordered_hosts,
        groups=groups,
        rows=rows,
        warnings=tuple(_warnings(ordered_hosts)),
        created_at=created_at,
    )


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return unique


def _host(label: str, source: Path, report: Report) -> FleetHost:
    run = report.run
    return FleetHost(
        label=label,
        source=str(source),
        subject=run.subject,
        subject_version=run.subject_version,
        host=run.host,
        profile=run.profile,
        features=tuple(sorted(run.host_features)),
        verdict=report.summary.verdict,
        complete=run.complete,
        started_at=run.started_at,
        counts={o: n for o, n in report.summary.counts.items() if n},
    )


def _groups(hosts: Sequence[FleetHost]) -> tuple[FeatureGroup, ...]:
    """One group per distinct feature set: known ones sorted, unknown features last."""
    members: dict[tuple[str, ...], list[str]] = {}
    for host in hosts:
        members.setdefault(host.features, []).append(host.label)
    ordered = sorted(members, key=lambda features: (not features, features))
    return tuple(FeatureGroup(features, tuple(members[features])) for features in ordered)


def _row(results: list[RequirementResult | None], hosts: Sequence[FleetHost]) -> FleetRow:
    shown = next(r for r in results if r is not None)
    outcomes = tuple(r.outcome if r else None for r in results)
    failing = [h.features for h, o in zip(hosts, outcomes, strict=True) if o in FAILING]
    passing = [h.features for h, o in zip(hosts, outcomes, strict=True) if o in PASSING]
    messages = {
        h.label: r.message or r.outcome
        for h, r in zip(hosts, results, strict=True)
        if r is not None and r.outcome in FAILING
    }
    row = FleetRow(shown.id, shown.level, shown.title, outcomes, messages)
    if not (failing and passing):
        return row
    return dataclasses.replace(
        row,
        stands_out=True,
        failing_with=_only_in(failing, passing),
        failing_without=_only_in(passing, failing),
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
