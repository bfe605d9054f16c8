"""compliance.md: a CI job summary that says the verdict first."""

from __future__ import annotations

from harness.report.markdown_writer import to_markdown
from tests.report._samples import sample_report


def test_title_has_the_verdict() -> None:
    assert to_markdown(sample_report()).startswith("## rtgate: FAIL")
