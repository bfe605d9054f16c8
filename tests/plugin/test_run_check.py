"""The one check of a run's options, which ``rtgate run`` and the plugin share: each words
its errors its own way, the subject's kind gives the defaults, a version handed down is kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.plugin.run_check import Flag
from harness.plugin.run_check import OptionError
from harness.plugin.run_check import RunRequest
from harness.plugin.run_check import check_run

SAMPLE = str(Path(__file__).with_name("sample_catalog.toml"))


def test_one_error_is_worded_by_each_front_end() -> None:
    err = OptionError("preset", "names a simulated machine; not with '", Flag("host"), " real'")
    assert str(err) == err.for_rtgate()
    assert err.for_rtgate() == "'--preset' names a simulated machine; not with '--host real'"
    assert err.for_pytest() == (
        "--rtgate-preset: 'preset' names a simulated machine; not with '--rtgate-host real'"
    )
    plain = OptionError("subject", "unknown subject 'x'", of_value=False)
    assert (plain.for_rtgate(), plain.for_pytest()) == (
        "unknown subject 'x'",
        "--rtgate-subject: unknown subject 'x'",
    )


def test_a_runtime_binary_needs_a_real_host_whichever_front_end() -> None:
    with pytest.raises(OptionError) as err:
        check_run(RunRequest(subject="oci:runc", catalog=SAMPLE))
    assert err.value.for_pytest() == (
        "--rtgate-subject: subject 'oci:runc' runs real containers: add '--rtgate-host real'"
    )


def test_the_kind_gives_the_profile_and_scopes_and_a_handed_version_is_kept() -> None:
    options = check_run(RunRequest(catalog=SAMPLE), version="9.9")
    assert (options.subject.name, options.profile, options.subject_version) == (
        "reference",
        "seed",
        "9.9",
    )
    assert options.scopes == ("api", "cli")
    assert options.runtime_access is None
