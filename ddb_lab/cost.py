"""What DynamoDB costs: the course's one dated price table, and receipts for a block of calls.

Every price the course shows comes from :data:`US_EAST_1_STANDARD` (us-east-1, Standard table
class); each entry names its source and the date it was checked, and the date it took effect.
Nothing else in the package writes a price as a literal. Prices change: confirm them on the live
pricing pages before quoting them (the on-demand page renders its numbers in the browser).

A :class:`Receipt` turns metered calls (the engine's ledger) into read and write units per
operation and table, and into on-demand dollars: ``with lab.receipt() as r: ...``.

Used in: notebooks/05_capacity_and_partitions.ipynb (``lab.receipt()``).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from ddb_lab.facts import Source

__all__ = [
    "ON_DEMAND_READ",
    "ON_DEMAND_WRITE",
    "PROVISIONED_READ",
    "PROVISIONED_WRITE",
    "STORAGE",
    "US_EAST_1_STANDARD",
    "Metered",
    "Price",
    "PriceTable",
    "Receipt",
    "ReceiptRow",
    "format_dollars",
    "request_cost",
]

# --- Sources -------------------------------------------------------------------------------------
ON_DEMAND_PRICING: Source = Source(
    "https://aws.amazon.com/dynamodb/pricing/on-demand/", "2025-06-01"
)
PROVISIONED_PRICING: Source = Source(
    "https://aws.amazon.com/dynamodb/pricing/provisioned/", "2025-06-01"
)
PRICING: Source = Source("https://aws.amazon.com/dynamodb/pricing/", "2025-06-01")

MILLION = 1_000_000


@dataclass(frozen=True)
class Price:
    """One dated price: ``dollars`` for ``quantity`` of ``unit``.

    Attributes:
        dollars: The price in US dollars.
        quantity: How much of ``unit`` the price buys (1,000,000 request units, 1 RCU-hour ...).
        unit: What is bought, in the pricing page's words.
        effective: ISO date the price took effect, or "" when not known.
        source: Where the price comes from and when it was last checked there.
        note: What else a reader needs to know (free tier, what replaced what).
    """

    dollars: Decimal
    quantity: int
    unit: str
    effective: str
    source: Source
    note: str = ""

    @property
    def per_unit(self) -> Decimal:
        """The price of one ``unit``."""
        return self.dollars / self.quantity

    def __str__(self) -> str:
        amount = f"{self.quantity:,} " if self.quantity != 1 else ""
        return f"${self.dollars} per {amount}{self.unit}"


#: On-demand reads: per million read request units (RRU). Effective 1 Nov 2024, after a 50 % cut
#: (before: $0.25 per million, the figure older guides still quote).
ON_DEMAND_READ = Price(
    Decimal("0.125"),
    MILLION,
    "read request units",
    "2024-11-01",
    ON_DEMAND_PRICING,
    "was $0.25 per million before 1 Nov 2024",
)
#: On-demand writes: per million write request units (WRU). Effective 1 Nov 2024, after a 50 %
#: cut (before: $1.25 per million).
ON_DEMAND_WRITE = Price(
    Decimal("0.625"),
    MILLION,
    "write request units",
    "2024-11-01",
    ON_DEMAND_PRICING,
    "was $1.25 per million before 1 Nov 2024",
)
#: Provisioned reads: per RCU-hour, paid for the capacity whether it is used or not.
PROVISIONED_READ = Price(
    Decimal("0.00013"),
    1,
    "RCU-hour",
    "",
    PROVISIONED_PRICING,
    "unchanged by the November 2024 cut; 25 RCU are in the free tier",
)
#: Provisioned writes: per WCU-hour.
PROVISIONED_WRITE = Price(
    Decimal("0.00065"),
    1,
    "WCU-hour",
    "",
    PROVISIONED_PRICING,
    "unchanged by the November 2024 cut; 25 WCU are in the free tier",
)
#: Storage: per GB-month, after the first 25 GB each month, which are free.
STORAGE = Price(
    Decimal("0.25"),
    1,
    "GB-month",
    "",
    PRICING,
    "the first 25 GB per month are free",
)


@dataclass(frozen=True)
class PriceTable:
    """Prices for one region and table class, by name.

    Attributes:
        region: The AWS region.
        table_class: ``STANDARD`` or ``STANDARD_INFREQUENT_ACCESS``.
        entries: The prices: ``on_demand_read``, ``on_demand_write``, ``provisioned_read``,
            ``provisioned_write``, ``storage``.
    """

    region: str
    table_class: str
    entries: Mapping[str, Price]

    def __getitem__(self, name: str) -> Price:
        try:
            return self.entries[name]
        except KeyError:
            known = ", ".join(sorted(self.entries))
            raise KeyError(f"no price named {name!r}; known: {known}") from None

    @property
    def on_demand_read(self) -> Price:
        return self["on_demand_read"]

    @property
    def on_demand_write(self) -> Price:
        return self["on_demand_write"]

    @property
    def provisioned_read(self) -> Price:
        return self["provisioned_read"]

    @property
    def provisioned_write(self) -> Price:
        return self["provisioned_write"]

    @property
    def storage(self) -> Price:
        return self["storage"]


#: The course's prices: us-east-1, Standard table class.
US_EAST_1_STANDARD = PriceTable(
    region="us-east-1",
    table_class="STANDARD",
    entries={
        "on_demand_read": ON_DEMAND_READ,
        "on_demand_write": ON_DEMAND_WRITE,
        "provisioned_read": PROVISIONED_READ,
        "provisioned_write": PROVISIONED_WRITE,
        "storage": STORAGE,
    },
)


def _decimal(units: float | int | Decimal) -> Decimal:
    return units if isinstance(units, Decimal) else Decimal(str(units))


def request_cost(
    read_units: float | Decimal,
    write_units: float | Decimal,
    prices: PriceTable = US_EAST_1_STANDARD,
) -> Decimal:
    """What on-demand requests cost: read request units and write request units, in dollars.

    Exact (no rounding): ``request_cost(1_000_000, 0)`` is ``Decimal("0.125")``.

    Args:
        read_units: Read request units (RRU) consumed.
        write_units: Write request units (WRU) consumed.
        prices: The price table (default: us-east-1, Standard).

    Returns:
        The dollars, as a Decimal.
    """
    return (
        _decimal(read_units) * prices.on_demand_read.per_unit
        + _decimal(write_units) * prices.on_demand_write.per_unit
    )


def format_dollars(amount: Decimal) -> str:
    """Dollars for people: two significant digits below a cent, cents (and finer) above.

    ``Decimal("0.000000625")`` -> ``"$0.00000063"``, ``Decimal("0.125")`` -> ``"$0.125"``,
    ``Decimal("1234.5")`` -> ``"$1,234.50"``.
    """
    if amount == 0:
        return "$0.00"
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount < Decimal("0.01"):
        exponent = amount.adjusted() - 1  # keep two significant digits
        rounded = amount.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)
        if rounded < Decimal("0.01"):
            return f"{sign}${rounded:f}"
        amount = rounded  # it rounded up to a cent
    rounded = amount.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP).normalize()
    if rounded.as_tuple().exponent > -2:  # type: ignore[operator]
        rounded = rounded.quantize(Decimal("0.01"))
    return f"{sign}${rounded:,f}"


# --- Receipts ------------------------------------------------------------------------------------


class Metered(Protocol):
    """One metered call on one table (the engine's ledger entries have this shape)."""

    @property
    def operation(self) -> str: ...
    @property
    def table(self) -> str: ...
    @property
    def index(self) -> str | None: ...
    @property
    def read_units(self) -> float: ...
    @property
    def write_units(self) -> float: ...
    @property
    def on_demand(self) -> bool: ...


@dataclass(frozen=True)
class ReceiptRow:
    """The calls of one operation on one table.

    Attributes:
        operation: The DynamoDB operation (``PutItem``, ``Query`` ...).
        table: The table.
        index: The index a Query or Scan read, or None.
        calls: How many calls.
        read_units: Read units consumed (RRU on an on-demand table, RCU on a provisioned one).
        write_units: Write units consumed (WRU or WCU).
        on_demand: Whether the table is on-demand (PAY_PER_REQUEST).
        cost: The on-demand dollars, or None for a provisioned table (paid per hour instead).
    """

    operation: str
    table: str
    index: str | None
    calls: int
    read_units: float
    write_units: float
    on_demand: bool
    cost: Decimal | None

    @property
    def read_unit_name(self) -> str:
        return "RRU" if self.on_demand else "RCU"

    @property
    def write_unit_name(self) -> str:
        return "WRU" if self.on_demand else "WCU"


def _units(value: float) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text or "0"


class Receipt:
    """What a block of calls consumed and cost: ``with lab.receipt() as r: ...``.

    While the block runs the receipt shows the calls so far; when it ends, the receipt is final.

    Attributes:
        prices: The price table the dollars come from.
        note: Shown under the rows (say, why there are none).
        available: False when the backend cannot meter (the receipt then only explains why).
    """

    def __init__(
        self,
        entries: Callable[[], Sequence[Metered]] | Iterable[Metered] = (),
        *,
        prices: PriceTable = US_EAST_1_STANDARD,
        note: str = "",
        available: bool = True,
    ) -> None:
        self.prices = prices
        self.note = note
        self.available = available
        self._source: Callable[[], Sequence[Metered]] | None = None
        self._entries: list[Metered] = []
        if callable(entries):
            self._source = entries
        else:
            self._entries = list(entries)

    def close(self) -> None:
        """Freeze the receipt: later calls no longer appear on it."""
        if self._source is not None:
            self._entries = list(self._source())
            self._source = None

    @property
    def closed(self) -> bool:
        return self._source is None

    @property
    def entries(self) -> list[Metered]:
        """The metered calls, one per call and table, in the order they ran."""
        return list(self._source()) if self._source is not None else list(self._entries)

    @property
    def rows(self) -> list[ReceiptRow]:
        """One row per operation and table (and index), in the order each first appeared."""
        grouped: dict[tuple[str, str, str | None, bool], list[Metered]] = {}
        for entry in self.entries:
            key = (entry.operation, entry.table, entry.index, entry.on_demand)
            grouped.setdefault(key, []).append(entry)
        rows = []
        for (operation, table, index, on_demand), group in grouped.items():
            reads = float(sum(e.read_units for e in group))
            writes = float(sum(e.write_units for e in group))
            cost = request_cost(reads, writes, self.prices) if on_demand else None
            rows.append(
                ReceiptRow(operation, table, index, len(group), reads, writes, on_demand, cost)
            )
        return rows

    @property
    def read_units(self) -> float:
        """All read units (RRU and RCU)."""
        return float(sum(row.read_units for row in self.rows))

    @property
    def write_units(self) -> float:
        """All write units (WRU and WCU)."""
        return float(sum(row.write_units for row in self.rows))

    @property
    def cost(self) -> Decimal:
        """On-demand dollars for the calls on on-demand tables (provisioned ones cost per hour)."""
        return sum((row.cost for row in self.rows if row.cost is not None), Decimal(0))

    # -- display -----------------------------------------------------------------------------------
    def _table(self) -> tuple[list[str], list[list[str]], list[str]]:
        header = ["operation", "table", "calls", "read", "write", "on-demand cost"]
        body = []
        for row in self.rows:
            body.append(
                [
                    row.operation,
                    row.table if row.index is None else f"{row.table} (index {row.index})",
                    str(row.calls),
                    f"{_units(row.read_units)} {row.read_unit_name}" if row.read_units else "-",
                    f"{_units(row.write_units)} {row.write_unit_name}" if row.write_units else "-",
                    format_dollars(row.cost) if row.cost is not None else "provisioned *",
                ]
            )
        calls = sum(row.calls for row in self.rows)
        modes = {row.on_demand for row in self.rows}
        read_name, write_name = ("RRU", "WRU") if modes == {True} else ("RCU", "WCU")
        if len(modes) > 1:
            read_name = write_name = "units"
        total = [
            "total",
            "",
            str(calls),
            f"{_units(self.read_units)} {read_name}",
            f"{_units(self.write_units)} {write_name}",
            format_dollars(self.cost),
        ]
        return header, body, total

    def _notes(self) -> list[str]:
        notes = []
        if not self.available:
            return [self.note]
        p = self.prices
        notes.append(
            f"On-demand prices, {p.region}, {p.table_class.title()} table class: "
            f"{p.on_demand_read}, {p.on_demand_write} (effective {p.on_demand_read.effective})."
        )
        if any(not row.on_demand for row in self.rows):
            notes.append(
                f"* Provisioned table: units shown as RCU/WCU; its capacity is paid per hour "
                f"whether used or not ({p.provisioned_read}, {p.provisioned_write}), "
                "not per request."
            )
        if self.note:
            notes.append(self.note)
        return notes

    def _title(self) -> str:
        calls = sum(row.calls for row in self.rows)
        state = "" if self.closed else " (so far; the block is still running)"
        return f"Receipt: {calls} call{'s' if calls != 1 else ''}{state}"

    def __str__(self) -> str:
        if not self.available:
            return "Receipt unavailable\n" + self.note
        header, body, total = self._table()
        lines = [header, *body, total]
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]

        def fmt(line: list[str]) -> str:
            cells = [
                cell.ljust(width) if i < 2 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(line, widths, strict=True))
            ]
            return "  ".join(cells).rstrip()

        rule = "  ".join("-" * w for w in widths)
        out = [self._title(), fmt(header), rule, *map(fmt, body), rule, fmt(total)]
        return "\n".join(out + self._notes())

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        esc = html.escape
        if not self.available:
            return f"<div><b>Receipt unavailable</b><p>{esc(self.note)}</p></div>"
        header, body, total = self._table()
        right = ' style="text-align:right"'

        def cells(line: list[str], tag: str) -> str:
            return "".join(
                f"<{tag}{right if i >= 2 else ''}>{esc(c)}</{tag}>" for i, c in enumerate(line)
            )

        rows = "".join(f"<tr>{cells(line, 'td')}</tr>" for line in body)
        notes = "".join(f"<p><small>{esc(n)}</small></p>" for n in self._notes())
        return (
            f"<div><b>{esc(self._title())}</b><table>"
            f"<thead><tr>{cells(header, 'th')}</tr></thead>"
            f"<tbody>{rows}</tbody>"
            f"<tfoot><tr>{cells(total, 'th')}</tr></tfoot>"
            f"</table>{notes}</div>"
        )
