"""Bundles: the static-ELF check, finding busybox, the root filesystem, removal."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess

import pytest

from harness.subjects.oci import APPLETS
from harness.subjects.oci import BundleError
from harness.subjects.oci import BusyboxUnavailable
from harness.subjects.oci import ContainerConfig
from harness.subjects.oci import NotElfError
from harness.subjects.oci import elf_interpreter
from harness.subjects.oci import find_busybox
from harness.subjects.oci import make_bundle
from tests._real import real_host_off

PREFIX = f"rtgate-{os.getpid()}-oci"


def _static_busybox() -> str | None:
    try:
        return find_busybox()
    except BusyboxUnavailable:
        return None


BUSYBOX = _static_busybox()
needs_busybox = pytest.mark.skipif(
    BUSYBOX is None,
    reason=f"no static busybox: shutil.which('busybox') found {shutil.which('busybox')!r}",
)
DYNAMIC = shutil.which("ls")


def elf32_big_endian(interpreter: bytes | None) -> bytes:
    """A minimal 32-bit big-endian ELF image with one PT_LOAD and, if given, a PT_INTERP."""
    headers = [(1, 0, 0x1000)]  # (p_type, p_offset, p_filesz)
    tail = b""
    if interpreter is not None:
        headers.insert(0, (3, 52 + 32 * 2, len(interpreter) + 1))
        tail = interpreter + b"\0"
    ident = b"\x7fELF" + bytes([1, 2, 1]) + bytes(9)
    header = struct.pack(">HHIIIIIHHHHHH", 2, 8, 1, 0, 52, 0, 0, 52, 32, len(headers), 40, 0, 0)
    table = b"".join(
        struct.pack(">IIIIIIII", p_type, offset, 0, 0, size, size, 5, 4)
        for p_type, offset, size in headers
    )
    return ident + header + table + tail


@needs_busybox
def test_debians_busybox_is_static() -> None:
    assert BUSYBOX is not None
    assert elf_interpreter(BUSYBOX) is None


@pytest.mark.skipif(DYNAMIC is None, reason="no ls on PATH")
def test_a_dynamic_binary_names_its_loader() -> None:
    assert DYNAMIC is not None
    interpreter = elf_interpreter(DYNAMIC)
    assert interpreter is not None and "ld-" in os.path.basename(interpreter)


def test_the_other_class_and_byte_order_are_read(tmp_path) -> None:
    dynamic, static = tmp_path / "dynamic", tmp_path / "static"
    dynamic.write_bytes(elf32_big_endian(b"/lib/ld.so.1"))
    static.write_bytes(elf32_big_endian(None))
    assert elf_interpreter(str(dynamic)) == "/lib/ld.so.1"
    assert elf_interpreter(str(static)) is None


def test_not_elf_and_cut_short_are_errors(tmp_path) -> None:
    script = tmp_path / "script"
    script.write_text("#!/bin/sh\n")
    cut = tmp_path / "cut"
    cut.write_bytes(elf32_big_endian(b"/lib/ld.so.1")[:60])
    with pytest.raises(NotElfError, match="not an ELF file"):
        elf_interpreter(str(script))
    with pytest.raises(NotElfError, match="cut short"):
        elf_interpreter(str(cut))


@pytest.mark.skipif(DYNAMIC is None, reason="no ls on PATH")
def test_a_dynamic_busybox_is_refused_with_its_interpreter() -> None:
    with pytest.raises(BusyboxUnavailable, match="dynamically linked .*interpreter /") as info:
        find_busybox(DYNAMIC)
    assert "\n" not in str(info.value)


def test_a_missing_busybox_is_refused(tmp_path) -> None:
    with pytest.raises(BusyboxUnavailable, match="no busybox at"):
        find_busybox(str(tmp_path / "busybox"))


def test_a_text_file_is_refused(tmp_path) -> None:
    fake = tmp_path / "busybox"
    fake.write_text("#!/bin/sh\n")
    with pytest.raises(BusyboxUnavailable, match="not an ELF file"):
        find_busybox(str(fake))


@needs_busybox
def test_busybox_is_found_in_debians_places_without_path(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_busybox() in ("/usr/bin/busybox", "/bin/busybox")


@needs_busybox
def test_a_bundle_has_a_busybox_root_and_the_config(tmp_path) -> None:
    config = ContainerConfig(args=("echo", "hi"), hostname="h")
    bundle = make_bundle(str(tmp_path), PREFIX, "b1", config)
    assert os.path.basename(bundle.path) == f"{PREFIX}-b1"
    for applet in ("sh", "sleep", "cat", "echo", "true", "false", "ls"):
        link = os.path.join(bundle.rootfs, "bin", applet)
        assert os.readlink(link) == "busybox"
    assert set(APPLETS) <= set(os.listdir(os.path.join(bundle.rootfs, "bin")))
    assert elf_interpreter(os.path.join(bundle.rootfs, "bin", "busybox")) is None
    for sub in ("proc", "dev", "sys", "tmp"):
        assert os.path.isdir(os.path.join(bundle.rootfs, sub))
    with open(bundle.config_path, encoding="utf-8") as f:
        assert json.load(f) == config.to_json()
    # the links work: the shell of the root runs an applet by its name
    sh = os.path.join(bundle.rootfs, "bin", "sh")
    done = subprocess.run([sh, "-c", "echo $((6 * 7))"], capture_output=True, check=True)
    assert done.stdout == b"42\n"


@needs_busybox
def test_a_bundle_name_in_use_is_refused(tmp_path) -> None:
    make_bundle(str(tmp_path), PREFIX, "same")
    with pytest.raises(BundleError, match="exists already"):
        make_bundle(str(tmp_path), PREFIX, "same")


@needs_busybox
def test_rewriting_the_config(tmp_path) -> None:
    bundle = make_bundle(str(tmp_path), PREFIX, "b")
    bundle.write_config(ContainerConfig(oci_version="1.0.0"))
    assert bundle.read_config()["ociVersion"] == "1.0.0"
    assert not os.path.exists(bundle.config_path + ".new")


@needs_busybox
def test_remove_deletes_the_bundle_and_is_idempotent(tmp_path) -> None:
    bundle = make_bundle(str(tmp_path), PREFIX, "gone")
    bundle.recording_hook("h")
    bundle.remove()
    assert not os.path.exists(bundle.path)
    bundle.remove()


@needs_busybox
@pytest.mark.skipif(real_host_off() is not None, reason=f"mounting: {real_host_off()}")
def test_remove_refuses_to_cross_a_mount_point(tmp_path) -> None:
    bundle = make_bundle(str(tmp_path), PREFIX, "mounted")
    inside = os.path.join(bundle.rootfs, "tmp")
    subprocess.run(["mount", "-t", "tmpfs", f"{PREFIX}-tmpfs", inside], check=True)
    try:
        with pytest.raises(BundleError, match="mounted inside"):
            bundle.remove()
        assert os.path.isdir(inside)
    finally:
        subprocess.run(["umount", inside], check=True)
    bundle.remove()
    assert not os.path.exists(bundle.path)
