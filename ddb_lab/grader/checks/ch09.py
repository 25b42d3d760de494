"""Checks for chapter 9 (exercises/09_monitoring_and_troubleshooting.ipynb).

Each check re-runs the chapter's incident in its own lab, on simulated time with throttling on,
with the learner's fix plugged in (a key design, an item design, a retry loop, an update, a set of
alarms), and judges the result by the metrics the lab records under CloudWatch's names: the
throttles must be gone, the latency within budget, the user errors at zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.config import Config
from botocore.exceptions import ClientError

from ddb_lab import capacity, facts
from ddb_lab.grader.checks import check_for
from ddb_lab.grader.context import CheckContext, Failure

Learner = Callable[..., Any]

_KEYS = {
    "KeySchema": [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ],
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
    ],
}


def _short(value: Any, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _provisioned_table(ctx: CheckContext, name: str, read: int, write: int, **keys: Any) -> None:
    ctx.client.create_table(
        TableName=name,
        ProvisionedThroughput={"ReadCapacityUnits": read, "WriteCapacityUnits": write},
        **(keys or _KEYS),
    )


def _paced(ctx: CheckContext, count: int, rate: float) -> Any:
    """Yield 0 .. count-1, the n-th at lab time start + n / rate (never earlier)."""
    clock = ctx.lab.clock
    start = clock.now()
    for n in range(count):
        due = start + n / rate
        if clock.now() < due:
            clock.sleep(due - clock.now())
        yield n


def _total(ctx: CheckContext, metric: str, table: str, operation: str | None = None) -> float:
    totals = ctx.lab.metrics.totals(table) if operation is None else {}
    if operation is None:
        return float(totals.get(metric, 0.0))
    answer = ctx.lab.metrics.get_metric_statistics(
        MetricName=metric,
        Dimensions={"TableName": table, "Operation": operation},
        Statistics=["Sum"],
    )
    return float(sum(p["Sum"] for p in answer["Datapoints"]))


# --- 09.hot_key ----------------------------------------------------------------------------------

_READINGS = "Readings"
_DEVICE = "DEVICE#hub-7"
_READING_RATE = 50  # writes per second, each of _READING_BYTES: 1,200 WCU/s on one device
_READING_SECONDS = 40
_READING_BYTES = 24 * 1024
_MAX_SHARDS = 64


@check_for("09.hot_key")
def hot_key(function: Learner, ctx: CheckContext) -> None:
    ids = [f"r{n:05d}" for n in range(_READING_RATE * _READING_SECONDS)]
    keys = [ctx.call(function, _DEVICE, reading) for reading in ids]
    bad = next((k for k in keys if not isinstance(k, str) or not k), None)
    if bad is not None:
        raise Failure("reading_key should return the partition key (a non-empty str).", got=bad)
    strays = sorted({k for k in keys if not k.startswith(_DEVICE)})
    if strays:
        raise Failure(
            f"Every key of a device must start with the device id, so that a reader can find its "
            f"readings: {_DEVICE}#0, {_DEVICE}#1, ...",
            got=_short(strays[:3]),
        )
    again = [ctx.call(function, _DEVICE, reading) for reading in ids[:200]]
    if again != keys[:200]:
        raise Failure(
            "The same reading got a different key the second time: nobody could read it back.",
            advice="Derive the suffix from the reading id with a stable hash (not random()).",
        )
    distinct = len(set(keys))
    if distinct > _MAX_SHARDS:
        raise Failure(
            f"Your keys spread one device over {distinct} partition keys: reading its latest "
            f"readings back would take {distinct} queries.",
            advice=f"A handful of shards is enough (at most {_MAX_SHARDS}); compute how many the "
            "write rate needs.",
        )
    _provisioned_table(ctx, _READINGS, 100, 3_000)
    ctx.lab.enable_throttling()
    body = "x" * (_READING_BYTES - 100)
    for n in _paced(ctx, len(ids), _READING_RATE):
        item = {"pk": {"S": keys[n]}, "sk": {"S": ids[n]}, "body": {"S": body}}
        try:
            ctx.client.put_item(TableName=_READINGS, Item=item)
        except ClientError:
            pass  # counted in the metrics below
    throttled = _total(ctx, "ThrottledRequests", _READINGS)
    if throttled:
        busiest = max(keys.count(k) for k in set(keys)) / len(keys)
        raise Failure(
            f"The incident is not fixed: {throttled:.0f} PutItem requests were still throttled "
            f"({distinct} partition key(s); the busiest takes {busiest:.0%} of the writes).",
            expected="ThrottledRequests = 0",
            got=f"ThrottledRequests = {throttled:.0f}",
            advice=f"One partition serves at most {facts.PARTITION_MAX_WRITE_UNITS:,} WCU/s and "
            f"the device writes about {_READING_RATE * _READING_BYTES // facts.WRITE_UNIT_BYTES:,}"
            ": spread it over enough shards that no partition gets more than its share.",
        )


# --- 09.large_items ------------------------------------------------------------------------------

_PROFILES = "Profiles"
_USER = "USER#u42"
_PROFILE_RATE = 40  # display reads per second
_PROFILE_SECONDS = 30
_LATENCY_BUDGET_MS = 4.0


def _big_profile() -> dict[str, Any]:
    return {
        "pk": _USER,
        "sk": "PROFILE",
        "name": "Ada",
        "avatar_url": "https://img.example.com/u42.png",
        "bio": "Writes about distributed systems.",
        "history": [f"{n:05d} viewed post p{n * 7 % 1000:04d} " + "." * 160 for n in range(1_000)],
        "preferences": {"theme": "dark", "language": "en", "digest": "weekly"},
    }


def _attribute_kept(name: str, value: Any, items: Sequence[Mapping[str, Any]]) -> bool:
    """The attribute is in some item unchanged, or, for a list, split over items in order."""
    if any(item.get(name) == value for item in items):
        return True
    if isinstance(value, list):
        pieces = [item[name] for item in items if isinstance(item.get(name), list)]
        return [v for piece in pieces for v in piece] == value
    return False


@check_for("09.large_items")
def large_items(function: Learner, ctx: CheckContext) -> None:
    profile = _big_profile()
    items = ctx.call(function, dict(profile))
    if not isinstance(items, list | tuple) or not all(isinstance(i, dict) for i in items):
        raise Failure("split_profile should return a list of items (dicts).", got=_short(items))
    items = sorted(items, key=lambda item: str(item.get("sk")))
    if any(item.get("pk") != _USER for item in items):
        raise Failure(
            f"Every item must stay in the user's partition (pk = {_USER!r}), so that one Query "
            "reads the whole profile back.",
            got=_short([i.get("pk") for i in items]),
        )
    heads = [item for item in items if item.get("sk") == "PROFILE"]
    if len(heads) != 1:
        raise Failure(
            "Exactly one item must keep sk = 'PROFILE': it is what the profile page reads.",
            got=_short([i.get("sk") for i in items]),
        )
    head = heads[0]
    if head.get("name") != profile["name"] or head.get("avatar_url") != profile["avatar_url"]:
        raise Failure("The PROFILE item must keep name and avatar_url: the page shows them.")
    if len({str(i.get("sk")) for i in items}) != len(items):
        raise Failure(
            "Two of your items have the same key (pk, sk): one would overwrite the other."
        )
    for name, value in profile.items():
        if name not in ("pk", "sk") and not _attribute_kept(name, value, items):
            raise Failure(
                f"The attribute {name!r} is lost (or changed) in your items: splitting must keep "
                "every attribute.",
            )
    size = capacity.item_size(head)
    if size > facts.READ_UNIT_BYTES:
        raise Failure(
            f"The PROFILE item is still {size:,} bytes: every display read costs "
            f"{capacity.read_units(size, 'eventual')} read units.",
            expected=f"at most {facts.READ_UNIT_BYTES:,} bytes (one read block)",
            got=f"{size:,} bytes",
            advice="Move the large, rarely shown attributes (the history) to other items of the "
            "same partition.",
        )
    _provisioned_table(ctx, _PROFILES, 200, 400)
    with ctx.table(_PROFILES).batch_writer() as batch:
        for item in items:
            batch.put_item(Item=item)
    ctx.lab.enable_throttling()
    start = ctx.lab.clock.now()
    for _ in _paced(ctx, _PROFILE_RATE * _PROFILE_SECONDS, _PROFILE_RATE):
        try:
            ctx.client.get_item(
                TableName=_PROFILES,
                Key={"pk": {"S": _USER}, "sk": {"S": "PROFILE"}},
                ProjectionExpression="#n, avatar_url",
                ExpressionAttributeNames={"#n": "name"},
            )
        except ClientError:
            pass
    metrics = ctx.lab.metrics
    throttled = _total(ctx, "ThrottledRequests", _PROFILES)
    latency = metrics.get_metric_statistics(
        MetricName="SuccessfulRequestLatency",
        Dimensions={"TableName": _PROFILES, "Operation": "GetItem"},
        StartTime=start,
        Period=3_600,
        Statistics=["Average"],
    )["Datapoints"]
    average = latency[0]["Average"] if latency else math.inf
    if throttled or average > _LATENCY_BUDGET_MS:
        raise Failure(
            f"Re-running the profile page traffic: {throttled:.0f} reads throttled, average "
            f"GetItem latency {average:.1f} ms.",
            expected=f"no throttles, latency within {_LATENCY_BUDGET_MS} ms",
        )
    back = ctx.table(_PROFILES).query(KeyConditionExpression=Key("pk").eq(_USER))["Items"]
    if len(back) != len(items):
        raise Failure("Not all of your items could be read back with one Query of the partition.")


# --- 09.batch_retries ----------------------------------------------------------------------------

_IMPORT = "Imports"
_IMPORT_ITEMS = 600
_IMPORT_WCU = 25
#: Most BatchWriteItem requests a well-behaved import needs here (the least is 24).
_IMPORT_MAX_REQUESTS = 150


def _import_items() -> list[dict[str, Any]]:
    return [
        {"pk": f"ROW#{n:04d}", "sk": "v1", "amount": Decimal(n), "note": "y" * 800}
        for n in range(_IMPORT_ITEMS)
    ]


@check_for("09.batch_retries")
def batch_retries(function: Learner, ctx: CheckContext) -> None:
    _provisioned_table(ctx, _IMPORT, 5, _IMPORT_WCU)
    ctx.lab.enable_throttling()
    client = ctx.lab.new_client(config=Config(retries={"mode": "standard", "max_attempts": 10}))
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        seconds = max(0.0, float(seconds))
        slept.append(seconds)
        ctx.lab.clock.sleep(seconds)

    items = _import_items()
    ctx.call(function, client, _IMPORT, [dict(i) for i in items], sleep)
    ctx.lab.enable_throttling(False)  # count what was stored without throttling the count
    stored = ctx.table(_IMPORT).scan(Select="COUNT")["Count"]
    events = _total(ctx, "WriteThrottleEvents", _IMPORT)
    batches = ctx.lab.metrics.get_metric_statistics(
        MetricName="SuccessfulRequestLatency",
        Dimensions={"TableName": _IMPORT, "Operation": "BatchWriteItem"},
        Period=3_600,
        Statistics=["SampleCount"],
    )["Datapoints"]
    sent = sum(p["SampleCount"] for p in batches) + _total(
        ctx, "ThrottledRequests", _IMPORT, "BatchWriteItem"
    )
    if not batches:
        raise Failure(
            "Your function wrote nothing with BatchWriteItem.",
            advice=f"Send the items {facts.BATCH_WRITE_MAX_ITEMS} at a time with "
            "client.batch_write_item(RequestItems=...).",
        )
    if stored != len(items):
        raise Failure(
            f"Only {stored} of the {len(items)} items were stored: the import lost data. The "
            f"dashboard shows {events:.0f} WriteThrottleEvents — items DynamoDB returned as "
            "UnprocessedItems.",
            expected=f"{len(items)} items",
            got=f"{stored} items",
            advice="After each batch_write_item, send response['UnprocessedItems'] again until it "
            "is empty.",
        )
    if not slept or sent > _IMPORT_MAX_REQUESTS:
        raise Failure(
            f"Every item arrived, but your import sent {sent:.0f} BatchWriteItem requests"
            f"{' and never slept' if not slept else ''}: retrying unprocessed items at once "
            "hammers a table that is already out of capacity.",
            expected=f"at most {_IMPORT_MAX_REQUESTS} requests, with back-off between retries",
            advice="Before re-sending unprocessed items, sleep(delay) and double the delay each "
            "time (with jitter); reset it after a batch that went through whole.",
        )


# --- 09.user_errors ------------------------------------------------------------------------------

_ORDERS = "Orders"
_ORDER_IDS = [f"o{n:03d}" for n in range(20)]
_MISSING_IDS = ["o900", "o901", "o902"]


@check_for("09.user_errors")
def user_errors(function: Learner, ctx: CheckContext) -> None:
    ctx.client.create_table(
        TableName=_ORDERS,
        KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    table = ctx.table(_ORDERS)
    for order_id in _ORDER_IDS:
        table.put_item(Item={"order_id": order_id, "status": "PLACED", "total": Decimal(12)})
    before = ctx.lab.metrics.totals(_ORDERS).get("UserErrors", 0.0)
    results = {}
    for order_id in _ORDER_IDS + _MISSING_IDS:
        results[order_id] = ctx.call(function, table, order_id)
    totals = ctx.lab.metrics.totals(_ORDERS)
    user_errors = totals.get("UserErrors", 0.0) - before
    if user_errors:
        raise Failure(
            f"Your updates caused {user_errors:.0f} UserErrors (HTTP 400 ValidationException).",
            expected="UserErrors = 0",
            advice="`status` is a reserved word: write `SET #s = :s` with "
            "ExpressionAttributeNames={'#s': 'status'}.",
        )
    if "GetItem" in ctx.operations() or "Query" in ctx.operations():
        raise Failure(
            "Your function reads the order before updating it: two requests, and another writer "
            "can slip in between them.",
            advice="Let the update check existence itself: ConditionExpression="
            "'attribute_exists(order_id)'.",
        )
    stored = {i["order_id"]: i for i in table.scan()["Items"]}
    phantoms = sorted(set(stored) - set(_ORDER_IDS))
    if phantoms:
        raise Failure(
            f"Updating orders that do not exist created them: {phantoms} are now in the table "
            "(UpdateItem writes the item if it is missing).",
            advice="Add ConditionExpression='attribute_exists(order_id)'.",
        )
    unshipped = sorted(i for i in _ORDER_IDS if stored[i].get("status") != "SHIPPED")
    if unshipped:
        raise Failure(
            f"These orders are not marked SHIPPED: {unshipped[:5]}.",
            expected="status = 'SHIPPED'",
            got=_short(stored[unshipped[0]].get("status")),
        )
    wrong = {k: v for k, v in results.items() if v is not (k in _ORDER_IDS)}
    if wrong:
        raise Failure(
            "mark_shipped should return True for an order it marked and False for one that does "
            "not exist.",
            got=_short(dict(sorted(wrong.items())[:4])),
            advice="Catch table.meta.client.exceptions.ConditionalCheckFailedException "
            "and return False.",
        )
    failed = totals.get("ConditionalCheckFailedRequests", 0.0)
    if failed != len(_MISSING_IDS):
        raise Failure(
            "The missing orders should show up as ConditionalCheckFailedRequests (one each).",
            expected=len(_MISSING_IDS),
            got=failed,
        )


# --- 09.alarms -----------------------------------------------------------------------------------

_ALARMED = "Orders"
_ALARM_SECONDS = 180
_ALARM_ITEM_BYTES = 10 * 1024  # 10 WCU per write
_ALARM_WCU = 100
_HEALTHY_RATE = 6  # 60 WCU/s: 60 % of the table
_OVERLOAD_RATE = 15  # 150 WCU/s: more than the table has
_ALARM_KEYS = frozenset(
    {"MetricName", "Dimensions", "Statistic", "ExtendedStatistic", "Period", "EvaluationPeriods",
     "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData", "Namespace",
     "AlarmName", "AlarmDescription", "Unit", "ActionsEnabled", "AlarmActions", "OKActions",
     "InsufficientDataActions"}
)  # fmt: skip


def _scenario(ctx: CheckContext, rate: int, bad_updates_per_second: int = 0) -> None:
    """Three minutes of order writes on a fresh Orders table (and, optionally, a buggy update)."""
    ctx.lab.reset()
    _provisioned_table(ctx, _ALARMED, 100, _ALARM_WCU)
    ctx.lab.enable_throttling()
    body = "z" * (_ALARM_ITEM_BYTES - 100)
    client = ctx.lab.new_client(config=Config(retries={"mode": "standard", "max_attempts": 3}))
    for n in _paced(ctx, rate * _ALARM_SECONDS, rate):
        try:
            client.put_item(
                TableName=_ALARMED,
                Item={"pk": {"S": f"ORDER#{n:05d}"}, "sk": {"S": "v1"}, "body": {"S": body}},
            )
        except ClientError:
            pass
        if bad_updates_per_second and n % rate < bad_updates_per_second:
            try:  # the deploy's bug: a reserved word
                client.update_item(
                    TableName=_ALARMED,
                    Key={"pk": {"S": f"ORDER#{n:05d}"}, "sk": {"S": "v1"}},
                    UpdateExpression="SET status = :s",
                    ExpressionAttributeValues={":s": {"S": "SHIPPED"}},
                )
            except ClientError:
                pass


def _fired(ctx: CheckContext, alarms: list[dict[str, Any]]) -> list[str]:
    fired = []
    for n, alarm in enumerate(alarms):
        try:
            result = ctx.lab.metrics.evaluate_alarm(**alarm)
        except ValueError as error:
            raise Failure(
                f"Alarm {n + 1} ({alarm.get('MetricName')}) cannot be evaluated: {error}",
                got=_short(alarm),
            ) from None
        if result.fired:
            fired.append(str(alarm.get("AlarmName") or alarm.get("MetricName")))
    return fired


@check_for("09.alarms")
def alarms(function: Learner, ctx: CheckContext) -> None:
    answer = ctx.call(function, _ALARMED)
    if not isinstance(answer, list | tuple) or not answer:
        raise Failure("table_alarms should return a list of alarm definitions (dicts).", got=answer)
    defined: list[dict[str, Any]] = []
    for alarm in answer:
        if not isinstance(alarm, dict) or "MetricName" not in alarm:
            raise Failure("Each alarm is a dict of put_metric_alarm arguments.", got=_short(alarm))
        unknown = sorted(set(alarm) - _ALARM_KEYS)
        if unknown:
            raise Failure(
                f"{unknown} are not put_metric_alarm arguments this lab evaluates.",
                got=_short(alarm),
            )
        defined.append(dict(alarm))
    scenarios = (
        ("healthy traffic (60 % of capacity)", _HEALTHY_RATE, 0, False),
        ("an overload (150 % of capacity)", _OVERLOAD_RATE, 0, True),
        ("a deploy with a bug (2 ValidationExceptions a second)", _HEALTHY_RATE, 2, True),
    )
    for what, rate, bad, should_fire in scenarios:
        _scenario(ctx, rate, bad)
        fired = _fired(ctx, defined)
        if should_fire and not fired:
            raise Failure(
                f"None of your alarms fired during {what}.",
                advice="Check each alarm's dimensions: ThrottledRequests exists only per TableName "
                "and Operation, UserErrors has no dimension at all, and WriteThrottleEvents is "
                "per TableName. An alarm on a dimension set DynamoDB does not publish never fires.",
            )
        if not should_fire and fired:
            raise Failure(
                f"During {what} these alarms fired: {fired}. A false alarm at 3 a.m. teaches "
                "people to ignore alarms.",
                advice="Set thresholds on what is wrong (throttles, errors, utilisation above "
                "about 80 %), not on normal traffic.",
            )
