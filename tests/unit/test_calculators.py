"""The calculators: reading a pasted item, pricing one request on it, the hot-partition verdict."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from ddb_lab.calculators import (
    OPERATIONS,
    READ_OPERATIONS,
    WRITE_OPERATIONS,
    AttributeSize,
    attribute_sizes,
    capacity_report,
    format_item,
    hot_partition_report,
    parse_item,
)
from ddb_lab.capacity import IndexSpec, explain_read, explain_write, item_size

KB = 1024


def sized_item(size: int) -> dict[str, Any]:
    """A one-attribute item of exactly ``size`` bytes: "pk" (2 bytes) plus an ASCII string."""
    return {"pk": "x" * (size - 2)}


# --- parse_item --------------------------------------------------------------------------------


def test_plain_json_becomes_resource_style_with_decimals() -> None:
    item = parse_item(
        '{"pk": "USER#1", "age": 36, "score": 9.75, "ok": true, "gone": null,'
        ' "tags": ["a", 2], "address": {"zip": 10001}}'
    )
    assert item == {
        "pk": "USER#1",
        "age": Decimal(36),
        "score": Decimal("9.75"),
        "ok": True,
        "gone": None,
        "tags": ["a", Decimal(2)],
        "address": {"zip": Decimal(10001)},
    }
    assert isinstance(item["age"], Decimal)
    assert isinstance(item["score"], Decimal)  # never a float: boto3 refuses floats


def test_dynamodb_json_stays_low_level() -> None:
    text = '{"pk": {"S": "USER#1"}, "age": {"N": "36"}, "tags": {"SS": ["a", "b"]}}'
    item = parse_item(text)
    assert item == {"pk": {"S": "USER#1"}, "age": {"N": "36"}, "tags": {"SS": ["a", "b"]}}
    # The same item written plain has the same size.
    assert item_size(item) == item_size({"pk": "USER#1", "age": 36, "tags": {"a", "b"}})


def test_an_exported_item_is_unwrapped() -> None:
    assert parse_item('{"Item": {"pk": {"S": "a"}, "n": {"N": "1"}}}') == {
        "pk": {"S": "a"},
        "n": {"N": "1"},
    }
    # A plain item with one map attribute called Item is left alone.
    assert parse_item('{"Item": {"name": "lamp"}}') == {"Item": {"name": "lamp"}}


def test_python_literal_with_sets_and_bytes() -> None:
    item = parse_item(
        "{'pk': 'a', 'tags': {'x', 'y'}, 'nums': {1, 2.5}, 'blob': b'\\x00\\x01',\n"
        " 'pair': (1, 'b'), 'flag': True, 'none': None}"
    )
    assert item == {
        "pk": "a",
        "tags": {"x", "y"},
        "nums": {Decimal(1), Decimal("2.5")},
        "blob": b"\x00\x01",
        "pair": [Decimal(1), "b"],
        "flag": True,
        "none": None,
    }
    assert item_size(item) == 3 + 6 + (4 + 2 + 3) + 6 + (4 + 3 + (1 + 2) + (1 + 1)) + 5 + 5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Paste an item"),
        ("   \n", "Paste an item"),
        ('{\n  "pk": "a",\n  "n": 1\n  "m": 2\n}', "line 4, column 3"),
        ('{"pk": "a"', "line 1, column 11"),
        ("[1, 2]", "not an array"),
        ('"pk"', "not a string"),
        ("42", "not a number"),
        ("[1, 2,]", "not a list"),  # a Python literal, but not a dict
        ('{"pk": "a", "pk": "b"}', "the name 'pk' appears twice"),
        ('{"pk": {"S": "a"}, "n": 5}', "some are plain values (n)"),
        ('{"n": NaN}', "NaN is not a number DynamoDB can store"),
        ("{'tags': set()}", "Attribute tags is an empty set"),
        ("{'m': {'inner': set()}}", "Attribute m.inner is an empty set"),
        ("{1: 'a'}", "Names in an item are strings, not 1"),
        ("{'c': 1j}", "Attribute c is a complex"),
        ("{'s': {'a', 1}}", "Not a valid item"),  # boto3: a set holds one type only
    ],
)
def test_bad_items_raise_value_errors_that_say_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_item(text)


def test_bad_low_level_values_are_value_errors() -> None:
    with pytest.raises(ValueError, match="Not a valid item: not a number"):
        parse_item('{"n": {"N": "ten"}}')


@pytest.mark.parametrize(
    "item",
    [
        {"pk": "a", "n": Decimal("1.50"), "ok": False, "x": None, "l": [1, "b", {"c": []}]},
        {"pk": "a", "tags": {"b", "a", "ccc"}, "blob": b"\xff", "ns": {Decimal(3), Decimal(1)}},
        {"pk": {"S": "a"}, "n": {"N": "1"}, "m": {"M": {"x": {"BOOL": True}}}},
        {"name": 'He said "hi" — ünïcode\n'},
        {},
    ],
)
def test_format_item_reads_back(item: dict[str, Any]) -> None:
    text = format_item(item)
    assert text == format_item(item)  # sets come out sorted: the same text every time
    parsed = parse_item(text)
    assert parsed == item
    assert item_size(parsed) == item_size(item)


def test_format_item_writes_json_when_it_can() -> None:
    assert format_item({"pk": "a", "ok": True, "n": Decimal(3)}) == (
        '{\n  "pk": "a",\n  "ok": true,\n  "n": 3\n}'
    )
    assert format_item({"s": {"b", "a"}, "ok": True}) == '{\n  "s": {"a", "b"},\n  "ok": True\n}'


# --- capacity_report ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "consistency", "units"),
    [
        ("GetItem", "eventual", 1.0),
        ("GetItem", "strong", 2.0),
        ("TransactGetItems", "eventual", 4.0),  # always transactional
        ("BatchGetItem", "eventual", 1.0),
        ("Query", "strong", 2.0),
        ("PutItem", "eventual", 5.0),
        ("DeleteItem", "strong", 5.0),  # consistency does not apply to writes
        ("TransactWriteItems", "eventual", 10.0),
    ],
)
def test_units_for_a_5000_byte_item(operation: Any, consistency: Any, units: float) -> None:
    item = sized_item(5_000)
    assert item_size(item) == 5_000
    report = capacity_report(item, operation, consistency)
    assert report.size_bytes == 5_000
    assert report.table_units == report.units == units
    assert report.unit_name == ("WCU" if operation in WRITE_OPERATIONS else "RCU")


def test_rule_text_comes_from_explain_read_and_write() -> None:
    item = sized_item(5_000)
    assert capacity_report(item, "GetItem").rule == explain_read(5_000, "eventual")
    assert capacity_report(item, "GetItem", "strong").rule == explain_read(5_000, "strong")
    assert capacity_report(item, "TransactGetItems").rule == explain_read(5_000, "transactional")
    assert capacity_report(item, "PutItem").rule == explain_write(5_000)
    assert capacity_report(item, "TransactWriteItems").rule == explain_write(5_000, True)
    assert capacity_report(item, "PutItem").rule == (
        "5,000 bytes → ceil(5,000 / 1,024) = 5 units × 1 (standard) = 5.0 WCU"
    )


def test_consistency_recorded_for_reads_only() -> None:
    item = sized_item(100)
    assert capacity_report(item, "GetItem", "strong").consistency == "strong"
    assert capacity_report(item, "TransactGetItems", "eventual").consistency == "transactional"
    assert capacity_report(item, "PutItem", "strong").consistency is None


def test_query_sums_a_page_before_rounding() -> None:
    report = capacity_report(sized_item(KB), "Query", items_per_page=10)
    assert report.units == 1.5  # 10 KB -> 3 units of 4 KB, halved
    assert report.items_per_page == 10
    assert report.rule == "10 items × 1,024 bytes = " + explain_read(10 * KB, "eventual")
    assert report.headline() == (
        "Query, 10 items per page, eventually consistent: 1.5 RCU per page"
    )
    assert capacity_report(sized_item(KB), "Query", "strong", items_per_page=10).units == 3.0


def test_batch_get_rounds_each_item() -> None:
    report = capacity_report(sized_item(KB), "BatchGetItem", items_per_page=10)
    assert report.units == 5.0  # 10 x 0.5: each 1 KB item rounds up to 4 KB on its own
    assert report.rule.startswith("each item on its own: 10 × (1,024 bytes → ")
    assert report.rule.endswith(") = 5.0 RCU")


def test_items_per_page_is_ignored_for_single_item_requests() -> None:
    report = capacity_report(sized_item(KB), "GetItem", items_per_page=10)
    assert report.items_per_page == 1
    assert report.units == 0.5


def test_on_demand_cost_per_million_requests() -> None:
    item = sized_item(5_000)
    assert capacity_report(item, "GetItem").cost_per_million == Decimal("0.125")  # 1 RRU
    assert capacity_report(item, "GetItem", "strong").cost_per_million == Decimal("0.25")
    assert capacity_report(item, "PutItem").cost_per_million == Decimal("3.125")  # 5 WRU
    assert capacity_report(item, "TransactWriteItems").cost_per_million == Decimal("6.25")


def test_breakdown_rows_sum_to_the_size_largest_first() -> None:
    item = parse_item(
        '{"pk": "USER#1", "sk": "PROFILE", "bio": "' + "b" * 300 + '", "age": 36,'
        ' "ok": true, "tags": ["a", "b"], "address": {"city": "Oslo"}, "nothing": null}'
    )
    report = capacity_report(item, "GetItem")
    assert sum(row.bytes for row in report.attributes) == report.size_bytes == item_size(item)
    assert [row.bytes for row in report.attributes] == sorted(
        (row.bytes for row in report.attributes), reverse=True
    )
    rows = {row.attribute: row for row in report.attributes}
    assert rows["bio"] == AttributeSize("bio", "S", 303, "3 (name) + 300 (S: UTF-8 bytes)")
    assert rows["age"].type == "N"
    assert rows["age"].rule.startswith("3 (name) + 2 (N: 1 + 1 per 2 significant digits")
    assert rows["ok"] == AttributeSize("ok", "BOOL", 3, "2 (name) + 1 (BOOL: 1 byte)")
    assert rows["tags"].rule == "4 (name) + 7 (L: 2 elements: 3 + 1 per element + values)"
    assert rows["address"].rule == "7 (name) + 12 (M: 1 entry: 3 + 1 per entry + names + values)"
    # Ties are broken by name, so the order is the same on every run.
    assert [r.attribute for r in report.attributes if r.bytes == 3] == ["ok"]


def test_breakdown_of_a_low_level_item_and_sets() -> None:
    rows = attribute_sizes({"pk": {"S": "é"}, "ns": {"NS": ["1", "22", "-3"]}, "b": {"B": "AAE="}})
    assert {row.attribute: row.bytes for row in rows} == {"pk": 4, "ns": 2 + 2 + 2 + 3, "b": 3}
    assert rows[0].rule == "2 (name) + 7 (NS: 3 members, their sizes summed)"


def test_frame_has_one_row_per_attribute() -> None:
    report = capacity_report({"pk": "a", "data": "x" * 10}, "GetItem")
    frame = report.frame()
    assert list(frame.columns) == ["attribute", "type", "bytes", "rule"]
    assert list(frame["attribute"]) == ["data", "pk"]
    assert int(frame["bytes"].sum()) == report.size_bytes


def test_writes_show_each_index() -> None:
    table_keys = ("pk",)
    by_status = IndexSpec("ByStatus", "status", None, "ALL", table_keys=table_keys)
    by_email = IndexSpec("ByEmail", "email", None, "KEYS_ONLY", table_keys=table_keys)
    item = {"pk": "USER#1", "status": "active", "bio": "x" * 2_000}
    report = capacity_report(item, "PutItem", indexes=[by_status, by_email])
    assert report.table_units == 2.0
    assert report.index_units == {"ByStatus": 2.0, "ByEmail": 0.0}
    assert report.units == 4.0
    assert report.cost_per_million == Decimal("2.5")  # 4 WRU, index writes included
    assert any("not in index ByEmail (a sparse index)" in note for note in report.notes)
    text = report.text()
    assert "  index ByStatus: 2.0 WCU\n" in text
    assert "  table and indexes: 4.0 WCU\n" in text
    transactional = capacity_report(item, "TransactWriteItems", indexes=[by_status])
    assert transactional.index_units == {"ByStatus": 4.0}
    assert capacity_report(item, "GetItem", indexes=[by_status]).index_units == {}


def test_notes_for_limits() -> None:
    big = capacity_report(sized_item(401 * KB), "PutItem")
    assert any("400 KB limit" in note for note in big.notes)
    page = capacity_report(sized_item(200 * KB), "Query", items_per_page=10)
    assert any("returns about 5 per page, not 10" in note for note in page.notes)
    assert capacity_report(sized_item(KB), "Query", items_per_page=10).notes == ()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"operation": "UpdateItem"}, "operation must be one of GetItem"),
        ({"operation": "GetItem", "consistency": "transactional"}, "TransactGetItems"),
        ({"operation": "Query", "consistency": "transactional"}, "TransactGetItems"),
        ({"operation": "GetItem", "consistency": "weak"}, "'eventual' or 'strong'"),
        ({"operation": "Query", "items_per_page": 0}, "at least 1"),
        ({"operation": "BatchGetItem", "items_per_page": 101}, "at most 100 items"),
        ({"operation": "Query", "items_per_page": 1.5}, "whole number"),
    ],
)
def test_bad_requests(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        capacity_report(sized_item(KB), **kwargs)


def test_text_and_html_are_deterministic() -> None:
    item = {"pk": "a", "tags": {"z", "y", "x"}, "<b>": "&"}
    reports = [capacity_report(dict(item), "GetItem", "strong") for _ in range(2)]
    assert reports[0].text() == reports[1].text() == str(reports[0]) == repr(reports[0])
    assert reports[0]._repr_html_() == reports[1]._repr_html_()
    assert reports[0].text().splitlines() == [
        "GetItem, strongly consistent: 1.0 RCU per request",
        "  14 bytes → ceil(14 / 4,096) = 1 unit × 1 (strongly consistent) = 1.0 RCU",
        "On demand: $0.125 per million requests (1.0 read request units each, "
        "at $0.125 per 1,000,000 read request units)",
        "Item size: 14 bytes",
        "  attribute  type  bytes  rule",
        "  tags       SS        7  4 (name) + 3 (SS: 3 members, their sizes summed)",
        "  <b>        S         4  3 (name) + 1 (S: UTF-8 bytes)",
        "  pk         S         3  2 (name) + 1 (S: UTF-8 bytes)",
    ]
    html = reports[0]._repr_html_()
    assert "&lt;b&gt;" in html and "<b>" not in html.replace("<b>GetItem", "")
    assert '<th style="text-align:right">bytes</th>' in html


def test_every_operation_is_priced() -> None:
    assert set(READ_OPERATIONS) | set(WRITE_OPERATIONS) == set(OPERATIONS)
    for operation in OPERATIONS:
        report = capacity_report(sized_item(KB), operation)
        assert report.units > 0
        assert report.is_write == (operation in WRITE_OPERATIONS)


# --- hot_partition_report ----------------------------------------------------------------------


def test_one_hot_key_throttles_on_its_partition() -> None:
    report = hot_partition_report("one hot key", keys=1_000, capacity=4_000, rate=3_000)
    result = report.result
    assert result.partitions == 4
    assert result.throttled_requests > 0
    # Key 0 takes half the writes (1,500/s) plus its partition's share of the rest (~375/s).
    assert 1_800 < report.hottest_partition_units < 1_950
    assert re.fullmatch(
        r"\d+\.\d % of writes throttled; the hottest partition needs 1,8\d\d WCU/s "
        r"but a partition serves at most 1,000",
        report.verdict,
    ), report.verdict
    assert str(report) == report.verdict


def test_enough_write_shards_stop_the_throttling() -> None:
    report = hot_partition_report("one hot key", shards=20)
    assert report.result.throttled_requests == 0
    assert report.verdict.startswith("No writes throttled; the hottest partition needs ")
    assert report.verdict.endswith("of the 1,000 a partition serves.")
    assert report.peak_partition_units <= 1_000


def test_uniform_keys_throttle_only_when_the_table_is_too_small() -> None:
    assert hot_partition_report("uniform").result.throttled_requests == 0
    # 2 partitions of 750 WCU each; 850 writes/s each is more than the table, not a partition.
    report = hot_partition_report("uniform", capacity=1_500, rate=1_700, seconds=30)
    assert report.result.throttled_requests > 0
    assert report.verdict.endswith("the table gets 1,700 WCU/s but has 1,500 provisioned")
    assert "hottest partition" not in report.verdict


def test_zipf_and_the_same_seed() -> None:
    first = hot_partition_report("zipf", keys=500, seconds=30, seed=7)
    again = hot_partition_report("zipf", keys=500, seconds=30, seed=7)
    assert first.verdict == again.verdict
    assert first.result.summary() == again.result.summary()


def test_no_writes() -> None:
    assert hot_partition_report(rate=0, seconds=10).verdict.startswith("No writes arrived")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"distribution": "normal"}, "distribution must be one of uniform, zipf, one hot key"),
        ({"keys": 0}, "n_keys"),
        ({"shards": 0}, "shards"),
        ({"capacity": 0}, "capacity"),
        ({"rate": -1}, "requests_per_second"),
        ({"seconds": 0}, "seconds"),
    ],
)
def test_bad_simulation_settings(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        hot_partition_report(**kwargs)
