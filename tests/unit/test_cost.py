"""The price table, request costs, dollar formatting and receipts (no engine)."""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import matplotlib
import pytest

from ddb_lab import capacity, cost
from ddb_lab.cost import (
    US_EAST_1_STANDARD,
    Index,
    PriceTable,
    Reads,
    Receipt,
    Workload,
    Writes,
    format_dollars,
    monthly_cost,
    request_cost,
)
from ddb_lab.grader.runner import run_check

matplotlib.use("Agg")


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


TABLES = [US_EAST_1_STANDARD, cost.US_EAST_1_STANDARD_IA, cost.US_EAST_1_STANDARD_BEFORE_2024_11]


def test_the_table_prices_everything_a_dynamodb_bill_has() -> None:
    assert (US_EAST_1_STANDARD.region, US_EAST_1_STANDARD.table_class) == ("us-east-1", "STANDARD")
    assert set(US_EAST_1_STANDARD.entries) == {
        "on_demand_read",
        "on_demand_write",
        "provisioned_read",
        "provisioned_write",
        "storage",
        "replicated_write_on_demand",
        "replicated_write_provisioned",
        *(
            f"reserved_{kind}_{term}_{part}"
            for kind in ("read", "write")
            for term in ("1y", "3y")
            for part in ("upfront", "hourly")
        ),
        "backup_storage",
        "pitr_storage",
        "restore",
        "stream_read",
        "s3_export",
        "s3_import",
    }
    tier = US_EAST_1_STANDARD.free_tier
    assert tier is not None
    assert (tier.storage_gb, tier.read_capacity_units, tier.write_capacity_units) == (25, 25, 25)
    assert tier.stream_read_requests == 2_500_000


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.title)
def test_every_price_names_its_source_and_date(table: PriceTable) -> None:
    for name, price in table.entries.items():
        assert price.source.url.startswith("https://"), name
        assert "amazon" in price.source.url or "aws" in price.source.url, name
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", price.source.checked), name
        assert price.effective == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", price.effective)
        if not price.confirmed:  # an unconfirmed figure says so, and why
            assert re.search(r"not confirmed|derived", price.note), name


def test_replicated_writes_cost_what_writes_cost_since_november_2024() -> None:
    table, old = US_EAST_1_STANDARD, cost.US_EAST_1_STANDARD_BEFORE_2024_11
    assert table["replicated_write_on_demand"].dollars == table.on_demand_write.dollars
    assert table["replicated_write_provisioned"].dollars == table.provisioned_write.dollars
    assert old["replicated_write_on_demand"].dollars == Decimal("1.875")  # 50 % above a WRU
    assert old["replicated_write_provisioned"].dollars == Decimal("0.000975")
    assert (old.on_demand_read.dollars, old.on_demand_write.dollars) == (
        Decimal("0.25"),
        Decimal("1.25"),
    )
    same = set(table.entries) - {
        "on_demand_read",
        "on_demand_write",
        "replicated_write_on_demand",
        "replicated_write_provisioned",
    }
    assert all(old[name] == table[name] for name in same)


def test_standard_ia_stores_for_less_and_serves_for_more() -> None:
    std, ia = US_EAST_1_STANDARD, cost.US_EAST_1_STANDARD_IA
    assert ia.table_class == "STANDARD_INFREQUENT_ACCESS"
    assert ia.storage.dollars == Decimal("0.10")
    for name in ("on_demand_read", "on_demand_write", "provisioned_read", "provisioned_write"):
        assert ia[name].dollars == std[name].dollars * Decimal("1.25"), name
        assert not ia[name].confirmed
    assert not any(name.startswith("reserved_") for name in ia.entries)
    assert ia["pitr_storage"] == std["pitr_storage"]
    assert ia.free_tier is not None and ia.free_tier.storage_gb == 0


def test_an_unknown_price_name_is_a_clear_key_error() -> None:
    with pytest.raises(KeyError, match="no price named 'nope'; known: backup_storage"):
        US_EAST_1_STANDARD["nope"]
    assert US_EAST_1_STANDARD.get("nope") is None
    assert "storage" in US_EAST_1_STANDARD and "nope" not in US_EAST_1_STANDARD


def test_a_table_for_another_region_overrides_some_prices() -> None:
    europe = US_EAST_1_STANDARD.override(
        region="eu-west-1",
        note="Figures from the eu-west-1 pricing page.",
        on_demand_read="0.1415",
        prices={"storage": Decimal("0.2832")},
    )
    assert europe.region == "eu-west-1" and europe.table_class == "STANDARD"
    assert europe.on_demand_read.dollars == Decimal("0.1415")
    assert europe.on_demand_read.unit == "read request units"  # quantity and unit kept
    assert europe.storage.dollars == Decimal("0.2832")
    assert europe.on_demand_write is US_EAST_1_STANDARD.on_demand_write
    assert europe.notes[-1] == "Figures from the eu-west-1 pricing page."
    assert request_cost(1_000_000, 0, europe) == Decimal("0.1415")
    assert US_EAST_1_STANDARD.on_demand_read.dollars == Decimal("0.125")  # unchanged
    with pytest.raises(KeyError, match="no price named 'on_demand_reads'"):
        US_EAST_1_STANDARD.override(on_demand_reads="0.1")


def test_price_tables_are_found_by_region_and_class() -> None:
    assert cost.price_table() is US_EAST_1_STANDARD
    assert cost.price_table("us-east-1", cost.STANDARD_IA) is cost.US_EAST_1_STANDARD_IA
    with pytest.raises(KeyError, match="no course prices for eu-west-1 STANDARD.*override"):
        cost.price_table("eu-west-1")


def test_a_price_table_shows_every_price_with_its_dates() -> None:
    text = str(US_EAST_1_STANDARD)
    assert text.splitlines()[0] == "Prices: us-east-1, Standard table class"
    assert "on_demand_read                $0.125 per 1,000,000 read request units" in text
    assert "(unconfirmed)" in text and "Free tier: 25 GB-month storage" in text
    assert US_EAST_1_STANDARD._repr_html_().count("<tr>") == 1 + len(US_EAST_1_STANDARD.entries)


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


# --- The monthly cost of a workload --------------------------------------------------------------

SECONDS = Decimal(730 * 3600)
P = US_EAST_1_STANDARD


def test_reads_and_writes_count_units_by_the_capacity_rules() -> None:
    assert Reads(10, 6_000, "strong").units_per_second == 20  # two 4 KB blocks each
    assert Reads(10, 6_000).units_per_second == 10
    assert Reads(10, 1_000, items_per_request=20).units_per_request == 2.5  # 20,000 bytes summed
    assert Writes(3, 2_500, transactional=True).units_per_second == 18
    with pytest.raises(ValueError, match="eventually consistent reads only"):
        Reads(1, 100, "strong", index="GSI1")
    with pytest.raises(ValueError, match="reads on unknown indexes"):
        Workload(reads=[Reads(1, 100, index="GSI9")])
    with pytest.raises(ValueError, match=">= 0"):
        Writes(-1, 100)


def test_on_demand_bills_every_request_unit() -> None:
    workload = Workload(reads=[Reads(100, 2_048)], writes=[Writes(20, 1_000)])
    bill = monthly_cost(workload, free_tier=False)
    reads, writes = bill.line("reads"), bill.line("writes")
    assert reads.quantity == 50 * SECONDS == Decimal(131_400_000)
    assert reads.dollars == Decimal("16.425")
    assert writes.quantity == 20 * SECONDS
    assert writes.dollars == 20 * SECONDS * P.on_demand_write.per_unit == Decimal("32.85")
    assert bill.total == Decimal("49.275")
    assert cost.cents(bill.total) == Decimal("49.28")


def test_indexes_add_writes_and_storage_by_their_projection() -> None:
    workload = Workload(
        writes=[Writes(20, 1_000)],
        item_count=10_000_000,
        item_bytes=1_000,
        indexes=[Index("FULL", 1_500), Index("SPARSE", 200, share=0.1)],
    )
    bill = monthly_cost(workload, free_tier=False)
    assert bill.line("writes to FULL").quantity == 2 * 20 * SECONDS  # 1,500 bytes: 2 units
    assert bill.line("writes to SPARSE").quantity == Decimal("0.1") * 20 * SECONDS
    stored = 10_000_000 * (1_000 + 100) + 10_000_000 * (1_500 + 100) + 1_000_000 * (200 + 100)
    storage = bill.line("storage")
    assert storage.quantity == Decimal(stored) / 1024**3
    assert storage.dollars == storage.quantity * P.storage.per_unit
    with_free = monthly_cost(workload)
    assert with_free.line("free tier: 25 GB").dollars == -25 * P.storage.dollars
    assert bill.total - with_free.total == 25 * P.storage.dollars


def test_an_index_is_sized_from_its_spec_and_a_typical_item() -> None:
    item = {"PK": "USER#1", "SK": "POST#1", "GSI1PK": "POST", "body": "x" * 500}
    full = capacity.IndexSpec("GSI1", "GSI1PK", None, "ALL", table_keys=("PK", "SK"))
    keys = capacity.IndexSpec("GSI1", "GSI1PK", None, "KEYS_ONLY", table_keys=("PK", "SK"))
    sparse = capacity.IndexSpec("GSI2", "GSI2PK", None, "ALL", table_keys=("PK", "SK"))
    assert Index.from_spec(full, item) == Index("GSI1", capacity.item_size(item))
    assert Index.from_spec(keys, item).projected_bytes == capacity.item_size(
        {k: item[k] for k in ("PK", "SK", "GSI1PK")}
    )
    assert Index.from_spec(sparse, item) == Index("GSI2", 0, 0.0)


def test_provisioned_pays_capacity_hours_at_the_target_utilisation() -> None:
    workload = Workload(
        reads=[Reads(100, 2_048)], writes=[Writes(20, 1_000)], indexes=[Index("G", 100)]
    )
    bill = monthly_cost(workload, "provisioned", target_utilization=0.7)
    assert bill.line("reads: 72 RCU").quantity == 72 * 730  # ceil(50 / 0.7)
    assert bill.line("writes: 29 WCU").dollars == 29 * 730 * P.provisioned_write.dollars
    assert bill.line("reads on G: 1 RCU").quantity == 730  # an index has at least 1 unit
    assert bill.line("free tier: 25 RCU").dollars == -25 * 730 * P.provisioned_read.dollars
    assert bill.line("free tier: 25 WCU").dollars == -25 * 730 * P.provisioned_write.dollars
    expected = 730 * (
        (72 + 1 - 25) * P.provisioned_read.dollars + (29 + 29 - 25) * P.provisioned_write.dollars
    )
    assert bill.total == expected
    # exactly on a boundary, no spurious extra unit: 70 / 0.7 is 100 units, not 101
    steady = Workload(writes=[Writes(70, 1_024)])
    assert monthly_cost(steady, "provisioned", free_tier=False).line("writes: 100 WCU")
    with pytest.raises(ValueError, match="between 0.2 and 0.9"):
        monthly_cost(workload, "provisioned", target_utilization=0.95)


def test_reserved_capacity_moves_whole_blocks_of_100_to_the_reservation() -> None:
    workload = Workload(reads=[Reads(2_500, 4_096)])  # 1,250 units/s -> 1,786 RCU at 70 %
    bill = monthly_cost(workload, "provisioned", reserved="1y")
    billed = 1_786 - 25  # the free tier first
    reserved = billed // 100 * 100
    assert reserved == 1_700
    line = bill.line("1y reservation: 1,700 RCU (upfront spread over 12 months)")
    upfront, hourly = P["reserved_read_1y_upfront"], P["reserved_read_1y_hourly"]
    assert line.dollars == 17 * upfront.dollars / 12 + 17 * hourly.dollars * 730
    refund = bill.line("reserved RCU not billed at the hourly rate")
    assert refund.dollars == -1_700 * 730 * P.provisioned_read.dollars
    three = monthly_cost(workload, "provisioned", reserved="3y").total
    none = monthly_cost(workload, "provisioned").total
    assert three < bill.total < none
    with pytest.raises(ValueError, match="Standard table class only"):
        monthly_cost(workload, "provisioned", reserved="1y", prices=cost.US_EAST_1_STANDARD_IA)
    with pytest.raises(ValueError, match="only with mode='provisioned'"):
        monthly_cost(workload, reserved="1y")


def test_a_global_table_pays_writes_index_writes_and_storage_in_every_region() -> None:
    workload = Workload(
        reads=[Reads(10, 1_000)],
        writes=[Writes(5, 1_000)],
        item_count=1_000_000,
        item_bytes=900,
        indexes=[Index("G", 100)],
        replicas=3,
    )
    bill = monthly_cost(workload, free_tier=False)
    replicated = bill.line("writes, replicated to 3 Regions")
    assert replicated.unit == "rWRU" and replicated.quantity == 3 * 5 * SECONDS
    assert replicated.price is P["replicated_write_on_demand"]
    assert bill.line("writes to G in 3 Regions").quantity == 3 * 5 * SECONDS
    assert bill.line("reads").quantity == 5 * SECONDS  # reads only where they happen
    per_region = 1_000_000 * (900 + 100 + 48) + 1_000_000 * (100 + 100)
    assert bill.line("storage in 3 Regions").quantity == 3 * Decimal(per_region) / 1024**3
    provisioned = monthly_cost(workload, "provisioned", free_tier=False)
    assert provisioned.line("writes: 8 rWCU in each of 3 Regions").quantity == 3 * 8 * 730


def test_backups_pitr_streams_and_data_movement() -> None:
    workload = Workload(
        item_count=100_000_000,
        item_bytes=924,  # 1,024 bytes billed per item
        backups=2,
        pitr=True,
        restores_gb=10,
        stream_reads_per_second=1,
        exports_gb=5,
        imports_gb=4,
    )
    bill = monthly_cost(workload)
    table_gb = Decimal(100_000_000 * 1_024) / 1024**3
    assert bill.line("2 on-demand backups").quantity == 2 * table_gb
    assert bill.line("point-in-time recovery").dollars == table_gb * P["pitr_storage"].dollars
    assert bill.line("restores").dollars == 10 * P["restore"].dollars
    assert bill.line("stream reads").quantity == SECONDS
    assert bill.line("free tier: stream reads").quantity == -2_500_000
    assert bill.line("exports to S3").dollars == 5 * P["s3_export"].dollars
    assert bill.line("imports from S3").dollars == 4 * P["s3_import"].dollars
    assert list(bill.by_category()) == [
        "storage",
        "backups",
        "streams",
        "data movement",
        "free tier",
    ]


def test_on_demand_against_provisioned_and_the_break_even_point() -> None:
    assert cost.break_even_utilization() == P.provisioned_write.dollars / (
        3600 * P.on_demand_write.per_unit
    )
    assert round(cost.break_even_utilization(), 4) == Decimal("0.2889")
    assert round(cost.break_even_utilization(kind="read"), 4) == Decimal("0.2889")
    old = cost.US_EAST_1_STANDARD_BEFORE_2024_11
    assert abs(cost.break_even_utilization(old) * 2 - cost.break_even_utilization()) < Decimal(
        "1e-20"
    )
    steady = Workload(writes=[Writes(500, 1_000)])
    comparison = cost.compare_modes(steady)
    assert comparison.cheaper == "provisioned"
    assert comparison.saving == comparison.on_demand.total - comparison.provisioned.total
    assert str(comparison).startswith("on-demand $")
    quiet = Workload(writes=[Writes(0.1, 1_000)])  # below even 1 RCU + 1 WCU provisioned
    assert cost.compare_modes(quiet, free_tier=False).cheaper == "on_demand"


def test_a_bill_reads_like_a_bill() -> None:
    workload = Workload(reads=[Reads(100, 2_048)], writes=[Writes(20, 1_000)])
    bill = monthly_cost(workload, free_tier=False)
    assert str(bill).splitlines()[:7] == [
        "Monthly cost, on-demand: us-east-1, Standard table class",
        "item           quantity    cost",
        "------  ---------------  ------",
        "reads   131,400,000 RRU  $16.43",
        "writes   52,560,000 WRU  $32.85",
        "------  ---------------  ------",
        "total                    $49.28",
    ]
    assert "Shares: reads 33 %, writes 67 %." in str(bill)
    html_text = bill._repr_html_()
    assert html_text == monthly_cost(workload, free_tier=False)._repr_html_()
    assert html_text.count("height:0.9em") == 2  # one bar per category
    with pytest.raises(KeyError, match="no line 'nope'"):
        bill.line("nope")


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def test_the_plots_are_deterministic() -> None:
    figure = cost.plot_break_even(1_000)
    (ax,) = figure.axes
    assert len(ax.lines) == 4  # on-demand, provisioned for the peak, auto scaling, the marker
    marker = ax.lines[-1]
    # where on-demand equals provisioned for the peak: 1,429 WCU (1,000 / 70 %) all month
    crossing = cost.break_even_utilization() * 1_429 / 1_000 * 100
    assert abs(Decimal(str(marker.get_xdata()[0])) - crossing) < Decimal("0.01")
    assert _png(figure) == _png(cost.plot_break_even(1_000))
    bill = monthly_cost(Workload(reads=[Reads(100, 2_048)], writes=[Writes(20, 1_000)]))
    assert _png(bill.plot()) == _png(bill.plot())


# --- The exercises' checks judge against the table, to the cent ----------------------------------


def _learner_on_demand(table: PriceTable | None = None, hours: int = 730) -> Any:
    def on_demand_monthly(
        reads: float,
        read_bytes: int,
        consistency: str,
        writes: float,
        write_bytes: int,
        prices: PriceTable,
    ) -> Decimal:
        p = table or prices
        factor = {"eventual": Decimal("0.5"), "strong": 1, "transactional": 2}[consistency]
        read_units = max(1, math.ceil(read_bytes / 4096)) * factor
        write_units = max(1, math.ceil(write_bytes / 1024))
        seconds = hours * 3600
        return (
            Decimal(str(reads)) * read_units * seconds * p.on_demand_read.per_unit
            + Decimal(str(writes)) * write_units * seconds * p.on_demand_write.per_unit
        )

    return on_demand_monthly


def test_the_on_demand_check_passes_the_right_answer_only() -> None:
    assert run_check("08.on_demand_monthly", _learner_on_demand()).passed
    hard_coded = run_check("08.on_demand_monthly", _learner_on_demand(US_EAST_1_STANDARD))
    assert not hard_coded.passed
    assert "read every price from `prices`" in hard_coded.text()
    outdated = cost.US_EAST_1_STANDARD_BEFORE_2024_11
    old = run_check("08.on_demand_monthly", _learner_on_demand(outdated))
    assert not old.passed and "before 1 November 2024" in old.text()
    thirty_days = run_check("08.on_demand_monthly", _learner_on_demand(hours=720))
    assert not thirty_days.passed and "30-day month" in thirty_days.text()


def test_the_global_writes_check_wants_every_region_paid() -> None:
    def one_region(
        w: float, size: int, regions: int, entries: list[int], prices: PriceTable
    ) -> Decimal:
        units = max(1, math.ceil(size / 1024)) + sum(max(1, math.ceil(e / 1024)) for e in entries)
        return Decimal(str(w)) * SECONDS * units * prices.on_demand_write.per_unit

    result = run_check("08.global_writes", one_region)
    assert not result.passed and "multiply by the number of Regions" in result.text()
