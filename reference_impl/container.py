"""A container of the reference runtime: ``linuxContainer`` of the seed.

Public methods take the container's lock, except ``signal`` and ``processes``, as in the seed.
``status()`` is ``currentStatus()``: it refreshes the state first, so a refresh may raise a
transition error from any method that reads the status.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import functools
import json
import logging
import os
import signal as signal_module
import threading
import time
from typing import Any

from reference_impl import states as states_module
from reference_impl.cgroups import CgroupManager
from reference_impl.cgroups.fs import FROZEN
from reference_impl.cgroups.fs import THAWED
from reference_impl.cgroups.writer import CgroupError
from reference_impl.cgroups.writer import CgroupWriter
from reference_impl.configs import Config
from reference_impl.configs import Process
from reference_impl.errors import LibcontainerError
from reference_impl.errors import PathError
from reference_impl.errors import WrappedError
from reference_impl.errors import go_strerror
from reference_impl.errors import is_sentinel
from reference_impl.errors import new_system_error
from reference_impl.errors import new_system_error_with_cause
from reference_impl.exec_join import write_each
from reference_impl.fileutil import remove
from reference_impl.fileutil import write_failed
from reference_impl.fileutil import write_file
from reference_impl.hooks import hook_state_json
from reference_impl.hooks import run_hook
from reference_impl.intelrdt import IntelRdtManager
from reference_impl.intelrdt.manager import IntelRdtError
from reference_impl.lookpath import LookPathError
from reference_impl.lookpath import look_path
from reference_impl.lookpath import path_of
from reference_impl.namespaces import join_specs
from reference_impl.namespaces import namespace_paths
from reference_impl.process import InitProcess
from reference_impl.process import ParentProcess
from reference_impl.process import pipe_fds
from reference_impl.profiles import Profile
from reference_impl.states import STATE_CLASSES
from reference_impl.states import ContainerState
from reference_impl.states import signal_all_processes
from reference_impl.status import Status
from reference_impl.system import ProcessSpec
from reference_impl.system import System

__all__ = ["EXEC_FIFO", "STATE_FILE", "Container"]

log = logging.getLogger("reference_impl.container")

EXEC_FIFO = "exec.fifo"
#: the binary runc forks to start a process, itself (692f6e1 factory_linux.go InitArgs)
SELF_EXE = "/proc/self/exe"
#: the exec FIFO's permission bits, whatever the umask (createExecFifo)
EXEC_FIFO_MODE = 0o622
STATE_FILE = "state.json"


def _now() -> str:
    """The container's ``created``: the UTC time of a start, to the second."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Container:
    """One container: its state, its init, its cgroup and resctrl managers, its state dir."""

    def __init__(
        self,
        container_id: str,
        root: str,
        config: Config,
        system: System,
        profile: Profile,
        cgroup_manager: CgroupManager,
        intel_rdt_manager: IntelRdtManager | None,
        resctrl_root: str | None = None,
    ) -> None:
        self.id = container_id
        #: the state dir, ``<factory root>/<id>``
        self.root = root
        self.config = config
        self.system = system
        self.profile = profile
        self.cgroup_manager = cgroup_manager
        self.intel_rdt_manager = intel_rdt_manager
        #: where resctrl is mounted (None: it is not), as the factory found it
        self.resctrl_root = resctrl_root
        self.init_process: ParentProcess | None = None
        self.init_process_start_time = 0
        self.created = ""
        self.state: ContainerState = self.state_for("stopped")
        self._lock = threading.RLock()
        #: the config's cgroup resources are still the cgroup manager's own object (as the
        #: factory made both), where Freeze records the freezer state; a Set puts the caller's
        #: config in its place (692f6e1 container_linux.go:215; v1.2.0 :196)
        self._cgroups_shared = True

    #: the class of each state by name; every state object is made through ``state_for``
    state_classes: dict[str, type[ContainerState]] = STATE_CLASSES

    def state_for(self, name: str) -> ContainerState:
        """A new state object of the named kind bound to this container ("stopped", ...)."""
        return self.state_classes[name](self)

    # -- status ------------------------------------------------------------------------------
    def run_type(self) -> Status:
        """``runType``: is init alive, and has it been started?  Never raises in the seed."""
        if self.init_process is None:
            return Status.STOPPED
        try:
            stat = self.system.proc_stat(self.init_process.pid)
        except (OSError, ValueError):
            return Status.STOPPED
        if stat.start_time != self.init_process_start_time or stat.is_zombie_or_dead:
            return Status.STOPPED
        if os.path.exists(os.path.join(self.root, EXEC_FIFO)):
            return Status.CREATED
        return Status.RUNNING

    def has_init(self) -> bool:
        """``hasInit`` (runc 1.2): init lives, started or not."""
        return self.run_type() in (Status.RUNNING, Status.CREATED)

    def init_running(self) -> bool:
        """Whether init counts as running where a state refuses to stop: ``runType() ==
        Running`` in the seed (a created init does not count), ``hasInit()`` in runc 1.2."""
        if self.profile.init_check == "has-init":
            return self.has_init()
        return self.run_type() == Status.RUNNING

    def is_paused(self) -> bool:
        """The freezer reads FROZEN (v1 ``freezer.state``, v2 ``cgroup.freeze``); no freezer
        cgroup or no file means not paused."""
        try:
            state = self.cgroup_manager.freezer_state_on_disk()
        except OSError as err:
            context = self.profile.paused_check_context
            if context:
                raise new_system_error_with_cause(err, context) from err
            raise
        return state == FROZEN

    def refresh_state(self) -> None:
        """``refreshState``: paused, else created/running/stopped by ``run_type``."""
        if self.is_paused():
            self.state.transition(self.state_for("paused"))
            return
        t = self.run_type()
        if t == Status.CREATED:
            self.state.transition(self.state_for("created"))
        elif t == Status.RUNNING:
            self.state.transition(self.state_for("running"))
        else:
            self.state.transition(self.state_for("stopped"))

    def current_status(self) -> Status:
        self.refresh_state()
        return self.state.status()

    def status(self) -> Status:
        """``Status()``: refresh, then the state's status."""
        with self._lock:
            return self.current_status()

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self, process: Process) -> None:
        """Start init or one more process.

        The seed makes the process init when the container is stopped; runc 1.2 asks
        ``process.init`` and refuses a second init.
        """
        with self._lock:
            self._start_locked(process)

    def _start_locked(self, process: Process) -> bool:
        """Start ``process``; return whether it became the container's init."""
        if self.profile.init_by_process_flag:
            is_init = process.init
            if is_init and self.init_process_start_time != 0:
                raise self.profile.refuse("second-init")
        else:
            is_init = self.current_status() == Status.STOPPED
        if is_init:
            self._create_exec_fifo()
        try:
            self._start(process, is_init=is_init)
        except BaseException:
            if is_init:
                self._delete_exec_fifo()
            raise
        return is_init

    def run(self, process: Process) -> None:
        """``Run``: start, then release init at once when it was the first process."""
        with self._lock:
            if self._start_locked(process):
                self._release_init()

    def exec(self) -> None:
        """``Exec``: open the exec FIFO, letting init run the user program."""
        with self._lock:
            self._release_init()

    def _release_init(self) -> None:
        """Let init exec its program; where the profile times hooks at start, the deferred
        prestart hooks first and the poststart hooks after (runtime-spec v1.0.2 config.md:422,
        :465; lifecycle steps 4-6 of v1.0.1 runtime.md)."""
        parent = self.init_process
        if not self.profile.hooks_at_start or parent is None or self.config.hooks is None:
            self._exec()
            return
        if self._prestart_at_start():
            self._run_start_hooks(parent, "prestart", self.profile.prestart_status)
        self._exec()
        self._run_start_hooks(parent, "poststart", self.profile.poststart_status)

    def _prestart_at_start(self) -> bool:
        """Whether prestart hooks wait for start: the profile times hooks at start and the
        bundle declares an ociVersion before 1.1.0, whose config.md:558 moved them into
        create."""
        return self.profile.hooks_at_start and self._bundle_before(1, 1)

    def _bundle_before(self, major: int, minor: int) -> bool:
        """Whether the bundle's ociVersion is before ``major.minor`` (one it cannot read is
        taken as older: the 1.0 series was the first)."""
        parts = self.config.version.split("-")[0].split(".")
        try:
            return (int(parts[0]), int(parts[1])) < (major, minor)
        except (IndexError, ValueError):
            return True

    def _run_start_hooks(self, parent: ParentProcess, kind: str, status: str) -> None:
        """Run the ``kind`` hooks at start; a failing one ends init and is start's error, but
        where the profile makes a poststart failure a warning (a bundle before v1.3.0) it is
        logged and the remaining hooks and the lifecycle go on."""
        assert self.config.hooks is not None
        state = self.hook_state(parent.pid, status)
        for i, hook in enumerate(getattr(self.config.hooks, kind)):
            try:
                run_hook(hook, state, self.system, self.profile.hook_error_prefix)
            except Exception as err:
                if kind == "poststart" and self._poststart_failure_warns():
                    log.warning("poststart hook #%d (%s) failed: %s", i, hook.path, err)
                    continue
                self._terminate(parent)
                raise self.profile.start_hook_error(kind, i, err) from err

    def _poststart_failure_warns(self) -> bool:
        """runtime-spec v1.0.2 runtime.md:69 (a warning) until v1.3.0 runtime.md:73 (an
        error that stops the container)."""
        return self.profile.poststart_failures == "warn" and self._bundle_before(1, 3)

    def pause(self) -> None:
        with self._lock:
            status = self.current_status()
            if status not in (Status.RUNNING, Status.CREATED):
                raise self.profile.refuse("pause", status=status)
            # The seed freezes before it asks the state whether pausing is allowed.
            self.cgroup_manager.freeze(FROZEN)
            self.state.transition(self.state_for("paused"))

    def resume(self) -> None:
        with self._lock:
            status = self.current_status()
            if status != Status.PAUSED:
                raise self.profile.refuse("resume")
            self.cgroup_manager.freeze(THAWED)
            self.state.transition(self.state_for("running"))

    def signal(self, sig: int, all_processes: bool = False) -> None:
        """``Signal``: no status check in the seed; runc 1.2 has no ``all`` flag (ignored)."""
        if self.profile.signal_semantics == "runc-1.2":
            with self._lock:
                self._signal_v12(sig)
            return
        if self.profile.signal_semantics == "runc-1.1" and not all_processes:
            with self._lock:
                self._signal_v11(sig)
            return
        if all_processes:
            signal_all_processes(self, sig)
            return
        if self.init_process is None:
            # The seed dereferences a nil initProcess here and panics.
            raise LibcontainerError(
                "runtime error: invalid memory address or nil pointer dereference"
            )
        try:
            self.init_process.signal(sig)
        except OSError as err:
            # unix.Kill's Errno prints as Go's text, "no such process"
            text = go_strerror(err.errno)
            raise new_system_error_with_cause(text, "signaling init process") from err

    def _signal_v12(self, sig: int) -> None:
        """runc 1.2 ``Signal``: SIGKILL without a private PID namespace kills the whole cgroup
        (init alone would leave the rest running); otherwise only a live init is signalled, and
        SIGKILL thaws a paused container so that a v1-frozen init can die."""
        if sig == signal_module.SIGKILL and self.profile.kill_all_wanted(self.config.namespaces):
            try:
                signal_all_processes(self, sig)
            except Exception as err:
                if is_sentinel(err, "ErrCgroupNotExist") and not self.has_init():
                    err = self.profile.refuse("signal")
                raise WrappedError("unable to kill all processes", err) from err
            return
        if not self.has_init() or self.init_process is None:
            raise self.profile.refuse("signal")
        self._signal_init(self.init_process, sig)
        if sig == signal_module.SIGKILL:
            try:
                paused = self.is_paused()
            except (LibcontainerError, OSError):  # `paused, _ := c.isPaused()` (:421-427)
                paused = False
            if paused:
                self._thaw_after_kill()

    def _signal_v11(self, sig: int) -> None:
        """runc 1.1 ``Signal`` without ``all`` (v1.1.5 container_linux.go:377-407): init of a
        created, running or paused container is signalled, and SIGKILL thaws a paused one
        (6806b2c1c); a stopped container is ErrNotRunning."""
        status = self.current_status()
        if status == Status.STOPPED or self.init_process is None:
            raise self.profile.refuse("signal")
        self._signal_init(self.init_process, sig)
        if status == Status.PAUSED and sig == signal_module.SIGKILL:
            self._thaw_after_kill()

    @staticmethod
    def _signal_init(init: InitProcess, sig: int) -> None:
        """runc >= 1.1: init gets ``sig``; a failure is "unable to signal init: <errno>", the
        Errno of unix.Kill in Go's words (v1.1.5 container_linux.go:393-395, v1.2.0 :415-417)."""
        try:
            init.signal(sig)
        except OSError as err:
            cause = LibcontainerError(go_strerror(err.errno))
            raise WrappedError("unable to signal init", cause) from err

    def _thaw_after_kill(self) -> None:
        """Thaw after SIGKILL so that a v1-frozen init can die; a failure is ignored (`_ =`)."""
        try:
            self.cgroup_manager.freeze(THAWED)
        except Exception:  # noqa: BLE001 - runc ignores it (`_ =`)
            pass

    def destroy(self) -> None:
        """``Destroy``: whatever the in-memory state does; no refresh first.  The profile may
        wrap the error (runc 1.2: "unable to destroy container: ...")."""
        with self._lock:
            try:
                self.state.destroy()
            except Exception as err:
                wrapped = self.profile.wrap_destroy_error(err)
                if wrapped is err:
                    raise
                raise wrapped from err

    def teardown(self) -> None:
        """The seed's ``destroy(c)``, which every state's ``destroy`` ends in."""
        states_module.destroy(self)

    def set(self, config: Config) -> None:
        """``Set``: new resources on a container that is not stopped, rolled back on failure."""
        with self._lock:
            if self.current_status() == Status.STOPPED:
                raise self.profile.refuse("set")
            old = self._config_as_recorded()
            try:
                self.cgroup_manager.set(config.cgroups)
            except Exception:
                _set_back("cgroup", lambda: self.cgroup_manager.set(old.cgroups))
                raise
            rdt = self.intel_rdt_manager
            if rdt is not None and config.intel_rdt is not None:
                try:
                    rdt.set(config.intel_rdt)
                except Exception:
                    if self.profile.set_rdt_failure_restores_cgroups:
                        _set_back("cgroup", lambda: self.cgroup_manager.set(old.cgroups))
                    if old.intel_rdt is not None:
                        _set_back("intelrdt", lambda: rdt.set(old.intel_rdt))
                    raise
            self.config = config
            self._cgroups_shared = False
            self._save_state()

    def _config_as_recorded(self) -> Config:
        """The container's config with the freezer state the cgroup manager recorded, while
        both hold one object: what a failed Set writes back (692f6e1 container_linux.go:
        199-205, apply_raw.go:218-227; v1.2.0 container_linux.go:177-183, fs/fs.go:212-218)."""
        recorded = getattr(self.cgroup_manager, "config", None)
        if not self._cgroups_shared or recorded is None or self.config.cgroups is None:
            return self.config
        cgroups = dataclasses.replace(self.config.cgroups, freezer=recorded.freezer)
        return dataclasses.replace(self.config, cgroups=cgroups)

    def processes(self) -> list[int]:
        try:
            return self.cgroup_manager.get_all_pids()
        except Exception as err:
            if self._gone_group_ignored(err):
                return []
            raise self.profile.processes_error(err) from err

    def _gone_group_ignored(self, err: BaseException) -> bool:
        """runc 1.2's ``ignoreCgroupError``: a listing that found no group is no error once
        neither init nor the group is left (v1.2.0 container_linux.go:114-122)."""
        missing = isinstance(err, OSError) and err.errno == errno.ENOENT
        return (
            self.profile.processes_ignores_gone_group
            and missing
            and not self.has_init()
            and not self.cgroup_manager.exists()
        )

    def hook_state(self, pid: int, status: str) -> bytes:
        """The state a hook reads on stdin (``pid`` 0: none), with the config's annotations
        where the profile sends them (runc >= 1.0's currentOCIState, v1.2.0
        container_linux.go:1010-1017; the seed's HookState has none)."""
        annotations = self.config.annotations() if self.profile.hook_state_annotations else None
        return hook_state_json(
            self.profile.hook_version(self.config.version),
            self.id,
            self.config.label("bundle"),
            pid=pid,
            status=status,
            annotations=annotations,
        )

    # -- state.json --------------------------------------------------------------------------
    def state_json(self) -> dict[str, Any]:
        """The seed's ``State``: what ``load`` needs to find the container again."""
        fds = self.init_process.fds if self.init_process is not None else []
        pid = self._init_pid()
        known = self.profile.namespace_types
        return {
            "id": self.id,
            "init_process_pid": pid,
            "init_process_start": self.init_process_start_time,
            "created": self.created,
            "config": self.config.to_json(),
            "rootless": False,
            "cgroup_paths": self.cgroup_manager.get_paths(),
            "namespace_paths": namespace_paths(self.config.namespaces, pid, known),
            "intel_rdt_path": self._intel_rdt_path(),
            # omitempty: only while an init with descriptors is known
            **({"external_descriptors": fds} if fds else {}),
        }

    def _init_pid(self) -> int:
        """Init's pid; 0 before there is one."""
        return self.init_process.pid if self.init_process is not None else 0

    def _init_namespaces(self) -> tuple[str, ...]:
        """What a process started in the running container joins: init's namespaces."""
        return join_specs(self.config.namespaces, self._init_pid(), self.profile.namespace_types)

    def _intel_rdt_path(self) -> str:
        """state.json's ``intel_rdt_path``: the seed's GetIntelRdtPath, ``<resctrl>/<id>``
        whenever resctrl is mounted, intelRdt in the config or not (692f6e1
        container_linux.go:1543-1546, intelrdt/intelrdt.go:393-401); runc asks the container's
        manager, which exists only with intelRdt (since v1.1.0, 7296dc171; v1.2.0
        container_linux.go:975-978)."""
        if self.profile.rdt_path_without_manager:
            return os.path.join(self.resctrl_root, self.id) if self.resctrl_root else ""
        manager = self.intel_rdt_manager
        if manager is None or manager.features.root is None:
            return ""
        return manager.group_path()

    def _store_init_state(self, parent: ParentProcess) -> None:
        """Save state.json once init runs.  The seed returns the error as it is and leaves init
        alive (692f6e1 container_linux.go:297-304); runc 1.2 saves it in the parent's start
        (its sync loop's procReady, v1.2.0 process_linux.go:733-736, 786-788), whose failure
        is undone as any other's there."""
        try:
            self._save_state()
        except Exception as err:
            context = self.profile.state_save_context
            if not context:
                raise
            self._abort_parent(parent)
            wrapped = WrappedError(context, err)
            if self.profile.init_sync_context:  # it is saved in the sync loop's procReady
                wrapped = WrappedError(self.profile.init_sync_context, wrapped)
            raise self.profile.start_error(wrapped) from err

    def _save_state(self) -> None:
        """``saveState``: the JSON written in place with ``os.Create`` (seed, 692f6e1
        container_linux.go:1450-1457), or to a temporary ``state-*`` renamed over state.json
        (runc >= 1.0.0-rc91, a4a306d2a); an error is Go's *PathError or *LinkError."""
        data = json.dumps(self.state_json(), separators=(",", ":"))  # utils.WriteJSON
        path = os.path.join(self.root, STATE_FILE)
        if self.profile.state_write == "in-place":
            write_file(path, data, mode=0o666)
            return
        tmp = os.path.join(self.root, f"state-{os.getpid()}")
        write_file(tmp, data, mode=0o600)
        try:
            os.rename(tmp, path)
        except OSError as err:
            os.remove(tmp)
            raise LibcontainerError(f"rename {tmp} {path}: {go_strerror(err.errno)}") from err

    # -- internals ---------------------------------------------------------------------------
    def _create_exec_fifo(self) -> None:
        """``createExecFifo``: a named pipe whose permission bits are 0622 whatever the umask.
        The seed refuses a fifo already there in its own words and clears the umask around
        mkfifo (692f6e1 container_linux.go:352-360); runc 1.2 returns mkfifo's *PathError and
        chmods the pipe after, removing it when that fails (v1.2.0 container_linux.go:438-451)."""
        path = os.path.join(self.root, EXEC_FIFO)
        if self.profile.exec_fifo_precheck:
            if os.path.exists(path):
                raise LibcontainerError(f"exec fifo {path} already exists")
            old_mask = os.umask(0)
            try:
                self.system.mkfifo(path, EXEC_FIFO_MODE)
            except OSError as err:
                # unix.Mkfifo's bare Errno, returned as it is: its text alone
                raise new_system_error(go_strerror(err.errno or errno.EIO)) from err
            finally:
                os.umask(old_mask)
            return
        try:
            self.system.mkfifo(path, EXEC_FIFO_MODE)
        except OSError as err:
            raise PathError("mkfifo", path, err.errno or errno.EIO) from err
        try:
            os.chmod(path, EXEC_FIFO_MODE)
        except OSError as err:
            self._delete_exec_fifo()
            raise PathError("chmod", path, err.errno or errno.EIO) from err

    def _delete_exec_fifo(self) -> None:
        try:
            os.remove(os.path.join(self.root, EXEC_FIFO))
        except OSError:
            pass

    def _exec(self) -> None:
        path = os.path.join(self.root, EXEC_FIFO)
        try:
            data = self.system.read_fifo(path)
        except OSError as err:
            # os.OpenFile's *PathError: "open <path>: <errno text>"
            opened = PathError("open", path, err.errno or errno.EIO)
            raise self.profile.exec_fifo_open_error(opened) from err
        if data:
            self._remove_exec_fifo(path)
            return
        raise LibcontainerError("cannot start an already running container")

    def _remove_exec_fifo(self, path: str) -> None:
        """Go's ``os.Remove`` of the fifo once init's byte is read: its error ("remove <path>:
        <errno>") returned by runc, ignored by the seed (692f6e1 container_linux.go:276-278)."""
        try:
            remove(path)
        except OSError:
            if self.profile.exec_returns_remove_error:
                raise

    def _start(self, process: Process, is_init: bool) -> None:
        try:
            parent = self._start_parent(process, is_init)
        except Exception as err:
            raise self.profile.start_error(err) from err
        if not is_init:
            if self.profile.start_extra_updates_state:
                self.created = _now()
                self.state = self.state_for("running")
            return
        self.created = _now()
        # The seed assigns createdState directly: stopped -> created is not a transition.
        self.state = self.state_for("created")
        self.init_process = parent
        self.init_process_start_time = parent.start_time
        self._store_init_state(parent)
        if self.profile.state_save_context:  # runc 1.2: init looks up after procReady's save
            try:
                self._look_up_program(parent, process, is_init)
            except LookPathError as err:
                self._abort_parent(parent)
                raise self.profile.start_error(self._init_error(err)) from err
        hooks = self.config.hooks
        if hooks is None or self.profile.hooks_at_start:
            return
        if self.profile.poststart_refreshes:
            self.refresh_state()  # currentOCIState's currentStatus; its error as it is
        state = self.hook_state(parent.pid, self.profile.poststart_status)
        for i, hook in enumerate(hooks.poststart):
            try:
                run_hook(hook, state, self.system, self.profile.hook_error_prefix)
            except Exception as err:
                self._terminate(parent)
                raise self.profile.start_hook_error("poststart", i, err) from err

    def _start_parent(self, process: Process, is_init: bool) -> ParentProcess:
        """``parent.start()``: spawn, place in cgroups and resctrl, set resources, prestart and
        createRuntime hooks."""
        spec = ProcessSpec(
            args=process.args,
            env=process.env,
            cwd=process.cwd,
            exec_fifo=os.path.join(self.root, EXEC_FIFO) if is_init else None,
            namespaces=self.config.namespaces if is_init else self._init_namespaces(),
        )
        pid = self._spawn(spec, is_init)
        try:
            start_time = self.system.proc_stat(pid).start_time
        except OSError:
            start_time = 0
        parent = InitProcess(pid, start_time, self.system)
        try:
            if not is_init:
                self._join_existing(pid)
                self._look_up_program(parent, process, is_init)
                return parent
            # the seed reads init's fds before the cgroups (process_linux.go:285-289), runc
            # after Apply (v1.2.0 :564-602)
            if not self.profile.pipe_fds_after_apply:
                parent.fds = self._pipe_fds(pid)
            rdt = self.intel_rdt_manager
            self._start_step("cgroup-apply", lambda: self.cgroup_manager.apply(pid))
            if rdt is not None:
                self._start_step("rdt-apply", lambda: rdt.apply(pid))
            if self.profile.pipe_fds_after_apply:
                parent.fds = self._pipe_fds(pid)
            self._start_step("cgroup-set", lambda: self.cgroup_manager.set(self.config.cgroups))
            intel_rdt = self.config.intel_rdt
            if rdt is not None and intel_rdt is not None:
                self._start_step("rdt-set", lambda: rdt.set(intel_rdt))
            hooks = self.config.hooks
            if hooks is not None:
                state = self.hook_state(pid, self.profile.prestart_status)
                # runc >= 1.0.0-rc91 runs createRuntime right after prestart, at the same point;
                # the seed's configs.Hooks has no createRuntime (the profile dropped it)
                prestart = () if self._prestart_at_start() else hooks.prestart
                phases = (("prestart", prestart), ("createRuntime", hooks.create_runtime))
                for kind, phase in phases:
                    for i, hook in enumerate(phase):
                        try:
                            run_hook(hook, state, self.system, self.profile.hook_error_prefix)
                        except Exception as err:
                            raise self.profile.start_hook_error(kind, i, err) from err
            if not self.profile.state_save_context:  # the seed's init, after procRun
                self._look_up_program(parent, process, is_init)
        except LookPathError as err:
            self._abort_parent(parent, is_init)
            wrapped = self._init_error(err) if is_init else err
            if wrapped is err:
                raise
            raise wrapped from err
        except BaseException:
            self._abort_parent(parent, is_init)
            raise
        return parent

    def _look_up_program(self, parent: ParentProcess, process: Process, is_init: bool) -> None:
        """runc's init looks its program up with Go's exec.LookPath in its own view and $PATH,
        after the parent's sync (692f6e1 standard_init_linux.go:159-164, system/linux.go:49-55;
        v1.2.0 standard_init_linux.go:208-213, setns_init_linux.go:115-119).  A failed lookup
        is sent to the parent as procError and init exits, which the seed's parent waits for
        (692f6e1 process_linux.go:129-132, 405-409): here it is killed and reaped."""
        pid = parent.pid
        stat_fn = functools.partial(self.system.exec_stat, pid)
        dir_errno = self.profile.lookup_dir_errno
        try:
            look_path(process.args[0], path_of(process.env), stat_fn, dir_errno)
        except LookPathError:
            with contextlib.suppress(OSError):
                self.system.signal(pid, signal_module.SIGKILL)
                self.system.wait(pid)
            raise
        if not is_init:
            self.system.exec_program(pid)

    def _init_error(self, err: LookPathError) -> BaseException:
        """An error init sent: runc 1.2's sync loop wraps every one in "error during container
        init" (v1.2.0 process_linux.go:786-788); the seed's and runc 1.1's parent return it as
        it is once procRun was sent (692f6e1 process_linux.go:405-409; v1.1.5 :610-612)."""
        context = self.profile.init_sync_context
        return WrappedError(context, err) if context else err

    def _spawn(self, spec: ProcessSpec, is_init: bool) -> int:
        """``cmd.Start``: a fork that fails is Go's "fork/exec <path>: <errno text>" inside
        the start's context, before anything is placed or made.  The path is the binary runc
        forks, itself (``/proc/self/exe``: 692f6e1 factory_linux.go InitPath)."""
        try:
            return self.system.spawn(spec)
        except OSError as err:
            cause = PathError("fork/exec", SELF_EXE, err.errno or errno.EAGAIN)
            step = "spawn-init" if is_init else "spawn-setns"
            raise self.profile.start_step_error(step, "", cause) from err

    def _abort_parent(self, parent: ParentProcess, is_init: bool = True) -> None:
        """What a start that fails inside the parent's start undoes: the process is terminated
        (its error only warned of), and for init in runc >= 1.0 the cgroups and resctrl group
        are removed, their errors discarded (v1.2.0 process_linux.go:551-560; an exec'd
        process is only terminated, :143-154)."""
        with contextlib.suppress(Exception):
            self._terminate(parent)
        if not is_init or not self.profile.failed_start_destroys_groups:
            return
        with contextlib.suppress(Exception):
            self.cgroup_manager.destroy()
        if self.intel_rdt_manager is not None:
            with contextlib.suppress(Exception):
                self.intel_rdt_manager.destroy()

    def _pipe_fds(self, pid: int) -> list[str]:
        """``getPipeFds`` of the new init, its error in the start's words."""
        try:
            return pipe_fds(pid)
        except OSError as err:
            raise self.profile.start_step_error("pipe-fds", "", err, pid=pid) from err

    def _terminate(self, parent: ParentProcess) -> None:
        """``parent.terminate()`` after a failed start, its error only warned of: the seed
        warns of every one, runc 1.2 not of an init that ended or was gone."""
        text = parent.terminate()
        if text and self.profile.terminate_exit_warned:
            log.warning("%s", text)

    def _start_step(self, step: str, action: Any) -> None:
        """One cgroup or resctrl step of initProcess.start, its error in the profile's words;
        the sync loop's phase is "ready" without a mount namespace, else "procHooks"."""
        try:
            action()
        except Exception as err:
            kinds = {ns.partition("=")[0] for ns in self.config.namespaces}
            phase = "procHooks" if "mount" in kinds else "ready"
            raise self.profile.start_step_error(step, phase, err) from err

    def _join_existing(self, pid: int) -> None:
        """``setnsProcess.start``: the new process joins the container's cgroups (the
        profile's ``exec_cgroup_join``) and its resctrl group when that exists; a failed write
        is the error of step "join-cgroups" or "join-rdt", naming the pid (692f6e1
        process_linux.go:88-102; v1.2.0 :164-195)."""
        paths = self.cgroup_manager.get_paths().values()
        try:
            if self.profile.exec_cgroup_join == "write-each":
                # runc's manager has its paths from its making, before init's Apply made them
                # (v1.2.0 cgroups/fs/fs.go:63-85, fs2/fs2.go:28-42): without init they are
                # planned and not there
                paths = paths or self.cgroup_manager.planned_paths().values()
                write_each(paths, pid, self._init_pid(), CgroupWriter("runc", self.system))
            else:
                for path in paths:
                    _enter_pid(path, pid)
        except CgroupError as err:
            raise self.profile.start_step_error("join-cgroups", "", err, pid=pid) from err
        rdt_path = self._intel_rdt_path()
        if rdt_path and os.path.exists(rdt_path):
            try:
                self._join_rdt(rdt_path, pid)
            except IntelRdtError as err:
                raise self.profile.start_step_error("join-rdt", "", err, pid=pid) from err

    def _join_rdt(self, path: str, pid: int) -> None:
        """``WriteIntelRdtTasks``: the seed's "failed to write <pid> to tasks: ..."
        (intelrdt.go:357-369); runc's "intelrdt: unable to add pid <pid>: ..." with the
        kernel's last_cmd_status, once (v1.2.0 intelrdt.go:405-417, 675-681)."""
        manager = self.intel_rdt_manager
        try:
            write_file(os.path.join(path, "tasks"), str(pid))
        except OSError as err:
            if manager is None or self.profile.exec_cgroup_join == "enter-pid":
                raise IntelRdtError(write_failed(pid, "tasks", err)) from err
            raise manager._last_cmd(f"intelrdt: unable to add pid {pid}: {err}") from err


def _enter_pid(path: str, pid: int) -> None:
    """EnterPid's write of one path, skipped when os.Stat of it fails (PathExists), and any
    error of the write returned, ENOENT too (692f6e1 cgroups/utils.go:359-368): the seed's
    "failed to write <pid> to cgroup.procs: ..."."""
    if not os.path.exists(path):
        return
    try:
        _write_pid(path, "cgroup.procs", pid)
    except OSError as err:
        raise CgroupError(str(err.strerror)) from err


def _write_pid(directory: str, name: str, pid: int) -> None:
    """WriteCgroupProc and WriteIntelRdtTasks: ioutil.WriteFile of the pid, whose error is
    "failed to write <pid> to <file>: <*PathError>" (692f6e1 cgroups/utils.go:457-459,
    intelrdt/intelrdt.go:364-366); the OSError keeps the errno, its strerror that text."""
    try:
        write_file(os.path.join(directory, name), str(pid))
    except OSError as err:
        raise OSError(err.errno, write_failed(pid, name, err)) from err


def _set_back(what: str, restore: Any) -> None:
    """Put the old configuration back after a failed Set; a failure to is only warned of
    (692f6e1 container_linux.go:200-203, 208-211)."""
    try:
        restore()
    except Exception as err:  # noqa: BLE001 - runc only warns
        log.warning(
            "Setting back %s configs failed due to error: %s, your state.json and actual "
            "configs might be inconsistent.",
            what,
            err,
        )
