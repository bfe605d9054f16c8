"""Processes and what /proc shows of them: the process table, network namespaces, hook programs,
and the renderers of /proc files (cpuinfo, mountinfo, per-process stat and cgroup).
"""
