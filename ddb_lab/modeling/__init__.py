"""Data models declared in Python and verified against a seeded table.

A single-table design is three lists: the **entities** (which record becomes which item, through
key templates such as ``USER#{user_id}``), the **indexes**, and the **access patterns** the
application needs. This module lets you write those down and then *proves* the design:
:func:`verify` builds the table from the model, seeds it with the records of a :class:`Data` set,
runs your function for every access pattern and reports, per pattern:

* whether it returned exactly the right items (and in the right order, where order matters);
* how it read them: Query, GetItem and BatchGetItem are fine, a Scan is not;
* whether it followed ``LastEvaluatedKey`` to the end (the verifier shrinks DynamoDB's 1 MB page
  to a few items so that pagination shows on a small table);
* the read units it used (from the lab's metering), against the pattern's budget if it has one;

and, for the table and every index, whether one partition-key value holds most of the items (a
hot partition key).

    model = Model(
        table="Shop", partition_key="PK", sort_key="SK",
        entities=[
            Entity("Customer", keys={"PK": "CUSTOMER#{customer_id}", "SK": "PROFILE"}),
            Entity("Order", keys={"PK": "CUSTOMER#{customer_id}", "SK": "ORDER#{order_id}"}),
        ],
    )
    patterns = [
        AccessPattern(
            "orders_of", "A customer's orders", cases=[{"customer_id": "c1"}],
            expected=lambda data, customer_id: data.where("Order", customer_id=customer_id),
        ),
    ]
    report = verify(model, patterns, {"orders_of": orders_of}, data, lab=lab)

The checks of chapter 2 and the interview design challenges are built on this verifier.
"""

from __future__ import annotations

import math
import string
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

from ddb_lab import capacity, facts
from ddb_lab._shown import TextShown

__all__ = [
    "ALLOWED_READS",
    "DEFAULT_HOT_SHARE",
    "DEFAULT_PAGE_ITEMS",
    "MAX_CALLS_PER_CASE",
    "AccessPattern",
    "CaseResult",
    "Data",
    "Entity",
    "HotKey",
    "Index",
    "KeyLoad",
    "Load",
    "Model",
    "ModelError",
    "PatternResult",
    "Record",
    "VerificationReport",
    "every_item",
    "orders",
    "picture",
    "social",
    "verify",
]

#: The read operations an access pattern may use. A Scan reads the whole table.
ALLOWED_READS: Final = frozenset({"GetItem", "Query", "BatchGetItem", "TransactGetItems"})
#: Items per Query/Scan page while verifying: small, so that a table of a few hundred items
#: already needs several pages, as a production table needs several 1 MB pages.
DEFAULT_PAGE_ITEMS: Final = 8
#: A partition-key value holding more than this share of a table's (or index's) items is hot.
DEFAULT_HOT_SHARE: Final = 0.5
#: Below this many items in a table or index, no key is called hot.
HOT_MIN_ITEMS: Final = 20
#: A pattern that makes more calls than this in one case is stopped (a paging loop that never
#: ends, for instance).
MAX_CALLS_PER_CASE: Final = 500

KeyTemplate = str | Callable[[Mapping[str, Any]], Any]


class ModelError(ValueError):
    """The model itself is inconsistent (a key template names no attribute, an unknown index...)."""


class _TooManyCalls(Exception):  # noqa: N818 - internal signal, never shown as an error
    pass


def every_item(read: Callable[..., Any], **params: Any) -> list[Any]:
    """Every item a paginated read returns: ``read(**params)`` again with ``ExclusiveStartKey``
    set to each page's ``LastEvaluatedKey`` until a page has none (``read`` is, for instance, a
    resource Table's ``query`` or ``scan``)."""
    items: list[Any] = []
    while True:
        page = read(**params)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


# --- Records and data sets ------------------------------------------------------------------------


class Record(dict[str, Any]):
    """A domain record (a user, an order...): a dict that knows which record set it belongs to."""

    def __init__(self, kind: str, fields: Mapping[str, Any]) -> None:
        super().__init__(fields)
        self.kind = kind

    def __repr__(self) -> str:
        return f"{self.kind}({dict.__repr__(self)})"


class Data:
    """The records a model is verified with: record sets by name, and what identifies a record.

    Args:
        records: ``{"User": [{...}, ...], "Post": [...]}``.
        identity: the fields that identify a record of each set, e.g. ``{"User": ("user_id",)}``.
    """

    def __init__(
        self,
        records: Mapping[str, Iterable[Mapping[str, Any]]],
        identity: Mapping[str, Sequence[str]],
    ) -> None:
        missing = sorted(set(records) - set(identity))
        if missing:
            raise ModelError(f"no identity fields for record set(s) {', '.join(missing)}")
        self.identity = {kind: tuple(fields) for kind, fields in identity.items()}
        self.records: dict[str, list[Record]] = {
            kind: [Record(kind, r) for r in rows] for kind, rows in records.items()
        }
        for kind, rows in self.records.items():
            for row in rows:
                absent = [f for f in self.identity[kind] if f not in row]
                if absent:
                    raise ModelError(f"a {kind} record lacks its identity field(s) {absent}")

    def __getitem__(self, kind: str) -> list[Record]:
        return self.records[kind]

    def where(
        self,
        kind: str,
        *,
        order_by: str | Sequence[str] | None = None,
        reverse: bool = False,
        **equals: Any,
    ) -> list[Record]:
        """The records of ``kind`` whose fields equal ``equals``, optionally sorted."""
        found = [r for r in self.records[kind] if all(r.get(k) == v for k, v in equals.items())]
        if order_by is not None:
            fields = (order_by,) if isinstance(order_by, str) else tuple(order_by)
            found.sort(key=lambda r: tuple(r[f] for f in fields), reverse=reverse)
        return found

    def key_of(self, record: Record) -> tuple[Any, ...]:
        """``(kind, *identity values)``: what makes a record this record."""
        return (record.kind, *(record[f] for f in self.identity[record.kind]))

    def counts(self) -> dict[str, int]:
        return {kind: len(rows) for kind, rows in self.records.items()}


# --- The model ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entity:
    """How one kind of record becomes an item.

    Args:
        name: the entity's name, stored in each item's type attribute (``Model.type_attribute``).
        keys: key attribute → template, for the table's keys and any index keys the entity
            fills. A template is a ``str.format`` string over the record's fields
            (``"POST#{created_at}#{post_id}"``) or a function of the record. A template that
            names a field the record lacks, or a function returning None, leaves the attribute
            out: that is how an entity stays out of a sparse index.
        source: the record set it is built from (default: ``name``). Two entities may share a
            source: a follow edge stored twice, once under each user.
        attributes: the record fields copied into the item (default: all of them).
    """

    name: str
    keys: Mapping[str, KeyTemplate]
    source: str | None = None
    attributes: Sequence[str] | None = None

    @property
    def record_set(self) -> str:
        return self.source or self.name

    def key_values(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """The key attributes of the item for ``record`` (sparse ones left out)."""
        values: dict[str, Any] = {}
        for attribute, template in self.keys.items():
            if callable(template):
                value = template(record)
            else:
                try:
                    value = template.format_map(record)
                except KeyError:
                    value = None
            if value is not None:
                values[attribute] = value
        return values

    def item(self, record: Mapping[str, Any], type_attribute: str) -> dict[str, Any]:
        """The item stored for ``record``: its fields, its type and its keys."""
        fields = (
            dict(record)
            if self.attributes is None
            else {a: record[a] for a in self.attributes if a in record}
        )
        return fields | {type_attribute: self.name} | self.key_values(record)


@dataclass(frozen=True)
class Index:
    """A secondary index of the model.

    Args:
        name: the index name.
        partition_key: its partition key attribute.
        sort_key: its sort key attribute, if any.
        projection: ``"ALL"``, ``"KEYS_ONLY"`` or ``"INCLUDE"``.
        non_key_attributes: the attributes an ``INCLUDE`` projection copies.
        local: True for a local secondary index (same partition key as the table).
    """

    name: str
    partition_key: str
    sort_key: str | None = None
    projection: str = "ALL"
    non_key_attributes: Sequence[str] = ()
    local: bool = False

    def definition(self) -> dict[str, Any]:
        schema = [{"AttributeName": self.partition_key, "KeyType": "HASH"}]
        if self.sort_key:
            schema.append({"AttributeName": self.sort_key, "KeyType": "RANGE"})
        projection: dict[str, Any] = {"ProjectionType": self.projection}
        if self.projection == "INCLUDE":
            projection["NonKeyAttributes"] = list(self.non_key_attributes)
        return {"IndexName": self.name, "KeySchema": schema, "Projection": projection}


@dataclass(frozen=True)
class Model:
    """A table design: its keys, entities and indexes.

    Args:
        table: the table name.
        partition_key: the table's partition key attribute.
        sort_key: the table's sort key attribute, if any.
        entities: how each kind of record becomes an item.
        indexes: the secondary indexes.
        type_attribute: the attribute that names each item's entity.
        attribute_types: ``S``, ``N`` or ``B`` for key attributes that are not strings.
    """

    table: str
    partition_key: str
    entities: Sequence[Entity]
    sort_key: str | None = None
    indexes: Sequence[Index] = ()
    type_attribute: str = "entity"
    attribute_types: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = [e.name for e in self.entities]
        if len(set(names)) != len(names):
            raise ModelError("two entities share a name")
        for entity in self.entities:
            for attribute in (self.partition_key, self.sort_key):
                if attribute and attribute not in entity.keys:
                    raise ModelError(
                        f"entity {entity.name} has no template for the table key {attribute!r}"
                    )
            for attribute, template in entity.keys.items():
                if isinstance(template, str):
                    for _, name, _, _ in string.Formatter().parse(template):
                        if name is not None and not name.isidentifier():
                            raise ModelError(
                                f"entity {entity.name}: {attribute} template {template!r} "
                                "needs plain field names in braces"
                            )
        for index in self.indexes:
            if index.local and index.partition_key != self.partition_key:
                raise ModelError(
                    f"local index {index.name} must use the table's partition key "
                    f"{self.partition_key!r}"
                )

    def entity(self, name: str) -> Entity:
        for entity in self.entities:
            if entity.name == name:
                return entity
        raise KeyError(name)

    def key_attributes(self) -> list[str]:
        attributes = [self.partition_key] + ([self.sort_key] if self.sort_key else [])
        for index in self.indexes:
            for attribute in (index.partition_key, index.sort_key):
                if attribute and attribute not in attributes:
                    attributes.append(attribute)
        return attributes

    def table_definition(self, name: str | None = None) -> dict[str, Any]:
        """``create_table`` arguments for this model (on-demand billing)."""
        schema = [{"AttributeName": self.partition_key, "KeyType": "HASH"}]
        if self.sort_key:
            schema.append({"AttributeName": self.sort_key, "KeyType": "RANGE"})
        definition: dict[str, Any] = {
            "TableName": name or self.table,
            "KeySchema": schema,
            "AttributeDefinitions": [
                {"AttributeName": a, "AttributeType": self.attribute_types.get(a, "S")}
                for a in self.key_attributes()
            ],
            "BillingMode": "PAY_PER_REQUEST",
        }
        globals_ = [i.definition() for i in self.indexes if not i.local]
        locals_ = [i.definition() for i in self.indexes if i.local]
        if globals_:
            definition["GlobalSecondaryIndexes"] = globals_
        if locals_:
            definition["LocalSecondaryIndexes"] = locals_
        return definition

    def items(self, data: Data) -> list[dict[str, Any]]:
        """Every item the records of ``data`` become, sorted by the table's keys."""
        items: list[dict[str, Any]] = []
        for entity in self.entities:
            if entity.record_set not in data.records:
                raise ModelError(
                    f"entity {entity.name} is built from {entity.record_set!r}, which the data "
                    f"does not have (it has {', '.join(sorted(data.records))})"
                )
            items.extend(entity.item(r, self.type_attribute) for r in data[entity.record_set])
        keys = [self.partition_key] + ([self.sort_key] if self.sort_key else [])
        seen: dict[tuple[str, ...], str] = {}
        for item in items:
            key = tuple(str(item[k]) for k in keys)
            if key in seen:
                raise ModelError(
                    f"two items share the primary key {dict(zip(keys, key, strict=True))}: "
                    f"a {seen[key]} and a {item[self.type_attribute]}; add the identifying "
                    "field to the sort key template"
                )
            seen[key] = item[self.type_attribute]
        items.sort(key=lambda i: tuple(str(i[k]) for k in keys))
        return items

    def create(self, client: Any, name: str | None = None) -> str:
        """Create the table (waiting until it is active); returns its name."""
        table = name or self.table
        client.create_table(**self.table_definition(table))
        client.get_waiter("table_exists").wait(
            TableName=table, WaiterConfig={"Delay": 0.05, "MaxAttempts": 200}
        )
        return table

    def seed(self, table: Any, data: Data) -> int:
        """Write every item of ``data`` into ``table`` (a boto3 resource Table)."""
        items = self.items(data)
        with table.batch_writer() as batch:
            for item in items:
                batch.put_item(Item=item)
        return len(items)

    def hot_keys(
        self, items: Sequence[Mapping[str, Any]], share: float = DEFAULT_HOT_SHARE
    ) -> list[HotKey]:
        """The table's and each index's busiest partition-key value, flagged when it is hot."""
        found = []
        places = [("table", self.partition_key)] + [
            (i.name, i.partition_key) for i in self.indexes if not i.local
        ]
        for where, attribute in places:
            counts = Counter(str(i[attribute]) for i in items if attribute in i)
            total = sum(counts.values())
            if not total:
                continue
            value, count = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            hot = total >= HOT_MIN_ITEMS and count / total > share
            found.append(HotKey(where, attribute, value, count, total, len(counts), hot))
        return found


@dataclass(frozen=True)
class HotKey:
    """The busiest partition-key value of the table or of one index."""

    where: str  # "table" or an index name
    attribute: str
    value: str
    items: int
    total: int
    partitions: int  # distinct partition-key values
    hot: bool

    @property
    def share(self) -> float:
        return self.items / self.total

    def text(self) -> str:
        verdict = "HOT" if self.hot else "ok"
        return (
            f"{self.where}: {self.attribute} = {self.value!r} holds {self.items} of {self.total} "
            f"items ({self.share:.0%}, {self.partitions} key values) - {verdict}"
        )


@dataclass(frozen=True)
class Load:
    """A stated write load: so many writes per second of one kind of record.

    Args:
        record_set: the records written (each write puts one record's items).
        per_second: writes per second, in total.
        where: which records the writes go to (default: all of the set, evenly).
        weight: how often each record is written, relative to the others (default: evenly).
        description: the load as the product states it.
    """

    record_set: str
    per_second: float
    where: Mapping[str, Any] = field(default_factory=dict)
    weight: Callable[[Mapping[str, Any]], float] | None = None
    description: str = ""


@dataclass(frozen=True)
class KeyLoad:
    """The write units per second one partition-key value receives under the stated loads."""

    where: str  # "table" or an index name
    attribute: str
    value: str
    units_per_second: float
    limit: float

    @property
    def hot(self) -> bool:
        return self.units_per_second > self.limit

    def text(self) -> str:
        verdict = "HOT" if self.hot else "ok"
        return (
            f"{self.where}: {self.attribute} = {self.value!r} takes "
            f"{self.units_per_second:,.0f} WCU/s of a partition's {self.limit:,.0f} - {verdict}"
        )


def _write_loads(model: Model, data: Data, loads: Sequence[Load]) -> list[KeyLoad]:
    """The busiest partition-key value of the table and of each GSI under ``loads``."""
    rates: dict[tuple[str, str], dict[str, float]] = {}
    places = [("table", model.partition_key)] + [
        (i.name, i.partition_key) for i in model.indexes if not i.local
    ]
    for load in loads:
        records = data.where(load.record_set, **load.where)
        weights = [load.weight(r) if load.weight else 1.0 for r in records]
        total = sum(weights)
        if not records or total <= 0:
            continue
        for record, weight in zip(records, weights, strict=True):
            per_second = load.per_second * weight / total
            for entity in model.entities:
                if entity.record_set != load.record_set:
                    continue
                item = entity.item(record, model.type_attribute)
                units = capacity.write_units(capacity.item_size(item))
                for where, attribute in places:
                    if attribute in item:
                        bucket = rates.setdefault((where, attribute), {})
                        key = str(item[attribute])
                        bucket[key] = bucket.get(key, 0.0) + per_second * units
    found = []
    for (where, attribute), bucket in rates.items():
        value, rate = min(bucket.items(), key=lambda kv: (-kv[1], kv[0]))
        found.append(
            KeyLoad(where, attribute, value, round(rate, 1), facts.PARTITION_MAX_WRITE_UNITS)
        )
    order = {where: n for n, (where, _) in enumerate(places)}
    return sorted(found, key=lambda k: order[k.where])


# --- Access patterns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessPattern:
    """One thing the application must read, and how to tell a right answer.

    The implementation is ``fn(table, **case)`` (``table`` is a boto3 resource Table) returning
    the items (a list, a generator, a single item or None). With ``page_size`` set, the pattern
    is an app-level paginated read: ``fn(table, **case, limit=page_size, cursor=None)`` returns
    ``(items, next_cursor)`` and the verifier keeps calling with the cursor until it is None.

    Args:
        name: the name of the function that implements it.
        description: what it reads, as the product describes it.
        cases: the arguments of each trial.
        expected: ``expected(data, **case)`` → the records a right answer returns.
        ordered: whether the order of the answer matters (it must match ``expected``'s order).
        max_read_units: the most read units one case may use, if there is a budget.
        page_size: for app-level pagination (see above).
    """

    name: str
    description: str
    cases: Sequence[Mapping[str, Any]]
    expected: Callable[..., Sequence[Record]]
    ordered: bool = False
    max_read_units: float | None = None
    page_size: int | None = None


@dataclass
class _Call:
    operation: str
    params: dict[str, Any]
    response: dict[str, Any] | None = None
    #: the verifier set its small page size (the function asked for no Limit of its own)
    paged_by_verifier: bool = False


@dataclass(repr=False)
class CaseResult(TextShown):
    """One trial of one access pattern."""

    args: dict[str, Any]
    operations: list[str] = field(default_factory=list)
    #: every call the function made: (operation, the parameters it sent)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    pages: int = 0  # Query/Scan pages read
    pages_missed: int = 0  # pages announced by LastEvaluatedKey and never read
    read_units: float = 0.0
    returned: int = 0
    missing: list[tuple[Any, ...]] = field(default_factory=list)
    unexpected: list[tuple[Any, ...]] = field(default_factory=list)
    order_ok: bool = True
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def queries(self) -> int:
        """Queries started (pages that continue one, with ExclusiveStartKey, are not counted)."""
        return sum(op == "Query" and "ExclusiveStartKey" not in p for op, p in self.calls)

    def text(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.args.items())
        verdict = "ok" if self.passed else "; ".join(self.problems)
        return (
            f"({args}) {'+'.join(dict.fromkeys(self.operations)) or 'no calls'}, "
            f"{self.pages} page(s), {_units(self.read_units)} RRU: {verdict}"
        )


@dataclass(repr=False)
class PatternResult(TextShown):
    """Every trial of one access pattern."""

    pattern: AccessPattern
    cases: list[CaseResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # pattern-wide (no implementation...)

    @property
    def name(self) -> str:
        return self.pattern.name

    @property
    def passed(self) -> bool:
        return not self.problems and all(c.passed for c in self.cases)

    @property
    def operations(self) -> list[str]:
        return list(dict.fromkeys(op for c in self.cases for op in c.operations))

    @property
    def read_units(self) -> float:
        """The most read units one case used."""
        return max((c.read_units for c in self.cases), default=0.0)

    @property
    def pages(self) -> int:
        return sum(c.pages for c in self.cases)

    def all_problems(self) -> list[str]:
        found = list(self.problems)
        for case in self.cases:
            args = ", ".join(f"{k}={v!r}" for k, v in case.args.items())
            found.extend(f"{self.name}({args}): {p}" for p in case.problems)
        return list(dict.fromkeys(found))

    def text(self) -> str:
        head = f"{'PASS' if self.passed else 'FAIL'} {self.name} - {self.pattern.description}"
        lines = [head, *(f"    {p}" for p in self.problems)]
        lines += [f"    {c.text()}" for c in self.cases]
        return "\n".join(lines)


@dataclass(repr=False)
class VerificationReport(TextShown):
    """What :func:`verify` found: one row per access pattern, and the hot-key check."""

    model: Model
    patterns: list[PatternResult]
    hot_keys: list[HotKey]
    items: int
    key_loads: list[KeyLoad] = field(default_factory=list)
    extra_problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems()

    def pattern(self, name: str) -> PatternResult:
        for result in self.patterns:
            if result.name == name:
                return result
        raise KeyError(name)

    def problems(self) -> list[str]:
        """Every problem found, one sentence each."""
        found = [p for result in self.patterns for p in result.all_problems()]
        found += [
            f"hot partition key: {h.text()}; spread it (add an identifying field or a shard "
            "suffix to the key)"
            for h in self.hot_keys
            if h.hot
        ]
        found += [
            f"hot partition key under the stated load: {k.text()}; spread the writes (a shard "
            "suffix on the key) so no key value takes more than a partition can serve"
            for k in self.key_loads
            if k.hot
        ]
        return found + list(self.extra_problems)

    def rows(self) -> list[dict[str, Any]]:
        """One summary row per pattern (for a DataFrame)."""
        return [
            {
                "pattern": r.name,
                "result": "PASS" if r.passed else "FAIL",
                "operations": "+".join(r.operations) or "-",
                "no scan": "Scan" not in r.operations,
                "right items": all(not c.missing and not c.unexpected for c in r.cases)
                and bool(r.cases),
                "in order": all(c.order_ok for c in r.cases) if r.pattern.ordered else None,
                "pages": r.pages,
                "pages missed": sum(c.pages_missed for c in r.cases),
                "max RRU": r.read_units,
            }
            for r in self.patterns
        ]

    def text(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        passed = sum(p.passed for p in self.patterns)
        lines = [
            f"{verdict}: {self.model.table}, {self.items} items, "
            f"{passed}/{len(self.patterns)} access patterns right"
        ]
        header = f"  {'pattern':<24} {'result':<6} {'operations':<22} {'pages':>5} {'max RRU':>8}"
        lines.append(header)
        for r in self.patterns:
            lines.append(
                f"  {r.name:<24} {'PASS' if r.passed else 'FAIL':<6} "
                f"{'+'.join(r.operations) or '-':<22} {r.pages:>5} {_units(r.read_units):>8}"
            )
        lines.append("  partition keys:")
        lines += [f"    {h.text()}" for h in self.hot_keys]
        if self.key_loads:
            lines.append("  under the stated load:")
            lines += [f"    {k.text()}" for k in self.key_loads]
        problems = self.problems()
        if problems:
            lines.append("  problems:")
            lines += [f"    - {p}" for p in problems]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


# --- Verification ---------------------------------------------------------------------------------


class _Recorder:
    """Records the calls (and responses) made through a boto3 client while it is on."""

    def __init__(self, clients: Iterable[Any], page_items: int | None) -> None:
        self.clients = list(dict.fromkeys(clients))
        self.page_items = page_items
        self.calls: list[_Call] = []
        self.on = False

    def _before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if not self.on:
            return
        if len(self.calls) >= MAX_CALLS_PER_CASE:
            raise _TooManyCalls
        if (
            self.page_items
            and model.name in ("Query", "Scan")
            and "Limit" not in params
            and params.get("Select") != "COUNT"
        ):
            params["Limit"] = self.page_items
            self.calls.append(_Call(model.name, dict(params), paged_by_verifier=True))
            return
        self.calls.append(_Call(model.name, dict(params)))

    def _after(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if self.on and self.calls and self.calls[-1].operation == model.name:
            self.calls[-1].response = parsed

    @contextmanager
    def recording(self) -> Iterator[None]:
        for client in self.clients:
            # before-parameter-build sees what the call really sends (the resource API copies the
            # parameters after provide-client-params, which would drop the page limit).
            client.meta.events.register("before-parameter-build.dynamodb", self._before)
            client.meta.events.register("after-call.dynamodb", self._after)
        self.calls = []
        self.on = True
        try:
            yield
        finally:
            self.on = False
            for client in self.clients:
                client.meta.events.unregister("before-parameter-build.dynamodb", self._before)
                client.meta.events.unregister("after-call.dynamodb", self._after)


_DESERIALIZER: Final = TypeDeserializer()


def _plain_key(key: Any) -> Any:
    """A key in one form, whether it is in the wire format or the resource API's."""
    if not isinstance(key, Mapping):
        return key
    plain = {}
    for name, value in key.items():
        if isinstance(value, Mapping) and len(value) == 1 and next(iter(value)) in ("S", "N", "B"):
            value = _DESERIALIZER.deserialize(dict(value))
        plain[name] = value
    return plain


def _pages(calls: Sequence[_Call]) -> tuple[int, int]:
    """(pages read, pages announced by a LastEvaluatedKey that no later call continued from).

    A call with a Limit of the function's own (the newest reading, the top ten) may stop early:
    only pages the function did not limit itself must be followed to the end.
    """
    read = missed = 0
    for position, call in enumerate(calls):
        if call.operation not in ("Query", "Scan"):
            continue
        read += 1
        last = (call.response or {}).get("LastEvaluatedKey")
        if not last or not call.paged_by_verifier:
            continue
        followed = any(
            later.operation == call.operation
            and _plain_key(later.params.get("ExclusiveStartKey")) == _plain_key(last)
            for later in calls[position + 1 :]
        )
        missed += not followed
    return read, missed


def _as_items(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, str | bytes):
        raise TypeError(f"returned a {type(value).__name__}, not items")
    return list(value)


def _implementation(implementations: Any, name: str) -> Callable[..., Any] | None:
    if isinstance(implementations, Mapping):
        found = implementations.get(name)
    else:
        found = getattr(implementations, name, None)
    return found if callable(found) else None


class _Verifier:
    def __init__(
        self, model: Model, data: Data, lab: Any, table: Any, page_items: int | None
    ) -> None:
        self.model = model
        self.data = data
        self.lab = lab
        self.table = table
        self.recorder = _Recorder([table.meta.client, lab.client], page_items)

    def identify(self, item: Any) -> tuple[Any, ...] | str:
        """The record an item stands for, or why it cannot tell."""
        if not isinstance(item, Mapping):
            return f"returned {type(item).__name__} {item!r:.60}, not an item (a dict)"
        if "Item" in item and isinstance(item["Item"], Mapping):
            return "returned the whole GetItem response; return response['Item']"
        kind = item.get(self.model.type_attribute)
        try:
            entity = self.model.entity(str(kind))
        except KeyError:
            return (
                f"an item without a known {self.model.type_attribute!r} attribute (it has only "
                f"{', '.join(sorted(item)[:6])}): a KEYS_ONLY or narrow index projection leaves "
                "attributes out; fetch the whole item (GetItem) or project what you need"
            )
        source = entity.record_set
        fields = self.data.identity[source]
        absent = [f for f in fields if f not in item]
        if absent:
            return (
                f"a {entity.name} item lacks {absent}: a KEYS_ONLY or narrow projection left "
                "them out; fetch the item or project them"
            )
        return (source, *(item[f] for f in fields))

    def run_case(
        self, pattern: AccessPattern, fn: Callable[..., Any], case: Mapping[str, Any]
    ) -> CaseResult:
        result = CaseResult(dict(case))
        got: list[Any] = []
        with self.lab.receipt() as receipt, self.recorder.recording():
            try:
                if pattern.page_size is None:
                    got = _as_items(fn(self.table, **case))
                else:
                    got = self._paged(pattern, fn, case, result)
            except NotImplementedError:
                raise  # not written yet: not a design problem, the caller says so
            except _TooManyCalls:
                result.problems.append(
                    f"stopped after {MAX_CALLS_PER_CASE} calls: does a paging loop never end?"
                )
            except ClientError as error:
                info = error.response.get("Error", {})
                result.problems.append(
                    f"raised {info.get('Code', 'ClientError')}: {info.get('Message', '')}"
                )
            except Exception as error:  # the learner's code: report, never crash the verifier
                result.problems.append(f"raised {type(error).__name__}: {error}")
        calls = self.recorder.calls
        result.operations = [c.operation for c in calls]
        result.calls = [(c.operation, c.params) for c in calls]
        # without the lab's metering (an endpoint or AWS backend) the units are unknown
        result.read_units = round(receipt.read_units, 2) if receipt.available else math.nan
        result.pages, result.pages_missed = _pages(calls)
        self._judge_reads(pattern, result)
        if not result.problems or got:
            self._judge_items(pattern, case, got, result)
        return result

    def _paged(
        self,
        pattern: AccessPattern,
        fn: Callable[..., Any],
        case: Mapping[str, Any],
        result: CaseResult,
    ) -> list[Any]:
        size = pattern.page_size or 1
        got: list[Any] = []
        cursor: Any = None
        for _ in range(MAX_CALLS_PER_CASE):
            answer = fn(self.table, **case, limit=size, cursor=cursor)
            if not (isinstance(answer, tuple) and len(answer) == 2):
                raise TypeError("a paginated pattern returns (items, next_cursor)")
            page, cursor = _as_items(answer[0]), answer[1]
            if len(page) > size:
                result.problems.append(f"a page held {len(page)} items; the limit was {size}")
            got.extend(page)
            if cursor is None:
                return got
        raise _TooManyCalls

    def _judge_reads(self, pattern: AccessPattern, result: CaseResult) -> None:
        ops = set(result.operations)
        if "Scan" in ops:
            result.problems.append("used a Scan: an access pattern must read with Query or GetItem")
        other = sorted(ops - ALLOWED_READS - {"Scan"})
        if other:
            result.problems.append(f"made {', '.join(other)} call(s); an access pattern only reads")
        if result.pages_missed:
            result.problems.append(
                f"stopped at a LastEvaluatedKey: {result.pages_missed} response(s) announced more "
                "results that no later call read (pass it as ExclusiveStartKey)"
            )
        if (
            pattern.max_read_units is not None
            and not math.isnan(result.read_units)
            and result.read_units > pattern.max_read_units
        ):
            result.problems.append(
                f"used {result.read_units:g} read units; the budget is {pattern.max_read_units:g}"
            )

    def _judge_items(
        self, pattern: AccessPattern, case: Mapping[str, Any], got: list[Any], result: CaseResult
    ) -> None:
        expected = [self.data.key_of(r) for r in pattern.expected(self.data, **case)]
        found: list[tuple[Any, ...]] = []
        for item in got:
            identity = self.identify(item)
            if isinstance(identity, str):
                result.problems.append(identity)
                return
            found.append(identity)
        result.returned = len(found)
        want, have = Counter(expected), Counter(found)
        result.missing = sorted((want - have).elements(), key=repr)
        result.unexpected = sorted((have - want).elements(), key=repr)
        if result.missing:
            result.problems.append(
                f"missed {len(result.missing)} of {len(expected)} item(s), e.g. "
                f"{_record_text(result.missing[0])}"
            )
        if result.unexpected:
            result.problems.append(
                f"returned {len(result.unexpected)} item(s) it should not, e.g. "
                f"{_record_text(result.unexpected[0])}"
            )
        if pattern.ordered and not result.missing and not result.unexpected and found != expected:
            result.order_ok = False
            result.problems.append("right items, wrong order")


def _units(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:g}"


def _record_text(key: tuple[Any, ...]) -> str:
    kind, *values = key
    return f"{kind} {', '.join(str(v) for v in values)}"


def verify(
    model: Model,
    patterns: Sequence[AccessPattern],
    implementations: Any,
    data: Data,
    *,
    lab: Any,
    page_items: int | None = DEFAULT_PAGE_ITEMS,
    hot_share: float = DEFAULT_HOT_SHARE,
    loads: Sequence[Load] = (),
    keep_table: bool = False,
) -> VerificationReport:
    """Build ``model`` in ``lab``, seed it with ``data`` and judge every access pattern.

    The table is created under the model's name plus ``-verify`` (any table of the model's own
    name is left alone) and deleted afterwards unless ``keep_table``. A function that raises is
    reported as a problem of its pattern, except NotImplementedError (a function not written
    yet), which propagates.

    Args:
        model: the design.
        patterns: what the application reads.
        implementations: the functions, by pattern name: a dict, a module, a class or an object
            with one attribute per pattern.
        data: the records to seed.
        lab: the lab to build it in.
        page_items: items per Query/Scan page while verifying (None: DynamoDB's own 1 MB pages).
        hot_share: the share of a table's items one key value may hold before it is hot.
        loads: stated write loads; a partition-key value that would take more write units per
            second than one partition serves (``facts.PARTITION_MAX_WRITE_UNITS``) is hot.
        keep_table: leave the seeded table in place (to explore it).
    """
    name = f"{model.table}-verify"
    client = lab.client
    try:
        client.delete_table(TableName=name)
        client.get_waiter("table_not_exists").wait(
            TableName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 200}
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
    items = model.items(data)
    model.create(client, name)
    table = lab.table(name)
    try:
        with table.batch_writer() as batch:
            for item in items:
                batch.put_item(Item=item)
        verifier = _Verifier(model, data, lab, table, page_items)
        results = []
        for pattern in patterns:
            result = PatternResult(pattern)
            fn = _implementation(implementations, pattern.name)
            if fn is None:
                result.problems.append(f"no function named {pattern.name}")
            else:
                result.cases = [verifier.run_case(pattern, fn, case) for case in pattern.cases]
            results.append(result)
    finally:
        if not keep_table:
            client.delete_table(TableName=name)
    notes = []
    if getattr(lab, "engine", None) is None:
        notes.append(
            "read units are not measured on this backend (only the lab's own engine meters "
            "calls): read-unit budgets were not checked"
        )
    return VerificationReport(
        model,
        results,
        model.hot_keys(items, hot_share),
        len(items),
        key_loads=_write_loads(model, data, loads),
        notes=notes,
    )


# The course's example models, reachable as ``modeling.social`` and ``modeling.orders``, and the
# aggregate view (they build on the names above).
from ddb_lab.modeling import orders, picture, social  # noqa: E402
