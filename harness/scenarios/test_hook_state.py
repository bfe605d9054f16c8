"""What a hook reads on stdin beyond id, bundle, pid and status: the config's annotations,
which runc 1.2's currentOCIState sends to every kind of hook and the seed's HookState never
carries."""

from __future__ import annotations

import dataclasses
import json
import signal
from typing import Any

import pytest

from harness.hosts import HookProgram
from harness.hosts import Host
from harness.scenarios._support.containers import INIT
from harness.scenarios._support.containers import config_for
from harness.scenarios._support.containers import init_pid
from harness.scenarios._support.containers import install_hooks
from harness.spec import tables
from harness.subjects.base import Factory

#: config.json's annotations, as specconv keeps them: "key=value" labels beside the bundle's
#: (an empty value too, and a value holding "=": utils.Annotations cuts at the first one)
ANNOTATIONS = {"org.rtgate.note": "hello", "org.rtgate.empty": "", "org.rtgate.pair": "a=b"}


@pytest.mark.requirement("LC-HOOK-STATE-ANNOTATIONS")
@pytest.mark.parametrize("kind", ["prestart", "poststart", "poststop"])
def test_hooks_read_the_config_annotations(
    factory: Factory, host: Host, profile: str, kind: str, verify: Any
) -> None:
    rule = "LC-HOOK-STATE-ANNOTATIONS"
    cid = host.container_id(f"ha-{kind}")
    hooks = install_hooks(host, hook=HookProgram.exit(0))
    base = config_for(cid, **{kind: (hooks["hook"],)})
    labels = (*base.labels, *(f"{k}={v}" for k, v in ANNOTATIONS.items()))
    c = factory.create(cid, dataclasses.replace(base, labels=labels))
    c.run(INIT)
    if kind == "poststop":
        pid = init_pid(c)
        c.signal(signal.SIGKILL)
        assert host.dies(pid), f"init {pid} did not die of SIGKILL"
        c.destroy()
    runs = host.hook_runs(hooks["hook"])
    assert len(runs) == 1, f"the {kind} hook ran {len(runs)} times"
    state = json.loads(runs[0].stdin)
    if tables.hook_state_annotations(profile):
        shown = state.get("annotations")
        verify(rule, shown == ANNOTATIONS, f"a {kind} hook must read {ANNOTATIONS}: {state}")
    else:
        verify(rule, "annotations" not in state, f"a {kind} hook reads no annotations: {state}")
    verify(
        rule, state.get("bundle") == base.label("bundle"), f"the bundle is no annotation: {state}"
    )
