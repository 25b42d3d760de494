"""Checks for chapter 4, queries and writes (exercises/04_queries_and_writes.ipynb).

Each check judges how the answer was obtained as well as the answer: the paginated reader must
follow LastEvaluatedKey to the end with the page size it was given; the optimistic edit runs
while another writer changes the same profile; the batch writer runs against a throttled table
that hands items back unprocessed; the like runs twice for the same user.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from ddb_lab import datasets
from ddb_lab.grader.checks import check_for
from ddb_lab.grader.context import CheckContext, Failure, LearnerRaised

Learner = Callable[..., Any]

_TABLE = datasets.SOCIAL_TABLE


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _error_code(error: BaseException) -> str | None:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code"))
    return None


@dataclass
class _Exchange:
    """One request as it went on the wire (low-level parameters) and what came back."""

    operation: str
    params: dict[str, Any]
    response: dict[str, Any] = field(default_factory=dict)


class _WireLog:
    """Every request the lab's clients send, with its response, while ``recording()``."""

    def __init__(self, ctx: CheckContext) -> None:
        self.exchanges: list[_Exchange] = []
        self._clients = (ctx.client, ctx.resource.meta.client)

    def _before(self, model: Any, params: Mapping[str, Any], **_: Any) -> None:
        body = params.get("body") or b"{}"
        try:
            sent = json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)
        except ValueError:
            sent = {}
        self.exchanges.append(_Exchange(model.name, sent if isinstance(sent, dict) else {}))

    def _after(self, model: Any, parsed: Mapping[str, Any], **_: Any) -> None:
        for exchange in reversed(self.exchanges):
            if exchange.operation == model.name and not exchange.response:
                exchange.response = copy.deepcopy(dict(parsed))
                return

    @contextmanager
    def recording(self) -> Iterator[_WireLog]:
        for client in self._clients:
            client.meta.events.register("before-call.dynamodb", self._before, "ch04-before")
            # first: before the resource API turns the response into Python values
            client.meta.events.register_first("after-call.dynamodb", self._after, "ch04-after")
        try:
            yield self
        finally:
            for client in self._clients:
                client.meta.events.unregister("before-call.dynamodb", unique_id="ch04-before")
                client.meta.events.unregister("after-call.dynamodb", unique_id="ch04-after")

    def of(self, operation: str) -> list[_Exchange]:
        return [e for e in self.exchanges if e.operation == operation]


# --- 04.user_posts: follow LastEvaluatedKey to the end ------------------------------------------

_READER = "u0007"
_POSTS = 23
_PAGE = 4


def _post_key(user: str, n: int) -> dict[str, str]:
    stamp = f"2025-03-{1 + n // 24:02d}T{n % 24:02d}:00:00Z"
    return {"PK": f"USER#{user}", "SK": f"POST#{stamp}#p{user[1:]}{n:03d}"}


def _seed_posts(ctx: CheckContext) -> list[str]:
    """A user with 23 posts, a profile and follow edges; another user's posts beside them."""
    ctx.client.create_table(**datasets.social_table_definition())
    table = ctx.table(_TABLE)
    with table.batch_writer() as batch:
        for user in (_READER, "u0008"):
            batch.put_item(Item={"PK": f"USER#{user}", "SK": "PROFILE", "entity": "USER"})
            for other in ("u0001", "u0002", "u0003"):
                batch.put_item(Item={"PK": f"USER#{user}", "SK": f"FOLLOWER#{other}"})
            for n in range(_POSTS if user == _READER else 5):
                batch.put_item(
                    Item={**_post_key(user, n), "entity": "POST", "content": f"post {n}"}
                )
    return [_post_key(_READER, n)["SK"] for n in reversed(range(_POSTS))]


def _key_condition_narrows(query: Mapping[str, Any]) -> bool:
    condition = str(query.get("KeyConditionExpression", "")).lower()
    return any(word in condition for word in ("begins_with", "between", "<", ">"))


@check_for("04.user_posts")
def user_posts(function: Learner, ctx: CheckContext) -> None:
    expected = _seed_posts(ctx)
    with _WireLog(ctx).recording() as log:
        got = ctx.call(function, ctx.table(_TABLE), _READER, _PAGE)
    if log.of("Scan"):
        raise Failure(
            "Your function used Scan, which reads every user's items.",
            advice="Query the user's partition: Key('PK').eq(f'USER#{user_id}').",
        )
    queries = log.of("Query")
    if not queries:
        raise Failure("Your function made no Query call.", advice="Use table.query(...).")
    if not isinstance(got, list) or not all(isinstance(i, Mapping) for i in got):
        raise Failure(
            "user_posts should return a list of items (dicts).",
            expected="[{'PK': 'USER#u0007', 'SK': 'POST#...', ...}, ...]",
            got=_short(got),
        )
    limits = sorted({q.params.get("Limit") for q in queries}, key=repr)
    if limits != [_PAGE]:
        raise Failure(
            f"Every Query should ask for one page of page_size={_PAGE} items.",
            expected=f"Limit={_PAGE} on every Query",
            got=f"Limit values {limits}",
            advice="Pass Limit=page_size to each query call.",
        )
    if not all(_key_condition_narrows(q.params) for q in queries):
        raise Failure(
            "Your Query reads the profile and follower items too, then drops them: you pay for "
            "every item read.",
            advice="Add the sort key to the key condition: Key('SK').begins_with('POST#').",
        )
    for previous, current in zip(queries, queries[1:], strict=False):
        if current.params.get("ExclusiveStartKey") != previous.response.get("LastEvaluatedKey"):
            raise Failure(
                "Each Query after the first must start where the previous page stopped.",
                advice="Pass the previous response's LastEvaluatedKey as ExclusiveStartKey.",
            )
    keys = [str(item.get("SK")) for item in got]
    if "LastEvaluatedKey" in queries[-1].response or len(keys) < len(expected):
        raise Failure(
            f"You returned {len(keys)} of the user's {len(expected)} posts: the reader stopped "
            "before the last page.",
            expected=f"{len(expected)} posts",
            got=f"{len(keys)} posts from {len(queries)} Query call(s)",
            advice="Loop until a response has no LastEvaluatedKey.",
        )
    if keys != expected:
        advice = "Return exactly the user's posts, each once."
        if sorted(keys) == sorted(expected):
            advice = "Newest first: ScanIndexForward=False (the SK starts with the timestamp)."
        raise Failure(
            "The posts returned are not the user's posts, newest first.",
            expected=expected[:2],
            got=keys[:2],
            advice=advice,
        )


# --- 04.edit_profile: optimistic locking under a concurrent writer -------------------------------

_EDITOR = "u0003"
_PROFILE_KEY = {"PK": f"USER#{_EDITOR}", "SK": "PROFILE"}
_SUFFIX = " Now learning DynamoDB."


def _seed_profile(ctx: CheckContext) -> None:
    ctx.client.create_table(**datasets.social_table_definition())
    ctx.table(_TABLE).put_item(
        Item={
            **_PROFILE_KEY,
            "entity": "USER",
            "name": "Grace Hopper",
            "bio": "Grace from Oslo.",
            "followers_count": 5,
            "version": 1,
        }
    )


def _append_bio(profile: dict[str, Any]) -> dict[str, Any]:
    return {**profile, "bio": str(profile.get("bio", "")) + _SUFFIX}


class _Interferer:
    """After the learner's first read of the profile, another writer changes it."""

    def __init__(self, ctx: CheckContext) -> None:
        self._ctx = ctx
        self._other = ctx.lab.new_client()
        self.fired = False

    def _after(self, model: Any, **_: Any) -> None:
        if self.fired:
            return
        self.fired = True
        self._other.update_item(
            TableName=_TABLE,
            Key={"PK": {"S": _PROFILE_KEY["PK"]}, "SK": {"S": "PROFILE"}},
            UpdateExpression="SET followers_count = followers_count + :one, "
            "#version = #version + :one",
            ExpressionAttributeNames={"#version": "version"},
            ExpressionAttributeValues={":one": {"N": "1"}},
        )

    @contextmanager
    def armed(self) -> Iterator[None]:
        clients = (self._ctx.client, self._ctx.resource.meta.client)
        events = ("after-call.dynamodb.GetItem", "after-call.dynamodb.Query")
        for client in clients:
            for event in events:
                client.meta.events.register(event, self._after, f"ch04-interfere-{event}")
        try:
            yield
        finally:
            for client in clients:
                for event in events:
                    client.meta.events.unregister(event, unique_id=f"ch04-interfere-{event}")


def _profile(ctx: CheckContext) -> dict[str, Any]:
    item = ctx.table(_TABLE).get_item(Key=_PROFILE_KEY, ConsistentRead=True).get("Item")
    return dict(item or {})


@check_for("04.edit_profile")
def edit_profile(function: Learner, ctx: CheckContext) -> None:
    _seed_profile(ctx)
    table = ctx.table(_TABLE)
    version = ctx.call(function, table, _EDITOR, _append_bio)
    after = _profile(ctx)
    if after.get("bio") != "Grace from Oslo." + _SUFFIX:
        raise Failure(
            "Without any other writer, the edit was not stored as given.",
            expected=repr("Grace from Oslo." + _SUFFIX),
            got=_short(after.get("bio")),
            advice="Read the profile, call edit(profile), write what it returns.",
        )
    if after.get("version") != 2 or version != 2:
        raise Failure(
            "Each successful write must add 1 to the profile's version, and the function must "
            "return the version it wrote.",
            expected="stored version 2, returned 2",
            got=f"stored version {after.get('version')!r}, returned {version!r}",
        )
    ctx.forget_calls()
    interferer = _Interferer(ctx)
    with interferer.armed():
        try:
            version = ctx.call(function, table, _EDITOR, _append_bio)
        except LearnerRaised as raised:
            if _error_code(raised.error) == "ConditionalCheckFailedException":
                raise Failure(
                    "Someone else changed the profile after you read it; your conditional write "
                    "failed (good) but you gave up.",
                    advice="On ConditionalCheckFailedException, read the profile again, apply "
                    "edit to the fresh copy and try again (a few attempts).",
                ) from None
            raise
    after = _profile(ctx)
    if not interferer.fired:
        raise Failure(
            "Your function never read the profile before writing it.",
            advice="GetItem the profile first: the version you read is the one you condition on.",
        )
    if after.get("followers_count") != Decimal(6):
        raise Failure(
            "Lost update: another writer added a follower between your read and your write, and "
            "your write overwrote it.",
            expected="followers_count 6 (the other writer's change kept)",
            got=f"followers_count {after.get('followers_count')!r}",
            advice="Make the write conditional on the version you read: "
            "ConditionExpression='#v = :read_version'.",
        )
    bio = str(after.get("bio"))
    if bio != "Grace from Oslo." + _SUFFIX * 2:
        raise Failure(
            "After the retry the bio should hold the two edits made so far, each once.",
            expected=repr("Grace from Oslo." + _SUFFIX * 2),
            got=_short(bio),
            advice="Apply edit to the profile as you read it again, not to your earlier copy.",
        )
    if after.get("version") != 4 or version != 4:
        raise Failure(
            "The other writer moved the version to 3, so your retried write must store and "
            "return 4.",
            expected="stored version 4, returned 4",
            got=f"stored version {after.get('version')!r}, returned {version!r}",
        )


# --- 04.write_all: UnprocessedItems with exponential backoff and jitter --------------------------

_EVENTS = "Events"
_EVENT_COUNT = 60
_WRITE_UNITS = 10


def _event(n: int) -> dict[str, Any]:
    return {"pk": {"S": f"event-{n:03d}"}, "kind": {"S": "click"}, "n": {"N": str(n)}}


def _sent_keys(params: Mapping[str, Any]) -> list[str]:
    keys: list[str] = []
    for requests in (params.get("RequestItems") or {}).values():
        for request in requests:
            item = (request.get("PutRequest") or {}).get("Item") or {}
            keys.append(str(item.get("pk", {}).get("S")))
    return keys


@dataclass
class _Sleeps:
    """The ``sleep`` a learner's writer is given: it records waits and moves lab time on."""

    ctx: CheckContext
    log: _WireLog
    waits: list[tuple[int, float]] = field(default_factory=list)  # (exchanges so far, seconds)

    def __call__(self, seconds: float) -> None:
        value = float(seconds)
        self.waits.append((len(self.log.exchanges), value))
        if value > 0:
            self.ctx.lab.clock.advance(value)


def _retry_waits(log: _WireLog, sleeps: _Sleeps) -> list[tuple[int, float]]:
    """(attempt number, seconds waited before it) for every BatchWriteItem that re-sent items."""
    sent: dict[str, int] = {}
    result: list[tuple[int, float]] = []
    for index, exchange in enumerate(log.exchanges):
        if exchange.operation != "BatchWriteItem":
            continue
        keys = _sent_keys(exchange.params)
        attempt = max((sent.get(k, 0) for k in keys), default=0)
        if attempt:
            previous = max(
                (i for i, e in enumerate(log.exchanges[:index]) if e.operation == "BatchWriteItem"),
                default=-1,
            )
            waited = sum(s for at, s in sleeps.waits if previous < at <= index)
            result.append((attempt, waited))
        for key in keys:
            sent[key] = sent.get(key, 0) + 1
    return result


def _resent_written(log: _WireLog) -> str | None:
    """The first item sent again although DynamoDB had written it, if any."""
    written: set[str] = set()
    for exchange in log.of("BatchWriteItem"):
        keys = _sent_keys(exchange.params)
        again = sorted(set(keys) & written)
        if again:
            return again[0]
        if not exchange.response:  # the call failed: nothing written
            continue
        unprocessed = set(_sent_keys({"RequestItems": exchange.response.get("UnprocessedItems")}))
        written |= set(keys) - unprocessed
    return None


@check_for("04.write_all")
def write_all(function: Learner, ctx: CheckContext) -> None:
    ctx.client.create_table(
        TableName=_EVENTS,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": _WRITE_UNITS},
    )
    ctx.lab.enable_throttling()
    items = [_event(n) for n in range(_EVENT_COUNT)]
    log = _WireLog(ctx)
    sleeps = _Sleeps(ctx, log)
    random.seed(2024)  # a learner's jitter from the random module repeats run after run
    with log.recording():
        ctx.call(function, ctx.client, _EVENTS, [dict(i) for i in items], sleeps)
    ctx.lab.enable_throttling(False)
    batches = log.of("BatchWriteItem")
    if not batches:
        raise Failure(
            "Your function made no BatchWriteItem call.",
            advice="client.batch_write_item(RequestItems={table_name: [{'PutRequest': ...}]}).",
        )
    stored = ctx.client.scan(TableName=_EVENTS, Select="COUNT")["Count"]
    if stored != _EVENT_COUNT:
        raise Failure(
            f"Only {stored} of the {_EVENT_COUNT} items were written: the table is throttled, so "
            "DynamoDB hands some back in UnprocessedItems.",
            advice="Loop until UnprocessedItems is empty, sending those items again.",
        )
    again = _resent_written(log)
    if again is not None:
        raise Failure(
            f"You sent {again} again although DynamoDB had already written it.",
            advice="Retry only what came back in UnprocessedItems, not the whole chunk.",
        )
    waits = _retry_waits(log, sleeps)
    if not waits:
        raise Failure(
            "Nothing was ever retried, yet the table throttles: this cannot happen.",
            advice="Did you write through the client you were given?",
        )
    if any(seconds <= 0 for _, seconds in waits):
        raise Failure(
            "You retried unprocessed items at once, without waiting: against a throttled table "
            "that only burns more requests.",
            advice="Call sleep(delay) before every retry, with delay growing exponentially "
            "(base * 2 ** attempt) and jitter (random.uniform(0, that)).",
        )
    if len({seconds for _, seconds in waits}) == 1:
        raise Failure(
            f"Every retry waited the same {waits[0][1]} s: a fixed delay, not exponential backoff.",
            advice="Double the delay bound on every attempt: base * 2 ** attempt (capped).",
        )
    by_attempt: dict[int, set[float]] = {}
    for attempt, seconds in waits:
        by_attempt.setdefault(attempt, set()).add(seconds)
    repeated = [n for n, _ in waits if sum(1 for a, _ in waits if a == n) > 1]
    if repeated and all(len(by_attempt[n]) == 1 for n in repeated):
        raise Failure(
            "Retries at the same attempt number always waited exactly as long: no jitter, so "
            "throttled clients retry in lockstep.",
            advice="Wait random.uniform(0, min(cap, base * 2 ** attempt)) (full jitter).",
        )


# --- 04.like_post: a like and its counter in one transaction -------------------------------------

_POST = "p00001"


def _likes(ctx: CheckContext, post_id: str) -> tuple[int, Any]:
    items = ctx.table(_TABLE).query(
        KeyConditionExpression="PK = :pk AND begins_with(SK, :like)",
        ExpressionAttributeValues={":pk": f"POST#{post_id}", ":like": "LIKE#"},
        ConsistentRead=True,
    )["Items"]
    meta = ctx.table(_TABLE).get_item(Key={"PK": f"POST#{post_id}", "SK": "METADATA"})["Item"]
    return len(items), meta.get("likes_count")


def _new_likers(ctx: CheckContext, post_id: str, count: int) -> list[str]:
    dataset = datasets.generate_social("tiny")
    liked = {
        i["user_id"] for i in dataset.items if i["PK"] == f"POST#{post_id}" and "LIKE" in i["SK"]
    }
    users = sorted(u["user_id"] for u in dataset.users())
    return [u for u in users if u not in liked][:count]


def _like(function: Learner, ctx: CheckContext, user: str) -> Any:
    try:
        return ctx.call(function, ctx.client, _POST, user)
    except LearnerRaised as raised:
        if _error_code(raised.error) == "TransactionCanceledException":
            raise Failure(
                f"A second like by {user} raised TransactionCanceledException instead of "
                "returning False.",
                advice="Catch the ClientError; when CancellationReasons[0]['Code'] is "
                "'ConditionalCheckFailed' the like existed: return False. Re-raise anything else.",
            ) from None
        raise


@check_for("04.like_post")
def like_post(function: Learner, ctx: CheckContext) -> None:
    datasets.load_social(ctx.client, "tiny", progress=False)
    first, second = _new_likers(ctx, _POST, 2)
    likes, counter = _likes(ctx, _POST)
    if likes != counter:
        raise Failure("The check's data is inconsistent; please report this.")
    result = ctx.call(function, ctx.client, _POST, first)
    operations = ctx.operations()
    if "TransactWriteItems" not in operations:
        raise Failure(
            "The like and the counter must change together: use one TransactWriteItems call.",
            got=f"operations {operations}",
            advice="A Put of the LIKE item and an Update of the post's METADATA counter, both in "
            "TransactItems.",
        )
    if {"PutItem", "UpdateItem"} & set(operations):
        raise Failure(
            "You wrote outside the transaction as well: a crash between two separate writes "
            "leaves the counter wrong.",
            got=f"operations {operations}",
        )
    after = _likes(ctx, _POST)
    if result is not True or after != (likes + 1, counter + 1):
        raise Failure(
            f"After {first} liked {_POST}, expected one more LIKE item and likes_count + 1, and "
            "True returned.",
            expected=f"({likes + 1} likes, likes_count {counter + 1}), True",
            got=f"({after[0]} likes, likes_count {after[1]!r}), {result!r}",
            advice="Put PK=POST#<post_id>, SK=LIKE#<user_id>; ADD likes_count :one on "
            "PK=POST#<post_id>, SK=METADATA.",
        )
    ctx.forget_calls()
    again = _like(function, ctx, first)
    if again is not False or _likes(ctx, _POST) != after:
        raise Failure(
            f"{first} liked {_POST} twice: the second like must change nothing and return False.",
            expected=f"({after[0]} likes, likes_count {after[1]}), False",
            got=f"{_likes(ctx, _POST)}, {again!r}",
            advice="Give the Put ConditionExpression='attribute_not_exists(PK)': a duplicate "
            "like then cancels the whole transaction, counter included.",
        )
    if _like(function, ctx, second) is not True or _likes(ctx, _POST) != (
        likes + 2,
        counter + 2,
    ):
        raise Failure(
            f"A like by another user ({second}) should count too.",
            expected=f"({likes + 2} likes, likes_count {counter + 2}), True",
            got=str(_likes(ctx, _POST)),
        )
