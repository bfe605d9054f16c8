"""``rtgate doctor --format json``: the host report as one JSON object, for a fleet inventory
to collect and query instead of parsing the lines people read.

The keys are the facts themselves (no sentences but the explanations a person needs), and
``host_features`` are the names reports and ``--require`` use, computed the way a real-host
run computes them.
"""

from __future__ import annotations

import os
from typing import Any

from harness.build_info import full_version
from harness.hosts.facts import HostFacts
from harness.hosts.facts import describe_real
from harness.hosts.inject import unsupported
from harness.report.features import host_features

__all__ = ["SCHEMA", "facts_document"]

#: what the document is, for a reader that meets it out of context
SCHEMA = "rtgate-doctor/1"


def facts_document(facts: HostFacts, coverage: list[str]) -> dict[str, Any]:
    """The JSON object of ``facts``; ``coverage`` is what a run covers here, as worded for
    people (the same lines the text report ends with)."""
    layout = facts.layout
    engine = unsupported()
    return {
        "schema": SCHEMA,
        "rtgate": full_version(),
        "hostname": os.uname().nodename,
        "root": facts.is_root,
        "euid": os.geteuid(),
        "kernel": facts.kernel,
        "host_features": list(host_features(describe_real())),
        "cgroup": {
            "mode": layout.mode,
            "v1": dict(layout.v1),
            "v2": layout.v2,
            "v2_controllers": list(layout.v2_controllers),
        },
        "resctrl": {
            "mount": facts.resctrl_mount,
            "absent": facts.resctrl_absent,
            "options": list(facts.resctrl_options),
            "info": facts.resctrl_info,
        },
        "cpu_rdt_flags": list(facts.rdt_flags),
        "runtimes": {
            name: None if found is None else {"path": found[0], "version": found[1]}
            for name, found in facts.runtimes.items()
        },
        "busybox": facts.busybox,
        "fault_engine": {"available": engine is None, "unavailable_because": engine},
        "coverage": coverage,
    }
