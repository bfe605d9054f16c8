"""``SimulatedSystem``: the reference runtime's ``System`` interface over the simulated kernel.

Processes are the kernel's, FIFOs are nodes in the fake filesystem, hooks are the kernel's
registered programs, and time is the kernel's virtual clock.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat

from pyfakefs.fake_file import FakeFile

from harness.errors import FakeKernelError
from harness.fakes import RUNTIME_PID
from harness.fakes import KernelOp
from harness.fakes import ProgramRun
from harness.fakes import SimulatedKernel
from reference_impl.system import HookResult
from reference_impl.system import ProcessSpec
from reference_impl.system import ProcStat
from reference_impl.system import read_proc_stat

__all__ = ["RUNC_INIT", "SimulatedSystem"]

#: the argv of runc's init before it execs the process's program: ``init`` after the runtime's
#: own binary (the seed's "/proc/self/exe", 692f6e1 factory_linux.go:137; runc 1.2's os.Args[0],
#: v1.2.0 container_linux.go:574-575)
RUNC_INIT = ("runc", "init")


class SimulatedSystem:
    """Processes, FIFOs, hooks and time on a :class:`SimulatedKernel`."""

    def __init__(self, kernel: SimulatedKernel) -> None:
        self.kernel = kernel
        #: processes spawned for a running container, still runc's init until their lookup
        #: passed: what each execs (argv, environment)
        self._awaiting_exec: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {}

    def spawn(self, spec: ProcessSpec) -> int:
        """Start ``spec.args[0]`` as a child of the runtime.

        With ``exec_fifo`` set, the init writes ``b"0"`` into the FIFO, as runc's init does
        before it blocks until ``start`` (the model's init is its program from its spawn).
        Without, the process is runc's own init (argv ``runc init``, no environment of the
        process's) until :meth:`exec_program` lets it exec, as a process runc starts in a
        running container is until its lookup passed.

        Raises:
            FakeKernelError: for an empty argv.
            OSError: the fork's errno, where a ("fork", argv[0]) fault is armed.
        """
        if not spec.args:
            raise FakeKernelError("ProcessSpec.args is empty: nothing to execute")
        self.kernel.check_fork(spec.args[0])
        if spec.exec_fifo is None:
            program = (RUNC_INIT, (), spec.cwd)
            pid = self.kernel.spawn_process("runc", namespaces=spec.namespaces, program=program)
            self._awaiting_exec[pid] = (tuple(spec.args), tuple(spec.env))
            return pid
        comm = posixpath.basename(spec.args[0])
        program = (tuple(spec.args), tuple(spec.env), spec.cwd)
        pid = self.kernel.spawn_process(comm, namespaces=spec.namespaces, program=program)
        node = self._fifo(spec.exec_fifo)
        node.set_initial_contents((node.byte_contents or b"") + b"0")
        return pid

    def exec_stat(self, pid: int, path: str) -> os.stat_result:
        """``stat(2)`` of ``path`` as ``pid`` resolves it: a relative one from its working
        directory (the model's processes all have the host's root).

        Raises:
            OSError: ESRCH for a process that is gone or a zombie, else the stat's errno.
        """
        fs = self.kernel.fs
        proc = self.kernel.process(pid)
        if proc is None or proc.state == "zombie":
            fs.raise_os_error(errno.ESRCH)
        if not path.startswith("/"):
            path = posixpath.join(fs.readlink(f"/proc/{pid}/cwd"), path)
        return fs.stat(path)  # type: ignore[return-value]

    def exec_program(self, pid: int) -> None:
        """The process spawned without an exec FIFO execs its program: its cmdline, environ
        and comm become the process's.

        Raises:
            FakeKernelError: for a pid that is not such a process waiting to exec (an init, a
                process that already exec'd, one never spawned here).
        """
        program = self._awaiting_exec.pop(pid, None)
        if program is None:
            raise FakeKernelError(f"pid {pid} was not spawned here to exec a program")
        self.kernel.execve(pid, *program)

    def signal(self, pid: int, sig: int) -> None:
        """``kill(2)``."""
        self.kernel.deliver_signal(pid, sig)

    def wait(self, pid: int, timeout: float | None = None) -> int | None:
        """Reap a zombie child, waiting up to ``timeout`` virtual seconds for a live one to end
        (a dying task's timer may end it on the way); None while it lives.

        Raises:
            OSError: ECHILD when ``pid`` is not a child of the runtime.
            FakeKernelError: waiting without a timeout on a child that never exits.
        """
        proc = self.kernel.process(pid)
        if proc is None or proc.ppid != RUNTIME_PID:
            self.kernel.fs.raise_os_error(errno.ECHILD)
        if proc.state == "zombie":
            return self.kernel.reap(pid)
        if timeout is None:
            raise FakeKernelError(f"wait({pid}) without a timeout on a live child blocks forever")
        clock = self.kernel.clock

        def exited() -> bool:
            child = self.kernel.process(pid)
            return child is not None and child.state == "zombie"

        clock.advance_until(clock.monotonic() + timeout, exited)
        return self.kernel.reap(pid) if exited() else None

    def proc_stat(self, pid: int) -> ProcStat:
        """Parse the simulated ``/proc/<pid>/stat``."""
        return read_proc_stat(pid)

    def mkfifo(self, path: str, mode: int) -> None:
        """Make a FIFO node in the fake filesystem (never ``os.mkfifo``: it is not faked).

        Raises:
            OSError: EEXIST when ``path`` exists, ENOENT when its directory does not, or an
                injected ``mknod`` fault.
        """
        fs = self.kernel.fs
        path = fs.absnormpath(path)

        def make() -> None:
            if fs.exists(path) or fs.islink(path):
                fs.raise_os_error(errno.EEXIST, path)
            directory, name = posixpath.split(path)
            if not fs.isdir(directory):
                fs.raise_os_error(errno.ENOENT, path)
            bits = stat.S_IFIFO | (mode & ~fs.umask & 0o7777)
            fifo = FakeFile(name, st_mode=bits, filesystem=fs)
            fifo.set_initial_contents(b"")
            fs.add_object(directory, fifo)

        self.kernel.mknod(path, make)

    def read_fifo(self, path: str) -> bytes:
        """What was written into the FIFO; reading drains it, as reading a pipe does.

        Raises:
            OSError: ENOENT for a missing node, or an injected ``open`` fault.
        """
        self.kernel.fifo_open(self.kernel.fs.absnormpath(path))
        node = self._fifo(path)
        data = node.byte_contents or b""
        node.set_initial_contents(b"")
        return data

    def _fifo(self, path: str) -> FakeFile:
        fs = self.kernel.fs
        path = fs.absnormpath(path)
        if not fs.exists(path):
            fs.raise_os_error(errno.ENOENT, path)
        node = fs.resolve(path)
        assert isinstance(node, FakeFile)
        return node

    def run_hook(
        self,
        path: str,
        args: tuple[str, ...],
        env: tuple[str, ...],
        stdin: bytes,
        timeout: float | None,
    ) -> HookResult:
        """Run the program registered at ``path``.

        Raises:
            OSError: ENOENT when no program is installed there.
            FakeKernelError: a hanging program run without a timeout would never return.
        """
        program = self.kernel.programs.get(path)
        if program is None:
            self.kernel.fs.raise_os_error(errno.ENOENT, path)
        clock = self.kernel.clock
        seq = self.kernel.programs.next_seq()
        self.kernel.log.append(KernelOp("exec", path))
        program.runs.append(
            ProgramRun(tuple(args), tuple(env), bytes(stdin), clock.monotonic(), seq)
        )
        if program.behaviour == "exit":
            return HookResult(program.code, program.stdout, program.stderr)
        if timeout is None:
            raise FakeKernelError(f"hook {path} hangs and was run without a timeout")
        clock.advance(timeout)
        return HookResult(None, "", "", timed_out=True)

    def sleep(self, seconds: float) -> None:
        """Advance the virtual clock."""
        self.kernel.clock.advance(seconds)

    def monotonic(self) -> float:
        """The virtual clock."""
        return self.kernel.clock.monotonic()
