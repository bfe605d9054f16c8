"""``rtgate requirements`` and ``rtgate presets``: tables for people, JSON for scripts."""

from __future__ import annotations

import argparse
import json

from harness.errors import UsageError
from harness.spec.catalog import Requirement
from harness.spec.catalog import load_catalog
from harness.spec.versions import holds_for
from harness.spec.versions import unknown_release

__all__ = ["list_presets", "list_requirements"]


def list_requirements(args: argparse.Namespace) -> int:
    """Print the requirements (exactly those ``--profile`` holds, if given; of those, the rules
    of runtime-spec ``--oci-version``, if given) sorted by id, each with the release that
    brought it; exit code 0.

    Raises:
        UsageError: unknown profile or runtime-spec release.
        SpecError: the catalog does not load.
    """
    catalog = load_catalog(args.catalog)
    if args.profile is None:
        chosen = sorted(catalog.values(), key=lambda r: r.id)
    elif args.profile in catalog.profiles:
        chosen = catalog.for_profile(args.profile)
    else:
        known = tuple(sorted(catalog.profiles))
        raise UsageError(f"'--profile' must be one of {known} (got {args.profile!r})")
    if args.oci_version is not None:
        chosen = _of_spec_version(chosen, args.oci_version)
    if args.format == "json":
        print(json.dumps([_as_dict(r) for r in chosen], indent=2))
    else:
        print(_table(chosen))
    return 0


def _of_spec_version(requirements: list[Requirement], version: str) -> list[Requirement]:
    """The rules of runtime-spec ``version``: those whose ``spec_version`` it holds (the
    factory API's rules, of no runtime-spec release, are none of them).

    Raises:
        UsageError: ``version`` is not a runtime-spec release.
    """
    wrong = unknown_release(version)
    if wrong is not None:
        raise UsageError(f"'--oci-version' {wrong}")
    return [r for r in requirements if r.spec_version and holds_for(r.spec_version, version)]


def _as_dict(requirement: Requirement) -> dict[str, object]:
    return {
        "id": requirement.id,
        "level": requirement.level,
        "scope": requirement.scope,
        "area": requirement.area,
        "title": requirement.title,
        "source": requirement.source,
        "url": requirement.url,
        "spec_version": requirement.spec_version,
        "profiles": list(requirement.profiles),
        "since": requirement.since,
    }


def _table(requirements: list[Requirement]) -> str:
    if not requirements:
        return "(no requirements)"
    width = max(len(r.id) for r in requirements)
    area = max(len(r.area) for r in requirements)
    since = max(len(r.since) for r in requirements)
    rows = [
        f"{r.id:<{width}}  {r.level:<10}  {r.scope:<3}  {r.area:<{area}}  {r.since:<{since}}"
        f"  {r.title}"
        for r in requirements
    ]
    return "\n".join(rows)


def list_presets(args: argparse.Namespace) -> int:
    """Print the simulated hosts ``rtgate run --preset`` accepts (JSON: with the sources of
    the real machines' values); exit code 0."""
    from harness.fakes import presets

    if args.format == "json":
        found = [
            {**presets.describe(name), "source": presets.SOURCES.get(name, "")}
            for name in presets.PRESETS
        ]
        print(json.dumps(found, indent=2))
        return 0
    width = max(len(name) for name in presets.PRESETS)
    for name, (summary, _) in presets.PRESETS.items():
        mark = " (default)" if name == presets.DEFAULT_PRESET else ""
        print(f"{name:<{width}}  {summary}{mark}")
    return 0
