"""Global tables, SIMULATED: replicas in several embedded regions kept in step by their streams.

This is a simulation of the service's behaviour, not the service. DynamoDB global tables
(version 2019.11.21) replicate every write to every replica region, usually in under a second;
moto stores a replica list but replicates nothing. Here each region is a separate embedded
DynamoDB (its own tables, its own stream), and a replicator does what the service does:

* it reads each replica's stream (with :class:`~ddb_lab.streams.StreamProcessor`) and applies
  each change to the other replicas once the **replication lag** (lab seconds) has passed, so a
  read in another region right after a write still sees the old item;
* conflicting writes to one item in two regions are settled by **last writer wins** (MREC, the
  default mode): every replica keeps the change with the later write time (ties: the higher
  region name), so all replicas converge to the same item;
* replicated writes are written by replication, not re-replicated; a TTL delete is made in one
  region and reaches the others as an ordinary delete (only its own region's stream shows the
  service's ``userIdentity``).

Multi-Region strong consistency (MRSC, generally available June 2025) is the other mode: exactly
three regions (or two and a witness), chosen at creation; a strongly consistent read anywhere
returns the latest write, and conflicting writes fail instead of one silently winning. It is not
simulated here: :data:`MRSC_NOTE` says what changes.

Used in: notebooks/06_streams_ttl_global_tables.ipynb.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from ddb_lab import facts
from ddb_lab.streams import StreamProcessor

__all__ = ["MRSC_NOTE", "SIMULATION_NOTE", "GlobalTable", "Replication", "global_table"]

SIMULATION_NOTE = (
    "Simulated global table: each region is a separate embedded DynamoDB, kept in step by a "
    "replicator that reads the streams, waits the replication lag on the lab clock and settles "
    "conflicts by last writer wins, as the service does in its default (MREC) mode."
)
MRSC_NOTE = (
    f"Multi-Region strong consistency (MRSC): exactly {facts.MRSC_REGIONS} regions (or 2 "
    "replicas and a witness) in one region set, chosen when the table is created. Writes are "
    "replicated synchronously, a strongly consistent read in any region sees the latest write, "
    "and a write that conflicts with one in progress elsewhere fails instead of being silently "
    "overwritten. The price: higher write latency. Not simulated here."
)

_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()


@dataclass(frozen=True)
class _Change:
    origin: str
    time: float
    sequence_number: str
    event_name: str
    keys: dict[str, Any]
    new_image: dict[str, Any] | None


@dataclass(frozen=True)
class Replication:
    """One change arriving at one replica.

    Attributes:
        origin: the region the change was written in.
        target: the replica it was applied to (or not).
        event_name: INSERT, MODIFY or REMOVE in the origin.
        key: the item's key (plain values).
        written_at: lab time of the original write.
        applied_at: lab time the replicator reached the target.
        outcome: ``applied``, or ``superseded`` when the target held a later write (last
            writer wins).
    """

    origin: str
    target: str
    event_name: str
    key: dict[str, Any]
    written_at: float
    applied_at: float
    outcome: str

    def __str__(self) -> str:
        key = ", ".join(f"{k}={v}" for k, v in sorted(self.key.items()))
        lag = self.applied_at - self.written_at
        return (
            f"{self.origin} -> {self.target}: {self.event_name} {key} (+{lag:g} s) {self.outcome}"
        )


class GlobalTable:
    """A simulated global table: one table name, a replica in each region.

    Create it with :func:`global_table`. Write to any region's client; call
    :meth:`replicate` (or :meth:`start`) to let replication catch up with the lab clock.
    """

    def __init__(self, lab: Any, name: str, regions: list[str], lag: float) -> None:
        self.lab = lab
        self.name = name
        self.regions = regions
        self.lag = float(lag)
        #: Every change that reached (or was refused by) a replica, in order.
        self.log: list[Replication] = []
        self._clients = {r: lab.new_client("dynamodb", region=r) for r in regions}
        self._pending: list[_Change] = []
        self._processors: dict[str, StreamProcessor] = {}
        self._lock = threading.RLock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        from ddb_lab.engine.streams import find_stream_records

        records = find_stream_records(lab.engine.corrections)
        if records is None:
            raise RuntimeError("global tables need the lab's stream_records correction")
        self._records = records

    # -- set-up -----------------------------------------------------------------------------------
    def _listen(self) -> None:
        for region in self.regions:
            self._processors[region] = StreamProcessor(
                self.lab,
                self.name,
                self._capture(region),
                batch_size=facts.STREAM_GET_RECORDS_MAX,
                starting_position="LATEST",
                max_retries=0,
                region=region,
                name=f"replicator-{region}",
            )

    def _capture(self, region: str) -> Any:
        def capture(event: dict[str, Any]) -> None:
            table = _moto_table(region, self.name)
            for record in event["Records"]:
                body = record["dynamodb"]
                origin = self._records.origin(table, body["SequenceNumber"])
                if origin is None or origin.replicated:
                    continue  # written by replication: already everywhere it needs to be
                self._pending.append(
                    _Change(
                        origin=region,
                        time=origin.time,
                        sequence_number=body["SequenceNumber"],
                        event_name=record["eventName"],
                        keys=body["Keys"],
                        new_image=body.get("NewImage"),
                    )
                )

        return capture

    # -- everyday use -----------------------------------------------------------------------------
    def client(self, region: str) -> Any:
        """The low-level DynamoDB client of one replica's region."""
        return self._clients[region]

    def item(self, region: str, **key: Any) -> dict[str, Any] | None:
        """The item with ``key`` as that region reads it now (plain values), or None."""
        answer = self._clients[region].get_item(
            TableName=self.name,
            Key={k: _SERIALIZER.serialize(v) for k, v in key.items()},
            ConsistentRead=True,
        )
        raw = answer.get("Item")
        return None if raw is None else {k: _DESERIALIZER.deserialize(v) for k, v in raw.items()}

    def replicate(self) -> list[Replication]:
        """Apply every change whose replication lag has passed on the lab clock.

        Returns the replications made now (``log`` keeps them all).
        """
        with self._lock:
            for processor in self._processors.values():
                processor.drain()
            now = self.lab.clock.now()
            due = [c for c in self._pending if c.time + self.lag <= now]
            self._pending = [c for c in self._pending if c.time + self.lag > now]
            made: list[Replication] = []
            for change in sorted(due, key=lambda c: (c.time, c.origin, int(c.sequence_number))):
                for target in self.regions:
                    if target != change.origin:
                        made.append(self._apply(change, target, now))
            self.log.extend(made)
            return made

    def pending(self) -> int:
        """Changes read from the streams and not yet applied everywhere (lag not passed)."""
        with self._lock:
            for processor in self._processors.values():
                processor.drain()
            return len(self._pending)

    def _apply(self, change: _Change, target: str, now: float) -> Replication:
        from ddb_lab.engine.streams import RecordOrigin

        table = _moto_table(target, self.name)
        origin = RecordOrigin(change.time, change.origin)
        key = {k: _DESERIALIZER.deserialize(v) for k, v in change.keys.items()}
        with self.lab.engine.lock:
            last = self._records.last_write(table, change.keys)
            if last is not None and (last.time, last.region) > (origin.time, origin.region):
                outcome = "superseded"
            else:
                with self._records.replicating(origin):
                    client = self._clients[target]
                    if change.event_name == "REMOVE" or change.new_image is None:
                        client.delete_item(TableName=self.name, Key=change.keys)
                    else:
                        client.put_item(TableName=self.name, Item=change.new_image)
                outcome = "applied"
        return Replication(change.origin, target, change.event_name, key, change.time, now, outcome)

    def items(self, region: str) -> list[dict[str, Any]]:
        """Every item of one replica (plain values), in key order."""
        found: list[dict[str, Any]] = []
        for page in self._clients[region].get_paginator("scan").paginate(TableName=self.name):
            found.extend(
                {k: _DESERIALIZER.deserialize(v) for k, v in i.items()} for i in page["Items"]
            )
        return sorted(found, key=lambda item: repr(sorted(item.items())))

    def converged(self) -> bool:
        """Whether every replica holds exactly the same items."""
        first, *others = (self.items(r) for r in self.regions)
        return all(other == first for other in others)

    def describe(self) -> dict[str, Any]:
        """What the table is: version, mode, replicas, lag, and that it is simulated."""
        return {
            "TableName": self.name,
            "GlobalTableVersion": facts.GLOBAL_TABLES_VERSION,
            "Mode": "MREC (multi-Region eventual consistency, last writer wins)",
            "Replicas": list(self.regions),
            "ReplicationLagSeconds": self.lag,
            "Simulated": True,
        }

    # -- background replication -------------------------------------------------------------
    def start(self, interval: float = 0.2) -> None:
        """Replicate in a background thread every ``interval`` real seconds until :meth:`stop`."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()

        def run() -> None:
            while not self._stop.wait(interval):
                self.replicate()

        self._thread = threading.Thread(target=run, name="ddb-lab-replicator", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop background replication."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __repr__(self) -> str:
        return (
            f"<GlobalTable {self.name} (simulated): replicas {', '.join(self.regions)}, "
            f"lag {self.lag:g} s, {len(self._pending)} change(s) in flight>"
        )


def global_table(
    lab: Any,
    name: str,
    regions: list[str] | tuple[str, ...],
    *,
    lag: float = facts.GLOBAL_TABLES_TYPICAL_LAG_SECONDS,
) -> GlobalTable:
    """Make ``name`` (a table in the first region) a simulated global table over ``regions``.

    Each other region gets a replica with the same keys, indexes, billing mode and TTL setting,
    filled with the current items; the table's stream is set to NEW_AND_OLD_IMAGES (global
    tables need it). Only the embedded backend can simulate regions.

    Args:
        lab: the lab (embedded backend).
        name: the table, already created in ``regions[0]``.
        regions: two or more region names, the table's own first.
        lag: replication lag in lab seconds (the service: usually under a second).
    """
    if getattr(lab, "engine", None) is None or lab.backend != "embedded":
        raise RuntimeError(
            "Simulated global tables need the embedded backend (start()); a real account makes "
            "real replicas with update_table(ReplicaUpdates=[{'Create': {'RegionName': ...}}])."
        )
    regions = list(dict.fromkeys(regions))
    if len(regions) < 2:
        raise ValueError("a global table needs at least two regions")
    home = lab.new_client("dynamodb", region=regions[0])
    description = home.describe_table(TableName=name)["Table"]
    stream = description.get("StreamSpecification") or {}
    if stream.get("StreamViewType") != "NEW_AND_OLD_IMAGES":
        if stream.get("StreamEnabled"):
            home.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
        home.update_table(
            TableName=name,
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
    ttl = home.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    items = [
        i for page in home.get_paginator("scan").paginate(TableName=name) for i in page["Items"]
    ]
    table = GlobalTable(lab, name, regions, lag)
    for region in regions[1:]:
        replica = table.client(region)
        replica.create_table(**_create_params(description))
        if ttl.get("TimeToLiveStatus") == "ENABLED":
            replica.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
            )
            lab.ttl.skipped.add((region, name))
        for item in items:
            replica.put_item(TableName=name, Item=item)
    table._listen()
    return table


def _create_params(description: dict[str, Any]) -> dict[str, Any]:
    """CreateTable parameters for a replica of the table ``description`` describes."""
    params: dict[str, Any] = {
        "TableName": description["TableName"],
        "KeySchema": description["KeySchema"],
        "AttributeDefinitions": description["AttributeDefinitions"],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    }
    billing = (description.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
    params["BillingMode"] = billing
    if billing == "PROVISIONED":
        throughput = description["ProvisionedThroughput"]
        params["ProvisionedThroughput"] = {
            "ReadCapacityUnits": throughput["ReadCapacityUnits"],
            "WriteCapacityUnits": throughput["WriteCapacityUnits"],
        }
    indexes = []
    for index in description.get("GlobalSecondaryIndexes", []):
        spec = {k: index[k] for k in ("IndexName", "KeySchema", "Projection")}
        if billing == "PROVISIONED":
            throughput = index["ProvisionedThroughput"]
            spec["ProvisionedThroughput"] = {
                "ReadCapacityUnits": throughput["ReadCapacityUnits"],
                "WriteCapacityUnits": throughput["WriteCapacityUnits"],
            }
        indexes.append(spec)
    if indexes:
        params["GlobalSecondaryIndexes"] = indexes
    return params


def _moto_table(region: str, name: str) -> Any:
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][region].tables[name]
