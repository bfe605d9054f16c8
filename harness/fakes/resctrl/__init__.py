"""The resctrl model: groups, tasks and CPUs, schemata, RMIDs, and the files and ``info/`` tree.

Each module follows the kernel's ``fs/resctrl`` for one concern; the kernel
(:mod:`harness.fakes.kernel`) mounts the model and makes its directories and files.
"""
