"""The aggregate view groups items by partition key, in sort-key order, and says what it hides."""

from __future__ import annotations

from ddb_lab.modeling.picture import aggregate_view

ITEMS = [
    {"PK": "USER#2", "SK": "PROFILE", "entity": "USER", "name": "Bo"},
    {"PK": "USER#1", "SK": "POST#2", "entity": "POST", "title": "b"},
    {"PK": "USER#1", "SK": "PROFILE", "entity": "USER", "name": "Al"},
    {"PK": "USER#1", "SK": "POST#1", "entity": "POST", "title": "a"},
    {"PK": "USER#3", "SK": "PROFILE", "entity": "USER", "name": "Cy", "GSI1PK": "x"},
]


def test_groups_by_partition_in_sort_key_order() -> None:
    view = aggregate_view(ITEMS, partitions=2)
    assert view.text().splitlines() == [
        "PK = USER#1",
        '    POST#1                               POST       title="a"',
        '    POST#2                               POST       title="b"',
        '    PROFILE                              USER       name="Al"',
        "PK = USER#2",
        '    PROFILE                              USER       name="Bo"',
        "... 1 more partition(s)",
    ]


def test_chosen_keys_rows_and_attributes() -> None:
    view = aggregate_view(ITEMS, keys=["USER#3", "USER#1"], rows=1, attributes={"USER": []})
    lines = view.text().splitlines()
    assert lines[0] == "PK = USER#3" and lines[2] == "PK = USER#1"
    assert lines[3].split() == ["POST#1", "POST"]
    assert lines[4] == "    ... 2 more item(s)"
    assert "GSI1PK" not in view.text()


def test_html_spans_each_partition_and_colours_entities() -> None:
    html = aggregate_view(ITEMS, partitions=1)._repr_html_()
    assert '<td rowspan="3"' in html and "USER#1" in html and "USER#2" not in html
    assert html.count("background:#dbeafe") == 2  # the two posts share the first colour
    assert "… 2 more partition(s)" in html
