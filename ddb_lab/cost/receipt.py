"""Receipts: what a block of calls consumed and cost, ``with lab.receipt() as r: ...``.

A :class:`Receipt` turns metered calls (the engine's ledger) into read and write units per
operation and table, and into on-demand dollars from a :class:`~ddb_lab.cost.prices.PriceTable`.

Used in: notebooks/05_capacity_and_partitions.ipynb and notebooks/08_cost.ipynb
(``lab.receipt()``).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from ddb_lab.cost.prices import US_EAST_1_STANDARD, PriceTable, format_dollars, request_cost

__all__ = ["Metered", "Receipt", "ReceiptRow"]


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
