"""Properties of resctrl schemata writes over generated payloads (reference §1.5): a rejected
write changes nothing and says why; an accepted one changes exactly the domains it names."""

from __future__ import annotations

import errno
import os

from hypothesis import event
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from harness.fakes import ResctrlTopology
from harness.fakes import Topology
from harness.fakes import booted_kernel
from harness.fakes.topology import MbaTopology
from tests.fakes._io import RESCTRL
from tests.fakes._io import read
from tests.fakes._io import write

TOPOLOGY = Topology(resctrl=ResctrlTopology(mba=MbaTopology(), min_cbm_bits=2))
SCHEMATA = f"{RESCTRL}/g/schemata"

values = st.one_of(
    st.sampled_from(["7ff", "3", "f0", "0x1f", "5", "0", "fff", "zz", "", "10", "15", "100"]),
    st.integers(min_value=0, max_value=0x7FF).map(lambda v: f"{v:x}"),
)
domains = st.one_of(st.sampled_from(["0", "1", "2", " 1", "x"]), st.just("0"))
items = st.tuples(domains, values).map(lambda dv: f"{dv[0]}={dv[1]}")
lines = st.tuples(
    st.sampled_from(["L3", "MB", " L3 ", "l3", ""]),
    st.lists(items, min_size=0, max_size=3),
).map(lambda nl: f"{nl[0]}:" + ";".join(nl[1]))
masks = st.tuples(st.integers(0, 9), st.integers(2, 11)).map(
    lambda sl: f"{((1 << min(sl[1], 11 - sl[0])) - 1) << sl[0]:x}"
)
l3_lines = st.lists(
    st.tuples(st.sampled_from([0, 1]), masks), min_size=1, max_size=2, unique_by=lambda dv: dv[0]
).map(lambda ds: "L3:" + ";".join(f"{d}={m}" for d, m in ds))
mb_lines = st.lists(
    st.tuples(st.sampled_from([0, 1]), st.integers(10, 100)),
    min_size=1,
    max_size=2,
    unique_by=lambda dv: dv[0],
).map(lambda ds: "MB:" + ";".join(f"{d}={v}" for d, v in ds))
valid = st.lists(st.sampled_from(["L3", "MB"]), min_size=1, max_size=2, unique=True).flatmap(
    lambda names: st.tuples(*(l3_lines if n == "L3" else mb_lines for n in names))
)
payloads = st.one_of(
    valid.map(lambda ls: "\n".join(ls) + "\n"),
    st.tuples(
        st.lists(st.one_of(l3_lines, mb_lines, lines), min_size=1, max_size=3), st.booleans()
    ).map(lambda lb: "\n".join(lb[0]) + ("\n" if lb[1] else "")),
)


def _parse_read(text: str) -> dict[str, dict[int, int]]:
    """The read-back as numbers, as a runtime would parse it (order and padding ignored)."""
    result: dict[str, dict[int, int]] = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        base = 10 if name.strip() == "MB" else 16
        result[name.strip()] = {
            int(d): int(v, base) for d, v in (item.split("=") for item in rest.split(";"))
        }
    return result


def _named(payload: str) -> set[tuple[str, int]]:
    """(resource, domain) pairs an accepted payload names."""
    named = set()
    for line in payload.splitlines():
        name, _, rest = line.partition(":")
        for item in filter(None, rest.split(";")):
            named.add((name.strip(), int(item.split("=")[0])))
    return named


@settings(max_examples=80, deadline=None)
@given(payloads)
def test_writes_are_all_or_nothing(payload: str) -> None:
    with booted_kernel(TOPOLOGY):
        os.mkdir(f"{RESCTRL}/g")
        write(SCHEMATA, "L3:0=3c;1=3c\nMB:0=50;1=50\n")
        before = _parse_read(read(SCHEMATA))
        try:
            write(SCHEMATA, payload)
        except OSError as exc:
            event("rejected")
            assert exc.errno == errno.EINVAL
            assert _parse_read(read(SCHEMATA)) == before
            status = read(f"{RESCTRL}/info/last_cmd_status")
            silent = not payload.endswith("\n") or "=" in payload and status == "ok\n"
            assert status != "ok\n" or silent
            return
        event("accepted")
        after = _parse_read(read(SCHEMATA))
        assert set(after) == {"L3", "MB"}
        assert all(set(doms) == {0, 1} for doms in after.values())
        named = _named(payload)
        for name, doms in after.items():
            for domain, value in doms.items():
                if (name, domain) not in named:
                    assert value == before[name][domain]
                elif name == "MB":
                    assert value % 10 == 0 and 10 <= value <= 100
                else:
                    run = value >> ((value & -value).bit_length() - 1)
                    assert value and run & (run + 1) == 0 and run.bit_count() >= 2
