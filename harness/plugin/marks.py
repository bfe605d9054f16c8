"""The ``requirement`` marker: checked at collection, used to select tests, carried to reports.

- an id that is not in the catalog makes the test's module a collection error;
- a test whose ids all lie outside the selected profile checks nothing that counts, so it is
  deselected (tests without the marker are left alone: they are not conformance tests);
- a test (or a parametrized case) marked ``needs(*ids)`` exercises a feature those rules
  bring (cgroup v2, closID): it is deselected under a profile that does not hold every one of
  them, as the release the profile stands for lacks the feature;
- under ``--oci-version`` a kept test of a rule of a later runtime-spec release than the
  version every bundle declares is skipped, saying so (harness/spec/versions.py): the rule
  does not hold for those bundles, and a skip is never a pass;
- the ids of every kept test go to ``item.user_properties`` as ``("requirement", id)``, which
  pytest-xdist ships to the controller and JUnit writers print, and tests may add
  ``("violates", id)`` through :func:`record_violation` to blame a failure on a requirement.
"""

from __future__ import annotations

import difflib
from collections.abc import Generator
from typing import Any

import pytest

from harness.plugin.keys import options_key
from harness.plugin.keys import requirements_key
from harness.plugin.options import RunOptions
from harness.spec.catalog import Catalog
from harness.spec.versions import newest
from harness.spec.versions import pinned_skip_reason

__all__ = [
    "MARKER_HELP",
    "NEEDS_HELP",
    "RequirementMarks",
    "known_requirement",
    "needed_ids",
    "record_violation",
    "requirement_ids",
    "rule_spec_version",
]

MARKER_HELP = (
    "requirement(*ids): the catalog requirements this test checks; "
    "tests whose ids are all outside --rtgate-profile are deselected"
)

NEEDS_HELP = (
    "needs(*ids): the case exercises a feature these catalog requirements bring; it is "
    "deselected under a profile that does not hold them all"
)

#: the ids of an item's ``needs`` marks, checked as it is collected
_needs_key = pytest.StashKey[set[str]]()


class RequirementMarks:
    """Collection-time half of the plugin: validation, deselection, user properties."""

    def __init__(self, options: RunOptions) -> None:
        self.catalog = options.catalog
        self.in_profile = {r.id for r in options.profile_requirements()}
        #: ``--requirement``: a test runs only for one of these (empty: every test)
        self.selected = set(options.selected)
        #: ``--oci-version``: the ociVersion every bundle of the run declares (None: not pinned)
        self.pinned = options.oci_version

    @pytest.hookimpl(wrapper=True)
    def pytest_pycollect_makeitem(
        self, collector: pytest.Collector, name: str, obj: object
    ) -> Generator[None, Any, Any]:
        result = yield
        made = result if isinstance(result, list) else [result]
        for item in made:
            if isinstance(item, pytest.Item):
                item.stash[requirements_key] = requirement_ids(item, self.catalog)
                item.stash[_needs_key] = needed_ids(item, self.catalog)
        return result

    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        kept: list[pytest.Item] = []
        dropped: list[pytest.Item] = []
        for item in items:
            ids = item.stash.get(requirements_key, None)
            if ids is None:  # not made by the Python collector: check it now
                ids = item.stash[requirements_key] = requirement_ids(item, self.catalog)
            if ids and self.in_profile.isdisjoint(ids):
                dropped.append(item)
                continue
            if self.selected and self.selected.isdisjoint(ids):
                dropped.append(item)
                continue
            needed = item.stash.get(_needs_key, None)
            if needed is None:
                needed = item.stash[_needs_key] = needed_ids(item, self.catalog)
            if not self.in_profile.issuperset(needed):
                dropped.append(item)
                continue
            kept.append(item)
            self.skip_later_rules(item, ids)
            for req_id in ids:
                item.user_properties.append(("requirement", req_id))
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept

    def skip_later_rules(self, item: pytest.Item, ids: tuple[str, ...]) -> None:
        """Under ``--oci-version``, a skip for a test of a rule its bundles do not hold to."""
        if self.pinned is None:
            return
        rules = {req_id: self.catalog[req_id].spec_version for req_id in ids}
        reason = pinned_skip_reason(rules, self.pinned)
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))


def rule_spec_version(node: pytest.Item) -> str | None:
    """The newest runtime-spec release the requirements of ``node`` come from (the catalog's
    ``spec_version``); None when none names one, or outside an rtgate run."""
    options = node.config.stash.get(options_key, None)
    if options is None:
        return None
    ids = node.stash.get(requirements_key, ())
    return newest(options.catalog[i].spec_version for i in ids if i in options.catalog)


def requirement_ids(item: pytest.Item, catalog: Catalog) -> tuple[str, ...]:
    """The ids of every ``requirement`` mark on ``item`` (its own, its class's, its module's).

    Raises:
        pytest.Collector.CollectError: a mark without ids, or an id not in the catalog.
    """
    ids: list[str] = []
    for mark in item.iter_markers("requirement"):
        if not mark.args:
            raise pytest.Collector.CollectError(
                f"{item.nodeid}: @pytest.mark.requirement() needs at least one requirement id"
            )
        for req_id in mark.args:
            if not isinstance(req_id, str) or req_id not in catalog:
                raise pytest.Collector.CollectError(
                    f"{item.nodeid}: 'requirement' must be an id of the catalog {catalog.path}"
                    f" (got {req_id!r}){_did_you_mean(req_id, catalog)}"
                )
            ids.append(req_id)
    return tuple(sorted(set(ids)))


def needed_ids(item: pytest.Item, catalog: Catalog) -> set[str]:
    """The ids of every ``needs`` mark on ``item``.

    Raises:
        pytest.Collector.CollectError: an id not in the catalog.
    """
    ids: set[str] = set()
    for mark in item.iter_markers("needs"):
        for req_id in mark.args:
            if not isinstance(req_id, str) or req_id not in catalog:
                raise pytest.Collector.CollectError(
                    f"{item.nodeid}: 'needs' must name ids of the catalog {catalog.path}"
                    f" (got {req_id!r}){_did_you_mean(req_id, catalog)}"
                )
            ids.add(req_id)
    return ids


def record_violation(item_or_request: pytest.Item | pytest.FixtureRequest, req_id: str) -> None:
    """Blame the current test's failure on ``req_id`` as well (call it before failing).

    The id reaches the report as a failing test of that requirement, even when the test
    declares other requirements.  Recording the same id twice records it once.

    Raises:
        ValueError: ``req_id`` is not an id of the run's catalog.
    """
    node = getattr(item_or_request, "node", item_or_request)
    known_requirement(node, req_id)
    entry = ("violates", req_id)
    if entry not in node.user_properties:
        node.user_properties.append(entry)


def known_requirement(node: pytest.Item, req_id: str) -> None:
    """Check that a test names an id of the run's catalog in a check or a violation.

    Raises:
        ValueError: ``req_id`` is not an id of the run's catalog.
    """
    options = node.config.stash.get(options_key, None)
    if options is not None and req_id not in options.catalog:
        raise ValueError(
            f"'req_id' must be an id of the catalog {options.catalog.path} (got {req_id!r})"
        )


def _did_you_mean(req_id: object, catalog: Catalog) -> str:
    if not isinstance(req_id, str):
        return ""
    close = difflib.get_close_matches(req_id, list(catalog), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""
