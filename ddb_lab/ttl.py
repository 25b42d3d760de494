"""Time to live on the lab clock: the background process that deletes expired items.

DynamoDB compares each item's TTL attribute (a Number, seconds since the Unix epoch) with the
current time; an item whose value is in the past is expired and, some time later (typically
within two days), deleted by the service. moto stores the TTL setting but never deletes
anything, so the lab runs this sweeper instead:

* it sweeps when the lab clock passes the next sweep time (every ``interval`` lab seconds; on
  simulated time that is whenever a notebook advances the clock), or when asked (``sweep()``),
  or in the background (``start()``, for the real clock);
* until a sweep runs, reads still return expired items, as on DynamoDB: filter on the TTL
  attribute to hide them;
* a sweep deletes through moto's storage, not through a request, so it consumes no write units
  and is not on any receipt; the stream gets a REMOVE record whose ``userIdentity`` is
  ``{"type": "Service", "principalId": "dynamodb.amazonaws.com"}``.

Used in: notebooks/06_streams_ttl_global_tables.ipynb (expiring login tokens).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ddb_lab.lab import Lab

__all__ = ["DEFAULT_SWEEP_INTERVAL_SECONDS", "Expired", "SweepReport", "TtlSweeper"]

#: How often (lab seconds) the lab's sweeper looks for expired items. A choice of the lab, far
#: quicker than DynamoDB's "typically within two days" (facts.TTL_TYPICAL_DELETE_SECONDS), so
#: that a notebook sees the delete after advancing the clock by an hour.
DEFAULT_SWEEP_INTERVAL_SECONDS = 60 * 60


@dataclass(frozen=True)
class Expired:
    """One item a sweep deleted.

    Attributes:
        region: the table's region.
        table: the table.
        key: the item's key, in the low-level format (``{"pk": {"S": "a"}}``).
        expires_at: the item's TTL value (epoch seconds).
        swept_at: the lab time of the sweep.
    """

    region: str
    table: str
    key: dict[str, Any]
    expires_at: float
    swept_at: float


@dataclass
class SweepReport:
    """What one sweep deleted, in table and key order."""

    at: float
    deleted: list[Expired] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.deleted)

    def __iter__(self) -> Iterator[Expired]:
        return iter(self.deleted)

    def __repr__(self) -> str:
        return f"<TTL sweep at {self.at:.0f}: {len(self.deleted)} expired item(s) deleted>"


def ttl_value(attribute: Any) -> Decimal | None:
    """The expiry time an item's TTL attribute holds, or None when TTL ignores the item.

    TTL only acts on a Number; a String, a missing attribute or anything else never expires.
    """
    if attribute is None or getattr(attribute, "type", None) != "N":
        return None
    try:
        return Decimal(str(attribute.value))
    except InvalidOperation:
        return None


class TtlSweeper:
    """Deletes expired items of every table with TTL enabled, on the lab clock.

    Args:
        lab: the lab whose tables (in every region it has used) are swept.
        interval: lab seconds between automatic sweeps.
    """

    def __init__(self, lab: Lab, interval: float = DEFAULT_SWEEP_INTERVAL_SECONDS) -> None:
        self._lab = lab
        self.interval = float(interval)
        #: Every sweep that deleted something, oldest first.
        self.history: list[SweepReport] = []
        #: (region, table) pairs not swept here: replicas of a global table, whose TTL deletes
        #: arrive by replication from the region where the delete happened.
        self.skipped: set[tuple[str, str]] = set()
        self._next = lab.clock.now() + self.interval
        self._unsubscribe: Any = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._busy = threading.Lock()
        if lab.engine is not None:
            self._unsubscribe = lab.clock.subscribe(self._on_time)

    @property
    def next_sweep(self) -> float:
        """The lab time at which the next automatic sweep runs."""
        return self._next

    # -- sweeping -------------------------------------------------------------------------------
    def _on_time(self, now: float) -> None:
        if now >= self._next:
            self.sweep()

    def sweep(self) -> SweepReport:
        """Delete every item whose TTL time has passed, now; returns what was deleted.

        Only the lab's own engine (embedded and server backends) can sweep; on another backend
        the service (or engine) behind it expires items itself, and this returns an empty report.
        """
        now = self._lab.clock.now()
        report = SweepReport(at=now)
        engine = self._lab.engine
        if engine is None or not self._busy.acquire(blocking=False):
            return report
        try:
            from ddb_lab.engine.streams import find_stream_records

            records = find_stream_records(engine.corrections)
            with engine.lock:
                for region, table in _ttl_tables():
                    if (region, table.name) in self.skipped:
                        continue
                    if records is not None:
                        records.hook_region(region)
                    report.deleted.extend(_sweep_table(region, table, now, records))
            self._next = now + self.interval
        finally:
            self._busy.release()
        if report.deleted:
            self.history.append(report)
        return report

    def expired(self, table: str, region: str | None = None) -> list[dict[str, Any]]:
        """Keys of ``table``'s items that have expired but are not deleted yet."""
        region = region or self._lab.region
        now = self._lab.clock.now()
        keys: list[dict[str, Any]] = []
        for found_region, model in _ttl_tables():
            if found_region == region and model.name == table:
                for item in model.all_items():
                    value = ttl_value(item.attrs.get(model.ttl["AttributeName"]))
                    if value is not None and value < Decimal(repr(now)):
                        keys.append(_key(model, item))
        return keys

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self, every: float = 1.0) -> None:
        """Sweep in the background whenever a sweep is due, checking every ``every`` real seconds.

        For the real clock (a simulated clock sweeps whenever it is advanced).
        """
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()

        def run() -> None:
            while not self._stop.wait(every):
                self._on_time(self._lab.clock.now())

        self._thread = threading.Thread(target=run, name="ddb-lab-ttl", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop background sweeping (a no-op when it is not running)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def reset(self) -> None:
        """Forget past sweeps and schedule the next one an interval from now."""
        self.history.clear()
        self.skipped.clear()
        self._next = self._lab.clock.now() + self.interval

    def __repr__(self) -> str:
        return (
            f"<TTL sweeper: every {self.interval:.0f} lab seconds, "
            f"{sum(len(r) for r in self.history)} item(s) deleted so far>"
        )


def _ttl_tables() -> list[tuple[str, Any]]:
    """(region, moto table) for every table with TTL enabled, in region and name order."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    found: list[tuple[str, Any]] = []
    regions = dynamodb_backends[DEFAULT_ACCOUNT_ID]
    for region in sorted(list(regions.keys())):
        for _name, table in sorted(regions[region].tables.items(), key=lambda kv: kv[0]):
            ttl = getattr(table, "ttl", None) or {}
            if ttl.get("TimeToLiveStatus") == "ENABLED" and ttl.get("AttributeName"):
                found.append((region, table))
    return found


def _key(table: Any, item: Any) -> dict[str, Any]:
    key = {table.hash_key_attr: item.hash_key.to_json()}
    if table.range_key_attr is not None and item.range_key is not None:
        key[table.range_key_attr] = item.range_key.to_json()
    return key


def _sweep_table(region: str, table: Any, now: float, records: Any) -> list[Expired]:
    attribute = table.ttl["AttributeName"]
    cutoff = Decimal(repr(now))
    doomed = []
    for item in table.all_items():
        value = ttl_value(item.attrs.get(attribute))
        if value is not None and value < cutoff:
            doomed.append((item, value))
    deleted: list[Expired] = []
    for item, value in doomed:
        key = _key(table, item)
        if records is not None:
            with records.service_delete():
                table.delete_item(item.hash_key, item.range_key)
        else:
            table.delete_item(item.hash_key, item.range_key)
        deleted.append(Expired(region, table.name, key, float(value), now))
    return deleted
