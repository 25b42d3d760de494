"""The exercise registry: the real file loads in course order; every malformed entry is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from ddb_lab.grader import registry
from ddb_lab.grader.registry import Exercise, RegistryError

GOOD = """
format_version = 1

[[exercise]]
id = "01.first"
chapter = 1
title = "The first one"
function = "first"
points = 2
hints = ["gentle", "specific"]

[[exercise]]
id = "02.second"
chapter = 2
title = "The second one"
function = "second"
points = 3
timeout = 2.5
hints = ["only"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "registry.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_real_registry_loads_in_course_order() -> None:
    found = registry.exercises()
    assert found[0].id == "01.create_orders_table"
    assert found[0].function == "create_orders_table"
    assert [e.chapter for e in found] == sorted(e.chapter for e in found)
    assert len({e.id for e in found}) == len(found)
    for exercise in found:
        assert exercise.id.startswith(f"{exercise.chapter:02d}.")
        assert 1 <= len(exercise.hints) <= 3
        assert exercise.points > 0
    first_chapter = [e.id for e in found if e.chapter == 1]
    assert first_chapter[:4] == [
        "01.create_orders_table",
        "01.to_low_level",
        "01.orders_in_month",
        "01.safe_update_status",
    ]
    assert registry.exercises() == found  # cached, same answer


def test_a_good_file_parses_with_defaults(tmp_path: Path) -> None:
    first, second = registry.load(write(tmp_path, GOOD))
    assert first == Exercise(
        "01.first", 1, "The first one", "first", 2, ("gentle", "specific"), 10.0
    )
    assert second.timeout == 2.5
    assert second.hints == ("only",)


@pytest.fixture
def course(tmp_path: Path) -> list[Exercise]:
    items = registry.load(write(tmp_path, GOOD))
    with registry.override(items):
        yield items


def test_get_suggests_the_closest_ids(course: list[Exercise]) -> None:
    assert registry.get("01.first") is course[0]
    with pytest.raises(KeyError) as raised:
        registry.get("01.frist")
    assert "There is no exercise '01.frist'. Did you mean '01.first'?" in str(raised.value)
    with pytest.raises(KeyError, match="'02.second'"):
        registry.get("second")  # a bare slug still finds it


def test_resolve_ids_chapters_and_all(course: list[Exercise]) -> None:
    assert registry.resolve(None) == course
    assert registry.resolve("1") == [course[0]]
    assert registry.resolve("02") == [course[1]]
    assert registry.resolve(2) == [course[1]]
    assert registry.resolve("02.second") == [course[1]]
    assert registry.chapter_exercises(1) == [course[0]]
    assert registry.chapter_exercises(7) == []
    with pytest.raises(KeyError, match="Chapter 7 has no exercises; chapters with exercises: 1, 2"):
        registry.resolve("07")
    with pytest.raises(KeyError, match="Did you mean"):
        registry.resolve("01.firs")


def test_override_is_undone() -> None:
    with registry.override([Exercise("09.x", 9, "X", "x", 1, ("h",))]):
        assert [e.id for e in registry.exercises()] == ["09.x"]
    assert registry.exercises()[0].id == "01.create_orders_table"


# (what to change in GOOD, a fragment of the error)
BAD: list[tuple[str, str, str]] = [
    (
        'id = "02.second"\nchapter = 2',
        'id = "01.first"\nchapter = 1',
        "'01.first': the id is used twice",
    ),
    ('id = "02.second"', 'id = "03.second"', "the id must start with '02.'"),
    ('id = "02.second"', 'id = "second"', "the id must start with '02.'"),
    ('hints = ["only"]', "hints = []", "'hints' must be a list of 1 to 3"),
    ('hints = ["only"]', 'hints = ["a", "b", "c", "d"]', "'hints' must be a list of 1 to 3"),
    ('hints = ["only"]', 'hints = ["a", ""]', "'hints' must be a list of 1 to 3"),
    ("points = 3", "points = 0", "'points' must be a positive integer, not 0"),
    ("points = 3", "points = -1", "'points' must be a positive integer"),
    ("points = 3", "points = 1.5", "'points' must be a positive integer"),
    ('function = "second"', 'function = "not valid"', "'function' must be a valid Python"),
    ('function = "second"', 'function = "2nd"', "'function' must be a valid Python"),
    ("format_version = 1", "format_version = 2", "format_version must be 1, not 2"),
    ("format_version = 1", "", "format_version must be 1, not None"),
    ("timeout = 2.5", "timeout = 0", "'timeout' must be a number of seconds"),
    ('title = "The second one"', 'title = ""', "'title' must be a non-empty string"),
    ("chapter = 2", 'chapter = "2"', "'chapter' must be a non-negative integer"),
    ("timeout = 2.5", "deadline = 3", "unknown field(s) deadline"),
    ("chapter = 2\n", "chapter = 0\n", "the id must start with '00.'"),
]


@pytest.mark.parametrize(("old", "new", "error"), BAD, ids=[b[2][:40] for b in BAD])
def test_each_malformed_entry_is_refused(tmp_path: Path, old: str, new: str, error: str) -> None:
    assert old in GOOD
    with pytest.raises(RegistryError) as raised:
        registry.load(write(tmp_path, GOOD.replace(old, new, 1)))
    assert error in str(raised.value)


def test_out_of_order_and_empty_and_not_toml(tmp_path: Path) -> None:
    first, second = GOOD.split("[[exercise]]")[1:]
    swapped = "format_version = 1\n[[exercise]]" + second + "[[exercise]]" + first
    with pytest.raises(RegistryError, match="out of course order"):
        registry.load(write(tmp_path, swapped))
    with pytest.raises(RegistryError, match="no \\[\\[exercise\\]\\] entries"):
        registry.parse("format_version = 1\n")
    with pytest.raises(RegistryError, match="not valid TOML"):
        registry.parse("format_version = = 1")


def test_a_directory_of_chapter_files_reads_in_name_order(tmp_path: Path) -> None:
    first, second = GOOD.split("[[exercise]]", 2)[1:]
    (tmp_path / "02_second.toml").write_text("format_version = 1\n[[exercise]]" + second)
    (tmp_path / "01_first.toml").write_text("format_version = 1\n[[exercise]]" + first)
    (tmp_path / "notes.md").write_text("not read")
    assert [e.id for e in registry.load(tmp_path)] == ["01.first", "02.second"]


def test_chapter_files_out_of_order_or_sharing_an_id_are_refused(tmp_path: Path) -> None:
    first, second = GOOD.split("[[exercise]]", 2)[1:]
    (tmp_path / "01_a.toml").write_text("format_version = 1\n[[exercise]]" + second)
    (tmp_path / "02_b.toml").write_text("format_version = 1\n[[exercise]]" + first)
    with pytest.raises(RegistryError, match="out of course order"):
        registry.load(tmp_path)
    (tmp_path / "02_b.toml").write_text("format_version = 1\n[[exercise]]" + second)
    with pytest.raises(RegistryError, match="used twice"):
        registry.load(tmp_path)
    (tmp_path / "02_b.toml").write_text("format_version = 2\n")
    with pytest.raises(RegistryError, match=r"02_b\.toml.*format_version"):
        registry.load(tmp_path)
