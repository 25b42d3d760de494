"""Checks for chapter 8, cost (exercises/08_cost.ipynb).

Every expected figure comes from :func:`ddb_lab.cost.monthly_cost` (or
:func:`~ddb_lab.cost.break_even_utilization`) with the price table the learner's function is
given, never from a literal; answers are judged to the cent. Each check also passes a made-up
Region's table with other prices, so an answer with hard-coded prices fails, and it names the
usual mistakes (the prices before November 2024, a 30-day month, no rounding up) when it sees one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Final

from ddb_lab import cost
from ddb_lab.capacity import Consistency
from ddb_lab.cost import (
    US_EAST_1_STANDARD,
    US_EAST_1_STANDARD_BEFORE_2024_11,
    US_EAST_1_STANDARD_IA,
    Index,
    PriceTable,
    Reads,
    Workload,
    Writes,
    format_dollars,
    monthly_cost,
)
from ddb_lab.grader.checks import check_for
from ddb_lab.grader.context import CheckContext, Failure

Learner = Callable[..., Any]

#: Half a cent: an answer this close to the bill's total is right to the cent.
TOLERANCE: Final = Decimal("0.005")
#: A made-up Region whose prices are all different (three times us-east-1's, rounded oddly), so
#: that an answer that ignores the table it is given cannot pass.
TEST_REGION: Final = US_EAST_1_STANDARD.override(
    region="xx-test-1",
    note="Made-up prices for checking answers.",
    prices={
        name: (price.dollars * 3 + Decimal("0.0000001")).normalize()
        for name, price in US_EAST_1_STANDARD.entries.items()
    },
)
#: The price tables every check runs with, by name.
TABLES: Final[dict[str, PriceTable]] = {
    "us-east-1 Standard": US_EAST_1_STANDARD,
    "us-east-1 Standard-IA": US_EAST_1_STANDARD_IA,
    "xx-test-1 (made-up prices)": TEST_REGION,
}
#: A 30-day month, the usual slip (AWS bills 730 hours).
_THIRTY_DAYS_RATIO: Final = Decimal(30 * 24) / Decimal(cost.HOURS_PER_MONTH)


def _dollars(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise Failure(f"{what} should return dollars as a number.", got=repr(value))
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


def _close(got: Decimal, expected: Decimal) -> bool:
    return abs(got - expected) <= TOLERANCE


def _judge(
    got: Decimal,
    expected: Decimal,
    what: str,
    advice: str,
    *,
    old_prices: Decimal | None = None,
    unrounded: Decimal | None = None,
    table: str = "",
    us_east_1: Decimal | None = None,
) -> None:
    """Raise a Failure naming the likely slip unless ``got`` is ``expected`` to the cent."""
    if _close(got, expected):
        return
    if old_prices is not None and _close(got, old_prices):
        advice = (
            "That is the bill at the prices before 1 November 2024 (the ones older guides "
            "quote): read the prices from the table your function is given."
        )
    elif us_east_1 is not None and table != "us-east-1 Standard" and _close(got, us_east_1):
        advice = (
            "Your answer uses us-east-1 Standard prices, but this table has other prices: read "
            "every price from `prices`, never write one yourself."
        )
    elif expected and _close(got, expected * _THIRTY_DAYS_RATIO):
        advice = "You used a 30-day month; AWS prices a month as 730 hours."
    elif unrounded is not None and _close(got, unrounded):
        advice = "Round up first: units come in whole blocks (and capacity in whole units)."
    raise Failure(
        f"{what} is wrong{f' with the {table} prices' if table else ''}.",
        expected=format_dollars(cost.cents(expected)),
        got=format_dollars(cost.cents(got)) if abs(got) >= Decimal("0.01") else format_dollars(got),
        advice=advice,
    )


def _bill(workload: Workload, prices: PriceTable, **options: Any) -> Decimal:
    return monthly_cost(workload, prices=prices, free_tier=False, **options).total


# --- 08.on_demand_monthly ------------------------------------------------------------------------

_REQUESTS: Final[list[tuple[float, int, Consistency, float, int]]] = [
    (100, 2_048, "eventual", 20, 1_000),
    (250, 6_000, "strong", 0, 512),
    (40, 4_097, "transactional", 15, 2_500),
    (0, 100, "eventual", 7, 0),
    (1_000, 400 * 1024, "eventual", 3, 400 * 1024),
]


def _requests(
    reads: float, read_bytes: int, consistency: Consistency, writes: float, write_bytes: int
) -> Workload:
    return Workload(
        reads=[Reads(reads, read_bytes, consistency)], writes=[Writes(writes, write_bytes)]
    )


@check_for("08.on_demand_monthly")
def on_demand_monthly(function: Learner, ctx: CheckContext) -> None:
    for reads, read_bytes, consistency, writes, write_bytes in _REQUESTS:
        workload = _requests(reads, read_bytes, consistency, writes, write_bytes)
        what = (
            f"{reads:g} {consistency} reads/s of {read_bytes:,} bytes and {writes:g} writes/s of "
            f"{write_bytes:,} bytes"
        )
        us_east_1 = _bill(workload, US_EAST_1_STANDARD)
        for table, prices in TABLES.items():
            got = _dollars(
                ctx.call(function, reads, read_bytes, consistency, writes, write_bytes, prices),
                "on_demand_monthly",
            )
            unrounded = (
                Decimal(reads)
                * Decimal(read_bytes)
                / 4096
                * _factor(consistency)
                * prices.on_demand_read.per_unit
                + Decimal(writes) * Decimal(write_bytes) / 1024 * prices.on_demand_write.per_unit
            ) * cost.SECONDS_PER_MONTH
            _judge(
                got,
                _bill(workload, prices),
                what,
                "Per request: ceil(size / 4 KB) read units × the consistency factor, ceil(size / "
                "1 KB) write units (at least 1 each); × requests per second × 730 × 3,600 "
                "seconds × the table's price per unit.",
                old_prices=_bill(workload, US_EAST_1_STANDARD_BEFORE_2024_11)
                if prices is US_EAST_1_STANDARD
                else None,
                unrounded=unrounded,
                table=table,
                us_east_1=us_east_1,
            )


def _factor(consistency: Consistency) -> Decimal:
    return {"eventual": Decimal("0.5"), "strong": Decimal(1), "transactional": Decimal(2)}[
        consistency
    ]


# --- 08.provisioned_monthly ----------------------------------------------------------------------

_CAPACITY: Final = [(80.0, 10.0, 0.7), (1_000.0, 250.0, 0.5), (123.5, 0.0, 0.75), (0.0, 45.0, 0.9)]


@check_for("08.provisioned_monthly")
def provisioned_monthly(function: Learner, ctx: CheckContext) -> None:
    for read_units, write_units, target in _CAPACITY:
        # a strongly consistent read of 4 KB is one unit, a write of 1 KB one unit
        workload = _requests(read_units, 4096, "strong", write_units, 1024)
        what = f"{read_units:g} RCU and {write_units:g} WCU consumed at a {target:.0%} target"
        us_east_1 = _bill(
            workload, US_EAST_1_STANDARD, mode="provisioned", target_utilization=target
        )
        for table, prices in TABLES.items():
            got = _dollars(
                ctx.call(function, read_units, write_units, target, prices), "provisioned_monthly"
            )
            hours = Decimal(cost.HOURS_PER_MONTH)
            unrounded = hours * (
                Decimal(read_units) / Decimal(str(target)) * prices.provisioned_read.per_unit
                + Decimal(write_units) / Decimal(str(target)) * prices.provisioned_write.per_unit
            )
            _judge(
                got,
                _bill(workload, prices, mode="provisioned", target_utilization=target),
                what,
                "Provision ceil(units / target) of each (at least 1), and pay every unit for "
                "730 hours at the table's hourly price.",
                unrounded=unrounded,
                table=table,
                us_east_1=us_east_1,
            )


# --- 08.storage_monthly --------------------------------------------------------------------------

_STORAGE: Final[list[tuple[int, int, list[tuple[int, float]]]]] = [
    (50_000_000, 2_000, [(300, 1.0), (120, 0.05)]),
    (10_000_000, 1_000, []),
    (1_000_000, 500, [(500, 1.0)]),
    (200_000_000, 4_000, [(4_000, 1.0), (150, 0.5), (90, 0.01)]),
]


@check_for("08.storage_monthly")
def storage_monthly(function: Learner, ctx: CheckContext) -> None:
    for item_count, item_bytes, indexes in _STORAGE:
        workload = Workload(
            item_count=item_count,
            item_bytes=item_bytes,
            indexes=[Index(f"GSI{n}", b, s) for n, (b, s) in enumerate(indexes, 1)],
        )
        what = f"{item_count:,} items of {item_bytes:,} bytes with indexes {indexes}"
        us_east_1 = monthly_cost(workload, prices=US_EAST_1_STANDARD).total
        for table, prices in TABLES.items():
            got = _dollars(
                ctx.call(function, item_count, item_bytes, list(indexes), prices),
                "storage_monthly",
            )
            expected = monthly_cost(workload, prices=prices).total
            advice = (
                "Each item and each index entry carries 100 bytes of overhead; sum the bytes, "
                "divide by 1,024³, subtract prices.free_tier.storage_gb (not below 0), and "
                "multiply by the table's storage price."
            )
            no_overhead = (
                Workload(
                    item_count=item_count,
                    item_bytes=item_bytes - 100,
                    indexes=[
                        Index(i.name, max(0, i.projected_bytes - 100), i.share)
                        for i in workload.indexes
                    ],
                )
                if item_bytes >= 100
                else workload
            )
            if _close(got, monthly_cost(no_overhead, prices=prices).total) and not _close(
                got, expected
            ):
                advice = "Add the 100 bytes DynamoDB bills per item (and per index entry)."
            elif _close(got, monthly_cost(workload, prices=prices, free_tier=False).total):
                advice = (
                    "Take the free tier off: the first prices.free_tier.storage_gb GB are free."
                )
            _judge(got, expected, what, advice, table=table, us_east_1=us_east_1)


# --- 08.break_even -------------------------------------------------------------------------------


@check_for("08.break_even")
def break_even(function: Learner, ctx: CheckContext) -> None:
    for table, prices in {
        **TABLES,
        "before November 2024": US_EAST_1_STANDARD_BEFORE_2024_11,
    }.items():
        got = ctx.call(function, prices)
        if isinstance(got, bool) or not isinstance(got, int | float | Decimal):
            raise Failure("break_even_utilization should return a fraction.", got=repr(got))
        expected = cost.break_even_utilization(prices, "write")
        if abs(Decimal(repr(float(got))) - expected) > Decimal("0.000001"):
            advice = (
                "An hour of one WCU costs prices.provisioned_write.per_unit; used fully it "
                "serves 3,600 writes, which on demand cost 3,600 × the WRU price."
            )
            if abs(Decimal(repr(float(got))) - 1 / expected) < Decimal("0.001"):
                advice = "You divided the other way round: provisioned over on-demand."
            raise Failure(
                f"The break-even utilisation with the {table} prices is wrong.",
                expected=f"{float(expected):.6f} ({float(expected):.1%})",
                got=repr(got),
                advice=advice,
            )


# --- 08.global_writes ----------------------------------------------------------------------------

_GLOBAL: Final[list[tuple[float, int, int, list[int]]]] = [
    (50, 1_000, 1, []),
    (50, 1_000, 3, []),
    (200, 2_500, 2, [300]),
    (10, 700, 4, [1_500, 90]),
]


@check_for("08.global_writes")
def global_writes(function: Learner, ctx: CheckContext) -> None:
    tables: Sequence[tuple[str, PriceTable]] = [
        *TABLES.items(),
        ("before November 2024", US_EAST_1_STANDARD_BEFORE_2024_11),
    ]
    for writes, item_bytes, regions, entries in _GLOBAL:
        workload = Workload(
            writes=[Writes(writes, item_bytes)],
            indexes=[Index(f"GSI{n}", b) for n, b in enumerate(entries, 1)],
            replicas=regions,
        )
        what = (
            f"{writes:g} writes/s of {item_bytes:,} bytes in {regions} Region(s) with index "
            f"entries {entries}"
        )
        us_east_1 = _bill(workload, US_EAST_1_STANDARD)
        for table, prices in tables:
            got = _dollars(
                ctx.call(function, writes, item_bytes, regions, list(entries), prices),
                "global_writes_monthly",
            )
            advice = (
                "Table writes: rWRU in every Region (a plain WRU with one Region); index writes: "
                "WRU in every Region. × 730 × 3,600 seconds."
            )
            single = _bill(workload.replace(replicas=1), prices)
            if regions > 1 and _close(got, single):
                advice = "Every Region pays for every write: multiply by the number of Regions."
            _judge(got, _bill(workload, prices), what, advice, table=table, us_east_1=us_east_1)
