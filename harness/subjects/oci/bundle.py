"""OCI bundles for one container each: a static busybox root filesystem and a ``config.json``.

A bundle is the directory ``<parent>/<prefix>-<name>`` holding ``rootfs/`` (busybox copied to
``/bin/busybox``, its applets linked beside it), ``config.json`` and ``hooks/`` for the
recording hooks of :mod:`harness.hookscripts`.  The prefix is the caller's (the run's),
so a leftover bundle is found by it.  :meth:`Bundle.remove` refuses to delete across a mount
point: it names the mounts instead.

The busybox must be static: a container's root holds nothing else, so a dynamic one has no
loader to start with.  Static means no ``PT_INTERP`` program header, read from the ELF file itself.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import struct

from harness.errors import SubjectError
from harness.hookscripts import write_recording_hook
from harness.hosts.facts import read_mounts
from harness.subjects.oci.config import ContainerConfig

__all__ = [
    "APPLETS",
    "Bundle",
    "BundleError",
    "BusyboxUnavailable",
    "NotElfError",
    "bundle_path",
    "elf_interpreter",
    "find_busybox",
    "make_bundle",
]

#: applets linked in every root: the shell, what scenarios run, what recording hooks use
APPLETS = (
    "sh",
    "sleep",
    "cat",
    "echo",
    "true",
    "false",
    "ls",
    "date",
    "printf",
    "env",
    "kill",
    "ps",
    "mkdir",
    "rm",
    "id",
    "hostname",
    # the config rules' probes (harness/scenarios/_support/inside.py)
    "readlink",
    "stat",
    "touch",
)
#: where Debian's busybox-static puts it, looked at when PATH has none
BUSYBOX_PLACES = ("/usr/bin/busybox", "/bin/busybox")
#: directories made in every root (mount points and a writable /tmp)
ROOT_DIRS = ("bin", "dev", "proc", "sys", "tmp", "etc", "root")

_PT_INTERP = 3
_PN_XNUM = 0xFFFF


class BusyboxUnavailable(SubjectError):
    """No usable busybox: not found, not an ELF file, or dynamically linked."""


class BundleError(SubjectError):
    """A bundle cannot be made or removed as asked."""


class NotElfError(ValueError):
    """The file is not an ELF executable (or is cut short)."""


def elf_interpreter(path: str) -> str | None:
    """The program interpreter an ELF file asks for (its ``PT_INTERP``), or None if static.

    Raises:
        OSError: the file cannot be read.
        NotElfError: the file is not ELF, or its headers are cut short.
    """
    with open(path, "rb") as f:
        ident = f.read(16)
        if len(ident) < 16 or ident[:4] != b"\x7fELF":
            raise NotElfError(f"{path}: not an ELF file")
        if ident[4] not in (1, 2) or ident[5] not in (1, 2):
            raise NotElfError(f"{path}: unknown ELF class {ident[4]} or data encoding {ident[5]}")
        wide = ident[4] == 2
        order = "<" if ident[5] == 1 else ">"
        # e_type .. e_shstrndx, after e_ident
        header = order + ("HHIQQQIHHHHHH" if wide else "HHIIIIIHHHHHH")
        raw = f.read(struct.calcsize(header))
        if len(raw) < struct.calcsize(header):
            raise NotElfError(f"{path}: ELF header cut short")
        fields = struct.unpack(header, raw)
        phoff, shoff, phentsize, phnum = fields[4], fields[5], fields[8], fields[9]
        if phnum == _PN_XNUM:  # the real count is sh_info of section 0
            f.seek(shoff + (44 if wide else 28))
            phnum = struct.unpack(order + "I", f.read(4))[0]
        # p_type is the first word of every program header; p_offset and p_filesz follow
        entry = order + ("IIQQQQQQ" if wide else "IIIIIIII")
        for index in range(phnum):
            f.seek(phoff + index * phentsize)
            raw = f.read(struct.calcsize(entry))
            if len(raw) < struct.calcsize(entry):
                raise NotElfError(f"{path}: program header {index} cut short")
            fields = struct.unpack(entry, raw)
            if fields[0] != _PT_INTERP:
                continue
            offset, size = (fields[2], fields[5]) if wide else (fields[1], fields[4])
            f.seek(offset)
            return f.read(size).rstrip(b"\0").decode(errors="replace")
    return None


def find_busybox(explicit: str | None = None) -> str:
    """The absolute path of a static busybox: ``explicit``, or on PATH, or Debian's places.

    Raises:
        BusyboxUnavailable: none found, or the one found is not a static ELF executable.
    """
    if explicit is not None:
        candidate: str | None = explicit
        looked = repr(explicit)
    else:
        candidate = shutil.which("busybox") or next(
            (place for place in BUSYBOX_PLACES if os.access(place, os.X_OK)), None
        )
        looked = f"PATH={os.environ.get('PATH', '')!r} and {', '.join(BUSYBOX_PLACES)}"
    if candidate is None or not os.path.isfile(candidate):
        raise BusyboxUnavailable(
            f"no busybox at {looked} (install busybox-static, or give its path)"
        )
    try:
        interpreter = elf_interpreter(candidate)
    except (OSError, NotElfError) as err:
        raise BusyboxUnavailable(f"busybox {candidate}: {err}") from err
    if interpreter is not None:
        raise BusyboxUnavailable(
            f"busybox {candidate} is dynamically linked (interpreter {interpreter}); "
            "a container root needs a static one (busybox-static)"
        )
    return os.path.abspath(candidate)


def _mount_points_under(path: str) -> list[str]:
    """Mount points at or below ``path``, from this process's mountinfo."""
    path = os.path.realpath(path)
    points = (m.mount_point for m in read_mounts())
    return [p for p in points if p == path or p.startswith(path + "/")]


@dataclasses.dataclass(slots=True)
class Bundle:
    """One container's bundle directory."""

    path: str
    busybox: str

    @property
    def rootfs(self) -> str:
        return os.path.join(self.path, "rootfs")

    @property
    def config_path(self) -> str:
        return os.path.join(self.path, "config.json")

    @property
    def hook_dir(self) -> str:
        return os.path.join(self.path, "hooks")

    def write_config(self, config: ContainerConfig) -> None:
        """(Re)write ``config.json`` from ``config``, replacing it in one step."""
        temp = self.config_path + ".new"
        with open(temp, "w", encoding="utf-8") as f:
            json.dump(config.to_json(), f, indent=2)
            f.write("\n")
        os.replace(temp, self.config_path)

    def read_config(self) -> dict[str, object]:
        with open(self.config_path, encoding="utf-8") as f:
            return json.load(f)  # type: ignore[no-any-return]

    def recording_hook(
        self, name: str, exit_code: int = 0, hang: bool = False, stderr: str = ""
    ) -> str:
        """A recording hook in this bundle's ``hooks/`` (see :func:`write_recording_hook`)."""
        return write_recording_hook(self.hook_dir, name, exit_code, hang, stderr)

    def remove(self) -> None:
        """Delete the bundle; a missing one is already removed.

        Raises:
            BundleError: something is mounted inside it (a runtime's leftover, or a fault):
                deleting across a mount point would delete what the mount shows.
        """
        if not os.path.lexists(self.path):
            return
        mounted = _mount_points_under(self.path)
        if mounted:
            raise BundleError(f"bundle {self.path} not removed: mounted inside: {mounted}")
        shutil.rmtree(self.path)


def _install_busybox(busybox: str, rootfs: str, applets: tuple[str, ...]) -> None:
    bin_dir = os.path.join(rootfs, "bin")
    # a copy, never a hard link: a container may write its /bin/busybox
    shutil.copy2(busybox, os.path.join(bin_dir, "busybox"))
    for applet in applets:
        os.symlink("busybox", os.path.join(bin_dir, applet))


def bundle_path(parent: str, prefix: str, name: str) -> str:
    """The path of the bundle :func:`make_bundle` makes for these arguments."""
    return os.path.join(os.path.abspath(parent), f"{prefix}-{name}")


def make_bundle(
    parent: str,
    prefix: str,
    name: str,
    config: ContainerConfig | None = None,
    busybox: str | None = None,
    applets: tuple[str, ...] = APPLETS,
) -> Bundle:
    """Make the bundle ``<parent>/<prefix>-<name>`` with a busybox root and ``config.json``.

    Args:
        parent: the directory the bundle goes in (made if missing).
        prefix: the run's prefix, that every name rtgate makes on a real host carries.
        name: tells this bundle from the run's others.
        config: the container's configuration (the default one if None).
        busybox: a static busybox to use instead of the one found on PATH.
        applets: the names linked to busybox in ``/bin``.

    Raises:
        BusyboxUnavailable: see :func:`find_busybox`.
        BundleError: the bundle already exists (a name used twice, or an earlier run's).
    """
    binary = find_busybox(busybox)
    path = bundle_path(parent, prefix, name)
    os.makedirs(parent, 0o755, exist_ok=True)
    try:
        os.mkdir(path, 0o755)
    except FileExistsError as err:
        raise BundleError(f"bundle {path} exists already") from err
    bundle = Bundle(path, binary)
    try:
        os.mkdir(bundle.rootfs, 0o755)
        for sub in ROOT_DIRS:
            os.mkdir(os.path.join(bundle.rootfs, sub), 0o755)
        _install_busybox(binary, bundle.rootfs, applets)
        os.chmod(os.path.join(bundle.rootfs, "tmp"), 0o1777)
        os.mkdir(bundle.hook_dir, 0o755)
        bundle.write_config(config or ContainerConfig())
    except BaseException:
        bundle.remove()
        raise
    return bundle
