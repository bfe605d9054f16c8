"""deploy/Containerfile builds, offline from any container registry, and gives what the
manifests count on.

No registry is reachable here, so ``FROM debian:bookworm-slim`` cannot be pulled: the base is
made instead by mmdebstrap from a Debian mirror, straight into a ``buildah from scratch``
container, and handed to the Containerfile as ``--build-arg BASE``; the Containerfile's own
steps then run as written (apt from the mirror, pip from PyPI).  Everything lives in a storage
of the test's own under its tmp dir and is removed at the end.  Measured here on 2 cores, four
times: 60 to 138 s in all (98 s: base 45 s, Containerfile 53 s), the longer ones while other
test runs kept the load at 7 to 15; downloads from the mirror and PyPI are most of it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._real import real_host_off
from tests.deploy._files import CONTAINERFILE
from tests.deploy._files import ROOT
from tests.deploy._files import WORKLOADS
from tests.deploy._files import pod_spec

#: the host's CA bundle, handed to pip in the build where TLS to PyPI is intercepted
SITE_CA = Path("/etc/ssl/certs/ca-certificates.crt")
BUILD_TIMEOUT_S = 600


def _missing() -> str | None:
    """Why the image cannot be built here, or None."""
    if (off := real_host_off()) is not None:
        return f"building the base with mmdebstrap into buildah's storage needs root: {off}"
    absent = [tool for tool in ("buildah", "mmdebstrap") if shutil.which(tool) is None]
    if absent:
        return f"{' and '.join(absent)} not found on PATH (Debian packages buildah, mmdebstrap)"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=str(_missing()))


class Buildah:
    """buildah on a storage of its own (overlay, under ``root``)."""

    def __init__(self, root: Path) -> None:
        self.flags = [f"--root={root / 'storage'}", f"--runroot={root / 'run'}",
                      "--storage-driver=overlay"]  # fmt: skip

    def __call__(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(
            ["buildah", *self.flags, *args],
            capture_output=True, text=True, timeout=timeout, check=False, cwd=ROOT,
        )  # fmt: skip
        assert done.returncode == 0, f"buildah {' '.join(args)}: {done.stderr[-3000:]}"
        return done.stdout.strip()


def _base(buildah: Buildah) -> str:
    """A Debian bookworm minbase image, made by mmdebstrap from the mirror apt uses."""
    container = buildah("from", "scratch")
    rootfs = buildah("mount", container)
    done = subprocess.run(
        ["mmdebstrap", "--variant=minbase", "--mode=root", "--quiet", "bookworm", rootfs],
        capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"mmdebstrap: {done.stderr[-3000:]}"
    buildah("commit", "--quiet", container, "localhost/rtgate-base:bookworm")
    buildah("rm", container)
    return "localhost/rtgate-base:bookworm"


@pytest.fixture
def image(tmp_path: Path) -> Iterator[tuple[Buildah, str]]:
    root = tmp_path / "buildah"
    buildah = Buildah(root)
    try:
        base = _base(buildah)
        site = ["-v", f"{SITE_CA}:/run/site-ca.crt:ro", "--build-arg",
                "PIP_CERT=/run/site-ca.crt"] if SITE_CA.exists() else []  # fmt: skip
        buildah(
            "bud", "--isolation=chroot", "--network=host", "--pull-never", "--quiet",
            "--build-arg", f"BASE={base}", *site,
            "-f", str(CONTAINERFILE), "-t", "localhost/rtgate:test", str(ROOT),
            timeout=BUILD_TIMEOUT_S,
        )  # fmt: skip
        yield buildah, "localhost/rtgate:test"
    finally:
        subprocess.run(["buildah", *buildah.flags, "rm", "--all"], capture_output=True)
        subprocess.run(["buildah", *buildah.flags, "rmi", "--all", "--force"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def _runs(buildah: Buildah, name: str) -> str:
    """What the image says when it runs the runtimes, busybox, nsenter and rtgate."""
    container = buildah("from", "--quiet", name)
    try:
        return buildah(
            "run", "--isolation=chroot", container, "--", "sh", "-c",
            "runc --version && crun --version && busybox true && nsenter --version"
            " && rtgate requirements --profile runc-1.1 | grep -c CLI-RDT-GROUP",
        )  # fmt: skip
    finally:
        buildah("rm", container)


# one test for one build: under xdist, two tests of a module-scoped fixture may land on two
# workers and build the image twice
@pytest.mark.slow  # builds a Debian image with buildah and mmdebstrap
def test_image_builds_and_gives_what_the_manifests_count_on(image: tuple[Buildah, str]) -> None:
    buildah, name = image
    said = _runs(buildah, name)
    assert "runc version" in said and "crun version" in said and "nsenter" in said, said
    assert said.splitlines()[-1] != "0", "rtgate's catalog has no CLI-RDT-GROUP"
    config = json.loads(buildah("inspect", "--type=image", name))["OCIv1"]["config"]
    assert config["Entrypoint"] == ["rtgate"]
    for kind, path in WORKLOADS.items():
        spec = pod_spec(path)
        mounts = {m["mountPath"] for c in spec.get("initContainers", []) + spec["containers"]
                  for m in c.get("volumeMounts", [])}  # fmt: skip
        assert config["WorkingDir"] in mounts, f"{kind} keeps no report volume at the workdir"
