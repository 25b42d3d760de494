"""The course's one dated price table: every DynamoDB price the course uses, with its source.

This is the only module of the package (and of the course) that writes a price as a literal;
everything else, notebooks included, reads prices from the tables below. A test fails when a
price appears anywhere else (``tests/unit/test_no_hardcoded_prices.py``).

Each :class:`Price` names the page it comes from, the date it was checked there, the date it took
effect when known, and whether it was confirmed. The official pricing pages render their numbers
in the browser, so some figures were checked against other published copies; a figure that could
not be confirmed says so in its ``note`` (and has ``confirmed=False``). Confirm prices on the live
pages before quoting them.

Tables: :data:`US_EAST_1_STANDARD` (the course's default), :data:`US_EAST_1_STANDARD_IA` and
:data:`US_EAST_1_STANDARD_BEFORE_2024_11` (the prices older guides still quote). A table for
another Region is built with :meth:`PriceTable.override`.

Used in: notebooks/08_cost.ipynb (the price table), notebooks/05_capacity_and_partitions.ipynb
(receipts).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from ddb_lab._shown import TextShown
from ddb_lab.facts import Source

__all__ = [
    "GB",
    "HOURS_PER_MONTH",
    "MILLION",
    "ON_DEMAND_READ",
    "ON_DEMAND_WRITE",
    "PROVISIONED_READ",
    "PROVISIONED_WRITE",
    "SECONDS_PER_MONTH",
    "STORAGE",
    "STANDARD",
    "STANDARD_IA",
    "US_EAST_1_STANDARD",
    "US_EAST_1_STANDARD_BEFORE_2024_11",
    "US_EAST_1_STANDARD_IA",
    "FreeTier",
    "Price",
    "PriceTable",
    "cents",
    "class_name",
    "format_dollars",
    "price_table",
    "request_cost",
]

# --- Sources -------------------------------------------------------------------------------------
ON_DEMAND_PRICING: Final = Source(
    "https://aws.amazon.com/dynamodb/pricing/on-demand/", "2025-06-01"
)
PROVISIONED_PRICING: Final = Source(
    "https://aws.amazon.com/dynamodb/pricing/provisioned/", "2025-06-01"
)
PRICING: Final = Source("https://aws.amazon.com/dynamodb/pricing/", "2025-06-01")
#: The date the figures added for the cost chapter were last checked.
_CHECKED: Final = "2026-11-25"
ON_DEMAND_PRICING_RECHECKED: Final = Source(ON_DEMAND_PRICING.url, _CHECKED)
PROVISIONED_PRICING_RECHECKED: Final = Source(PROVISIONED_PRICING.url, _CHECKED)
GLOBAL_TABLES_BILLING: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/global-tables-billing.html",
    _CHECKED,
)
GLOBAL_TABLES_FAQ: Final = Source(
    "https://docs.aws.amazon.com/prescriptive-guidance/latest/dynamodb-global-tables/faq.html",
    _CHECKED,
)
TABLE_CLASSES: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.tableclasses.html",
    _CHECKED,
)
BACKUP_BILLING: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/backup-restore-billing.html",
    _CHECKED,
)
STREAMS_USAGE: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CostOptimization_StreamsUsage.html",
    _CHECKED,
)

# --- Units of time and size the bills use -------------------------------------------------------
MILLION: Final = 1_000_000
#: AWS's pricing calculator bills a month as 730 hours (365 days × 24 hours / 12).
HOURS_PER_MONTH: Final = 730
SECONDS_PER_MONTH: Final = HOURS_PER_MONTH * 3600
#: A GB of storage, as DynamoDB bills it.
GB: Final = 1024**3

#: Table classes, as the API spells them.
STANDARD: Final = "STANDARD"
STANDARD_IA: Final = "STANDARD_INFREQUENT_ACCESS"


@dataclass(frozen=True)
class Price:
    """One dated price: ``dollars`` for ``quantity`` of ``unit``.

    Attributes:
        dollars: The price in US dollars.
        quantity: How much of ``unit`` the price buys (1,000,000 request units, 1 RCU-hour ...).
        unit: What is bought, in the pricing page's words.
        effective: ISO date the price took effect, or "" when not known.
        source: Where the price comes from and when it was last checked there.
        note: What else a reader needs to know (free tier, what replaced what, doubts).
        confirmed: False when the figure could not be confirmed on a published copy of the
            pricing page (the note then says where it comes from).
    """

    dollars: Decimal
    quantity: int
    unit: str
    effective: str
    source: Source
    note: str = ""
    confirmed: bool = True

    @property
    def per_unit(self) -> Decimal:
        """The price of one ``unit``."""
        return self.dollars / self.quantity

    def cost(self, amount: Decimal | float | int) -> Decimal:
        """What ``amount`` of ``unit`` costs, exactly."""
        return _decimal(amount) * self.dollars / self.quantity

    def __str__(self) -> str:
        amount = f"{self.quantity:,} " if self.quantity != 1 else ""
        return f"${self.dollars} per {amount}{self.unit}"


@dataclass(frozen=True)
class FreeTier:
    """What DynamoDB gives each account for free every month, in one Region.

    Attributes:
        storage_gb: GB-months of table storage.
        read_capacity_units: Provisioned RCU (not on-demand request units).
        write_capacity_units: Provisioned WCU.
        stream_read_requests: DynamoDB Streams read requests (GetRecords calls).
        source: Where this comes from.
        note: What the free tier does not cover.
    """

    storage_gb: int
    read_capacity_units: int
    write_capacity_units: int
    stream_read_requests: int
    source: Source
    note: str = ""


#: The always-free tier (it does not end after 12 months). Standard table class only.
FREE_TIER: Final = FreeTier(
    storage_gb=25,
    read_capacity_units=25,
    write_capacity_units=25,
    stream_read_requests=2_500_000,
    source=Source(PRICING.url, _CHECKED),
    note=(
        "per account and Region, Standard table class; the 25 RCU and 25 WCU are provisioned "
        "capacity (on-demand requests have no free tier); stream reads by AWS Lambda triggers "
        "and by global tables are never charged"
    ),
)
#: Standard-IA tables get no free storage or capacity; the free stream reads are the account's.
FREE_TIER_IA: Final = FreeTier(
    storage_gb=0,
    read_capacity_units=0,
    write_capacity_units=0,
    stream_read_requests=FREE_TIER.stream_read_requests,
    source=Source(PRICING.url, _CHECKED),
    note="the free storage and capacity are for the Standard table class only",
)


@dataclass(frozen=True, repr=False)
class PriceTable(TextShown):
    """Prices for one Region and table class, by name.

    Attributes:
        region: The AWS Region.
        table_class: ``STANDARD`` or ``STANDARD_INFREQUENT_ACCESS``.
        entries: The prices, by name: ``on_demand_read``, ``on_demand_write``,
            ``provisioned_read``, ``provisioned_write``, ``storage``,
            ``replicated_write_on_demand``, ``replicated_write_provisioned``,
            ``reserved_{read,write}_{1y,3y}_{upfront,hourly}``,
            ``backup_storage``, ``pitr_storage``, ``restore``, ``stream_read``, ``s3_export``,
            ``s3_import`` (a table may lack some: Standard-IA sells no reserved capacity).
        free_tier: What the account gets for free each month (None: nothing).
        notes: What a reader of the table needs to know.
    """

    region: str
    table_class: str
    entries: Mapping[str, Price]
    free_tier: FreeTier | None = None
    notes: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> Price:
        try:
            return self.entries[name]
        except KeyError:
            known = ", ".join(sorted(self.entries))
            raise KeyError(f"no price named {name!r}; known: {known}") from None

    def __contains__(self, name: object) -> bool:
        return name in self.entries

    def get(self, name: str) -> Price | None:
        """The price named ``name``, or None when this table has none."""
        return self.entries.get(name)

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

    @property
    def title(self) -> str:
        """``"us-east-1, Standard table class"``."""
        return f"{self.region}, {class_name(self.table_class)} table class"

    def override(
        self,
        *,
        region: str | None = None,
        table_class: str | None = None,
        source: Source | None = None,
        free_tier: FreeTier | None = None,
        note: str = "",
        prices: Mapping[str, Decimal | str | Price] | None = None,
        **dollars: Decimal | str | Price,
    ) -> PriceTable:
        """A copy of this table with some prices replaced: another Region's, or a what-if.

        Each keyword names an entry and gives its new dollars (same quantity and unit) or a
        whole :class:`Price`; entries not named keep this table's prices. An unknown name is a
        KeyError, so that a typo never leaves a price silently unchanged.

        Args:
            region: The new table's Region (default: this one's).
            table_class: Its table class (default: this one's).
            source: Where the new figures come from (default: "given by the caller").
            free_tier: Its free tier (default: this one's).
            note: Added to the table's notes (say where the figures come from).
            prices: The prices to replace, by entry name (the same as keywords).
            **dollars: The prices to replace, by entry name.

        Returns:
            The new table. ``US_EAST_1_STANDARD.override(region="eu-west-1",
            on_demand_read="0.1415", ...)`` builds a table for another Region.
        """
        given = source or Source("given when the table was built", "")
        entries = dict(self.entries)
        for name, value in {**(prices or {}), **dollars}.items():
            old = self[name]
            entries[name] = (
                value
                if isinstance(value, Price)
                else Price(_decimal(value), old.quantity, old.unit, "", given, "given")
            )
        return PriceTable(
            region=region or self.region,
            table_class=table_class or self.table_class,
            entries=entries,
            free_tier=self.free_tier if free_tier is None else free_tier,
            notes=(*self.notes, note) if note else self.notes,
        )

    # -- display -----------------------------------------------------------------------------------
    def _rows(self) -> list[tuple[str, str, str, str]]:
        rows = []
        for name, price in self.entries.items():
            checked = f"{price.source.checked}" + ("" if price.confirmed else " (unconfirmed)")
            rows.append((name, str(price), price.effective or "-", checked))
        return rows

    def text(self) -> str:
        """The table: one line per price, with its effective and checked dates."""
        rows = [("price", "what it buys", "effective", "checked"), *self._rows()]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = [f"Prices: {self.title}"]
        for n, row in enumerate(rows):
            lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        if self.free_tier is not None:
            lines.append(f"Free tier: {_free_tier_text(self.free_tier)}.")
        lines.extend(self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(f"<th>{h}</th>" for h in ("price", "what it buys", "effective", "checked"))
        body = "".join(
            "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in self._rows()
        )
        notes = [f"Free tier: {_free_tier_text(self.free_tier)}."] if self.free_tier else []
        notes.extend(self.notes)
        foot = "".join(f"<p><small>{esc(n)}</small></p>" for n in notes)
        return (
            f"<div><b>Prices: {esc(self.title)}</b><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>{foot}</div>"
        )


def class_name(table_class: str) -> str:
    """``"Standard"`` or ``"Standard-IA"`` for the API's table class names."""
    return {STANDARD: "Standard", STANDARD_IA: "Standard-IA"}.get(table_class, table_class)


def _free_tier_text(tier: FreeTier) -> str:
    return (
        f"{tier.storage_gb} GB-month storage, {tier.read_capacity_units} RCU and "
        f"{tier.write_capacity_units} WCU provisioned, {tier.stream_read_requests:,} stream "
        f"read requests per month ({tier.note})"
    )


def _decimal(value: float | int | str | Decimal) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


# --- us-east-1, Standard ------------------------------------------------------------------------

#: On-demand reads: per million read request units (RRU). Effective 1 Nov 2024, after a 50 % cut
#: (before: $0.25 per million, the figure older guides still quote).
ON_DEMAND_READ: Final = Price(
    Decimal("0.125"),
    MILLION,
    "read request units",
    "2024-11-01",
    ON_DEMAND_PRICING,
    "was $0.25 per million before 1 Nov 2024",
)
#: On-demand writes: per million write request units (WRU). Effective 1 Nov 2024, after a 50 %
#: cut (before: $1.25 per million).
ON_DEMAND_WRITE: Final = Price(
    Decimal("0.625"),
    MILLION,
    "write request units",
    "2024-11-01",
    ON_DEMAND_PRICING,
    "was $1.25 per million before 1 Nov 2024",
)
#: Provisioned reads: per RCU-hour, paid for the capacity whether it is used or not.
PROVISIONED_READ: Final = Price(
    Decimal("0.00013"),
    1,
    "RCU-hour",
    "",
    PROVISIONED_PRICING,
    "unchanged by the November 2024 cut; 25 RCU are in the free tier",
)
#: Provisioned writes: per WCU-hour.
PROVISIONED_WRITE: Final = Price(
    Decimal("0.00065"),
    1,
    "WCU-hour",
    "",
    PROVISIONED_PRICING,
    "unchanged by the November 2024 cut; 25 WCU are in the free tier",
)
#: Storage: per GB-month, after the first 25 GB each month, which are free.
STORAGE: Final = Price(
    Decimal("0.25"),
    1,
    "GB-month",
    "",
    PRICING,
    "the first 25 GB per month are free",
)
#: Global tables: a replicated write request unit costs what a WRU costs since 1 Nov 2024.
REPLICATED_WRITE_ON_DEMAND: Final = Price(
    Decimal("0.625"),
    MILLION,
    "replicated write request units",
    "2024-11-01",
    GLOBAL_TABLES_BILLING,
    "priced as single-Region WRU since 1 Nov 2024 (before: 50 % more, $1.875 per million); "
    "charged in every Region the write reaches; cross-Region data transfer is extra",
)
#: Global tables, provisioned: per replicated WCU-hour, the WCU price since 1 Nov 2024.
REPLICATED_WRITE_PROVISIONED: Final = Price(
    Decimal("0.00065"),
    1,
    "rWCU-hour",
    "2024-11-01",
    GLOBAL_TABLES_BILLING,
    "priced as single-Region WCU since 1 Nov 2024 (before: $0.000975); no reserved capacity",
)

_RESERVED_NOTE: Final = (
    "partial upfront, sold in blocks of 100 units, Standard table class only; figure as "
    "remembered from the provisioned pricing page, not confirmed on a stored copy, but it "
    "matches the documented savings (about 54 % for 1 year, 77 % for 3 years)"
)


def _reserved(dollars: str, unit: str) -> Price:
    return Price(
        Decimal(dollars), 100, unit, "", PROVISIONED_PRICING_RECHECKED, _RESERVED_NOTE, False
    )


#: Reserved capacity, 1 and 3 years: an upfront payment and an hourly rate per 100 units.
RESERVED: Final = {
    "reserved_read_1y_upfront": _reserved("30", "RCU reserved for 1 year (upfront)"),
    "reserved_read_1y_hourly": _reserved("0.0025", "RCU-hour reserved for 1 year"),
    "reserved_write_1y_upfront": _reserved("150", "WCU reserved for 1 year (upfront)"),
    "reserved_write_1y_hourly": _reserved("0.0128", "WCU-hour reserved for 1 year"),
    "reserved_read_3y_upfront": _reserved("36", "RCU reserved for 3 years (upfront)"),
    "reserved_read_3y_hourly": _reserved("0.0016", "RCU-hour reserved for 3 years"),
    "reserved_write_3y_upfront": _reserved("180", "WCU reserved for 3 years (upfront)"),
    "reserved_write_3y_hourly": _reserved("0.0081", "WCU-hour reserved for 3 years"),
}

#: On-demand backups: per GB-month of each backup kept.
BACKUP_STORAGE: Final = Price(
    Decimal("0.10"),
    1,
    "GB-month of on-demand backup",
    "",
    BACKUP_BILLING,
    "each backup is billed for the table's size, for every month it is kept; figure from "
    "published summaries of the pricing page (not confirmed on the page itself)",
    False,
)
#: Continuous backups (point-in-time recovery): per GB-month of the table's size.
PITR_STORAGE: Final = Price(
    Decimal("0.20"),
    1,
    "GB-month of point-in-time recovery",
    "",
    BACKUP_BILLING,
    "billed on the table's size while PITR is on; figure from published summaries of the "
    "pricing page (not confirmed on the page itself)",
    False,
)
#: Restoring a table from a backup or a point in time: per GB restored.
RESTORE: Final = Price(
    Decimal("0.15"),
    1,
    "GB restored",
    "",
    BACKUP_BILLING,
    "also charged when a replica is added to a global table; figure from published "
    "summaries of the pricing page (not confirmed on the page itself)",
    False,
)
#: DynamoDB Streams: per 100,000 read request units (GetRecords calls).
STREAM_READ: Final = Price(
    Decimal("0.02"),
    100_000,
    "stream read request units",
    "",
    STREAMS_USAGE,
    "the first 2,500,000 per month are free; reads by Lambda triggers and by global tables are "
    "never charged; the figure per 100,000 is not confirmed on a stored copy of the page",
    False,
)
#: Export to S3 (full export): per GB of table data exported.
S3_EXPORT: Final = Price(
    Decimal("0.10"),
    1,
    "GB exported to S3",
    "",
    ON_DEMAND_PRICING_RECHECKED,
    "full export, priced on the table's size; not confirmed on a stored copy of the page",
    False,
)
#: Import from S3: per GB of uncompressed source data.
S3_IMPORT: Final = Price(
    Decimal("0.15"),
    1,
    "GB imported from S3",
    "",
    ON_DEMAND_PRICING_RECHECKED,
    "priced on the uncompressed source size; not confirmed on a stored copy of the page",
    False,
)

_STANDARD_ENTRIES: Final[dict[str, Price]] = {
    "on_demand_read": ON_DEMAND_READ,
    "on_demand_write": ON_DEMAND_WRITE,
    "provisioned_read": PROVISIONED_READ,
    "provisioned_write": PROVISIONED_WRITE,
    "storage": STORAGE,
    "replicated_write_on_demand": REPLICATED_WRITE_ON_DEMAND,
    "replicated_write_provisioned": REPLICATED_WRITE_PROVISIONED,
    **RESERVED,
    "backup_storage": BACKUP_STORAGE,
    "pitr_storage": PITR_STORAGE,
    "restore": RESTORE,
    "stream_read": STREAM_READ,
    "s3_export": S3_EXPORT,
    "s3_import": S3_IMPORT,
}

_COMMON_NOTES: Final = (
    "A month is 730 hours. Not included: data transfer (cross-Region replication traffic, "
    "internet egress), DAX, Kinesis Data Streams, CloudWatch Contributor Insights.",
)

#: The course's prices: us-east-1, Standard table class.
US_EAST_1_STANDARD: Final = PriceTable(
    region="us-east-1",
    table_class=STANDARD,
    entries=_STANDARD_ENTRIES,
    free_tier=FREE_TIER,
    notes=_COMMON_NOTES,
)


# --- us-east-1, Standard-IA ---------------------------------------------------------------------

_IA_NOTE: Final = (
    "Standard-IA: 25 % above the Standard price, as documented (storage 60 % cheaper, "
    "throughput 25 % dearer); the exact figure is derived, not confirmed on the pricing page"
)
#: Standard-IA charges 25 % more per request and per unit of capacity.
_IA_THROUGHPUT_FACTOR: Final = Decimal("1.25")


def _ia(price: Price) -> Price:
    return Price(
        price.dollars * _IA_THROUGHPUT_FACTOR,
        price.quantity,
        price.unit,
        price.effective,
        TABLE_CLASSES,
        _IA_NOTE,
        False,
    )


#: Standard-IA storage: per GB-month, 60 % below Standard.
STORAGE_IA: Final = Price(
    Decimal("0.10"),
    1,
    "GB-month",
    "",
    TABLE_CLASSES,
    "60 % below Standard, as documented; no free tier for Standard-IA storage",
)

_IA_THROUGHPUT: Final = (
    "on_demand_read",
    "on_demand_write",
    "provisioned_read",
    "provisioned_write",
    "replicated_write_on_demand",
    "replicated_write_provisioned",
)

#: us-east-1, Standard-Infrequent Access: cheaper storage, dearer throughput, no reservations.
US_EAST_1_STANDARD_IA: Final = PriceTable(
    region="us-east-1",
    table_class=STANDARD_IA,
    entries={
        **{
            name: (_ia(price) if name in _IA_THROUGHPUT else price)
            for name, price in _STANDARD_ENTRIES.items()
            if not name.startswith("reserved_")
        },
        "storage": STORAGE_IA,
    },
    free_tier=FREE_TIER_IA,
    notes=(
        *_COMMON_NOTES,
        "Reserved capacity is sold for the Standard table class only. Backups, restores, "
        "streams and exports cost the same in both classes.",
    ),
)


# --- us-east-1, Standard, before 1 November 2024 -----------------------------------------------

_OLD_NOTE: Final = "the price before the cut of 1 Nov 2024"
#: The prices older guides quote: on-demand requests and replicated writes before the cut.
US_EAST_1_STANDARD_BEFORE_2024_11: Final = US_EAST_1_STANDARD.override(
    on_demand_read=Price(
        Decimal("0.25"), MILLION, "read request units", "", ON_DEMAND_PRICING, _OLD_NOTE
    ),
    on_demand_write=Price(
        Decimal("1.25"), MILLION, "write request units", "", ON_DEMAND_PRICING, _OLD_NOTE
    ),
    replicated_write_on_demand=Price(
        Decimal("1.875"),
        MILLION,
        "replicated write request units",
        "",
        GLOBAL_TABLES_FAQ,
        _OLD_NOTE + ": 50 % above a WRU",
    ),
    replicated_write_provisioned=Price(
        Decimal("0.000975"),
        1,
        "rWCU-hour",
        "",
        GLOBAL_TABLES_FAQ,
        _OLD_NOTE + ": 50 % above a WCU",
    ),
    note="Outdated: on-demand and replicated-write prices from before 1 November 2024.",
)

_TABLES: Final = {
    (US_EAST_1_STANDARD.region, STANDARD): US_EAST_1_STANDARD,
    (US_EAST_1_STANDARD_IA.region, STANDARD_IA): US_EAST_1_STANDARD_IA,
}


def price_table(region: str = "us-east-1", table_class: str = STANDARD) -> PriceTable:
    """The course's price table for ``region`` and ``table_class``.

    Raises:
        KeyError: The course has no prices for that Region (build them with
            ``US_EAST_1_STANDARD.override(region=..., ...)``).
    """
    try:
        return _TABLES[(region, table_class)]
    except KeyError:
        raise KeyError(
            f"no course prices for {region} {table_class}; known: "
            + ", ".join(f"{r} {c}" for r, c in sorted(_TABLES))
            + ". Build a table with US_EAST_1_STANDARD.override(region=..., <name>=<dollars>)."
        ) from None


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


def cents(amount: Decimal) -> Decimal:
    """``amount`` rounded to the cent, half up (how a bill line is shown)."""
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
