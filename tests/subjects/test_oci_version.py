"""The ociVersion of an OCI subject's bundles: 1.0.2 unless the run says otherwise
(``--oci-version``), since crun 1.8 refuses newer ones."""

from __future__ import annotations

import contextlib
import json
import os
import types
from pathlib import Path

import pytest

from harness.subjects.base import OciSubject
from harness.subjects.command_line import OciCommandLine
from harness.subjects.oci import BusyboxUnavailable
from harness.subjects.oci import find_busybox
from harness.subjects.registry import OCI


def _config_of(subject: OciSubject, tmp_path: Path) -> dict[str, object]:
    try:
        find_busybox()
    except BusyboxUnavailable as err:
        pytest.skip(str(err))
    host = types.SimpleNamespace(
        root=str(tmp_path), bundle_root=str(tmp_path / "bundles"), prefix="rtgate-test",
        container_id=lambda name: f"rtgate-test-{name}",
        launching=lambda: contextlib.nullcontext({}), commands_run_as_programs=lambda: None,
    )  # fmt: skip
    bundle = OciCommandLine(subject, host, "runtime-spec").bundle("v")
    with open(os.path.join(bundle, "config.json"), encoding="utf-8") as f:
        return json.load(f)


def test_bundles_declare_1_0_2_by_default(tmp_path: Path) -> None:
    subject = OciSubject("oci:rt", "/bin/true", kind=OCI)
    assert _config_of(subject, tmp_path)["ociVersion"] == "1.0.2"


def test_a_subject_s_oci_version_goes_into_its_bundles(tmp_path: Path) -> None:
    subject = OciSubject("oci:rt", "/bin/true", oci_version="1.0.0", kind=OCI)
    assert _config_of(subject, tmp_path)["ociVersion"] == "1.0.0"


def test_a_subject_s_runtime_args_reach_its_runtime(tmp_path: Path) -> None:
    subject = OciSubject("oci:rt", "/bin/true", runtime_args=("--debug",), kind=OCI)
    host = types.SimpleNamespace(
        root=str(tmp_path),
        runtime_exited=lambda: None,
        launching=lambda: contextlib.nullcontext({}),
        commands_run_as_programs=lambda: None,
    )
    cli = OciCommandLine(subject, host, "runtime-spec")
    record = cli("state", "nope")
    assert record.argv[:4] == ("/bin/true", "--debug", "--root", str(tmp_path / "oci-root"))
