"""The monthly cost of a DynamoDB workload, itemised: on-demand or provisioned, with everything.

A :class:`Workload` says what a table does: reads and writes per second (by item size and
consistency), how many items it keeps and how big they are, its global secondary indexes (what
they project and how sparse they are), streams, backups, point-in-time recovery and replicas.
:func:`monthly_cost` prices it with a :class:`~ddb_lab.cost.prices.PriceTable` and returns a
:class:`CostBreakdown`: one line per thing billed, with its quantity, price and dollars, plus the
free tier as credits. Units come from :mod:`ddb_lab.capacity` (the same rules the lab's metering
uses), prices only from the price table.

:func:`break_even_utilization` and :func:`plot_break_even` answer "on-demand or provisioned?".

Used in: notebooks/08_cost.ipynb (every section), the cost calculator widget.
"""

from __future__ import annotations

import dataclasses
import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Literal

from ddb_lab import capacity
from ddb_lab._shown import TextShown
from ddb_lab.capacity import Consistency, IndexSpec
from ddb_lab.cost.prices import (
    GB,
    HOURS_PER_MONTH,
    SECONDS_PER_MONTH,
    US_EAST_1_STANDARD,
    Price,
    PriceTable,
    cents,
    format_dollars,
)
from ddb_lab.facts import (
    AUTOSCALING_TARGET_DEFAULT,
    AUTOSCALING_TARGET_MAX,
    AUTOSCALING_TARGET_MIN,
    GLOBAL_TABLE_STORAGE_OVERHEAD_BYTES,
    STORAGE_OVERHEAD_BYTES,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "CATEGORIES",
    "CostBreakdown",
    "CostLine",
    "Index",
    "Mode",
    "ModeComparison",
    "Reads",
    "Term",
    "Workload",
    "break_even_utilization",
    "compare_modes",
    "monthly_cost",
    "plot_break_even",
]

#: How the table is billed for throughput.
Mode = Literal["on_demand", "provisioned"]
#: A reserved-capacity term.
Term = Literal["1y", "3y"]
#: What a bill line is for, in the order breakdowns list them.
CATEGORIES: Final = (
    "reads",
    "writes",
    "indexes",
    "storage",
    "backups",
    "streams",
    "data movement",
    "reserved capacity",
    "free tier",
)
_TERM_YEARS: Final = {"1y": 1, "3y": 3}
#: Reserved capacity is sold in blocks of this many units.
RESERVED_BLOCK_UNITS: Final = 100
_MONTHS_PER_YEAR: Final = 12
_SECONDS: Final = Decimal(SECONDS_PER_MONTH)
_HOURS: Final = Decimal(HOURS_PER_MONTH)
_SECONDS_PER_HOUR: Final = 3600


def _d(value: float | int | Decimal) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _check_rate(value: float, what: str) -> None:
    if not (value >= 0 and math.isfinite(value)):
        raise ValueError(f"{what} must be a finite number >= 0, not {value!r}")


# --- What a table does ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reads:
    """One kind of read, at a steady rate.

    Attributes:
        per_second: Requests per second.
        item_bytes: The size of each item read.
        consistency: ``"eventual"`` (the default), ``"strong"`` or ``"transactional"``.
        items_per_request: Items one request reads: above 1 for a Query page, whose items'
            sizes are summed and then rounded up once.
        index: The global secondary index read (eventually consistent only), or None.
    """

    per_second: float
    item_bytes: int
    consistency: Consistency = "eventual"
    items_per_request: int = 1
    index: str | None = None

    def __post_init__(self) -> None:
        _check_rate(self.per_second, "reads per second")
        if self.items_per_request < 1:
            raise ValueError("items_per_request must be at least 1")
        if self.index is not None and self.consistency != "eventual":
            raise ValueError(
                "a global secondary index serves eventually consistent reads only "
                f"(index {self.index!r}, consistency {self.consistency!r})"
            )
        self.units_per_request  # noqa: B018 - validates the size and the consistency

    @property
    def units_per_request(self) -> float:
        """Read units one request consumes (RCU, or RRU on demand)."""
        if self.items_per_request == 1:
            return capacity.read_units(self.item_bytes, self.consistency)
        sizes = [self.item_bytes] * self.items_per_request
        return capacity.query_read_units(sizes, self.consistency)

    @property
    def units_per_second(self) -> float:
        """Read units per second."""
        return self.per_second * self.units_per_request


@dataclass(frozen=True)
class Writes:
    """One kind of write (a put or an update of a whole item), at a steady rate.

    Attributes:
        per_second: Requests per second.
        item_bytes: The size of each item written (for an update, the larger of before and after).
        transactional: Whether the writes are part of TransactWriteItems (double units).
    """

    per_second: float
    item_bytes: int
    transactional: bool = False

    def __post_init__(self) -> None:
        _check_rate(self.per_second, "writes per second")
        self.units_per_request  # noqa: B018 - validates the size

    @property
    def units_per_request(self) -> float:
        """Write units one request consumes in the table (WCU, or WRU on demand)."""
        return capacity.write_units(self.item_bytes, transactional=self.transactional)

    @property
    def units_per_second(self) -> float:
        """Write units per second in the table."""
        return self.per_second * self.units_per_request


@dataclass(frozen=True)
class Index:
    """A global secondary index, as far as cost goes: what it holds of each item, and how many.

    Attributes:
        name: The index name.
        projected_bytes: The size of one item's entry in the index (keys plus projection).
        share: The fraction of the table's items (and of its writes) the index holds: 1 for a
            full index, less for a sparse one (items without the index key are not in it).
    """

    name: str
    projected_bytes: int
    share: float = 1.0

    def __post_init__(self) -> None:
        if not 0 <= self.share <= 1:
            raise ValueError(f"share must be between 0 and 1, not {self.share!r}")
        if self.projected_bytes < 0:
            raise ValueError("projected_bytes cannot be negative")

    @classmethod
    def from_spec(cls, spec: IndexSpec, item: Mapping[str, Any], share: float = 1.0) -> Index:
        """The index ``spec`` describes, sized by the entry a typical ``item`` makes in it.

        Args:
            spec: The index (``capacity.IndexSpec``, e.g. from DescribeTable).
            item: A typical item of the table.
            share: The fraction of the items that have the index key; an ``item`` without it
                makes the index empty for that kind of item (share 0).
        """
        entry = spec.projected(item)
        if entry is None:
            return cls(spec.name, 0, 0.0)
        return cls(spec.name, capacity.item_size(entry), share)

    def write_units_per_second(self, writes: Sequence[Writes]) -> float:
        """Write units per second the table's writes cost this index (each write puts the item).

        Updates that change no attribute the index projects cost the index nothing; this model
        assumes every write does (new items, or updates of projected attributes).
        """
        if self.share == 0:
            return 0.0
        return sum(
            w.per_second
            * self.share
            * capacity.write_units(self.projected_bytes, transactional=w.transactional)
            for w in writes
        )

    def storage_bytes(self, item_count: int) -> float:
        """Bytes of index storage billed for ``item_count`` table items."""
        return item_count * self.share * (self.projected_bytes + STORAGE_OVERHEAD_BYTES)


@dataclass(frozen=True)
class Workload:
    """What a table does in a month, at a steady rate.

    Attributes:
        reads: The kinds of reads (on the table or on an index).
        writes: The kinds of writes.
        item_count: Items stored.
        item_bytes: Their average size.
        indexes: The table's global secondary indexes.
        stream_reads_per_second: GetRecords calls per second on the table's stream by consumers
            other than AWS Lambda triggers and global tables (whose reads are free).
        backups: On-demand backups kept (each holds the whole table).
        pitr: Whether point-in-time recovery (continuous backups) is on.
        restores_gb: GB restored from backups in the month.
        exports_gb: GB exported to S3 in the month.
        imports_gb: GB imported from S3 in the month.
        replicas: Regions the table is in: 1 for a single-Region table, more for a global table
            (writes, indexes and storage are then paid in every Region).
    """

    reads: Sequence[Reads] = ()
    writes: Sequence[Writes] = ()
    item_count: int = 0
    item_bytes: int = 0
    indexes: Sequence[Index] = ()
    stream_reads_per_second: float = 0.0
    backups: int = 0
    pitr: bool = False
    restores_gb: float = 0.0
    exports_gb: float = 0.0
    imports_gb: float = 0.0
    replicas: int = 1

    def __post_init__(self) -> None:
        for name in ("reads", "writes", "indexes"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.item_count < 0 or self.item_bytes < 0 or self.backups < 0:
            raise ValueError("item_count, item_bytes and backups cannot be negative")
        if self.replicas < 1:
            raise ValueError("replicas counts the Regions holding the table: at least 1")
        for value, what in (
            (self.stream_reads_per_second, "stream_reads_per_second"),
            (self.restores_gb, "restores_gb"),
            (self.exports_gb, "exports_gb"),
            (self.imports_gb, "imports_gb"),
        ):
            _check_rate(value, what)
        names = [index.name for index in self.indexes]
        if len(set(names)) != len(names):
            raise ValueError(f"two indexes share a name: {names}")
        unknown = {r.index for r in self.reads if r.index is not None} - set(names)
        if unknown:
            raise ValueError(f"reads on unknown indexes {sorted(unknown)}; indexes: {names}")

    def replace(self, **changes: Any) -> Workload:
        """A copy with some fields changed: ``workload.replace(pitr=True)``."""
        return dataclasses.replace(self, **changes)

    def read_units_per_second(self, index: str | None = None) -> float:
        """Read units per second on the table (``index=None``) or on one index."""
        return sum(r.units_per_second for r in self.reads if r.index == index)

    def write_units_per_second(self) -> float:
        """Write units per second in the table (in one Region)."""
        return sum(w.units_per_second for w in self.writes)

    def index_write_units_per_second(self, name: str) -> float:
        """Write units per second the writes cost index ``name`` (in one Region)."""
        index = next(i for i in self.indexes if i.name == name)
        return index.write_units_per_second(self.writes)

    def table_storage_bytes(self) -> int:
        """Bytes billed for the table's items in one Region (indexes not included)."""
        overhead = STORAGE_OVERHEAD_BYTES
        if self.replicas > 1:
            overhead += GLOBAL_TABLE_STORAGE_OVERHEAD_BYTES
        return self.item_count * (self.item_bytes + overhead)

    def storage_bytes(self) -> float:
        """Bytes billed in one Region: the table's items and every index's entries."""
        return self.table_storage_bytes() + sum(
            index.storage_bytes(self.item_count) for index in self.indexes
        )


# --- The bill ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostLine:
    """One line of a monthly bill.

    Attributes:
        label: What is billed, in words.
        category: One of :data:`CATEGORIES`.
        quantity: How much of ``unit`` is billed (negative for a credit).
        unit: The unit of ``quantity`` (RRU, RCU-hours, GB-months ...).
        dollars: What the line costs (negative for the free tier and similar credits).
        price: The price applied, or None for a line that combines several.
    """

    label: str
    category: str
    quantity: Decimal
    unit: str
    dollars: Decimal
    price: Price | None = None


def _quantity(value: Decimal) -> str:
    if value == value.to_integral_value():
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.4f}".rstrip("0")


def _money(amount: Decimal) -> str:
    return format_dollars(cents(amount) if abs(amount) >= Decimal("0.01") else amount)


_MODE_NAMES: Final = {"on_demand": "on-demand", "provisioned": "provisioned"}
_BAR_COLOURS: Final = {
    "reads": "#4c78a8",
    "writes": "#f58518",
    "indexes": "#e45756",
    "storage": "#72b7b2",
    "backups": "#54a24b",
    "streams": "#eeca3b",
    "data movement": "#b279a2",
    "reserved capacity": "#9d755d",
}


@dataclass(frozen=True, repr=False)
class CostBreakdown(TextShown):
    """A workload's monthly bill, itemised, with the assumptions it rests on.

    Attributes:
        mode: ``"on_demand"`` or ``"provisioned"``.
        prices: The price table used.
        lines: The bill's lines, credits (free tier) last.
        notes: The assumptions behind the figures.
    """

    mode: str
    prices: PriceTable
    lines: tuple[CostLine, ...]
    notes: tuple[str, ...] = ()

    @property
    def total(self) -> Decimal:
        """The month's dollars, exact (round with :func:`~ddb_lab.cost.prices.cents`)."""
        return sum((line.dollars for line in self.lines), Decimal(0))

    def by_category(self) -> dict[str, Decimal]:
        """Dollars per category, in :data:`CATEGORIES` order, categories with no line left out."""
        totals: dict[str, Decimal] = {}
        for category in CATEGORIES:
            lines = [line for line in self.lines if line.category == category]
            if lines:
                totals[category] = sum((line.dollars for line in lines), Decimal(0))
        return totals

    def line(self, label: str) -> CostLine:
        """The line called ``label``; KeyError naming the labels there are."""
        for line in self.lines:
            if line.label == label:
                return line
        raise KeyError(f"no line {label!r}; lines: {[line.label for line in self.lines]}")

    @property
    def title(self) -> str:
        return f"Monthly cost, {_MODE_NAMES.get(self.mode, self.mode)}: {self.prices.title}"

    def _table(self) -> list[tuple[str, str, str]]:
        rows = [
            (line.label, f"{_quantity(line.quantity)} {line.unit}", _money(line.dollars))
            for line in self.lines
        ]
        return [*rows, ("total", "", _money(self.total))]

    def _shares(self) -> list[tuple[str, Decimal, int]]:
        """Categories that cost something, with their dollars and whole-percent share."""
        costs = {c: d for c, d in self.by_category().items() if d > 0}
        gross = sum(costs.values(), Decimal(0))
        if gross == 0:
            return []
        return [(c, d, round(float(d / gross) * 100)) for c, d in costs.items()]

    def text(self) -> str:
        """The bill as text: lines, total, shares by category, notes."""
        rows = [("item", "quantity", "cost"), *self._table()]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]

        def fmt(row: tuple[str, str, str]) -> str:
            return (
                f"{row[0].ljust(widths[0])}  {row[1].rjust(widths[1])}  {row[2].rjust(widths[2])}"
            )

        rule = "  ".join("-" * w for w in widths)
        out = [self.title, fmt(rows[0]), rule, *map(fmt, rows[1:-1]), rule, fmt(rows[-1])]
        shares = ", ".join(f"{c} {p} %" for c, _, p in self._shares())
        if shares:
            out.append(f"Shares: {shares}.")
        return "\n".join([*out, *self.notes])

    def _repr_html_(self) -> str:
        esc = html.escape
        right = ' style="text-align:right"'
        body = "".join(
            f"<tr><td>{esc(a)}</td><td{right}>{esc(b)}</td><td{right}>{esc(c)}</td></tr>"
            for a, b, c in self._table()[:-1]
        )
        total = self._table()[-1][2]
        bars = "".join(
            '<div style="display:flex;align-items:center;gap:0.5em;margin:2px 0">'
            f'<span style="width:9em">{esc(category)}</span>'
            f'<span style="display:inline-block;height:0.9em;width:{share * 3}px;'
            f'background:{_BAR_COLOURS.get(category, "#888")}"></span>'
            f"<span>{esc(_money(dollars))} ({share} %)</span></div>"
            for category, dollars, share in self._shares()
        )
        notes = "".join(f"<p><small>{esc(n)}</small></p>" for n in self.notes)
        return (
            f"<div><b>{esc(self.title)}</b><table>"
            f"<thead><tr><th>item</th><th{right}>quantity</th><th{right}>cost</th></tr></thead>"
            f"<tbody>{body}</tbody>"
            f"<tfoot><tr><th>total</th><th></th><th{right}>{esc(total)}</th></tr></tfoot>"
            f"</table><div>{bars}</div>{notes}</div>"
        )

    def plot(self, ax: Axes | None = None) -> Figure:
        """Dollars per category as horizontal bars (credits left out). Returns the Figure."""
        fig, ax = _figure_and_axes(ax, (8, 3))
        shares = self._shares()
        names = [c for c, _, _ in shares][::-1]
        values = [float(d) for _, d, _ in shares][::-1]
        ax.barh(names, values, color=[_BAR_COLOURS.get(n, "#888") for n in names])
        for y, (value, (_, dollars, share)) in enumerate(zip(values, shares[::-1], strict=True)):
            ax.text(value, y, f" {_money(dollars)} ({share} %)", va="center", fontsize="small")
        ax.set_xlabel("dollars per month")
        ax.set_xlim(right=max(values, default=1) * 1.35)
        ax.set_title(f"{self.title}; total {_money(self.total)}", fontsize="medium")
        return fig


# --- Pricing a workload -------------------------------------------------------------------------


class _Bill:
    """Collects the lines of one bill."""

    def __init__(self, prices: PriceTable) -> None:
        self.prices = prices
        self.lines: list[CostLine] = []

    def add(self, label: str, category: str, quantity: Decimal, unit: str, name: str) -> None:
        """Add a line priced with the table's price ``name`` (no line when nothing is billed)."""
        if quantity == 0:
            return
        price = self.prices[name]
        self.lines.append(CostLine(label, category, quantity, unit, price.cost(quantity), price))

    def credit(self, label: str, quantity: Decimal, unit: str, name: str) -> None:
        """A free-tier credit: ``quantity`` of price ``name`` not charged."""
        if quantity > 0:
            price = self.prices[name]
            self.lines.append(
                CostLine(label, "free tier", -quantity, unit, -price.cost(quantity), price)
            )


def _regions(replicas: int) -> str:
    return f" in {replicas} Regions" if replicas > 1 else ""


def _on_demand(bill: _Bill, workload: Workload) -> None:
    n = workload.replicas
    bill.add(
        "reads", "reads", _d(workload.read_units_per_second()) * _SECONDS, "RRU", "on_demand_read"
    )
    writes = _d(workload.write_units_per_second()) * _SECONDS
    if n > 1:
        bill.add(
            f"writes, replicated to {n} Regions",
            "writes",
            writes * n,
            "rWRU",
            "replicated_write_on_demand",
        )
    else:
        bill.add("writes", "writes", writes, "WRU", "on_demand_write")
    for index in workload.indexes:
        reads = _d(workload.read_units_per_second(index.name)) * _SECONDS
        bill.add(f"reads on {index.name}", "indexes", reads, "RRU", "on_demand_read")
        index_writes = _d(index.write_units_per_second(workload.writes)) * _SECONDS * n
        label = f"writes to {index.name}{_regions(n)}"
        bill.add(label, "indexes", index_writes, "WRU", "on_demand_write")


def _capacity_for(units_per_second: float, target: float) -> int:
    """Provisioned units that keep ``units_per_second`` at ``target`` utilisation (at least 1)."""
    return max(1, math.ceil(round(units_per_second / target, 9)))


def _provisioned(
    bill: _Bill, workload: Workload, target: float, reserved: Term | None, free_tier: bool
) -> None:
    n = workload.replicas
    tier = bill.prices.free_tier if free_tier else None
    rcu = {"table": _capacity_for(workload.read_units_per_second(), target)}
    wcu = {"table": _capacity_for(workload.write_units_per_second(), target)}
    for index in workload.indexes:
        rcu[index.name] = _capacity_for(workload.read_units_per_second(index.name), target)
        wcu[index.name] = _capacity_for(index.write_units_per_second(workload.writes), target)
    for part, units in rcu.items():
        label = "reads" if part == "table" else f"reads on {part}"
        category = "reads" if part == "table" else "indexes"
        bill.add(
            f"{label}: {units:,} RCU", category, _d(units) * _HOURS, "RCU-hours", "provisioned_read"
        )
    for part, units in wcu.items():
        if part == "table" and n > 1:
            label = f"writes: {units:,} rWCU in each of {n} Regions"
            bill.add(
                label,
                "writes",
                _d(units * n) * _HOURS,
                "rWCU-hours",
                "replicated_write_provisioned",
            )
            continue
        label = "writes" if part == "table" else f"writes to {part}"
        category = "writes" if part == "table" else "indexes"
        bill.add(
            f"{label}: {units:,} WCU{_regions(n) if part != 'table' else ''}",
            category,
            _d(units * n) * _HOURS,
            "WCU-hours",
            "provisioned_write",
        )
    # what is billed at the standard hourly rate in this Region, before credits
    reads_billed = sum(rcu.values())
    writes_billed = sum(u for part, u in wcu.items() if not (part == "table" and n > 1))
    if tier is not None:
        free_r = min(reads_billed, tier.read_capacity_units)
        free_w = min(writes_billed, tier.write_capacity_units)
        bill.credit(
            f"free tier: {free_r} RCU", _d(free_r) * _HOURS, "RCU-hours", "provisioned_read"
        )
        bill.credit(
            f"free tier: {free_w} WCU", _d(free_w) * _HOURS, "WCU-hours", "provisioned_write"
        )
        reads_billed -= free_r
        writes_billed -= free_w
    if reserved is not None:
        _reserve(bill, reserved, "read", reads_billed)
        _reserve(bill, reserved, "write", writes_billed)


def _reserve(bill: _Bill, term: Term, kind: str, units: int) -> None:
    """Move whole blocks of ``units`` from the standard hourly rate to a reservation."""
    unit = "RCU" if kind == "read" else "WCU"
    upfront = bill.prices.get(f"reserved_{kind}_{term}_upfront")
    hourly = bill.prices.get(f"reserved_{kind}_{term}_hourly")
    if upfront is None or hourly is None:
        raise ValueError(
            f"{bill.prices.title} has no {term} reserved capacity "
            "(it is sold for the Standard table class only)"
        )
    reserved = units // RESERVED_BLOCK_UNITS * RESERVED_BLOCK_UNITS
    if reserved == 0:
        return
    months = _TERM_YEARS[term] * _MONTHS_PER_YEAR
    monthly = upfront.cost(reserved) / months + hourly.cost(_d(reserved) * _HOURS)
    bill.lines.append(
        CostLine(
            f"{term} reservation: {reserved:,} {unit} (upfront spread over {months} months)",
            "reserved capacity",
            _d(reserved),
            unit,
            monthly,
        )
    )
    standard = "provisioned_read" if kind == "read" else "provisioned_write"
    price = bill.prices[standard]
    hours = _d(reserved) * _HOURS
    bill.lines.append(
        CostLine(
            f"reserved {unit} not billed at the hourly rate",
            "reserved capacity",
            -hours,
            f"{unit}-hours",
            -price.cost(hours),
            price,
        )
    )


def _storage_and_more(bill: _Bill, workload: Workload, free_tier: bool) -> None:
    n = workload.replicas
    tier = bill.prices.free_tier if free_tier else None
    gb = _d(workload.storage_bytes()) / GB
    bill.add(f"storage{_regions(n)}", "storage", gb * n, "GB-months", "storage")
    table_gb = _d(workload.table_storage_bytes()) / GB
    backups = workload.backups
    label = f"{backups} on-demand backup{'s' if backups != 1 else ''}"
    bill.add(label, "backups", table_gb * backups, "GB-months", "backup_storage")
    if workload.pitr:
        bill.add("point-in-time recovery", "backups", table_gb, "GB-months", "pitr_storage")
    bill.add("restores", "backups", _d(workload.restores_gb), "GB", "restore")
    stream_reads = _d(workload.stream_reads_per_second) * _SECONDS
    bill.add("stream reads", "streams", stream_reads, "read request units", "stream_read")
    bill.add("exports to S3", "data movement", _d(workload.exports_gb), "GB", "s3_export")
    bill.add("imports from S3", "data movement", _d(workload.imports_gb), "GB", "s3_import")
    if tier is not None:
        free_gb = min(gb * n, _d(tier.storage_gb))
        bill.credit(f"free tier: {_quantity(free_gb)} GB", free_gb, "GB-months", "storage")
        free_reads = min(stream_reads, _d(tier.stream_read_requests))
        bill.credit("free tier: stream reads", free_reads, "read request units", "stream_read")


def monthly_cost(
    workload: Workload,
    mode: Mode = "on_demand",
    *,
    prices: PriceTable = US_EAST_1_STANDARD,
    target_utilization: float = AUTOSCALING_TARGET_DEFAULT,
    reserved: Term | None = None,
    free_tier: bool = True,
) -> CostBreakdown:
    """What ``workload`` costs in a month (730 hours), line by line.

    On demand, every request unit is paid. Provisioned, the table and each index are given the
    capacity that keeps their load at ``target_utilization`` (what auto scaling converges to for
    a steady load; spikes need more), paid per hour whether used or not; ``reserved`` moves whole
    blocks of 100 units to a 1- or 3-year reservation, its upfront payment spread over the term.

    Global tables (``replicas`` > 1) pay replicated writes, index writes and storage in every
    Region; reads, backups and point-in-time recovery are counted in this Region only.

    Args:
        workload: What the table does.
        mode: ``"on_demand"`` or ``"provisioned"``.
        prices: The price table (Region and table class).
        target_utilization: Provisioned only: consumed ÷ provisioned, 0.2 to 0.9.
        reserved: Provisioned only: ``"1y"`` or ``"3y"`` reserved capacity, or None.
        free_tier: Whether to credit the free tier (as if this were the account's only table
            in the Region).

    Returns:
        The itemised bill; ``.total`` is exact, ``cents(...)`` rounds it as a bill does.

    Raises:
        ValueError: An unknown mode, a target outside 20–90 %, or a reservation for a table
            class that has none.
    """
    if mode not in _MODE_NAMES:
        raise ValueError(f"mode must be 'on_demand' or 'provisioned', not {mode!r}")
    if not AUTOSCALING_TARGET_MIN <= target_utilization <= AUTOSCALING_TARGET_MAX:
        raise ValueError(
            f"target_utilization must be between {AUTOSCALING_TARGET_MIN} and "
            f"{AUTOSCALING_TARGET_MAX} (20 % to 90 %), not {target_utilization!r}"
        )
    if reserved is not None and (mode != "provisioned" or reserved not in _TERM_YEARS):
        raise ValueError("reserved must be '1y' or '3y', and only with mode='provisioned'")
    bill = _Bill(prices)
    if mode == "on_demand":
        _on_demand(bill, workload)
    else:
        _provisioned(bill, workload, target_utilization, reserved, free_tier)
    _storage_and_more(bill, workload, free_tier)
    return CostBreakdown(
        mode, prices, tuple(bill.lines), _notes(workload, mode, target_utilization, free_tier)
    )


def _notes(workload: Workload, mode: str, target: float, free_tier: bool) -> tuple[str, ...]:
    notes = ["A month is 730 hours; rates are steady averages."]
    if mode == "provisioned":
        notes.append(
            f"Provisioned at average load ÷ {target:.0%} target utilisation (auto scaling on "
            "a steady load), at least 1 unit each for the table and every index."
        )
    if workload.indexes:
        notes.append("Every write puts its item into each index that holds it.")
    if workload.replicas > 1:
        notes.append(
            "Global table: writes, index writes and storage in every Region; reads, backups "
            "and PITR in this Region only; cross-Region data transfer not included."
        )
    notes.append(
        "Free tier credited as if this were the account's only table in the Region."
        if free_tier
        else "Free tier not applied."
    )
    return tuple(notes)


# --- On-demand or provisioned? --------------------------------------------------------------------


def break_even_utilization(
    prices: PriceTable = US_EAST_1_STANDARD, kind: Literal["read", "write"] = "write"
) -> Decimal:
    """The average use of provisioned capacity at which it costs what on-demand costs.

    One unit provisioned for an hour costs ``provisioned`` per unit-hour; used fully, it serves
    3,600 request units, which on demand cost 3,600 × the per-unit on-demand price. Below this
    utilisation on-demand is cheaper, above it provisioned is.

    Args:
        prices: The price table.
        kind: ``"read"`` or ``"write"``.

    Returns:
        A fraction (about 0.29 with the prices of November 2024 for both reads and writes).
    """
    on_demand = prices.on_demand_write if kind == "write" else prices.on_demand_read
    provisioned = prices.provisioned_write if kind == "write" else prices.provisioned_read
    return provisioned.per_unit / (on_demand.per_unit * _SECONDS_PER_HOUR)


@dataclass(frozen=True, repr=False)
class ModeComparison(TextShown):
    """The same workload on demand and provisioned.

    Attributes:
        on_demand: The on-demand bill.
        provisioned: The provisioned bill.
    """

    on_demand: CostBreakdown
    provisioned: CostBreakdown

    @property
    def cheaper(self) -> str:
        """``"on_demand"`` or ``"provisioned"`` (on-demand when they cost the same)."""
        return "provisioned" if self.provisioned.total < self.on_demand.total else "on_demand"

    @property
    def saving(self) -> Decimal:
        """What the cheaper mode saves a month."""
        return abs(self.on_demand.total - self.provisioned.total)

    def text(self) -> str:
        od, pv = self.on_demand.total, self.provisioned.total
        return (
            f"on-demand {_money(od)} / month, provisioned {_money(pv)} / month: "
            f"{_MODE_NAMES[self.cheaper]} saves {_money(self.saving)} a month"
        )


def compare_modes(
    workload: Workload,
    *,
    prices: PriceTable = US_EAST_1_STANDARD,
    target_utilization: float = AUTOSCALING_TARGET_DEFAULT,
    free_tier: bool = True,
) -> ModeComparison:
    """``workload``'s bill on demand and provisioned (see :func:`monthly_cost`)."""
    return ModeComparison(
        monthly_cost(workload, "on_demand", prices=prices, free_tier=free_tier),
        monthly_cost(
            workload,
            "provisioned",
            prices=prices,
            target_utilization=target_utilization,
            free_tier=free_tier,
        ),
    )


def plot_break_even(
    peak_units_per_second: float = 1_000,
    *,
    kind: Literal["read", "write"] = "write",
    prices: PriceTable = US_EAST_1_STANDARD,
    target_utilization: float = AUTOSCALING_TARGET_DEFAULT,
    ax: Axes | None = None,
) -> Figure:
    """Monthly throughput cost against the average load, for a table that must take a peak.

    Three lines: on demand (pays for the average), provisioned for the peak all month (pays for
    ``peak ÷ target`` whatever the load), and provisioned with auto scaling that follows the load
    exactly (pays for ``average ÷ target``: the floor no real auto scaling reaches). The marker is
    where on-demand and provisioned-for-the-peak cost the same. Deterministic: no randomness.

    Returns:
        The Figure (not kept open by pyplot; it shows when it is a cell's value).
    """
    fig, ax = _figure_and_axes(ax, (8, 4))
    on_demand = prices.on_demand_write if kind == "write" else prices.on_demand_read
    provisioned = prices.provisioned_write if kind == "write" else prices.provisioned_read
    unit = "WCU" if kind == "write" else "RCU"
    shares = [n / 100 for n in range(101)]
    average = [peak_units_per_second * s for s in shares]
    od = [float(on_demand.cost(_d(a) * _SECONDS)) for a in average]
    peak_capacity = math.ceil(peak_units_per_second / target_utilization)
    fixed = float(provisioned.cost(_d(peak_capacity) * _HOURS))
    follow = [float(provisioned.cost(_d(a / target_utilization) * _HOURS)) for a in average]
    percent = [s * 100 for s in shares]
    ax.plot(percent, od, color="tab:orange", label="on-demand")
    ax.plot(
        percent,
        [fixed] * len(percent),
        color="tab:blue",
        label=f"provisioned for the peak ({peak_capacity:,} {unit})",
    )
    ax.plot(
        percent,
        follow,
        color="tab:blue",
        linestyle="--",
        label="provisioned, auto scaling follows the load exactly",
    )
    crossing = fixed / float(on_demand.cost(_d(peak_units_per_second) * _SECONDS)) * 100
    if crossing <= 100:
        ax.plot([crossing], [fixed], "o", color="black")
        ax.annotate(
            f"break-even at {crossing:.0f} % of the peak",
            (crossing, fixed),
            textcoords="offset points",
            xytext=(8, -16),
            fontsize="small",
        )
    ax.set_xlabel(f"average load, % of the peak ({peak_units_per_second:,.0f} {kind} units/s)")
    ax.set_ylabel("dollars per month")
    ax.set_xlim(0, 100)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", fontsize="small")
    ax.set_title(
        f"{kind.title()} throughput: on-demand or provisioned? ({prices.title})", fontsize="medium"
    )
    return fig


def _figure_and_axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        fig = ax.get_figure(root=True)
        if fig is None:
            raise ValueError("the Axes must belong to a figure")
        return fig, ax
    import matplotlib.pyplot as plt

    fig, new_ax = plt.subplots(figsize=size, layout="constrained")
    plt.close(fig)  # the caller owns it; pyplot does not show it again at the end of the cell
    return fig, new_ax
