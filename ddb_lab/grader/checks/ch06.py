"""Checks for chapter 6, streams, TTL and global tables (exercises/06_streams_ttl_global_tables).

Every stream check writes through the real API, reads the real stream into Lambda-shaped events
(``ddb_lab.streams.StreamProcessor``) and then hands those events to the learner's handler the
way Lambda may: in order, then a batch again (a retry), then everything again (a replay). A
handler is judged on what it leaves behind after all of that, and on how it got there (no
recounting with Scan or Query).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ddb_lab.grader.checks import check_for
from ddb_lab.grader.context import CheckContext, Failure
from ddb_lab.streams import StreamProcessor, parse_filters

Learner = Callable[..., Any]
Event = dict[str, Any]


# --- Shared set-up --------------------------------------------------------------------------------


def _table(
    ctx: CheckContext,
    name: str,
    sort_key: str | None = None,
    *,
    stream: bool = True,
    ttl: str | None = None,
) -> None:
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    definitions = [{"AttributeName": "pk", "AttributeType": "S"}]
    if sort_key:
        schema.append({"AttributeName": sort_key, "KeyType": "RANGE"})
        definitions.append({"AttributeName": sort_key, "AttributeType": "S"})
    extra: dict[str, Any] = {}
    if stream:
        extra["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        }
    ctx.client.create_table(
        TableName=name,
        KeySchema=schema,
        AttributeDefinitions=definitions,
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )
    if ttl:
        ctx.client.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl}
        )


def _events(ctx: CheckContext, table: str, batch_size: int, filters: Any = None) -> list[Event]:
    """The table's whole stream as the events Lambda would deliver, in order."""
    events: list[Event] = []
    StreamProcessor(
        ctx.lab, table, events.append, batch_size=batch_size, filters=filters, max_retries=0
    ).drain()
    return events


def _deliveries(events: list[Event]) -> list[tuple[str, list[Event]]]:
    """The schedule a check plays: every batch once, in order; then a replay of the whole
    stream (from TRIM_HORIZON) in which one batch is delivered twice in a row (a retry)."""
    middle = len(events) // 2
    replay = [*events[: middle + 1], events[middle], *events[middle + 1 :]]
    return [
        ("each batch was delivered once, in order", list(events)),
        ("the stream was replayed from TRIM_HORIZON with one batch retried", replay),
    ]


def _no_recount(ctx: CheckContext, what: str) -> None:
    reads = sorted({op for op in ctx.operations() if op in ("Scan", "Query")})
    if reads:
        raise Failure(
            f"The handler called {', '.join(reads)}: {what}",
            advice="Apply each record's own change (its keys and images are in the event); "
            "never re-read the table to rebuild the result.",
        )


# --- 06.like_counter ------------------------------------------------------------------------------


def _like_writes(ctx: CheckContext) -> None:
    client = ctx.client
    for post in ("POST#1", "POST#2", "POST#3"):
        client.put_item(TableName="Posts", Item={"pk": {"S": post}, "title": {"S": post}})
    for post, user in [
        ("POST#1", "u1"),
        ("POST#1", "u2"),
        ("POST#2", "u1"),
        ("POST#1", "u3"),
        ("POST#3", "u2"),
    ]:
        client.put_item(TableName="Likes", Item={"pk": {"S": post}, "sk": {"S": f"LIKE#{user}"}})
    client.update_item(  # a MODIFY: the like is still there, the count must not move
        TableName="Likes",
        Key={"pk": {"S": "POST#1"}, "sk": {"S": "LIKE#u1"}},
        UpdateExpression="SET seen = :t",
        ExpressionAttributeValues={":t": {"BOOL": True}},
    )
    client.delete_item(  # an unlike
        TableName="Likes", Key={"pk": {"S": "POST#3"}, "sk": {"S": "LIKE#u2"}}
    )


_LIKES_EXPECTED = {"POST#1": 3, "POST#2": 1, "POST#3": 0}


def _like_counts(ctx: CheckContext) -> dict[str, int | None]:
    counts: dict[str, int | None] = {}
    for post in _LIKES_EXPECTED:
        item = ctx.client.get_item(TableName="Posts", Key={"pk": {"S": post}}).get("Item", {})
        value = item.get("likes", {}).get("N")
        counts[post] = None if value is None else int(Decimal(value))
    return counts


@check_for("06.like_counter")
def like_counter(function: Learner, ctx: CheckContext) -> None:
    _table(ctx, "Posts", stream=False)
    _table(ctx, "Likes", "sk")
    _like_writes(ctx)
    events = _events(ctx, "Likes", batch_size=3)
    ctx.forget_calls()
    for step, (what, batches) in enumerate(_deliveries(events)):
        for event in batches:
            ctx.call(function, event, ctx.client)
        got = _like_counts(ctx)
        normalised = {post: count or 0 for post, count in got.items()}
        if normalised == _LIKES_EXPECTED:
            continue
        if step == 0:
            raise Failure(
                "After each batch was delivered once, the counts are wrong.",
                expected=_LIKES_EXPECTED,
                got=got,
                advice="INSERT of a like adds 1 to its post's `likes`, REMOVE subtracts 1, "
                "MODIFY changes nothing (UpdateItem with ADD likes :delta).",
            )
        raise Failure(
            f"The counts changed when {what}: the handler is not idempotent.",
            expected=_LIKES_EXPECTED,
            got=got,
            advice="Lambda delivers a record at least once. Remember each record's "
            "SequenceNumber in DynamoDB together with the count, in one transaction: a Put of "
            "a marker item with attribute_not_exists(pk) and the ADD; if the marker exists, "
            "skip the record.",
        )
    _no_recount(ctx, "recounting reads every like again on every batch.")


# --- 06.audit_log ---------------------------------------------------------------------------------


def _audit_writes(ctx: CheckContext) -> None:
    client = ctx.client
    now = int(ctx.lab.clock.now())
    client.put_item(TableName="Users", Item={"pk": {"S": "u1"}, "name": {"S": "Ana"}})
    client.put_item(
        TableName="Users",
        Item={"pk": {"S": "u2"}, "name": {"S": "Ben"}, "expires": {"N": str(now + 60)}},
    )
    client.update_item(
        TableName="Users",
        Key={"pk": {"S": "u1"}},
        UpdateExpression="SET #n = :n",
        ExpressionAttributeNames={"#n": "name"},
        ExpressionAttributeValues={":n": {"S": "Ana Lima"}},
    )
    client.put_item(TableName="Users", Item={"pk": {"S": "u3"}, "name": {"S": "Cy"}})
    client.delete_item(TableName="Users", Key={"pk": {"S": "u3"}})
    ctx.lab.clock.advance(120)
    ctx.lab.ttl.sweep()  # u2 expired: deleted by the service


def _expected_audit(events: list[Event]) -> dict[tuple[str, str], dict[str, Any]]:
    expected: dict[tuple[str, str], dict[str, Any]] = {}
    for event in events:
        for record in event["Records"]:
            body = record["dynamodb"]
            entry: dict[str, Any] = {
                "event": {"S": record["eventName"]},
                "actor": {"S": "ttl" if "userIdentity" in record else "user"},
            }
            if "OldImage" in body:
                entry["old"] = {"M": body["OldImage"]}
            if "NewImage" in body:
                entry["new"] = {"M": body["NewImage"]}
            expected[(f"USER#{body['Keys']['pk']['S']}", body["SequenceNumber"])] = entry
    return expected


@check_for("06.audit_log")
def audit_log(function: Learner, ctx: CheckContext) -> None:
    _table(ctx, "Users", ttl="expires")
    _table(ctx, "AuditLog", "sk", stream=False)
    _audit_writes(ctx)
    events = _events(ctx, "Users", batch_size=2)
    expected = _expected_audit(events)
    ctx.forget_calls()
    for step, (what, batches) in enumerate(_deliveries(events)):
        for event in batches:
            ctx.call(function, event, ctx.client)
        items = ctx.client.scan(TableName="AuditLog")["Items"]
        got = {
            (i["pk"]["S"], i["sk"]["S"]): {k: v for k, v in i.items() if k not in ("pk", "sk")}
            for i in items
        }
        if len(items) != len(expected):
            if step == 0:
                raise Failure(
                    f"{len(expected)} changes were delivered; the audit log has {len(items)} "
                    "entries.",
                    advice="Write one entry per record, with pk 'USER#<pk>' and sk the "
                    "record's SequenceNumber.",
                )
            raise Failure(
                f"When {what}, the audit log grew to {len(items)} entries for "
                f"{len(expected)} changes: the same change was logged twice.",
                advice="Key each entry by the record's SequenceNumber, so that a redelivered "
                "record overwrites its own entry instead of adding one.",
            )
        for key, entry in sorted(expected.items()):
            if got.get(key) != entry:
                raise Failure(
                    f"The audit entry {key} is not what the record says.",
                    expected=entry,
                    got=got.get(key),
                    advice="event = eventName; actor = 'ttl' when the record has a "
                    "userIdentity (a TTL delete) else 'user'; old/new = the images as maps "
                    "({'M': image}), only when the record has them.",
                )
    reads = sorted({op for op in ctx.operations() if op in ("Scan", "Query", "GetItem")})
    if reads:
        raise Failure(
            f"The handler called {', '.join(reads)}; the record already holds what an audit "
            "entry needs.",
            advice="Write straight from the record's Keys, images and SequenceNumber.",
        )


# --- 06.welcome_filter ----------------------------------------------------------------------------


def _welcome_writes(ctx: CheckContext) -> None:
    client = ctx.client

    def put(pk: str, sk: str, **extra: str) -> None:
        item = {"pk": {"S": pk}, "sk": {"S": sk}}
        item.update({k: {"S": v} for k, v in extra.items()})
        client.put_item(TableName="Social", Item=item)

    put("USER#ana", "PROFILE", name="Ana")  # a new profile: welcome
    put("USER#ana", "POST#1", text="hello")  # a new post: no
    put("USER#ana", "PROFILE", name="Ana Lima")  # profile update: no
    put("GROUP#books", "PROFILE", name="Books")  # a new group: no
    put("USER#ben", "PROFILE", name="Ben")  # a new profile: welcome
    put("USER#ben", "PROFILE#SETTINGS", theme="dark")  # not the profile: no
    client.delete_item(TableName="Social", Key={"pk": {"S": "USER#ana"}, "sk": {"S": "PROFILE"}})


@check_for("06.welcome_filter")
def welcome_filter(function: Learner, ctx: CheckContext) -> None:
    criteria = ctx.call(function)
    try:
        parse_filters(criteria)
    except (ValueError, TypeError, AttributeError) as error:
        raise Failure(
            "That is not valid filter criteria.",
            got=repr(criteria),
            advice=f"{error} Return {{'Filters': [{{'Pattern': json.dumps(pattern)}}]}}.",
        ) from None
    _table(ctx, "Social", "sk")
    _welcome_writes(ctx)
    try:
        events = _events(ctx, "Social", batch_size=100, filters=criteria)
    except ValueError as error:
        raise Failure("The filter could not be applied.", advice=str(error)) from None
    got = [
        (r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"], r["dynamodb"]["Keys"]["sk"]["S"])
        for e in events
        for r in e["Records"]
    ]
    expected = [("INSERT", "USER#ana", "PROFILE"), ("INSERT", "USER#ben", "PROFILE")]
    if got != expected:
        raise Failure(
            "The welcome handler would be invoked for the wrong records.",
            expected=expected,
            got=got,
            advice="Match eventName INSERT, a partition key with the prefix USER# and the "
            "sort key exactly PROFILE: "
            '{"eventName": ["INSERT"], "dynamodb": {"Keys": {"pk": {"S": [{"prefix": '
            '"USER#"}]}, "sk": {"S": ["PROFILE"]}}}}',
        )


# --- 06.active_sessions ---------------------------------------------------------------------------


def _names_in(call_params: dict[str, Any], expression: str) -> set[str]:
    names = call_params.get("ExpressionAttributeNames") or {}
    found = set()
    for token in expression.replace("(", " ").replace(")", " ").replace(",", " ").split():
        found.add(names.get(token, token))
    return found


@check_for("06.active_sessions")
def active_sessions(function: Learner, ctx: CheckContext) -> None:
    _table(ctx, "Sessions", "sk", stream=False, ttl="expires")
    now = int(ctx.lab.clock.now())
    sessions = {
        ("USER#1", "s-expired-long-ago"): now - 86_400,
        ("USER#1", "s-expired"): now - 5,
        ("USER#1", "s-active"): now + 600,
        ("USER#1", "s-active-2"): now + 86_400,
        ("USER#2", "s-other-user"): now + 600,
    }
    for (pk, sid), expires in sessions.items():
        ctx.client.put_item(
            TableName="Sessions",
            Item={
                "pk": {"S": pk},
                "sk": {"S": f"SESSION#{sid}"},
                "expires": {"N": str(expires)},
            },
        )
    expected = ["s-active", "s-active-2"]
    got = ctx.call(function, ctx.client, "1", now)
    if not isinstance(got, list) or sorted(map(str, got)) != expected:
        raise Failure(
            "The active sessions of user 1 are wrong. TTL has not swept yet: expired sessions "
            "are still stored.",
            expected=expected,
            got=got,
            advice="Query pk = 'USER#1' (sk begins with 'SESSION#') with a FilterExpression "
            "that keeps only items whose `expires` is in the future; return the ids after "
            "'SESSION#'.",
        )
    operations = ctx.operations()
    if "Scan" in operations or "Query" not in operations:
        raise Failure(
            "Use a Query on the user's partition: a Scan reads every user's sessions.",
            got=operations,
        )
    queries = [c.params for c in ctx.calls if c.operation == "Query"]
    if not any("expires" in _names_in(q, q.get("FilterExpression", "")) for q in queries):
        raise Failure(
            "The Query has no FilterExpression on `expires`: expired sessions travel over the "
            "network (and your code has to drop them).",
            advice="FilterExpression='#e > :now' with ExpressionAttributeNames={'#e': "
            "'expires'}: the filter runs in DynamoDB (you still pay for the items read).",
        )
    if sorted(map(str, got)) != sorted(map(str, ctx.call(function, ctx.client, "1", now))):
        raise Failure("A second call gave a different answer.")


# --- 06.search_index ------------------------------------------------------------------------------

_POSTS = [
    ("put", "p1", "Hello DynamoDB streams"),
    ("put", "p2", "streams and lambda"),
    ("put", "p1", "Hello global tables"),  # an edit: "dynamodb" and "streams" leave p1
    ("put", "p3", "ttl deletes are free"),
    ("delete", "p3", ""),
    ("put", "p2", "streams AND Lambda"),  # same words, other case: nothing changes
]


def _expected_index() -> dict[str, set[str]]:
    texts: dict[str, str] = {}
    for action, post, text in _POSTS:
        if action == "put":
            texts[post] = text
        else:
            texts.pop(post, None)
    index: dict[str, set[str]] = {}
    for post, text in texts.items():
        for word in text.lower().split():
            index.setdefault(word, set()).add(post)
    return index


@check_for("06.search_index")
def search_index(function: Learner, ctx: CheckContext) -> None:
    _table(ctx, "Posts")
    for action, post, text in _POSTS:
        if action == "put":
            ctx.client.put_item(TableName="Posts", Item={"pk": {"S": post}, "text": {"S": text}})
        else:
            ctx.client.delete_item(TableName="Posts", Key={"pk": {"S": post}})
    events = _events(ctx, "Posts", batch_size=2)
    expected = _expected_index()
    index: dict[str, set[str]] = {}
    for what, batches in _deliveries(events):
        for event in batches:
            ctx.call(function, event, index)
        got = {word: set(posts) for word, posts in index.items() if posts}
        if got == expected:
            continue
        stale = sorted(w for w in got if w not in expected or got[w] != expected[w])
        raise Failure(
            f"The index ended up wrong when {what} (words {stale[:5]} differ).",
            expected={w: sorted(p) for w, p in sorted(expected.items())},
            got={w: sorted(p) for w, p in sorted(got.items())},
            advice="Lower-case the words and split on spaces. INSERT: add the post under each "
            "word of NewImage; MODIFY: remove it under the words of OldImage first; REMOVE: "
            "remove it under the words of OldImage.",
        )
    if ctx.operations():
        raise Failure(
            "The handler called DynamoDB; the record's images hold everything it needs.",
            got=ctx.operations(),
        )
