"""runc v1.2.0's libcontainer as a test subject: ``python:tests.models.runc_v120:new_factory``.

Every behaviour is stated here from the upstream source at tag v1.2.0 (each value cites its
file:line there), not from ``harness/spec`` nor from the reference's own ``runc-1.2`` profile:
a gate run of ``--profile runc-1.2`` against this model checks the spec against runc itself.
The mechanics shared with every libcontainer (states, processes, the simulated host's system
calls) are the reference's; only the values below choose its behaviour.
"""

from __future__ import annotations

import errno
import re
from typing import Any

from reference_impl.factory import Factory
from reference_impl.profiles import Profile
from reference_impl.profiles import Refusal

__all__ = ["RUNC_V120", "new_factory"]

__version__ = "1.2.0"


def _sentinel(name: str, text: str) -> Refusal:
    """A sentinel error of libcontainer/error.go:5-14."""
    return Refusal(text, sentinel=name)


#: libcontainer/error.go:11
_NOT_RUNNING = _sentinel("ErrNotRunning", "container not running")

RUNC_V120 = Profile(
    name="runc-v1.2.0-model",
    source="opencontainers/runc v1.2.0 (tests/models/runc_v120.py)",
    refusals={
        # state_linux.go:114-122 (running) and 143-147 (destroy): ErrRunning; error.go:10
        "running-transition": _sentinel("ErrRunning", "container still running"),
        "running-destroy": _sentinel("ErrRunning", "container still running"),
        # state_linux.go pausedState.destroy: ErrPaused; error.go:9
        "paused-destroy": _sentinel("ErrPaused", "container paused"),
        # container_linux.go:807-823 Pause, Set: ErrNotRunning
        "pause": _NOT_RUNNING,
        "set": _NOT_RUNNING,
        # container_linux.go:378-427 Signal without a live init
        "signal": _NOT_RUNNING,
        # container_linux.go:830-838 Resume; error.go:12
        "resume": _sentinel("ErrNotPaused", "container not paused"),
        # init_linux.go:698-700 signalAllProcesses; error.go:13
        "cgroup-gone": _sentinel("ErrCgroupNotExist", "cgroup not exist"),
        # container_linux.go:308-311
        "second-init": Refusal("container already has init process"),
        # factory_linux.go:35-36
        "invalid-root": Refusal("root not set"),
        # factory_linux.go:187-210 validateID; error.go:7
        "invalid-id": _sentinel("ErrInvalidID", "invalid container ID format"),
        # factory_linux.go:52; error.go:6
        "id-in-use": _sentinel("ErrExist", "container with given ID already exists"),
        # factory_linux.go Load; error.go:8
        "not-exists": _sentinel("ErrNotExist", "container does not exist"),
    },
    # state_linux.go:50-60: each teardown step returns at once, wrapped
    destroy_returns_early=True,
    step_contexts={
        "cgroup": "unable to remove container's cgroup",
        "rdt": "unable to remove container's IntelRDT group",
        "state-dir": "unable to remove container state dir",
    },
    # container_linux.go:796-803 Destroy
    destroy_context="unable to destroy container",
    # state_linux.go:46-49: `_ = signalAllProcesses(...)` when the PID namespace is not private
    kill_all_errors="discarded",
    kill_all_in_joined_pidns=True,
    # init_linux.go:698-700: `if !m.Exists() { return ErrCgroupNotExist }`
    kill_all_needs_cgroup=True,
    # init_linux.go:701-710: cgroup.kill of m.Path("") on v2 and hybrid hosts
    cgroup_kill_file=True,
    kill_all_waits=False,
    exec_fifo_precheck=False,
    # container_linux.go:940-953 hasInit: a live init with the recorded start time
    init_check="has-init",
    # container_linux.go:378-427 Signal: no `all` flag; SIGKILL of a shared PID namespace
    # kills the cgroup; a paused container is thawed after SIGKILL
    signal_semantics="runc-1.2",
    # container_linux.go:308-311, 354: init is Process.Init, and only one
    init_by_process_flag=True,
    # delete.go:82 returns container.Destroy()'s error
    cli_delete_reports_error=True,
    # configs/config.go:423 Hooks.Run; :490 Command.Run, without "error running hook: "
    hook_context="error running {kind} hook #{index}",
    hook_error_prefix="",
    # container_linux.go:1010-1017 currentOCIState: specs.Version; go.mod:22 runtime-spec v1.2.0
    hook_oci_version="1.2.0",
    # container_linux.go:1011, 1016 currentOCIState: utils.Annotations(c.config.Labels)
    hook_state_annotations=True,
    # state_linux.go:77 runPoststopHooks: s.Status = specs.StateStopped
    poststop_status="stopped",
    # process_linux.go:754-760: currentOCIState, then s.Status = specs.StateCreating for
    # prestart and createRuntime; container_linux.go:357-362: poststart reads currentOCIState
    # while init waits on exec.fifo, Created (status.String(), :1022)
    prestart_status="creating",
    poststart_status="created",
    # container_linux.go:356-361: currentOCIState -> currentStatus -> refreshState, its error
    # returned (and exec.fifo removed by the deferred deleteExecFifo, :315-319)
    poststart_refreshes=True,
    # container_linux.go:350-351 and process_linux.go:786-788
    start_context="unable to start container process",
    init_sync_context="error during container init",
    # process_linux.go:577-584 (apply), 743-751 (set, in the sync loop's procHooks)
    # process_linux.go:136-141 and 521-528: the fork of a setns process and of init
    start_step_contexts={
        "spawn-init": "unable to start init",
        "spawn-setns": "error starting setns process",
        "pipe-fds": "error getting pipe fds for pid {pid}",
        "cgroup-apply": "unable to apply cgroup configuration",
        "rdt-apply": "unable to apply Intel RDT configuration",
        "cgroup-set": "error setting cgroup config for procHooks process",
        "rdt-set": "error setting Intel RDT config for procHooks process",
        # process_linux.go:182-183 and 190-191: an exec'd process's join
        "join-cgroups": "error adding pid {pid} to cgroups",
        "join-rdt": "error adding pid {pid} to Intel RDT",
    },
    # process_linux.go:164-185: WriteCgroupProc of each path, on cgroup v2 init's cgroup next
    exec_cgroup_join="write-each",
    # cgroups/utils.go:228-289 rmdir with EBUSY retries; fs2/fs2.go:157-159
    cgroup_removal="ebusy-retry",
    # container_linux.go:184-193: a failed schemata write in Set puts the old limits back too
    set_rdt_failure_restores_cgroups=True,
    # container_linux.go:883-907: os.CreateTemp "state-*", WriteJSON, Close, Rename
    state_write="rename",
    # process_linux.go:733-736: saveState in the ready step, its error wrapped; the deferred
    # cleanup of :530-561 terminates init
    state_save_context="unable to store init state",
    # process_linux.go:530-561: the deferred cleanup of a failed start, on the named retErr,
    # terminates init and removes the cgroups and the resctrl group
    failed_start_destroys_groups=True,
    # container_linux.go:975-978 currentState: the resctrl manager's path, and NewManager
    # makes none without intelRdt (intelrdt/intelrdt.go:158-167)
    rdt_path_without_manager=False,
    # configs/namespaces_linux.go:72-83 NamespaceTypes
    namespace_types=("user", "ipc", "uts", "net", "pid", "mount", "cgroup", "time"),
    # factory_linux.go:187-210: [A-Za-z0-9_+.-] only, and "." / ".." are refused
    id_pattern=re.compile(r"^[0-9A-Za-z_+\-.]+$"),
    id_refuses_dot_names=True,
    # cgroups/fs/fs.go:192-196: a limit for a subsystem without a cgroup (not mounted)
    cgroup_limit_without_group=(
        "cannot set {subsystem} limit: container could not join or create cgroup"
    ),
    # cgroups/fs/fs.go:206-210: Pause or Resume without a freezer cgroup (not mounted)
    cgroup_freeze_without_group="cannot toggle freezer: cgroups not configured for container",
    # cgroups/fs/cpu.go:67-83: cpu.shares read back right after its write, "the maximum ..."
    cpu_shares_in_place=True,
    # cgroups/file.go:47-58 WriteFile ('failed to write "<data>": ...'); cgroups/utils.go:368-401
    # WriteCgroupProc (five writes on EINVAL, 30 ms apart)
    cgroup_write_era="runc",
    # cgroups/fs/freezer.go:115-158 GetState: FREEZING read again after 1 ms, FROZEN asked
    # through freezer.self_freezing (an ancestor's freeze reads thawed)
    freezer_get_state=True,
    # cgroups/fs/freezer.go:26-101 Set(Frozen): 1000 rounds of write and read back, THAWED and
    # 10 ms every 50th, "unable to freeze", the group thawed back on any failure
    freezer_freeze_loop=True,
    # container_linux.go:304-371: start changes neither state nor created for a process that
    # is not init (process_linux.go:719-722 does, for init)
    start_extra_updates_state=False,
    # container_linux.go:287-297 handleFifoResult: os.Remove's error returned
    exec_returns_remove_error=True,
    # container_linux.go:277-283 fifoOpen: fmt.Errorf("exec fifo: %w", err)
    exec_fifo_context="exec fifo",
    # container_linux.go:130-136 Processes: fmt.Errorf("unable to get all container pids: %w")
    processes_context="unable to get all container pids",
    # container_linux.go:114-122 ignoreCgroupError: ErrNotExist with neither init nor group
    processes_ignores_gone_group=True,
    pids_read_threads=True,
    # container_linux.go:363-365, 1203-1221 ignoreTerminateErrors: "signal: killed" is dropped
    terminate_exit_warned=False,
    # process_linux.go:564-602: getPipeFds of the child after Apply of cgroups and resctrl
    pipe_fds_after_apply=True,
    # go.mod:3 "go 1.22": Go >= 1.20's exec.LookPath says EISDIR of a directory
    lookup_dir_errno=errno.EISDIR,
    # factory_linux.go:107-114 Load: validateID before the state dir is joined
    load_validates_id=True,
    # factory_linux.go:44-46, 90-92, 154-165: MkdirAll, Mkdir, the open and the JSON decoding
    # of state.json return their errors as they are
    factory_system_errors=False,
    # factory_linux.go:44-46 Create: os.MkdirAll(root, 0o700) (no factory, no New); Load
    # makes nothing
    root_made_by="create",
    # factory_linux.go:47-50, 115-118, 150-153: securejoin.SecureJoin of the id and state.json
    state_dir_join="secure",
    # cgroups/manager/new.go:38-44, 58-78: NewWithPaths' getUnifiedPath on a v2 host
    load_checks_unified_paths=True,
    # factory_linux.go:62-87 Create: a cgroup with processes, or frozen, is refused
    create_refuses_busy_cgroup=True,
    create_refuses_frozen_cgroup=True,
    # factory_linux.go:57-60 Create: manager.New(config.Cgroups), which refuses nil
    # (cgroups/manager/new.go:30-33)
    create_requires_cgroups=True,
    # factory_linux.go:57-60 Create: manager.New, whose v1 manager computes its paths at once
    # (cgroups/fs/fs.go:73-79 initPaths); a devices hierarchy not mounted is fatal there
    # (cgroups/fs/paths.go:36-46)
    create_requires_devices=True,
    # container_linux.go:955-961 isPaused: the freezer read's error as it is
    paused_check_context="",
    # cgroups/fs/fs.go:36-42: on a hybrid host the "" subsystem joins cgroup v2
    cgroup_join_unified=True,
    # cgroups/fs/fs.go:15-32 subsystems: the seed's, RdmaGroup after the freezer, and misc
    # (NameGroup with Join) after name=systemd
    v1_subsystems="runc-1.2",
    # configs/validate/validator.go intelrdtCheck and intelrdt/intelrdt.go (v1.1 era: closID,
    # MBA, a writer whenever resctrl is mounted)
    rdt_era="runc-1.1",
    # intelrdt/intelrdt.go:158-167 NewManager: a writer wherever Root() finds resctrl, with or
    # without CAT and MBA
    rdt_writer_needs_cat_or_mba=False,
    # configs/config.go:196-200 Hooks: createRuntime, createContainer, startContainer beside
    # prestart, poststart and poststop
    create_runtime_hooks=True,
    # cgroups/manager/new.go: fs2 on a cgroup2 host
    cgroup_v2=True,
)


def new_factory(root: str, system: Any, profile: str = "runc-1.2") -> Factory:
    """A libcontainer factory that behaves as runc v1.2.0, whatever ``profile`` the run has."""
    del profile  # the model is one release; the run's profile is what it is judged by
    return Factory(root, system, RUNC_V120)
