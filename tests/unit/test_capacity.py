"""Capacity arithmetic: item sizes, read/write units, index write amplification, explanations.

The worked examples come from /work/shared/reference/dynamodb-facts.md sections 1-2 (AWS's
item-size and read/write-operations pages); the exact number and set sizes from dynalite's
``db/index.js``, which tests/engine/test_capacity_dynalite.py checks against the engine itself.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import Binary

from ddb_lab import facts
from ddb_lab.capacity import (
    IndexSpec,
    WriteCost,
    attribute_value_size,
    batch_get_read_units,
    delete_cost,
    explain_read,
    explain_write,
    index_write_units,
    item_size,
    put_cost,
    query_read_units,
    read_units,
    storage_size,
    write_units,
)

KB = 1024

# --- Attribute sizes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "size"),
    [
        ({"S": ""}, 0),
        ({"S": "hello"}, 5),
        ({"S": "é"}, 2),  # UTF-8 bytes, not characters
        ({"S": "日本"}, 6),
        ({"S": "😀"}, 4),
        ({"SS": ["a", "bc", "é"]}, 1 + 2 + 2),
    ],
)
def test_strings_count_utf8_bytes(value: dict[str, Any], size: int) -> None:
    assert attribute_value_size(value) == size


@pytest.mark.parametrize(
    ("number", "size"),
    [
        ("0", 1),
        ("-0", 1),
        ("0.000", 1),
        ("1", 2),  # 1 byte + 1 byte for 1 digit
        ("12", 2),  # 1 + 1 for 2 digits
        ("123", 3),
        ("1234", 3),
        ("12.34", 3),
        ("0.1234", 3),
        ("123.4", 4),  # an even count starting on an even power of ten: one more byte
        ("1200", 2),  # trailing zeros trimmed: same as 12
        ("1000000", 2),
        ("00012.3400", 3),  # leading and trailing zeros trimmed: 12.34
        ("1E+5", 2),
        ("-1", 3),  # negatives take one more byte
        ("-12.34", 4),
        ("1" * facts.MAX_NUMBER_DIGITS, 20),  # 38 digits: 1 + 19
        ("-" + "9" * facts.MAX_NUMBER_DIGITS, 21),
        ("0." + "1" * facts.MAX_NUMBER_DIGITS, 20),
        ("1" * 37 + ".1", 21),  # 38 digits from 10^36 (even): the extra byte
        (str(facts.MAX_NUMBER), 20),
        (str(facts.MIN_POSITIVE_NUMBER), 2),
    ],
)
def test_number_size_rule(number: str, size: int) -> None:
    assert attribute_value_size({"N": number}) == size


def test_number_size_is_about_one_byte_per_two_digits_plus_one() -> None:
    for digits in range(1, facts.MAX_NUMBER_DIGITS + 1):
        size = attribute_value_size({"N": "7" * digits})
        assert size - (1 + (digits + 1) // 2) in (0, 1)


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity", ""])
def test_a_value_that_is_not_a_number_is_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        attribute_value_size({"N": bad})


@pytest.mark.parametrize(
    ("value", "size"),
    [
        ({"B": b"\x00\x01\x02"}, 3),  # as boto3's low-level client gives it
        ({"B": bytearray(b"ab")}, 2),
        ({"B": Binary(b"abcd")}, 4),
        ({"B": "AAEC"}, 3),  # base64 text as on the wire: the raw bytes count, not the text
        ({"B": b""}, 0),
        ({"BS": [b"ab", b"c", "AAEC"]}, 2 + 1 + 3),
    ],
)
def test_binary_counts_raw_bytes(value: dict[str, Any], size: int) -> None:
    assert attribute_value_size(value) == size


def test_binary_text_must_be_base64() -> None:
    with pytest.raises(ValueError, match="base64"):
        attribute_value_size({"B": "not base64!"})


@pytest.mark.parametrize("value", [{"BOOL": True}, {"BOOL": False}, {"NULL": True}])
def test_bool_and_null_take_one_byte(value: dict[str, Any]) -> None:
    assert attribute_value_size(value) == 1


@pytest.mark.parametrize(
    ("value", "size"),
    [
        ({"M": {}}, 3),
        ({"L": []}, 3),
        ({"L": [{"N": "1"}]}, 3 + 1 + 2),
        ({"L": [{"N": "1"}, {"S": "ab"}]}, 3 + (1 + 2) + (1 + 2)),
        ({"M": {"a": {"S": "xy"}}}, 3 + 1 + 1 + 2),  # overhead + element byte + name + value
        ({"M": {"名": {"BOOL": True}}}, 3 + 1 + 3 + 1),  # map keys in UTF-8 too
        ({"M": {"l": {"L": []}}}, 3 + 1 + 1 + 3),
        ({"L": [{"M": {}}, {"L": [{"NULL": True}]}]}, 3 + (1 + 3) + (1 + 3 + 1 + 1)),
    ],
)
def test_maps_and_lists_add_three_bytes_and_one_per_element(
    value: dict[str, Any], size: int
) -> None:
    assert attribute_value_size(value) == size


@pytest.mark.parametrize(
    ("value", "size"),
    [
        ({"SS": ["a", "bc"]}, 3),
        ({"NS": ["1", "-1", "123.4"]}, 2 + 3 + 4),
        ({"BS": [b"ab", b"c"]}, 3),
    ],
)
def test_sets_are_the_sum_of_their_members(value: dict[str, Any], size: int) -> None:
    # An assumption: AWS's item-size page has no rule for sets; this is dynalite's.
    assert attribute_value_size(value) == size


@pytest.mark.parametrize("bad", [{}, {"S": "a", "N": "1"}, {"X": "a"}])
def test_an_attribute_value_needs_exactly_one_known_type(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        attribute_value_size(bad)


# --- Item sizes --------------------------------------------------------------------------------


def test_item_size_is_names_plus_values() -> None:
    item = {"pk": {"S": "user#1"}, "名前": {"S": "é"}, "n": {"N": "12"}}
    assert item_size(item) == (2 + 6) + (6 + 2) + (1 + 2)


def test_empty_item_has_no_size() -> None:
    assert item_size({}) == 0


LOW_LEVEL: dict[str, Any] = {
    "pk": {"S": "a"},
    "dec": {"N": "12.5"},
    "int": {"N": "42"},
    "bytes": {"B": b"xy"},
    "binary": {"B": b"z"},
    "yes": {"BOOL": True},
    "none": {"NULL": True},
    "map": {"M": {"k": {"L": [{"N": "1"}, {"S": "s"}]}, "e": {"M": {}}}},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2"]},
    "bs": {"BS": [b"a"]},
}
RESOURCE: dict[str, Any] = {
    "pk": "a",
    "dec": Decimal("12.5"),
    "int": 42,
    "bytes": b"xy",
    "binary": Binary(b"z"),
    "yes": True,
    "none": None,
    "map": {"k": [1, "s"], "e": {}},
    "ss": {"a", "b"},
    "ns": {1, 2},
    "bs": {b"a"},
}


def test_low_level_and_resource_style_give_the_same_size() -> None:
    assert item_size(LOW_LEVEL) == item_size(RESOURCE)
    for name in LOW_LEVEL:
        assert item_size({name: LOW_LEVEL[name]}) == item_size({name: RESOURCE[name]}), name


def test_a_bytearray_item_value_is_binary() -> None:
    assert item_size({"b": bytearray(b"abc")}) == 1 + 3


def test_a_resource_item_with_one_low_level_looking_value_is_still_resource_style() -> None:
    # Not every value is a typed dict, so {"S": "x"} is a map here: 3 + 1 + len("S") + len("x").
    assert item_size({"pk": "a", "m": {"S": "x"}}) == (2 + 1) + (1 + 6)


def test_floats_are_refused_with_boto3s_message() -> None:
    with pytest.raises(TypeError, match="Float types are not supported. Use Decimal types"):
        item_size({"price": 1.5})


def test_an_item_of_exactly_the_maximum_size() -> None:
    padding = facts.MAX_ITEM_SIZE_BYTES - (2 + 1) - 4
    item = {"pk": {"S": "a"}, "data": {"S": "x" * padding}}
    assert item_size(item) == facts.MAX_ITEM_SIZE_BYTES == 400 * KB
    assert write_units(item_size(item)) == 400
    assert read_units(item_size(item), "strong") == 100
    bigger = {"pk": {"S": "a"}, "data": {"S": "x" * (padding + 1)}}
    assert item_size(bigger) == facts.MAX_ITEM_SIZE_BYTES + 1


def test_storage_size_adds_the_indexing_overhead() -> None:
    item = {"pk": {"S": "a"}}
    assert storage_size(item) == 3 + facts.STORAGE_OVERHEAD_BYTES
    assert storage_size(RESOURCE) == item_size(RESOURCE) + facts.STORAGE_OVERHEAD_BYTES


# --- Read and write units: the worked examples -------------------------------------------------


@pytest.mark.parametrize(
    ("consistency", "units"), [("strong", 2), ("eventual", 1), ("transactional", 4)]
)
def test_an_8_kb_item(consistency: Any, units: float) -> None:
    assert read_units(8 * KB, consistency) == units


def test_default_read_is_eventually_consistent() -> None:
    assert read_units(8 * KB) == 1.0


def test_a_3_kb_write() -> None:
    assert write_units(3 * KB) == 3.0
    assert write_units(3 * KB, transactional=True) == 6.0


def test_reads_round_up_to_4_kb() -> None:
    assert read_units(3500, "strong") == read_units(4 * KB, "strong") == 1
    assert read_units(10 * KB, "strong") == read_units(12 * KB, "strong") == 3
    assert read_units(4 * KB + 1, "strong") == 2


@pytest.mark.parametrize(
    ("size", "units"), [(0, 1), (1, 1), (KB, 1), (KB + 1, 2), (2 * KB, 2), (400 * KB, 400)]
)
def test_writes_round_up_to_1_kb_with_a_minimum_of_one(size: int, units: float) -> None:
    assert write_units(size) == units
    assert write_units(size, transactional=True) == 2 * units


@pytest.mark.parametrize(
    ("consistency", "units"), [("eventual", 0.5), ("strong", 1), ("transactional", 2)]
)
def test_reading_nothing_still_costs_the_minimum(consistency: Any, units: float) -> None:
    assert read_units(0, consistency) == units


def test_batch_get_rounds_each_item() -> None:
    sizes = [int(1.5 * KB), int(6.5 * KB)]  # billed as 4 KB + 8 KB
    assert batch_get_read_units(sizes, "strong") == 3
    assert batch_get_read_units(sizes) == 1.5
    assert query_read_units(sizes, "strong") == 2  # 8 KB summed


def test_batch_get_of_missing_keys_costs_the_minimum_each() -> None:
    assert batch_get_read_units([0, 0], "strong") == 2
    assert batch_get_read_units([]) == 0


def test_query_sums_the_page_then_rounds() -> None:
    sizes = [100] * 20  # 2,000 bytes: one 4 KB unit
    assert query_read_units(sizes) == 0.5
    assert query_read_units(sizes, "strong") == 1
    assert batch_get_read_units(sizes) == 10  # the same items fetched one by one
    assert query_read_units([3000, 3000], "strong") == 2  # 6,000 bytes → 8 KB


def test_an_empty_query_page_costs_the_minimum() -> None:
    assert query_read_units([]) == 0.5
    assert query_read_units([], "strong") == 1


def test_query_and_batch_get_are_never_transactional() -> None:
    with pytest.raises(ValueError, match="cannot be transactional"):
        query_read_units([1], "transactional")
    with pytest.raises(ValueError, match="cannot be transactional"):
        batch_get_read_units([1], "transactional")


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="negative"):
        read_units(-1)
    with pytest.raises(ValueError, match="negative"):
        write_units(-1)
    with pytest.raises(ValueError, match="consistency must be one of"):
        read_units(1, "strongly")  # type: ignore[arg-type]


# --- Explanations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "consistency", "text"),
    [
        (
            4200,
            "eventual",
            "4,200 bytes → ceil(4,200 / 4,096) = 2 units × 0.5 (eventually consistent) = 1.0 RCU",
        ),
        (
            8192,
            "strong",
            "8,192 bytes → ceil(8,192 / 4,096) = 2 units × 1 (strongly consistent) = 2.0 RCU",
        ),
        (
            8192,
            "transactional",
            "8,192 bytes → ceil(8,192 / 4,096) = 2 units × 2 (transactional) = 4.0 RCU",
        ),
        (1, "strong", "1 byte → ceil(1 / 4,096) = 1 unit × 1 (strongly consistent) = 1.0 RCU"),
        (
            0,
            "eventual",
            "0 bytes → ceil(0 / 4,096) = 0, minimum 1 unit × 0.5 (eventually consistent) = 0.5 RCU",
        ),
    ],
)
def test_explain_read(size: int, consistency: Any, text: str) -> None:
    assert explain_read(size, consistency) == text
    assert text.endswith(f"= {read_units(size, consistency):.1f} RCU")


def test_explain_write() -> None:
    assert explain_write(3 * KB) == (
        "3,072 bytes → ceil(3,072 / 1,024) = 3 units × 1 (standard) = 3.0 WCU"
    )
    assert explain_write(3 * KB, True) == (
        "3,072 bytes → ceil(3,072 / 1,024) = 3 units × 2 (transactional) = 6.0 WCU"
    )
    assert explain_write(400 * KB) == (
        "409,600 bytes → ceil(409,600 / 1,024) = 400 units × 1 (standard) = 400.0 WCU"
    )


# --- Secondary indexes -------------------------------------------------------------------------

TABLE_KEYS = [
    {"AttributeName": "pk", "KeyType": "HASH"},
    {"AttributeName": "sk", "KeyType": "RANGE"},
]
GSI_KEYS = [
    {"AttributeName": "status", "KeyType": "HASH"},
    {"AttributeName": "created", "KeyType": "RANGE"},
]


def _index(projection: Any, non_key: tuple[str, ...] = ()) -> IndexSpec:
    return IndexSpec(
        name=f"by_status_{projection.lower()}",
        partition_key="status",
        sort_key="created",
        projection=projection,
        non_key_attributes=non_key,
        table_keys=("pk", "sk"),
    )


KEYS_ONLY = _index("KEYS_ONLY")
INCLUDE = _index("INCLUDE", ("total",))
ALL = _index("ALL")

# Sizes: pk 2+3, sk 2+3, status 6+4, created 7+10 → keys 37 bytes; total 5+2; note 4+3,000.
BASE: dict[str, Any] = {
    "pk": "u#1",
    "sk": "o#1",
    "status": "OPEN",
    "created": "2025-01-01",
    "total": 1,
    "note": "x" * 3000,
}
KEYS_BYTES = 37
TOTAL_BYTES = 7
NOTE_BYTES = 3004


def _without(item: dict[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != name}


def test_projected_sizes_of_the_base_item() -> None:
    assert item_size(BASE) == KEYS_BYTES + TOTAL_BYTES + NOTE_BYTES == 3048
    assert item_size(KEYS_ONLY.projected(BASE) or {}) == KEYS_BYTES
    assert item_size(INCLUDE.projected(BASE) or {}) == KEYS_BYTES + TOTAL_BYTES
    assert ALL.projected(BASE) == BASE


def test_projection_of_an_item_outside_a_sparse_index_is_none() -> None:
    assert KEYS_ONLY.projected(_without(BASE, "status")) is None
    assert ALL.projected(_without(BASE, "created")) is None  # both index keys are needed
    assert INCLUDE.projected(_without(BASE, "total")) == KEYS_ONLY.projected(BASE)


def test_projection_works_on_low_level_items() -> None:
    low = {"pk": {"S": "a"}, "sk": {"S": "b"}, "status": {"S": "s"}, "created": {"S": "c"}}
    low["total"] = {"N": "1"}
    low["other"] = {"S": "o"}
    assert INCLUDE.projected(low) == _without(low, "other")
    assert KEYS_ONLY.projected(low) == _without(_without(low, "other"), "total")


CHANGED = {
    "nothing": BASE,
    "projected attribute": {**BASE, "total": 2},
    "unprojected attribute": {**BASE, "note": "y" * 3000},
    "unprojected attribute, larger": {**BASE, "note": "x" * 5000},  # ALL: 5,048 bytes
    "same number, other spelling": {**BASE, "total": Decimal("1.00")},
    "index partition key": {**BASE, "status": "SHIPPED"},  # 3 more bytes
    "index sort key": {**BASE, "created": "2025-01-02"},
}


@pytest.mark.parametrize(
    ("case", "old", "new", "keys_only", "include", "everything"),
    [
        (
            "outside before and after",
            _without(BASE, "status"),
            {**_without(BASE, "status")},
            0,
            0,
            0,
        ),
        ("outside, unrelated change", _without(BASE, "status"), _without(BASE, "created"), 0, 0, 0),
        ("enters: new item", None, BASE, 1, 1, 3),
        ("enters: index key added", _without(BASE, "status"), BASE, 1, 1, 3),
        ("leaves: item deleted", BASE, None, 1, 1, 3),
        ("leaves: index key removed", BASE, _without(BASE, "created"), 1, 1, 3),
        ("stays, nothing changed", BASE, CHANGED["nothing"], 0, 0, 0),
        ("stays, projected attribute changed", BASE, CHANGED["projected attribute"], 0, 1, 3),
        ("stays, unprojected attribute changed", BASE, CHANGED["unprojected attribute"], 0, 0, 3),
        ("stays, item grows", BASE, CHANGED["unprojected attribute, larger"], 0, 0, 5),
        ("stays, item shrinks", CHANGED["unprojected attribute, larger"], BASE, 0, 0, 5),
        ("stays, equal number", BASE, CHANGED["same number, other spelling"], 0, 0, 0),
        ("index partition key changed", BASE, CHANGED["index partition key"], 2, 2, 6),
        ("index sort key changed", BASE, CHANGED["index sort key"], 2, 2, 6),
    ],
)
def test_index_write_amplification(
    case: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    keys_only: float,
    include: float,
    everything: float,
) -> None:
    assert index_write_units(old, new, KEYS_ONLY) == keys_only, case
    assert index_write_units(old, new, INCLUDE) == include, case
    assert index_write_units(old, new, ALL) == everything, case
    assert index_write_units(old, new, ALL, transactional=True) == 2 * everything, case


def test_index_write_units_with_low_level_items() -> None:
    old = {"pk": {"S": "a"}, "sk": {"S": "b"}, "status": {"S": "s"}, "created": {"S": "c"}}
    assert index_write_units(old, {**old, "total": {"N": "1"}}, INCLUDE) == 1
    assert index_write_units(old, {**old, "other": {"N": "1"}}, INCLUDE) == 0
    assert index_write_units(old, {**old, "status": {"S": "t"}}, KEYS_ONLY) == 2
    assert index_write_units(old, {**old, "created": {"S": "c"}}, KEYS_ONLY) == 0


def test_index_spec_from_describe_table() -> None:
    gsi = {
        "IndexName": "by_status",
        "KeySchema": GSI_KEYS,
        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total", "note"]},
        "IndexStatus": "ACTIVE",
    }
    spec = IndexSpec.from_description(gsi, TABLE_KEYS)
    assert spec == IndexSpec(
        "by_status", "status", "created", "INCLUDE", ("total", "note"), ("pk", "sk")
    )
    assert spec.key_attributes == ("status", "created")
    lsi = {
        "IndexName": "by_total",
        "KeySchema": [TABLE_KEYS[0], {"AttributeName": "total", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"},
    }
    assert IndexSpec.from_description(lsi, TABLE_KEYS) == IndexSpec(
        "by_total", "pk", "total", "KEYS_ONLY", (), ("pk", "sk")
    )
    hash_only = {
        "IndexName": "by_email",
        "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"},
    }
    spec = IndexSpec.from_description(hash_only, TABLE_KEYS[:1])
    assert (spec.sort_key, spec.table_keys, spec.key_attributes) == (None, ("pk",), ("email",))


# --- Put and delete costs ----------------------------------------------------------------------


def test_put_of_a_new_item() -> None:
    cost = put_cost(None, BASE, [KEYS_ONLY, ALL])
    assert cost == WriteCost(table=3.0, indexes={KEYS_ONLY.name: 1.0, ALL.name: 3.0})
    assert cost.total == 7.0


def test_put_is_charged_by_the_larger_of_before_and_after() -> None:
    larger = CHANGED["unprojected attribute, larger"]
    assert put_cost(larger, BASE).table == 5.0  # 5,048 bytes before, 3,048 after
    assert put_cost(BASE, larger).table == 5.0
    assert put_cost(BASE, BASE, [KEYS_ONLY]) == WriteCost(3.0, {KEYS_ONLY.name: 0.0})


def test_transactional_put_doubles_everything() -> None:
    cost = put_cost(None, BASE, [INCLUDE], transactional=True)
    assert cost == WriteCost(table=6.0, indexes={INCLUDE.name: 2.0})
    assert cost.total == 8.0


def test_put_that_changes_an_index_key() -> None:
    cost = put_cost(BASE, CHANGED["index partition key"], [KEYS_ONLY, INCLUDE, ALL])
    assert cost.table == 3.0
    assert cost.indexes == {KEYS_ONLY.name: 2.0, INCLUDE.name: 2.0, ALL.name: 6.0}
    assert cost.total == 13.0


def test_delete_costs() -> None:
    assert delete_cost(BASE, [KEYS_ONLY, ALL]) == WriteCost(
        3.0, {KEYS_ONLY.name: 1.0, ALL.name: 3.0}
    )
    assert delete_cost(None, [KEYS_ONLY]) == WriteCost(1.0, {KEYS_ONLY.name: 0.0})
    assert delete_cost(None).total == 1.0
    assert delete_cost(BASE, transactional=True).table == 6.0
    sparse = _without(BASE, "status")
    assert delete_cost(sparse, [ALL]).indexes == {ALL.name: 0.0}
