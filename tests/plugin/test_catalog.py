"""The catalog loader: the shipped file loads, and every defect names its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import SpecError
from harness.spec.catalog import DEFAULT_CATALOG
from harness.spec.catalog import Requirement
from harness.spec.catalog import load_catalog

SAMPLE = Path(__file__).with_name("sample_catalog.toml")

GOOD = """\
[[requirement]]
id = "X-ONE"
level = "MUST"
title = "t"
source = "s"
scope = "api"
area = "a"
profiles = ["seed"]
since = "runc 692f6e1"
"""


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "requirements.toml"
    path.write_text(text)
    return str(path)


def test_the_packaged_catalog_loads_and_has_the_seed_profile() -> None:
    catalog = load_catalog()
    assert catalog.path == str(DEFAULT_CATALOG)
    assert "seed" in catalog.profiles
    assert len(catalog.for_profile("seed")) > 0


def test_sample_catalog_as_a_mapping() -> None:
    catalog = load_catalog(str(SAMPLE))
    assert len(catalog) == 5
    assert catalog["T-ONE-A"] == Requirement(
        id="T-ONE-A",
        level="MUST",
        title="the first rule",
        source="tests/plugin/sample_catalog.toml",
        scope="api",
        area="one",
        profiles=("seed", "runc-1.2"),
        since="runc 692f6e1",
        url="https://example.invalid/one",
    )
    assert catalog["T-ONE-B"].url is None
    assert catalog["T-ONE-B"].host_features == ()
    assert catalog.profiles == {"seed", "runc-1.2"}
    assert [r.id for r in catalog.for_profile("runc-1.2")] == ["T-ONE-A", "T-RUNC-ONLY"]
    assert catalog.for_profile("nope") == []


def test_requirements_are_frozen_values() -> None:
    requirement = load_catalog(str(SAMPLE))["T-ONE-A"]
    with pytest.raises(AttributeError):
        requirement.level = "MAY"  # type: ignore[misc]


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD + "\n[[requirement]]\nid = \n")
    with pytest.raises(SpecError) as caught:
        load_catalog(path)
    assert caught.value.line == 12
    assert str(caught.value).startswith(f"{path}:12: ")
    assert "(at line" not in str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        (
            'level = "MUST"',
            'level = "MUSTY"',
            3,
            "requirement 'X-ONE': 'level' must be one of "
            "('MUST', 'MUST NOT', 'SHOULD', 'SHOULD NOT', 'MAY') (got 'MUSTY')",
        ),
        (
            'scope = "api"',
            'scope = "abi"',
            6,
            "requirement 'X-ONE': 'scope' must be one of ('api', 'cli') (got 'abi')",
        ),
        ('id = "X-ONE"', 'id = "x-one"', 2, "'id' must match"),
        ('id = "X-ONE"', 'id = "XONE"', 2, "(got 'XONE')"),
        ('area = "a"\n', 'area = "a"\ncolour = "red"\n', 8, "unknown key 'colour'"),
        ('area = "a"\n', "", 2, "requirement 'X-ONE': missing key 'area'"),
        ('profiles = ["seed"]', 'profiles = [""]', 8, "'profiles' must be a list of names"),
        ('since = "runc 692f6e1"', 'since = "1.1"', 9, "'since' must name releases like"),
        ('since = "runc 692f6e1"', 'since = "runc v1.1"', 9, "(got 'runc v1.1')"),
        ('since = "runc 692f6e1"\n', "", 2, "requirement 'X-ONE': missing key 'since'"),
        ('title = "t"', 'title = ""', 4, "'title' must be a non-empty string"),
        ('title = "t"', "title = 3", 4, "'title' must be a non-empty string (got 3)"),
        (
            'area = "a"\n',
            'area = "a"\nhost_features = ["resctrl", "mbx"]\n',
            8,
            "requirement 'X-ONE': unknown host feature(s) ['mbx']; known: ",
        ),
        (
            'area = "a"\n',
            'area = "a"\nhost_features = "mba"\n',
            8,
            "'host_features' must be a list of feature names (got 'mba')",
        ),
        (
            'area = "a"\n',
            'area = "a"\nspec_version = "1.0.3"\n',
            8,
            "requirement 'X-ONE': 'spec_version' must be a runtime-spec release, one of 1.0.0,"
            " 1.0.1, 1.0.2, 1.1.0, 1.2.0, 1.2.1, 1.3.0 (got '1.0.3')",
        ),
        ('area = "a"\n', 'area = "a"\nspec_version = "v1.0.2"\n', 8, "(got 'v1.0.2')"),
    ],
)
def test_semantic_errors_name_the_line(
    tmp_path: Path, old: str, new: str, line: int, message: str
) -> None:
    text = GOOD + "\n" + GOOD.replace("X-ONE", "X-TWO")
    path = _write(tmp_path, text.replace(old, new, 1))
    with pytest.raises(SpecError) as caught:
        load_catalog(path)
    assert caught.value.line == line
    assert caught.value.path == path
    assert message in str(caught.value)


def test_duplicate_id_points_at_the_second_one(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD + "\n" + GOOD)
    with pytest.raises(SpecError, match=r":12: duplicate requirement id 'X-ONE'"):
        load_catalog(path)


def test_missing_id_points_at_the_table_header(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD + "\n" + GOOD.replace('id = "X-ONE"\n', ""))
    with pytest.raises(SpecError, match=r":11: requirement #2: missing key 'id'"):
        load_catalog(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"no \[\[requirement\]\] tables"),
        ("title = 'x'\n" + GOOD, "unknown top-level key 'title'"),
        ("requirement = 3\n", "must be an array of tables"),
    ],
)
def test_whole_file_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        load_catalog(_write(tmp_path, text))


def test_missing_file_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="cannot read the catalog"):
        load_catalog(str(tmp_path / "absent.toml"))


def test_spec_error_exits_with_code_2() -> None:
    assert SpecError("f", "m", 1).exit_code == 2
