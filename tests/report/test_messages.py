"""Failure messages without pytest's noise: the rule's sentence and its evidence stay."""

from __future__ import annotations

import pytest

from harness.report.messages import MAX_MESSAGE
from harness.report.messages import clean_message
from tests.report._fleet_runs import FAILURES

# what pytest recorded for a failed plain assert in a real run (tests.broken.rdt_path_lost_on_load)
EXPLAINED = FAILURES["CLI-RDT-GROUP"][1]
NAMED = FAILURES["LC-DESTROY-FIRST-ERROR-RDT"][1]

LONG_REPORT = """\
harness/scenarios/test_cli_rdt.py:88: in test_group_holds_schema_and_init
    assert not os.path.exists(host.resctrl_group(cid)), "delete left the group"
>   assert False
E   AssertionError: delete left the group
E   assert False
E    +  where False = exists('/sys/fs/resctrl/grp-id')
"""

TRACEBACK = """\
Traceback (most recent call last):
  File "/usr/lib/python3.11/subprocess.py", line 1026, in __init__
    self._execute_child(args, executable, preexec_fn, close_fds,
FileNotFoundError: [Errno 2] No such file or directory: 'runc'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "harness/subjects/oci.py", line 40, in run
    raise SubjectCrashed(str(err)) from err
harness.errors.SubjectCrashed: runc: not found
"""


def test_pytest_s_explanation_of_an_assert_is_left_out() -> None:
    assert clean_message(EXPLAINED) == "delete left the group"


def test_the_tag_of_the_rule_shown_is_left_out_and_any_other_kept() -> None:
    cleaned = clean_message(NAMED, "LC-DESTROY-FIRST-ERROR-RDT")
    assert cleaned.startswith("with ('rdt', 'poststop') failing, destroy must return the rdt")
    assert cleaned.endswith("stderr: poststop fault"), "the evidence stays"
    assert clean_message(NAMED, "CLI-RDT-GROUP").startswith("[LC-DESTROY-FIRST-ERROR-RDT] with")
    assert clean_message(NAMED).startswith("[LC-DESTROY-FIRST-ERROR-RDT] with")


def test_a_long_report_keeps_its_exception_lines_only() -> None:
    assert clean_message(LONG_REPORT) == "delete left the group"


def test_tracebacks_are_left_out_and_every_exception_line_kept() -> None:
    assert clean_message(TRACEBACK) == (
        "FileNotFoundError: [Errno 2] No such file or directory: 'runc'\n"
        "harness.errors.SubjectCrashed: runc: not found"
    )


@pytest.mark.parametrize(
    ("message", "cleaned"),
    [
        # nothing but pytest's rewriting: it is all the evidence there is
        ("AssertionError: assert 1 == 2\n +  where 1 = len([0])", "assert 1 == 2"),
        ("assert False", "assert False"),
        ("AssertionError", "AssertionError"),
        ("Failed: the runtime hung", "the runtime hung"),
        ("error in setup: RuntimeError: x", "error in setup: RuntimeError: x"),
        ("setup failed: mkdir x: EACCES", "setup failed: mkdir x: EACCES"),
        ("no group\n\nassert False\nwhere x = 1", "no group"),
        ("\x1b[31mred\x1b[0m \x00done", "red done"),
        (None, ""),
        ("   \n", ""),
    ],
)  # fmt: skip
def test_messages(message: str | None, cleaned: str) -> None:
    assert clean_message(message) == cleaned


def test_a_long_message_is_cut() -> None:
    cleaned = clean_message("x" * 5000)
    assert len(cleaned) == MAX_MESSAGE
    assert cleaned.endswith("...")
