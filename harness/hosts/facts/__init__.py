"""Host facts: what the kernel shows of a host in /proc and /sys, read into typed values.

Every reader of mountinfo, ``/proc/<pid>/stat``, ``/proc/cpuinfo``, the cgroup layout and
resctrl's ``info/`` in the harness goes through here.  They read with ``os`` and ``open`` at the
real absolute paths, so the same code answers on this machine and on the simulated kernel (which
renders those files under pyfakefs).  Nothing here writes.
"""

from __future__ import annotations

from harness.hosts.facts.machine import HostFacts
from harness.hosts.facts.machine import describe_real
from harness.hosts.facts.machine import host_facts
from harness.hosts.facts.machine import runtime_version
from harness.hosts.facts.mounts import CGROUP_ROOT
from harness.hosts.facts.mounts import MOUNTINFO
from harness.hosts.facts.mounts import CgroupLayout
from harness.hosts.facts.mounts import Mount
from harness.hosts.facts.mounts import bfq_registered
from harness.hosts.facts.mounts import cgroup_mode
from harness.hosts.facts.mounts import controller_hierarchies
from harness.hosts.facts.mounts import netns_at
from harness.hosts.facts.mounts import parse_mountinfo
from harness.hosts.facts.mounts import read_layout
from harness.hosts.facts.mounts import read_mounts
from harness.hosts.facts.procs import CPUINFO
from harness.hosts.facts.procs import EXITED_STATES
from harness.hosts.facts.procs import RDT_FLAGS
from harness.hosts.facts.procs import ProcStat
from harness.hosts.facts.procs import child_stats
from harness.hosts.facts.procs import cpu_count
from harness.hosts.facts.procs import cpu_flags
from harness.hosts.facts.procs import cpu_vendor
from harness.hosts.facts.procs import parse_stat
from harness.hosts.facts.procs import proc_stats
from harness.hosts.facts.procs import read_stat
from harness.hosts.facts.procs import stat_or_none
from harness.hosts.facts.resctrl import RESCTRL_INFO_FILES
from harness.hosts.facts.resctrl import RESCTRL_ROOT
from harness.hosts.facts.resctrl import read_info_value
from harness.hosts.facts.resctrl import resctrl_absence
from harness.hosts.facts.resctrl import resctrl_info
from harness.hosts.facts.resctrl import resctrl_mounts

__all__ = [
    "CGROUP_ROOT",
    "CPUINFO",
    "EXITED_STATES",
    "MOUNTINFO",
    "RDT_FLAGS",
    "RESCTRL_INFO_FILES",
    "RESCTRL_ROOT",
    "CgroupLayout",
    "bfq_registered",
    "HostFacts",
    "Mount",
    "ProcStat",
    "cgroup_mode",
    "controller_hierarchies",
    "cpu_count",
    "cpu_flags",
    "cpu_vendor",
    "describe_real",
    "host_facts",
    "netns_at",
    "parse_mountinfo",
    "parse_stat",
    "proc_stats",
    "child_stats",
    "read_info_value",
    "read_layout",
    "read_mounts",
    "read_stat",
    "resctrl_absence",
    "resctrl_info",
    "resctrl_mounts",
    "runtime_version",
    "stat_or_none",
]
