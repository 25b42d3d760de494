"""The price table, request costs, dollar formatting and receipts (no engine)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

import ddb_lab
from ddb_lab import cost
from ddb_lab.cost import (
    US_EAST_1_STANDARD,
    PriceTable,
    Receipt,
    format_dollars,
    request_cost,
)

PACKAGE = Path(ddb_lab.__file__).resolve().parent


def test_on_demand_prices_are_the_november_2024_ones() -> None:
    assert request_cost(1_000_000, 0) == Decimal("0.125")
    assert request_cost(0, 1_000_000) == Decimal("0.625")
    assert request_cost(1_000_000, 1_000_000) == Decimal("0.750")
    assert US_EAST_1_STANDARD.on_demand_read.effective == "2024-11-01"
    assert US_EAST_1_STANDARD.on_demand_write.effective == "2024-11-01"
    assert "$0.25" in US_EAST_1_STANDARD.on_demand_read.note  # the outdated figure, named


def test_small_requests_cost_exact_fractions_of_a_cent() -> None:
    assert request_cost(0.5, 0) == Decimal("0.0000000625")  # one small eventual read
    assert request_cost(0, 1) == Decimal("0.000000625")  # one small write
    assert request_cost(Decimal("2.5"), 10) == Decimal("0.0000065625")


def test_provisioned_and_storage_prices() -> None:
    table = US_EAST_1_STANDARD
    assert (table.provisioned_read.dollars, table.provisioned_read.unit) == (
        Decimal("0.00013"),
        "RCU-hour",
    )
    assert (table.provisioned_write.dollars, table.provisioned_write.unit) == (
        Decimal("0.00065"),
        "WCU-hour",
    )
    assert (table.storage.dollars, table.storage.unit) == (Decimal("0.25"), "GB-month")
    assert table.storage.per_unit == Decimal("0.25")
    assert table.on_demand_read.per_unit == Decimal("0.000000125")


def test_every_price_names_its_source_and_date() -> None:
    assert (US_EAST_1_STANDARD.region, US_EAST_1_STANDARD.table_class) == ("us-east-1", "STANDARD")
    assert set(US_EAST_1_STANDARD.entries) == {
        "on_demand_read",
        "on_demand_write",
        "provisioned_read",
        "provisioned_write",
        "storage",
    }
    for price in US_EAST_1_STANDARD.entries.values():
        assert price.source.url.startswith("https://aws.amazon.com/dynamodb/pricing/")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", price.source.checked)
        assert price.effective == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", price.effective)


def test_an_unknown_price_name_is_a_clear_key_error() -> None:
    with pytest.raises(KeyError, match="no price named 'nope'; known: on_demand_read"):
        US_EAST_1_STANDARD["nope"]


def test_another_price_table_changes_the_cost() -> None:
    doubled = PriceTable(
        "xx-test-1",
        "STANDARD",
        {
            "on_demand_read": cost.Price(
                Decimal("0.25"), 1_000_000, "read request units", "", cost.PRICING
            ),
            "on_demand_write": cost.ON_DEMAND_WRITE,
        },
    )
    assert request_cost(1_000_000, 0, doubled) == Decimal("0.25")


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("0", "$0.00"),
        ("0.000000625", "$0.00000063"),
        ("0.0000000625", "$0.000000063"),
        ("0.0000065625", "$0.0000066"),
        ("0.009999", "$0.01"),
        ("0.125", "$0.125"),
        ("0.75", "$0.75"),
        ("1", "$1.00"),
        ("1234.5", "$1,234.50"),
        ("-0.5", "-$0.50"),
    ],
)
def test_dollars_are_formatted_for_people(amount: str, shown: str) -> None:
    assert format_dollars(Decimal(amount)) == shown


# --- Receipts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    operation: str
    table: str
    read_units: float = 0.0
    write_units: float = 0.0
    on_demand: bool = True
    index: str | None = None


CALLS = [
    Call("PutItem", "Users", write_units=8.0),
    Call("GetItem", "Users", read_units=0.5),
    Call("PutItem", "Users", write_units=2.0),
    Call("Query", "Users", read_units=1.5, index="by_email"),
    Call("PutItem", "Metrics", write_units=3.0, on_demand=False),
]


def test_a_receipt_groups_calls_by_operation_and_table() -> None:
    receipt = Receipt(CALLS)
    rows = [
        (r.operation, r.table, r.index, r.calls, r.read_units, r.write_units) for r in receipt.rows
    ]
    assert rows == [
        ("PutItem", "Users", None, 2, 0.0, 10.0),
        ("GetItem", "Users", None, 1, 0.5, 0.0),
        ("Query", "Users", "by_email", 1, 1.5, 0.0),
        ("PutItem", "Metrics", None, 1, 0.0, 3.0),
    ]
    assert (receipt.read_units, receipt.write_units) == (2.0, 13.0)
    # the provisioned table's writes are paid per hour, not per request
    assert receipt.cost == request_cost(2.0, 10.0) == Decimal("0.00000650")
    assert receipt.rows[-1].cost is None
    assert (receipt.rows[-1].read_unit_name, receipt.rows[-1].write_unit_name) == ("RCU", "WCU")


def test_a_receipt_reads_like_a_receipt() -> None:
    assert str(Receipt(CALLS[:2])) == "\n".join(
        [
            "Receipt: 2 calls",
            "operation  table  calls     read  write  on-demand cost",
            "---------  -----  -----  -------  -----  --------------",
            "PutItem    Users      1        -  8 WRU      $0.0000050",
            "GetItem    Users      1  0.5 RRU      -    $0.000000063",
            "---------  -----  -----  -------  -----  --------------",
            "total                 2  0.5 RRU  8 WRU      $0.0000051",
            "On-demand prices, us-east-1, Standard table class: $0.125 per 1,000,000 read "
            "request units, $0.625 per 1,000,000 write request units (effective 2024-11-01).",
        ]
    )
    text = str(Receipt(CALLS))
    assert "Users (index by_email)" in text
    assert "3 WCU" in text and "provisioned *" in text
    assert "$0.00013 per RCU-hour, $0.00065 per WCU-hour" in text
    assert "units" in text.splitlines()[-3]  # mixed RRU and RCU: the total says "units"


def test_a_receipt_renders_the_same_html_every_time() -> None:
    first = Receipt(CALLS)._repr_html_()
    assert first == Receipt(CALLS)._repr_html_()
    assert first.count("<tr>") == 1 + len(Receipt(CALLS).rows) + 1
    assert "<td>Users (index by_email)</td>" in first


def test_an_open_receipt_follows_its_source_until_closed() -> None:
    calls: list[Call] = []
    receipt = Receipt(lambda: calls)
    calls.append(CALLS[0])
    assert not receipt.closed
    assert receipt.write_units == 8.0
    assert "so far" in str(receipt)
    receipt.close()
    calls.append(CALLS[2])
    assert receipt.closed and receipt.write_units == 8.0


def test_an_unavailable_receipt_explains_itself() -> None:
    receipt = Receipt(available=False, note="Receipts need the lab's own engine.")
    assert str(receipt) == "Receipt unavailable\nReceipts need the lab's own engine."
    assert "Receipts need the lab&#x27;s own engine." in receipt._repr_html_()
    assert receipt.rows == []


# --- One price table -----------------------------------------------------------------------------

#: Every price in the table, old or new; no other module may write one of them.
_PRICE_NUMBERS = {Decimal("0.125"), Decimal("0.625"), Decimal("0.00013"), Decimal("0.00065")}
_PRICE_TEXT = re.compile(r"\$(0\.125|0\.625|0\.25|1\.25|0\.00013|0\.00065)\b")


def test_nothing_else_in_the_package_hard_codes_a_price() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "cost.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Constant):
                continue
            value = node.value
            if isinstance(value, float) and Decimal(repr(value)) in _PRICE_NUMBERS:
                offenders.append(f"{path.name}:{node.lineno}: {value!r}")
            if isinstance(value, str) and (
                _PRICE_TEXT.search(value) or value.strip() in {str(p) for p in _PRICE_NUMBERS}
            ):
                offenders.append(f"{path.name}:{node.lineno}: {value!r}")
    assert offenders == []
