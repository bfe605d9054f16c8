"""The cgroup models: v1 hierarchies with their controllers, the cgroup2 hierarchy, and queries.

Each model validates and changes state and says which control files a cgroup has; the kernel
(:mod:`harness.fakes.kernel`) makes the directories and files.
"""
