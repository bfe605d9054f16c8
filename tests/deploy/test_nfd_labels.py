"""The NFD label table, and every checked-in file that must agree with it: the docs' table,
the NodeFeatureRule, the Job's and DaemonSet's node choice and ``--require``."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from harness.report.features import FEATURES
from harness.report.nfd_labels import ALWAYS_REQUIRED
from harness.report.nfd_labels import LABEL_VALUE
from harness.report.nfd_labels import LABELS
from harness.report.nfd_labels import UNLABELLED
from harness.report.nfd_labels import label_for
from harness.report.nfd_labels import main
from harness.report.nfd_labels import nfd_rule
from harness.report.nfd_labels import node_affinity
from harness.report.nfd_labels import node_selector
from harness.report.nfd_labels import render_docs_table
from harness.report.nfd_labels import require_arg
from harness.report.nfd_labels import splice_docs
from tests.deploy._files import KUBERNETES
from tests.deploy._files import RECIPE
from tests.deploy._files import SYSTEMD
from tests.deploy._files import WORKFLOW
from tests.deploy._files import WORKLOADS
from tests.deploy._files import documents
from tests.deploy._files import gate_container
from tests.deploy._files import option
from tests.deploy._files import pod_spec
from tests.deploy._files import unit_values

#: the flags NFD's source/cpu/rdt_linux_amd64.go sets, every release from v0.4 to today
NFD_FLAGS = {"RDTMON", "RDTCMT", "RDTMBM", "RDTL3CA", "RDTL2CA", "RDTMBA"}


def test_every_mapped_feature_is_an_rtgate_feature() -> None:
    named = [row.feature for row in LABELS] + list(UNLABELLED) + list(ALWAYS_REQUIRED)
    assert [f for f in named if f not in FEATURES] == []


def test_the_table_holds_nfds_flags_and_no_others() -> None:
    flags = [row.flag for row in LABELS]
    assert sorted(flags) == sorted(NFD_FLAGS), "a flag NFD never sets selects no node"
    assert len(set(flags)) == len(flags)
    assert {row.label for row in LABELS} == {
        f"feature.node.kubernetes.io/cpu-rdt.{flag}" for flag in NFD_FLAGS
    }


def test_require_adds_resctrl_and_keeps_the_order_of_features() -> None:
    assert require_arg(["mba", "cat-l3", "mba"]) == "resctrl,cat-l3,mba"
    assert require_arg([]) == "resctrl"
    with pytest.raises(KeyError, match="not rtgate features: cat-l4"):
        require_arg(["cat-l4"])


def test_a_feature_is_selected_by_its_first_label() -> None:
    assert label_for("monitoring").flag == "RDTMON"
    assert node_selector(["mba", "cat-l3"]) == {
        "feature.node.kubernetes.io/cpu-rdt.RDTL3CA": LABEL_VALUE,
        "feature.node.kubernetes.io/cpu-rdt.RDTMBA": LABEL_VALUE,
    }
    with pytest.raises(KeyError, match="NFD has no CDP flag"):
        node_selector(["cdp"])


def test_affinity_chooses_what_the_selector_chooses() -> None:
    affinity = node_affinity(["cat-l3", "monitoring"])
    terms = affinity["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    (term,) = terms["nodeSelectorTerms"]
    chosen = {e["key"]: e["values"][0] for e in term["matchExpressions"] if e["operator"] == "In"}
    assert chosen == node_selector(["cat-l3", "monitoring"])


def test_docs_table_is_the_rendered_table() -> None:
    text = RECIPE.read_text(encoding="utf-8")
    assert splice_docs(text) == text, (
        "docs/fleet-recipe.md's NFD table differs from harness/report/nfd_labels.py: "
        "python -m harness.report.nfd_labels docs/fleet-recipe.md"
    )
    assert all(f"`{row.label}`" in text for row in LABELS)


def test_splicing_needs_both_markers() -> None:
    with pytest.raises(ValueError, match="no table between"):
        splice_docs("# a page without the markers\n")


def test_main_rewrites_a_stale_table(tmp_path: Path) -> None:
    stale = render_docs_table().replace("`cat-l3`", "`cat-l2`")
    page = tmp_path / "page.md"
    page.write_text(f"before\n{stale}\nafter\n", encoding="utf-8")
    assert main([str(page)]) == 0
    assert page.read_text(encoding="utf-8") == f"before\n{render_docs_table()}\nafter\n"


def test_nfd_rule_manifest_is_the_generated_rule() -> None:
    (rule,) = documents(KUBERNETES / "nfd-rdt-labels.yaml")
    assert rule == nfd_rule()


def _selected_features(spec: dict) -> tuple[list[str], dict]:
    """The features a pod's node choice selects by, and the choice as the table writes it."""
    by_label = {row.label: row.feature for row in LABELS}
    if "nodeSelector" in spec:
        chosen = spec["nodeSelector"]
        return [by_label.get(label, label) for label in chosen], chosen
    affinity = spec["affinity"]
    required = affinity["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    (term,) = required["nodeSelectorTerms"]
    return [by_label.get(e["key"], e["key"]) for e in term["matchExpressions"]], affinity


@pytest.mark.parametrize("kind", sorted(WORKLOADS))
def test_workload_selects_nodes_and_requires_as_the_table_says(kind: str) -> None:
    spec = pod_spec(WORKLOADS[kind])
    features, choice = _selected_features(spec)
    made = node_selector(features) if "nodeSelector" in spec else node_affinity(features)
    assert choice == made, f"{kind}: the node choice is not the table's for {features}"
    required = option(gate_container(spec)["args"], "--require")
    assert required == require_arg(features), f"{kind}: --require {required}"


def test_workflow_and_service_require_known_features() -> None:
    workflow = documents(WORKFLOW)[0]
    required = [workflow["jobs"]["gate"]["env"]["REQUIRE"]]
    for line in unit_values(SYSTEMD / "rtgate.service", "ExecStart"):
        required.append(option(shlex.split(line), "--require"))
    for value in required:
        names = value.split(",")
        assert [n for n in names if n not in FEATURES] == []
        assert value == require_arg(n for n in names if n not in ALWAYS_REQUIRED)
