"""What differs between the semantic profiles of the reference, in one place.

``seed`` is runc 692f6e1 (2017-08-30), the commit the seed file shows: every teardown step runs,
the first error wins, the state always ends stopped, errors carry libcontainer's error codes.

``runc-1.2`` is runc v1.2.0 (2024-10): destroy returns at the first failing step, wrapped
(a6f408176), and then leaves the state, init, the state dir and the poststop hooks alone;
sentinel errors replace the error codes (e918d0213); ``runType`` became ``hasInit`` (d9f2a24a5);
``Signal`` lost its ``all`` flag and kills the whole cgroup for SIGKILL without a private PID
namespace (f8ad20f50, 9583b3d1c; destroy's kill-all in a shared PID namespace: ab3cd8d73); a
second init is refused; hook errors name the hook, without the seed's "error running hook: "
(6a4870e4a); hooks read the vendored runtime-spec's version; busy cgroups are rmdir'ed with
EBUSY retries; cgroup.kill kills through the unified group on v2 and hybrid hosts.

``runc-1.1`` is runc v1.1.5 (Debian bookworm's): the seed's all-steps destroy and runType,
with sentinel errors (e918d0213), SIGKILL thawing a paused container (6806b2c1c), kill-all in a
joined PID namespace (cbb0a7932), cgroup v2, closID, MBA and createRuntime hooks.  Only its
command line is judged (the spec's ``runc-1.1`` profile has command-line rules only).

``runtime-spec`` is runc 1.2's libcontainer behind a command line that does what runtime-spec
v1.0.2's runtime.md says where runc departs from it (delete, kill, poststop hooks).

The other reference modules never test a profile's *name*: they read the flags, texts and small
strategies below, so a new profile is one more :class:`Profile` value.
"""

from __future__ import annotations

import dataclasses
import errno
import re
from collections.abc import Mapping
from typing import Any
from typing import Literal

from reference_impl.configs import Config
from reference_impl.configs import IntelRdtConfig
from reference_impl.errors import ErrorCode
from reference_impl.errors import GenericError
from reference_impl.errors import LibcontainerError
from reference_impl.errors import SentinelError
from reference_impl.errors import WrappedError
from reference_impl.errors import new_system_error_with_cause

__all__ = [
    "PROFILES",
    "RUNC_1_1",
    "RUNC_1_2",
    "RUNTIME_SPEC",
    "SEED",
    "Profile",
    "Refusal",
    "TeardownStep",
    "UnknownProfileError",
    "get_profile",
]

#: the teardown steps whose failure ``destroy`` can report, in teardown order
TeardownStep = Literal["cgroup", "rdt", "state-dir"]


@dataclasses.dataclass(frozen=True, slots=True)
class Refusal:
    """An error a profile raises where it refuses an operation: its text and its kind.

    ``code`` set: a seed ``genericError`` with that code.  ``sentinel`` set: a runc >= 1.1
    sentinel error of that name.  Neither: a plain ``errors.New`` text.
    """

    text: str
    code: ErrorCode | None = None
    sentinel: str = ""

    def error(self, **fields: object) -> LibcontainerError:
        """A fresh error to raise; ``fields`` fill the text's ``{placeholders}``."""
        text = self.text.format(**fields)
        if self.code is not None:
            return GenericError(text, self.code)
        if self.sentinel:
            return SentinelError(self.sentinel, text)
        return LibcontainerError(text)


def _sentinel(name: str, text: str) -> Refusal:
    # Called only at import, to build the profiles: a mutant of it is never switched on (make
    # mutate forks each mutant after the imports), so it is not mutated.
    return Refusal(text, sentinel=name)  # pragma: no mutate


@dataclasses.dataclass(frozen=True, slots=True)
class Profile:
    """One semantic variant of libcontainer."""

    name: str
    #: the runc commit or tag whose behaviour this profile reproduces
    source: str
    #: the errors of refused operations, by the key the reference raises them under
    refusals: Mapping[str, Refusal]
    #: destroy stops at the first failing teardown step (runc >= 1.2) instead of running all
    destroy_returns_early: bool = False
    #: ``Container.Destroy`` wraps every error with this context ("" = unwrapped)
    destroy_context: str = ""
    #: an early return wraps the failing step's error with its context
    step_contexts: Mapping[str, str] = dataclasses.field(default_factory=dict)
    #: a failed kill-all in destroy is "logged" (seed) or "discarded" (runc 1.2: ``_ =``)
    kill_all_errors: Literal["logged", "discarded"] = "logged"
    #: signalAllProcesses first checks that the cgroup exists (runc 1.2: ErrCgroupNotExist)
    kill_all_needs_cgroup: bool = False
    #: "is init running?" means ``runType() == Running`` (seed: a created init does not count)
    #: or ``hasInit()`` (runc 1.2: any live init counts)
    init_check: Literal["run-type", "has-init"] = "run-type"
    #: Signal: "seed" (no state check, ``all`` flag) or "runc-1.2" (no ``all`` flag, init
    #: checked, SIGKILL kills the cgroup without a private PID namespace, thaws a paused one)
    signal_semantics: Literal["seed", "runc-1.1", "runc-1.2"] = "seed"
    #: Start: init is the first process by status (seed) or by ``Process.init`` (runc 1.2,
    #: which also refuses a second init)
    init_by_process_flag: bool = False
    #: destroy kills the cgroup's processes also when the config joins a PID namespace by path
    #: (runc >= 1.0.0-rc93, cbb0a7932); the seed only when there is no PID namespace at all
    kill_all_in_joined_pidns: bool = False
    #: ``runc delete`` exits non-zero when Destroy fails (runc 1.2, 7396ca90f); the seed's
    #: delete only logs the error and exits 0
    cli_delete_reports_error: bool = False
    #: the context a failing hook's error gets: "" (seed) or with ``{kind}`` and ``{index}``
    hook_context: str = ""
    #: what ``Command.Run`` puts before a failed hook's "exit status N, ..." (runc 1.2: none,
    #: v1.2.0 libcontainer/configs/config.go:490)
    hook_error_prefix: str = "error running hook: "
    #: the ociVersion hooks read: "" for the config's (seed), else the runtime's own
    #: (runc 1.2: specs.Version of its vendored runtime-spec, container_linux.go:1010-1017)
    hook_oci_version: str = ""
    #: hooks read the config's annotations (its labels but the bundle) in their state: runc's
    #: currentOCIState (v1.2.0 container_linux.go:1010-1017, utils.Annotations); the seed's
    #: HookState leaves them out (692f6e1 state_linux.go:64-70, process_linux.go:371-376)
    hook_state_annotations: bool = False
    #: runc 1.2's contexts around a failed start: Container.start's (container_linux.go:350-351)
    #: and initProcess.start's around its sync loop, where prestart hooks run
    #: (process_linux.go:786-788); "" = the seed's SystemError "starting container process"
    start_context: str = ""
    init_sync_context: str = ""
    #: what initProcess.start says around each cgroup and resctrl step of a start: "apply"
    #: (before the sync loop) and "set" (in it; ``{phase}`` is "ready" without a mount
    #: namespace, else "procHooks"), by step: "cgroup-apply", "rdt-apply", "cgroup-set",
    #: "rdt-set"; around the fork of init ("spawn-init") or of a process started in a
    #: running container ("spawn-setns"), and the reading of init's fds ("pipe-fds", ``{pid}``);
    #: the join of such a process to the container's cgroups ("join-cgroups") and resctrl
    #: group ("join-rdt"), ``{pid}`` its pid.
    #: The seed's are SystemError causes (692f6e1 process_linux.go:75-79, 88-102, 269-275,
    #: 285-288, 292-299, 330-338, 360-368); runc 1.2's wrap as "<context>: <err>" (v1.2.0
    #: :136-141, 182-192, 521-528, 598-601, 577-584, 743-751).
    start_step_contexts: Mapping[str, str] = dataclasses.field(
        default_factory=lambda: {
            "spawn-init": "starting init process command",
            "spawn-setns": "starting setns process",
            "pipe-fds": "getting pipe fds for pid {pid}",
            "cgroup-apply": "applying cgroup configuration for process",
            "rdt-apply": "applying Intel RDT configuration for process",
            "cgroup-set": "setting cgroup config for {phase} process",
            "rdt-set": "setting Intel RDT config for {phase} process",
            "join-cgroups": "adding pid {pid} to cgroups",
            "join-rdt": "adding pid {pid} to Intel RDT resource control filesystem",
        }
    )
    #: how a process started in a running container joins the container's cgroups:
    #: "enter-pid", the seed's EnterPid, which skips a path that no longer exists (692f6e1
    #: process_linux.go:88-93, cgroups/utils.go:359-368); or "write-each", runc's
    #: WriteCgroupProc of every path, a gone one an error (39914db67, v1.1.0), which on cgroup
    #: v2 first tries again in the cgroup /proc/<init pid>/cgroup gives init (v1.2.0
    #: process_linux.go:164-185)
    exec_cgroup_join: Literal["enter-pid", "write-each"] = "enter-pid"
    #: a busy cgroup: "rounds" (the seed's five RemovePaths rounds) or "ebusy-retry" (runc
    #: 1.2's rmdir with ten EBUSY retries, cgroups/utils.go:228-289; fs2 Destroy = RemovePath)
    cgroup_removal: Literal["rounds", "ebusy-retry"] = "rounds"
    #: a Set whose resctrl write fails puts back the old schema (seed, container_linux.go:206-213)
    #: and also the old cgroup limits (runc >= 1.0.0-rc92, 9d275d326)
    set_rdt_failure_restores_cgroups: bool = False
    #: state.json written "in-place" (seed: os.Create and a write, container_linux.go:1450-1457)
    #: or through a temporary file "state-*" and a rename (runc >= 1.0.0-rc91, a4a306d2a)
    state_write: Literal["in-place", "rename"] = "in-place"
    #: the context of a start whose saving of state.json fails: "" in the seed (the error as it
    #: is, init left alive), else runc 1.2's, after init is terminated (v1.2.0
    #: process_linux.go:733-736, 530-561)
    state_save_context: str = ""
    #: a start of init that fails inside the parent's start removes the container's cgroups and
    #: resctrl group (runc >= 1.0: the deferred cleanup with a named error, v1.1.5
    #: process_linux.go:401, v1.2.0 :530-561); the seed's deferred Destroy tests a shadowed
    #: ``err`` that is nil by then, so it never runs (692f6e1 process_linux.go:268, 301-309)
    failed_start_destroys_groups: bool = False
    #: the ``status`` poststop hooks read on stdin ("" in the seed, which sends none)
    poststop_status: str = ""
    #: the ``status`` prestart (and createRuntime) and poststart hooks read: "" in the seed;
    #: runc >= 1.1 sends currentOCIState with "creating" before init runs, then "created"
    prestart_status: str = ""
    poststart_status: str = ""
    #: the poststart hooks' state is currentOCIState, whose refreshState can fail: start
    #: returns that error as it is, init left alive, exec.fifo removed by start's deferred
    #: cleanup (runc >= 1.0.0-rc91; v1.1.5 container_linux.go:361-366, v1.2.0 :356-361); the
    #: seed builds the state without a refresh (692f6e1 container_linux.go:307-313)
    poststart_refreshes: bool = False
    #: the hooks runtime-spec times at ``start`` run there: poststart after init was let go
    #: to exec its program, before start returns (v1.0.2 config.md:465), and for a bundle
    #: declaring an ociVersion before 1.1.0 prestart too, before init is let go (v1.0.2
    #: config.md:422, :441); runc runs both inside create (v1.1.5 process_linux.go:525,
    #: container_linux.go:366), and v1.1.0 config.md:558 moved prestart into create
    hooks_at_start: bool = False
    #: the container ids the factory accepts
    id_pattern: re.Pattern[str] = re.compile(r"^[0-9A-Za-z_+,\-.]+$")
    #: ids "." and ".." are refused (runc 4eb30fcdb) although the pattern lets them in
    id_refuses_dot_names: bool = False
    #: state.json's intel_rdt_path is ``<resctrl>/<id>`` whenever resctrl is mounted (the seed's
    #: GetIntelRdtPath), not only for a container with intelRdt, as runc does until v1.1.0
    rdt_path_without_manager: bool = True
    #: a container gets a resctrl writer only where CAT or MBA is enabled (the seed; runc
    #: v1.1.5 factory_linux.go:54-61, IntelRdtFs): on a host whose resctrl has neither (a cdp
    #: mount, L2 CAT alone) its intelRdt, closID included, is silently ignored (runc issue
    #: 3550).  runc v1.2.0 makes one wherever resctrl is mounted (intelrdt.go NewManager).
    rdt_writer_needs_cat_or_mba: bool = True
    #: the error of a limit for a subsystem whose hierarchy is not mounted (``{subsystem}``,
    #: ``{file}``): the seed's writeFile on an empty dir (692f6e1 apply_raw.go:311-313), or runc's
    #: own text since v1.0.0 (8c5a19f79; v1.1.5 fs/fs.go:193, v1.2.0 :192-196)
    cgroup_limit_without_group: str = "no such directory for {file}"
    #: the error of a Pause or Resume where the freezer hierarchy is not mounted: the seed's
    #: writeFile on an empty dir (692f6e1 apply_raw.go:215-230, 311-313), or runc's own text
    #: since v1.0.0 (8c5a19f79; v1.1.5 fs/fs.go:204-208, v1.2.0 :206-210)
    cgroup_freeze_without_group: str = "no such directory for freezer.state"
    #: Exec whose open of exec.fifo fails: "" is the seed's SystemError caused by the open
    #: ("open exec fifo for reading", 692f6e1 container_linux.go:265-270); runc wraps it in this
    #: context since e918d0213 (v1.1.0-rc.1; v1.2.0 container_linux.go:277-283)
    exec_fifo_context: str = ""
    #: Create refuses a config whose cgroup already holds processes ("container's cgroup is not
    #: empty: N process(es) found", 82bc89cd1, v1.2.0; runc 1.1 only warns, d08bc0c1b) or is
    #: frozen ("container's cgroup unexpectedly frozen", 68c2b6a7d, v1.1.0-rc.1) (v1.2.0
    #: factory_linux.go:62-87); the seed makes no such check
    create_refuses_busy_cgroup: bool = False
    create_refuses_frozen_cgroup: bool = False
    #: Create makes the cgroup manager at once, and manager.New refuses a config without
    #: cgroups (097c6d742, v1.1.0; v1.2.0 factory_linux.go:57-60, cgroups/manager/new.go:30-33);
    #: the seed's manager takes a nil config and does nothing with it
    create_requires_cgroups: bool = False
    #: Create makes the cgroup manager at once, and the v1 manager computes its paths then, a
    #: devices hierarchy that is not mounted being fatal ("mountpoint for devices not found";
    #: 6c5441e5c, v1.1.0; v1.2.0 cgroups/fs/fs.go:73-79, paths.go:36-46, factory_linux.go:
    #: 57-60); the seed finds out at Apply (692f6e1 apply_raw.go:132-143)
    create_requires_devices: bool = False
    #: Load checks the id as Create does, before it reads anything (d2d226e8f, v1.0.0-rc6;
    #: v1.2.0 factory_linux.go:107-114); the seed joins whatever it is given to the root
    #: (692f6e1 factory_linux.go:214-219)
    load_validates_id: bool = False
    #: Exec returns os.Remove's error when it cannot remove exec.fifo after init's byte was
    #: read (runc's handleFifoResult, v1.1.5 container_linux.go:319-329, v1.2.0 :287-297); the
    #: seed ignores it (692f6e1 container_linux.go:276-278)
    exec_returns_remove_error: bool = False
    #: a container's state dir is ``filepath.Join(root, id)``, which follows a symlink at
    #: ``<root>/<id>`` wherever it points (the seed, 692f6e1 factory_linux.go:183, 218), or
    #: ``securejoin.SecureJoin(root, id)``, which resolves it inside the root (runc >= 1.0,
    #: v1.1.5 factory_linux.go:154, 230, 360; v1.2.0 :47-50, 115-118, 150-153)
    state_dir_join: Literal["join", "secure"] = "join"
    #: Load on a cgroup v2 host refuses saved cgroup paths that are not one clean absolute
    #: path under "" (manager.NewWithPaths' getUnifiedPath, 097c6d742, v1.1.0; v1.2.0
    #: cgroups/manager/new.go:38-44, 58-78)
    load_checks_unified_paths: bool = False
    #: the factory's failed system calls (Load's open, read and JSON decoding of state.json,
    #: Create's mkdir) are SystemError genericErrors (692f6e1 factory_linux.go:131-132,
    #: 189-191, 335, 339-341); runc returns them as they are since e918d0213 (v1.1.0-rc.1;
    #: v1.2.0 factory_linux.go:44-46, 90-92, 154-165)
    factory_system_errors: bool = True
    #: who makes the state root (mode 0700): the factory's ``New`` once (the seed and runc
    #: 1.1, 692f6e1 factory_linux.go:129-134, v1.1.5 :90-93), or each ``Create`` (runc 1.2,
    #: which has no factory, v1.2.0 factory_linux.go:44-46); Load never makes it then
    root_made_by: Literal["new", "create"] = "new"
    #: Processes whose listing fails: "" is the seed's SystemError "getting all container pids
    #: from cgroups" (692f6e1 container_linux.go:155-161); runc wraps it in this context since
    #: e918d0213 (v1.1.0-rc.1; v1.2.0 container_linux.go:130-136)
    processes_context: str = ""
    #: Processes ignores a listing that found no group while there is no init and no group
    #: (runc 1.2's ignoreCgroupError, v1.2.0 container_linux.go:114-136)
    processes_ignores_gone_group: bool = False
    #: the v2 listing reads a threaded group's cgroup.threads, whose cgroup.procs the kernel
    #: refuses to read (EOPNOTSUPP): runc's readProcsFile since 1c505fffd (v1.2.0-rc.2;
    #: v1.2.0 cgroups/utils.go:160-166)
    pids_read_threads: bool = False
    #: terminate's error after a failed start is warned of as it is: the seed's, which is
    #: "signal: killed" whenever it killed init (692f6e1 container_linux.go:289-292, 316-318);
    #: runc 1.2's ignoreTerminateErrors drops wait's exit errors and a finished process
    #: (v1.2.0 container_linux.go:363-365, 1203-1221; process_linux.go:553-555)
    terminate_exit_warned: bool = True
    #: init's fds 0-2 are read after the cgroups and resctrl group are applied, not before:
    #: runc reads those of the child it waits for (v1.2.0 process_linux.go:564-602; since
    #: df3fa115f, v1.0.0-rc6), the seed those of init before Apply (692f6e1 :285-293)
    pipe_fds_after_apply: bool = False
    #: what Go's exec.LookPath says of a program path that is a directory, by the Go runc is
    #: built with: fs.ErrPermission up to Go 1.19 (the seed's era; runc 1.1.5 here is built
    #: with go1.19.8), syscall.EISDIR since Go 1.20 (os/exec lp_unix.go findExecutable);
    #: runc 1.2 needs Go 1.22 (v1.2.0 go.mod:3)
    lookup_dir_errno: int = errno.EACCES
    #: Start of a process that is not init marks the container running and stamps its
    #: ``created`` (692f6e1 container_linux.go:295-296, 377-381); runc leaves both to init's
    #: start (the running state since v1.0.0-rc6, 985628dda; the stamp since v1.0.0-rc93,
    #: ba0246da7; v1.2.0 container_linux.go:304-371, process_linux.go:719-722)
    start_extra_updates_state: bool = True
    #: how a failed cgroup write reads and whether a pid's EINVAL is written again: the seed's
    #: writeFile and WriteCgroupProc, or runc's since v1.0.0 (see reference_impl.cgroups.writer)
    cgroup_write_era: Literal["seed", "runc"] = "seed"
    #: cgroup v1's memory.kmem.tcp.limit_in_bytes is written from the config's kernelTCP, as
    #: the runtime-spec says and the seed does (692f6e1 fs/memory.go:177-181); runc >= 1.0
    #: ignores it (v1.1.5 fs/memory.go:116; the warning, specconv/spec_linux.go:715-717)
    cgroup_kernel_tcp: bool = True
    #: cgroup v1's cpu.shares is read back right after its write, and a clamped value fails Set
    #: before the limits after it, in lower case (v1.0.0-rc91, 3249e2379; v1.2.0 fs/cpu.go:67-83);
    #: the seed checks once every limit is written, "The maximum ..." (apply_raw.go:205-209)
    cpu_shares_in_place: bool = False
    #: create refuses every config.json value the runtime-spec calls an error (config.md:17,
    #: :173, :183), not only those runc refuses (reference_impl.oci_refusals)
    refuses_as_spec_says: bool = False
    #: isPaused wraps an error reading the freezer state in this SystemError cause (692f6e1
    #: container_linux.go:1521-1527); "" since v1.0.0-rc91 (859a780d6), which returns it as it is
    #: (v1.1.5 container_linux.go:1993-1999, v1.2.0 :955-961)
    paused_check_context: str = "checking if container is paused"
    #: isPaused asks the v1 freezer's GetState: FREEZING is read again every millisecond until
    #: it settles, and FROZEN counts only when ``freezer.self_freezing`` says the group itself
    #: was frozen, not an ancestor (isPaused through GetFreezerState since 859a780d6, v1.0.0-rc91;
    #: self_freezing and ENODEV as no state since 294c4866e, v1.1.0; v1.2.0
    #: cgroups/fs/freezer.go:115-158); the seed reads ``freezer.state`` once, FROZEN alone
    #: paused, any read error but not-exist an error (692f6e1 container_linux.go:1515-1530)
    freezer_get_state: bool = False
    #: a v1 freeze is runc's loop: FROZEN written and read back up to 1000 times, THAWED and
    #: 10 ms every 50th round, "unable to freeze" at the end, and any failure thawed back
    #: (76ae1f5c3, v1.0.0-rc93; d1007b08a, v1.0.0-rc94; v1.2.0 cgroups/fs/freezer.go:26-101);
    #: the seed writes once and reads back until it matches (692f6e1 fs/freezer.go:29-45)
    freezer_freeze_loop: bool = False
    #: configs.NamespaceTypes(): the kinds state.json's namespace_paths may hold beyond the
    #: config's, in order (692f6e1 configs/namespaces_linux.go:63-72; cgroup since v1.0.0,
    #: 9a3a8a5eb; time since v1.2.0, ebc2e7c43)
    namespace_types: tuple[str, ...] = ("user", "ipc", "uts", "net", "pid", "mount")
    #: on a hybrid host the cgroup manager also joins the unified hierarchy (runc >= 1.0)
    cgroup_join_unified: bool = False
    #: the v1 hierarchies the fs driver makes and joins groups in, by release
    #: (``reference_impl.cgroups.fs.SUBSYSTEMS_OF``): the seed's; rdma too since b3d14488b
    #: (v1.1.0); misc too, joined on a best-effort basis, since 611bbacb3 (v1.2.0)
    v1_subsystems: Literal["seed", "runc-1.1", "runc-1.2"] = "seed"
    #: killing every process of the cgroup writes cgroup.kill where it exists (runc >= 1.2)
    cgroup_kill_file: bool = False
    #: Start of an init refuses a leftover exec.fifo with its own text before the mkfifo
    #: (the seed); runc >= 1.2 (304a4c0fe) leaves it to mkfifo's EEXIST
    exec_fifo_precheck: bool = True
    #: killing every process of the cgroup waits for them after SIGKILL and warns of a failed
    #: signal in os.Process.Signal's words; runc >= 1.2 (5b8f8712a) waits for nothing and warns
    #: "kill <pid>: <errno>", silent on ESRCH
    kill_all_waits: bool = True
    #: the resctrl writer's validator and error texts: the seed's, or runc >= 1.1's (no
    #: "not supported or enabled" and no empty-schema check; "intelrdt: unable to ..." errors;
    #: a writer whenever intelRdt is configured and resctrl is mounted)
    rdt_era: Literal["seed", "runc-1.1", "runc-1.4"] = "seed"
    #: a failing poststop hook stops the rest and is destroy's error ("stop", runc), or is a
    #: warning while the remaining hooks and the lifecycle go on ("warn", the runtime-spec)
    poststop_failures: Literal["stop", "warn"] = "stop"
    #: a failing poststart hook run at start ends init and is start's error ("stop"), or, for a
    #: bundle before runtime-spec v1.3.0, is a warning while the remaining hooks and the
    #: lifecycle go on ("warn": v1.0.2 runtime.md:69; v1.3.0 runtime.md:73 made it an error)
    poststart_failures: Literal["stop", "warn"] = "stop"
    #: ``delete`` of a created container kills and destroys it ("kill", runc's delete.go) or
    #: refuses, as for any container that is not stopped ("refuse", the runtime-spec)
    cli_delete_created: Literal["kill", "refuse"] = "kill"
    #: the config knows createRuntime hooks (runc v1.0.0-rc91, ccdd75760); the seed's
    #: configs.Hooks has prestart, poststart and poststop only, so it ignores the key
    create_runtime_hooks: bool = False
    #: cgroup v2 hosts get the fs2 manager (runc v1.0.0-rc9, 1932917b7); the seed knows only
    #: cgroup v1, also on a host whose only hierarchy is cgroup2
    cgroup_v2: bool = False
    #: ``linux.intelRdt`` of runtime-spec v1.3.0 (config-linux.md:754-786): ``schemata``
    #: lines written after l3CacheSchema and memBwSchema, and ``enableMonitoring``; without
    #: it both are dropped, as a release whose config lacks them drops unknown keys
    rdt_v1_3: bool = False
    #: what ``features`` says is the newest ociVersion it knows (runc >= v1.1.0: the
    #: runtime-spec it was built with, features.go:34); None: the release has no ``features``
    features_oci_max: str | None = None
    #: the ``linux.intelRdt`` keys ``features`` sets true (features-linux.md:229-238): runc
    #: 1.1.5 says nothing of RDT, 1.2 ``enabled``, the v1.3 profile ``schemata``, ``monitoring``
    features_intel_rdt: tuple[str, ...] = ()
    #: the ``linux.cgroup`` keys ``features`` sets true (features-linux.md:77-98): runc 1.1.5
    #: v1, v2, systemd and systemdUser (features.go:45-50), 1.2 rdma too (features.go:45-51)
    features_cgroup: tuple[str, ...] = ()
    #: create with a closID naming an existing group and l3CacheSchema or memBwSchema checks
    #: the group's schemata holds them, and errs when not (runtime-spec v1.0.2
    #: config-linux.md:523); runc leaves it a TODO (v1.1.5 intelrdt.go:724-728)
    rdt_closid_compare: bool = False
    #: ``update`` with a schema, of a container made without intelRdt, writes the schema to the
    #: group it makes for it: runc v1.1.5 loads every container with a writer where CAT or MBA
    #: is enabled (factory_linux.go:261-263), which Container.Set then calls
    #: (container_linux.go:210-211).  runc v1.2.0 loads one without intelRdt with none
    #: (factory_linux.go:138, intelrdt.go:158-161), so its Set writes nothing (container_linux.go:
    #: 184): the group update.go:359-369 made keeps the kernel's default schemata
    rdt_update_sets_new_group: bool = True

    def known_config(self, config: Config) -> Config:
        """``config`` as this release's ``configs.Config`` holds it: the seed's has no
        createRuntime hooks and its ``IntelRdt`` only ``L3CacheSchema`` (692f6e1
        configs/intelrdt.go), so whatever else the bundle says is dropped, as Go's JSON
        decoding drops unknown keys."""
        hooks, rdt = config.hooks, config.intel_rdt
        if hooks is not None and not self.create_runtime_hooks:
            hooks = dataclasses.replace(hooks, create_runtime=())
        if rdt is not None and self.rdt_era == "seed":
            rdt = IntelRdtConfig(l3_cache_schema=rdt.l3_cache_schema)
        elif rdt is not None and not self.rdt_v1_3 and (rdt.schemata or rdt.enable_monitoring):
            rdt = dataclasses.replace(rdt, schemata=(), enable_monitoring=False)
        if hooks is config.hooks and rdt is config.intel_rdt:
            return config
        return dataclasses.replace(config, hooks=hooks, intel_rdt=rdt)

    def refuse(self, key: str, **fields: object) -> LibcontainerError:
        """The error this profile raises for refusal ``key`` (see ``refusals``)."""
        return self.refusals[key].error(**fields)

    def wrap_destroy_error(self, err: BaseException) -> BaseException:
        """``Container.Destroy``'s view of a failure: wrapped, or as it is."""
        if not self.destroy_context:
            return err
        return WrappedError(self.destroy_context, err)

    def wrap_step_error(self, step: TeardownStep, err: BaseException) -> BaseException:
        """The error an early return reports for a failed teardown step."""
        context = self.step_contexts.get(step, "")
        return WrappedError(context, err) if context else err

    def wrap_hook_error(self, kind: str, index: int, err: BaseException) -> BaseException:
        """The error of the ``index``-th hook of ``kind`` ("poststop", ...)."""
        if not self.hook_context:
            return err
        return WrappedError(self.hook_context.format(kind=kind, index=index), err)

    def start_hook_error(self, kind: str, index: int, err: BaseException) -> BaseException:
        """The error of the ``index``-th prestart or poststart hook when it fails: the seed's
        SystemError "running <kind> hook <index>", or runc 1.2's Hooks.Run wrapping (and, for
        the hooks of the init sync loop, its "error during container init")."""
        if not self.hook_context:
            wrapped = new_system_error_with_cause(err, f"running {kind} hook {index}")
            if kind == "prestart":
                # the hook ran inside parseSync before procRun was sent: parent.start wraps
                # ierr once more (692f6e1 process_linux.go:395-397)
                wrapped = new_system_error_with_cause(wrapped, "container init")
            return wrapped
        wrapped = WrappedError(self.hook_context.format(kind=kind, index=index), err)
        if self.init_sync_context and kind != "poststart":
            return WrappedError(self.init_sync_context, wrapped)
        return wrapped

    def start_step_error(
        self, step: str, phase: str, err: BaseException, **fields: object
    ) -> BaseException:
        """A failed cgroup or resctrl step of a start (see ``start_step_contexts``); a step of
        the sync loop ("-set") also gets runc 1.2's "error during container init", and the
        seed's parent.start wraps it once more in "container init" (process_linux.go:395-397),
        as it does a prestart hook's."""
        context = self.start_step_contexts.get(step, "").format(phase=phase, **fields)
        if not context:
            return err
        in_sync_loop = step.endswith("-set")
        if not self.start_context:
            wrapped = new_system_error_with_cause(err, context)
            if in_sync_loop:
                wrapped = new_system_error_with_cause(wrapped, "container init")
            return wrapped
        wrapped = WrappedError(context, err)
        if in_sync_loop and self.init_sync_context:
            return WrappedError(self.init_sync_context, wrapped)
        return wrapped

    def start_error(self, err: BaseException) -> BaseException:
        """What Start returns when starting the parent process failed."""
        if not self.start_context:
            return new_system_error_with_cause(err, "starting container process")
        return WrappedError(self.start_context, err)

    def processes_error(self, err: BaseException) -> BaseException:
        """What Processes returns when listing the cgroup's pids failed with ``err``."""
        if not self.processes_context:
            return new_system_error_with_cause(err, "getting all container pids from cgroups")
        return WrappedError(self.processes_context, err)

    def exec_fifo_open_error(self, err: BaseException) -> BaseException:
        """What Exec returns when exec.fifo cannot be opened (``err``, the open's error)."""
        if not self.exec_fifo_context:
            return new_system_error_with_cause(err, "open exec fifo for reading")
        return WrappedError(self.exec_fifo_context, err)

    def hook_version(self, config_version: str) -> str:
        """The ociVersion in the state hooks read on stdin."""
        return self.hook_oci_version or config_version

    def kill_all_wanted(self, namespaces: tuple[str, ...]) -> bool:
        """Whether destroy (and a runc 1.2 SIGKILL) must kill every process of the cgroup.

        The seed asks ``!Contains(NEWPID)``: any PID namespace in the config, also one joined
        by path ("pid=/proc/1/ns/pid"), means no kill-all.  runc asks ``!IsPrivate(NEWPID)``
        since cbb0a7932 (v1.0.0-rc93): a namespace joined by path is shared, so the cgroup's
        processes are killed.
        """
        kinds = {ns.partition("=")[0]: ns.partition("=")[2] for ns in namespaces}
        if not self.kill_all_in_joined_pidns:
            return "pid" not in kinds
        return "pid" not in kinds or kinds["pid"] != ""

    def valid_id(self, container_id: str) -> bool:
        """Whether the factory accepts ``container_id``."""
        if not self.id_pattern.fullmatch(container_id):
            return False
        return not (self.id_refuses_dot_names and container_id in (".", ".."))


#: runc >= 1.0's error for a limit the container has no cgroup for (8c5a19f79; v1.2.0
#: libcontainer/cgroups/fs/fs.go:192-196)
_LIMIT_WITHOUT_GROUP = "cannot set {subsystem} limit: container could not join or create cgroup"
#: and for a Pause or Resume without a freezer cgroup (v1.2.0 cgroups/fs/fs.go:206-210)
_FREEZE_WITHOUT_GROUP = "cannot toggle freezer: cgroups not configured for container"
#: what runc 1.1 and 1.2 share and the seed lacks, each field's commit in its comment above
#: (all by v1.1.0: cpu shares in place, runc's cgroup writes, an extra process's start,
#: the exec.fifo and Processes texts, Load's id check, a cgroup manager at create)
_RUNC_SINCE_1_0: dict[str, Any] = {
    "pipe_fds_after_apply": True,
    "cpu_shares_in_place": True,
    "cgroup_write_era": "runc",
    "cgroup_kernel_tcp": False,
    "freezer_get_state": True,
    "freezer_freeze_loop": True,
    "start_extra_updates_state": False,
    "exec_fifo_context": "exec fifo",
    "processes_context": "unable to get all container pids",
    "load_validates_id": True,
    "factory_system_errors": False,
    "exec_returns_remove_error": True,
    "state_dir_join": "secure",
    "load_checks_unified_paths": True,
    "create_requires_cgroups": True,
    "create_requires_devices": True,
}

SEED = Profile(
    name="seed",
    source="runc 692f6e1e27b2e4d38e1c9e0b463f7d1bfe3f7492",
    refusals={
        "running-transition": Refusal("container still running", ErrorCode.CONTAINER_NOT_STOPPED),
        "running-destroy": Refusal("container is not destroyed", ErrorCode.CONTAINER_NOT_STOPPED),
        "paused-destroy": Refusal("container is paused", ErrorCode.CONTAINER_PAUSED),
        "pause": Refusal(
            "container not running or created: {status}", ErrorCode.CONTAINER_NOT_RUNNING
        ),
        "resume": Refusal("container not paused", ErrorCode.CONTAINER_NOT_PAUSED),
        "set": Refusal("container not running", ErrorCode.CONTAINER_NOT_RUNNING),
        "invalid-root": Refusal("invalid root", ErrorCode.CONFIG_INVALID),
        "invalid-id": Refusal("invalid id format: {id}", ErrorCode.INVALID_ID_FORMAT),
        "id-in-use": Refusal("container with id exists: {id}", ErrorCode.ID_IN_USE),
        "not-exists": Refusal('container "{id}" does not exist', ErrorCode.CONTAINER_NOT_EXISTS),
    },
)

_NOT_RUNNING = _sentinel("ErrNotRunning", "container not running")

#: the sentinel errors runc 1.1 and 1.2 share (e918d0213; v1.1.5 and v1.2.0 libcontainer/error.go)
_SENTINEL_REFUSALS: dict[str, Refusal] = {
    "running-transition": _sentinel("ErrRunning", "container still running"),
    "running-destroy": _sentinel("ErrRunning", "container still running"),
    "paused-destroy": _sentinel("ErrPaused", "container paused"),
    "pause": _NOT_RUNNING,
    "resume": _sentinel("ErrNotPaused", "container not paused"),
    "set": _NOT_RUNNING,
    "signal": _NOT_RUNNING,
    "invalid-id": _sentinel("ErrInvalidID", "invalid container ID format"),
    "id-in-use": _sentinel("ErrExist", "container with given ID already exists"),
    "not-exists": _sentinel("ErrNotExist", "container does not exist"),
}

#: runc 1.1.5: the seed's libcontainer with sentinel errors (v1.1.5 libcontainer/error.go:5-13)
RUNC_1_1 = dataclasses.replace(
    SEED,
    name="runc-1.1",
    source="runc v1.1.5 (e918d0213, 6806b2c1c, cbb0a7932, 17e3b41dd, ccdd75760)",
    refusals={
        **_SENTINEL_REFUSALS,
        # v1.1.5 factory_linux.go:145-147, 223-225
        "invalid-root": Refusal("root not set"),
    },
    signal_semantics="runc-1.1",
    kill_all_in_joined_pidns=True,
    set_rdt_failure_restores_cgroups=True,
    state_write="rename",
    failed_start_destroys_groups=True,
    poststop_status="stopped",
    # v1.1.5 process_linux.go:577 and container_linux.go:361-366: currentOCIState
    prestart_status="creating",
    poststart_status="created",
    poststart_refreshes=True,
    id_refuses_dot_names=True,
    rdt_path_without_manager=False,
    namespace_types=(*SEED.namespace_types, "cgroup"),
    cgroup_limit_without_group=_LIMIT_WITHOUT_GROUP,
    cgroup_freeze_without_group=_FREEZE_WITHOUT_GROUP,
    **_RUNC_SINCE_1_0,
    create_refuses_frozen_cgroup=True,
    paused_check_context="",
    cgroup_join_unified=True,
    v1_subsystems="runc-1.1",
    rdt_era="runc-1.1",
    create_runtime_hooks=True,
    cgroup_v2=True,
    # v1.1.5 features.go:34 (specs.Version of the runtime-spec it vendors, 1.0.2-dev)
    features_oci_max="1.0.2-dev",
    features_cgroup=("v1", "v2", "systemd", "systemdUser"),
)

RUNC_1_2 = Profile(
    name="runc-1.2",
    source=(
        "runc v1.2.0 (a6f408176, e918d0213, d9f2a24a5, f8ad20f50, 9583b3d1c, ab3cd8d73, 6a4870e4a)"
    ),
    refusals={
        **_SENTINEL_REFUSALS,
        "cgroup-gone": _sentinel("ErrCgroupNotExist", "cgroup not exist"),
        "second-init": Refusal("container already has init process"),
        "invalid-root": Refusal("root not set"),
    },
    destroy_returns_early=True,
    processes_ignores_gone_group=True,
    pids_read_threads=True,
    terminate_exit_warned=False,
    lookup_dir_errno=errno.EISDIR,
    destroy_context="unable to destroy container",
    step_contexts={
        "cgroup": "unable to remove container's cgroup",
        "rdt": "unable to remove container's IntelRDT group",
        "state-dir": "unable to remove container state dir",
    },
    kill_all_errors="discarded",
    kill_all_needs_cgroup=True,
    init_check="has-init",
    signal_semantics="runc-1.2",
    init_by_process_flag=True,
    hook_context="error running {kind} hook #{index}",
    hook_error_prefix="",
    hook_oci_version="1.2.0",
    hook_state_annotations=True,
    start_context="unable to start container process",
    init_sync_context="error during container init",
    start_step_contexts={
        "spawn-init": "unable to start init",
        "spawn-setns": "error starting setns process",
        "pipe-fds": "error getting pipe fds for pid {pid}",
        "cgroup-apply": "unable to apply cgroup configuration",
        "rdt-apply": "unable to apply Intel RDT configuration",
        "cgroup-set": "error setting cgroup config for procHooks process",
        "rdt-set": "error setting Intel RDT config for procHooks process",
        "join-cgroups": "error adding pid {pid} to cgroups",
        "join-rdt": "error adding pid {pid} to Intel RDT",
    },
    exec_cgroup_join="write-each",
    cgroup_removal="ebusy-retry",
    kill_all_in_joined_pidns=True,
    set_rdt_failure_restores_cgroups=True,
    state_write="rename",
    failed_start_destroys_groups=True,
    state_save_context="unable to store init state",
    cli_delete_reports_error=True,
    poststop_status="stopped",
    # process_linux.go:754-760 (s.Status = StateCreating), container_linux.go:357-362
    prestart_status="creating",
    poststart_status="created",
    poststart_refreshes=True,
    # b44da4c05 (v1.2.0): a byte loop allowing [A-Za-z0-9_+\-.], so no commas any more
    id_pattern=re.compile(r"^[0-9A-Za-z_+\-.]+$"),
    id_refuses_dot_names=True,
    rdt_path_without_manager=False,
    namespace_types=(*SEED.namespace_types, "cgroup", "time"),
    cgroup_limit_without_group=_LIMIT_WITHOUT_GROUP,
    cgroup_freeze_without_group=_FREEZE_WITHOUT_GROUP,
    **_RUNC_SINCE_1_0,
    create_refuses_busy_cgroup=True,
    create_refuses_frozen_cgroup=True,
    root_made_by="create",
    paused_check_context="",
    cgroup_join_unified=True,
    v1_subsystems="runc-1.2",
    cgroup_kill_file=True,
    kill_all_waits=False,
    exec_fifo_precheck=False,
    rdt_era="runc-1.1",
    create_runtime_hooks=True,
    cgroup_v2=True,
    # v1.2.0 features.go:34 (its go.mod's runtime-spec v1.2.0), 58-60 (intelRdt enabled)
    features_oci_max="1.2.0",
    rdt_writer_needs_cat_or_mba=False,
    features_intel_rdt=("enabled",),
    features_cgroup=("v1", "v2", "systemd", "systemdUser", "rdma"),
    rdt_update_sets_new_group=False,
)

#: runtime-spec v1.0.2 runtime.md on top of runc 1.2's libcontainer: delete of a container
#: that is not stopped MUST error, and a failing poststop hook is a warning after which the
#: remaining hooks run
RUNTIME_SPEC = dataclasses.replace(
    RUNC_1_2,
    name="runtime-spec",
    source="runtime-spec v1.0.2 runtime.md (operations, lifecycle) and v1.3.0 config-linux.md"
    " (intelRdt) over runc v1.2.0",
    poststop_failures="warn",
    poststart_failures="warn",
    cli_delete_created="refuse",
    # config-linux.md:268: kernelTCP sets the kernel TCP buffer limit
    cgroup_kernel_tcp=True,
    refuses_as_spec_says=True,
    # config-linux.md: intelRdt set and no resctrl mounted MUST be an error, with or without a
    # schema; runc 1.1.1 to 1.3 ignore a schema-less one there, v1.4.0 refuses it again
    rdt_era="runc-1.4",
    # v1.3.0 config-linux.md:754-786 (schemata, enableMonitoring) and features-linux.md:229-238
    rdt_v1_3=True,
    rdt_closid_compare=True,
    features_oci_max="1.3.0",
    features_intel_rdt=("enabled", "schemata", "monitoring"),
    hooks_at_start=True,
)

PROFILES: dict[str, Profile] = {p.name: p for p in (SEED, RUNC_1_1, RUNC_1_2, RUNTIME_SPEC)}


class UnknownProfileError(LibcontainerError):
    """A profile name the reference does not implement."""


def get_profile(name: str) -> Profile:
    """The profile called ``name``.

    Raises:
        UnknownProfileError: no such profile.
    """
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownProfileError(
            f"unknown profile {name!r}; known: {', '.join(sorted(PROFILES))}"
        ) from None
