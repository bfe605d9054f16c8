"""The manifests of deploy/kubernetes pass kubernetes-validate (strict, against the oldest and
the newest Kubernetes release it ships schemas for), and it catches a misspelt field in them."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.deploy._files import KUBERNETES
from tests.deploy._files import WORKLOADS
from tests.deploy._files import documents

kubernetes_validate = pytest.importorskip(
    "kubernetes_validate", reason="kubernetes-validate is not installed (the 'test' extra)"
)

K8S_VERSIONS = (kubernetes_validate.utils.all_versions()[0], kubernetes_validate.latest_version())


def _manifests() -> list[Any]:
    return [
        pytest.param(doc, id=f"{path.stem}:{doc['kind']}")
        for path in sorted(KUBERNETES.glob("*.yaml"))
        for doc in documents(path)
    ]


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("doc", _manifests())
def test_manifest_passes_kubernetes_validate(doc: dict[str, Any], version: str) -> None:
    if doc["apiVersion"].startswith("nfd.k8s-sigs.io/"):
        # NFD's CRDs are not among Kubernetes' schemas; the rule is checked against the table
        # (test_nfd_labels) instead
        with pytest.raises(kubernetes_validate.SchemaNotFoundError):
            kubernetes_validate.validate(doc, version, strict=True)
        return
    kubernetes_validate.validate(doc, version, strict=True)


def test_kubernetes_validate_catches_a_misspelt_field() -> None:
    (daemonset,) = documents(WORKLOADS["DaemonSet"])
    broken = copy.deepcopy(daemonset)
    spec = broken["spec"]["template"]["spec"]
    spec["hostPid"] = spec.pop("hostPID")
    with pytest.raises(kubernetes_validate.ValidationError, match="hostPid"):
        kubernetes_validate.validate(broken, K8S_VERSIONS[-1], strict=True)
