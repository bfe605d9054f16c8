"""The runtime-spec releases and which rules hold for a bundle's ociVersion
(harness/spec/versions.py)."""

from __future__ import annotations

import pytest

from harness.spec.catalog import load_catalog
from harness.spec.versions import SPEC_RELEASES
from harness.spec.versions import holds_for
from harness.spec.versions import newest
from harness.spec.versions import pinned_skip_reason
from harness.spec.versions import reaches
from harness.spec.versions import semver_key
from harness.spec.versions import unknown_release
from harness.subjects.oci.config import DEFAULT_OCI_VERSION


def test_the_releases_are_in_order_and_hold_the_default_and_every_rule_s() -> None:
    keys = [semver_key(v) for v in SPEC_RELEASES]
    assert None not in keys and keys == sorted(keys)  # type: ignore[type-var]
    assert list(SPEC_RELEASES.values()) == sorted(SPEC_RELEASES.values()), "dates in order"
    assert DEFAULT_OCI_VERSION in SPEC_RELEASES
    used = {r.spec_version for r in load_catalog().values()} - {None}
    assert used <= set(SPEC_RELEASES)


@pytest.mark.parametrize(
    ("version", "wanted", "expected"),
    [
        ("1.3.0", "1.3.0", True),
        ("1.10.0", "1.9.0", True),
        ("1.3.0-rc.1", "1.3.0", False),
        ("1.0.2-dev", "1.0.2", False),
        ("1.0.2-dev", "1.0.1", True),
        ("1.1.0+dev", "1.1.0", True),
        (None, "1.0.0", False),
        ("1.2", "1.0.0", False),
        ("1.2.0", "v1.0.0", False),
    ],
)
def test_reaches_orders_semver_with_pre_releases_below_their_release(
    version: object, wanted: object, expected: bool
) -> None:
    assert reaches(version, wanted) is expected


def test_a_rule_holds_for_its_release_and_later_ones() -> None:
    assert holds_for("1.0.2", "1.0.2") and holds_for("1.0.2", "1.3.0")
    assert not holds_for("1.3.0", "1.2.1")
    assert holds_for(None, "1.0.0"), "a rule of no release (the factory API's) always holds"


def test_newest_leaves_out_what_is_not_a_version() -> None:
    assert newest(["1.0.2", None, "1.3.0", "1.1.0"]) == "1.3.0"
    assert newest([None]) is None and newest([]) is None


def test_a_pinned_run_skips_a_test_of_a_later_rule_naming_both_versions() -> None:
    assert pinned_skip_reason({"A": "1.0.2", "B": None}, "1.0.2") is None
    reason = pinned_skip_reason({"A": "1.0.2", "B": "1.3.0", "C": "1.1.0"}, "1.0.2")
    assert reason == (
        "not of this run's spec version: B (runtime-spec v1.3.0), C (runtime-spec v1.1.0) do"
        " not hold for ociVersion 1.0.2, which this run's bundles declare (--oci-version "
        "1.0.2); run with --oci-version 1.3.0 or later to check it"
    )


def test_an_unknown_release_is_said_with_the_known_ones() -> None:
    assert unknown_release("1.2.1") is None
    assert unknown_release("1.0.2-dev") == (
        "must be a runtime-spec release, one of 1.0.0, 1.0.1, 1.0.2, 1.1.0, 1.2.0, 1.2.1, 1.3.0"
        " (got '1.0.2-dev')"
    )
