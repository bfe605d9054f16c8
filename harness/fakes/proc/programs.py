"""Simulated hook programs: what runs when the runtime executes a hook binary.

Hooks are real paths in the fake filesystem (so a runtime can ``stat`` them) bound to behaviours
(exit with a code, or hang forever) that record every run for assertions.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Literal

if TYPE_CHECKING:
    from pyfakefs.fake_filesystem import FakeFilesystem

__all__ = ["CONTAINER_PROGRAMS", "ProgramRegistry", "ProgramRun", "HookProgram", "install_file"]

#: the programs a container's process may name, executable files of the host from boot (the
#: model has no container root: a process looks its program up in the host's tree); what they
#: do is the kernel's process model, not the file
CONTAINER_PROGRAMS = ("/bin/sh", "/bin/sleep")


def install_file(fs: FakeFilesystem, path: str) -> None:
    """An executable (0755) file at ``path``, unless something is there already."""
    if not fs.exists(path):
        fs.create_file(path, st_mode=stat.S_IFREG | 0o755, contents="#!simulated\n")


@dataclass(frozen=True, slots=True)
class ProgramRun:
    """One run of a program: its argv, environment, what it read on stdin, and when.

    ``at`` is a clock reading, and two runs may share one (a simulated hook takes no time);
    ``seq`` counts every hook run of the host from 0, so it orders runs strictly.
    """

    args: tuple[str, ...]
    env: tuple[str, ...]
    stdin: bytes
    at: float
    seq: int = 0
    #: the process that ran (a real host's hook script); None where no process runs
    pid: int | None = None
    #: argv[0] of the container's init as the hook saw it (``HookProgram.init_program``);
    #: None where it was not looked at or no program runs (the simulated host)
    init_argv0: str | None = None


@dataclass(slots=True)
class HookProgram:
    """A behaviour for a hook binary; build one with :meth:`exit` or :meth:`hang`."""

    behaviour: Literal["exit", "hang"]
    code: int = 0
    stdout: str = ""
    stderr: str = ""
    #: every run, oldest first
    runs: list[ProgramRun] = field(default_factory=list)
    #: a real host's hook records init's argv[0] (the pid of the state on its stdin) as it
    #: runs, waiting up to ``init_wait_s`` for it to become ``init_program`` ("": not looked at)
    init_program: str = ""
    init_wait_s: float = 0.0

    @classmethod
    def exit(cls, code: int = 0, stdout: str = "", stderr: str = "") -> HookProgram:
        """A program that prints ``stdout``/``stderr`` and exits with ``code``."""
        return cls("exit", code, stdout, stderr)

    @classmethod
    def hang(cls) -> HookProgram:
        """A program that never exits: it runs past any timeout."""
        return cls("hang")


class ProgramRegistry:
    """Programs by absolute path; installing one also makes an executable file there."""

    def __init__(self, fs: FakeFilesystem) -> None:
        self._fs = fs
        self._programs: dict[str, HookProgram] = {}
        self._runs = 0

    def install(self, path: str, program: HookProgram) -> HookProgram:
        """Bind ``program`` to ``path`` and create an executable (0755) file at ``path``.

        Raises:
            ValueError: for a relative path.
        """
        if not path.startswith("/"):
            raise ValueError(f"'path' must be absolute (got {path!r})")
        path = self._fs.absnormpath(path)
        install_file(self._fs, path)
        self._programs[path] = program
        return program

    def next_seq(self) -> int:
        """The sequence number of the next run of any program here: 0, 1, 2, ..."""
        seq = self._runs
        self._runs += 1
        return seq

    def get(self, path: str) -> HookProgram | None:
        """The program at ``path``, or None."""
        return self._programs.get(self._fs.absnormpath(path))
