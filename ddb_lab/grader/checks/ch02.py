"""Checks for chapter 2, single-table design (exercises/02_single_table_design.ipynb).

The read exercises are judged by the modeling verifier (``ddb_lab.modeling``): right items, in
the right order, read with Query or GetItem, every page followed. The follow exercise is judged
by what the table holds after follows, repeated follows and follows that already existed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from boto3.dynamodb.conditions import Key

from ddb_lab.grader.checks import check_for, fail_on_problems
from ddb_lab.grader.context import CheckContext, Failure, LearnerRaised
from ddb_lab.modeling import AccessPattern, Data, Model, Record, VerificationReport, verify
from ddb_lab.modeling.orders import ORDERS_PATTERNS, orders_data
from ddb_lab.modeling.social import social_data, social_model

Learner = Callable[..., Any]

_ADVICE = (
    ("used a Scan", "Read one item collection with Query (KeyConditionExpression on the key)."),
    ("LastEvaluatedKey", "Loop: query again with ExclusiveStartKey=response['LastEvaluatedKey'] "
     "until the response has none."),
    ("wrong order", "ScanIndexForward=False returns a partition newest first."),
    ("stopped after", "Pass the LastEvaluatedKey of each page as the next ExclusiveStartKey."),
    ("hot partition key", "Give each entity its own key value (USER#<id>, ORDER#<id>), not a "
     "constant."),
)  # fmt: skip


def _fail_on(report: VerificationReport, what: str) -> None:
    fail_on_problems(report.problems(), what, _ADVICE, shown=4)


def _verify(*args: Any, **kwargs: Any) -> VerificationReport:
    try:
        return verify(*args, **kwargs)
    except NotImplementedError as error:  # the function is not written yet
        raise LearnerRaised(error) from error


def _social() -> Data:
    return social_data("small")


# --- 02.posts_newest_first ---------------------------------------------------------------------


def _newest_posts(data: Data, user_id: str) -> list[Record]:
    return data.where("Post", user_id=user_id, order_by=("created_at", "post_id"), reverse=True)


_POSTS = AccessPattern(
    "posts_newest_first",
    "All of a user's posts, newest first",
    cases=[{"user_id": "u0002"}, {"user_id": "u0007"}, {"user_id": "u0001"}],
    expected=_newest_posts,
    ordered=True,
)


@check_for("02.posts_newest_first")
def posts_newest_first(function: Learner, ctx: CheckContext) -> None:
    report = _verify(
        social_model(), [_POSTS], {_POSTS.name: function}, _social(), lab=ctx.lab, hot_share=1
    )
    _fail_on(report, "posts_newest_first is not right yet")


# --- 02.post_activity --------------------------------------------------------------------------


def _activity(data: Data, post_id: str) -> list[Record]:
    return (
        data.where("Post", post_id=post_id)
        + data.where("Like", post_id=post_id)
        + data.where("Comment", post_id=post_id)
    )


_ACTIVITY = AccessPattern(
    "post_activity",
    "A post's metadata, likes and comments",
    cases=[{"post_id": "p00013"}, {"post_id": "p00004"}, {"post_id": "p00002"}],
    expected=_activity,
)


@check_for("02.post_activity")
def post_activity(function: Learner, ctx: CheckContext) -> None:
    report = _verify(
        social_model(),
        [_ACTIVITY],
        {_ACTIVITY.name: function},
        _social(),
        lab=ctx.lab,
        hot_share=1,
    )
    _fail_on(report, "post_activity is not right yet")
    for case in report.patterns[0].cases:
        if case.queries != 1 or set(case.operations) != {"Query"}:
            raise Failure(
                "The post, its likes and its comments share one partition (POST#<post_id>): "
                "read them with a single Query (and its follow-up pages).",
                expected="1 Query",
                got=f"{case.queries} Query call(s), operations {sorted(set(case.operations))}",
                advice="KeyConditionExpression=Key('PK').eq(f'POST#{post_id}') with no sort-key "
                "condition returns the whole item collection.",
            )


# --- 02.follow_user ----------------------------------------------------------------------------

_TABLE = "SocialApp"


def _count(ctx: CheckContext, user_id: str, attribute: str) -> int:
    item = ctx.client.get_item(
        TableName=_TABLE, Key={"PK": {"S": f"USER#{user_id}"}, "SK": {"S": "PROFILE"}}
    )["Item"]
    return int(item[attribute]["N"])


def _edges(ctx: CheckContext, user_id: str, kind: str) -> list[str]:
    found = ctx.table(_TABLE).query(
        KeyConditionExpression=Key("PK").eq(f"USER#{user_id}") & Key("SK").begins_with(f"{kind}#")
    )["Items"]
    return sorted(str(item["SK"]).partition("#")[2] for item in found)


def _follow(function: Learner, ctx: CheckContext, follower: str, followee: str, new: bool) -> None:
    ctx.forget_calls()
    before = (_count(ctx, follower, "following_count"), _count(ctx, followee, "followers_count"))
    result = ctx.call(function, ctx.client, _TABLE, follower, followee)
    call = f"follow_user({follower!r}, {followee!r})"
    if result is not new:
        raise Failure(
            f"{call} should return {new} for {'a new' if new else 'an existing'} follow.",
            expected=new,
            got=repr(result),
            advice="Catch the TransactionCanceledException of a failed condition and return False.",
        )
    if "TransactWriteItems" not in ctx.operations():
        raise Failure(
            "Both edges and both counters must change together: if the program stops between "
            "separate writes, the two sides disagree for ever.",
            expected="one TransactWriteItems call",
            got=ctx.operations(),
            advice="Two Puts (the FOLLOWING and the FOLLOWER edge, each with "
            "attribute_not_exists(PK)) and two Updates (the counters) in one transaction.",
        )
    step = 1 if new else 0
    after = (_count(ctx, follower, "following_count"), _count(ctx, followee, "followers_count"))
    wanted = (before[0] + step, before[1] + step)
    if after != wanted:
        raise Failure(
            f"After {call}, (following_count of {follower}, followers_count of {followee}) "
            f"went from {before} to {after}.",
            expected=wanted,
            got=after,
            advice="ADD following_count :one on the follower's PROFILE and ADD followers_count "
            ":one on the followee's; a repeated follow must cancel the whole transaction.",
        )
    if followee not in _edges(ctx, follower, "FOLLOWING"):
        raise Failure(f"There is no FOLLOWING#{followee} item under USER#{follower}.")
    if follower not in _edges(ctx, followee, "FOLLOWER"):
        raise Failure(f"There is no FOLLOWER#{follower} item under USER#{followee}.")


@check_for("02.follow_user")
def follow_user(function: Learner, ctx: CheckContext) -> None:
    ctx.lab.load("social", "small")
    _follow(function, ctx, "u0001", "u0003", True)
    _follow(function, ctx, "u0001", "u0003", False)  # the same follow again
    _follow(function, ctx, "u0013", "u0002", False)  # a follow that was in the data already
    _follow(function, ctx, "u0003", "u0001", True)  # the other way round is a new edge
    for user_id in ("u0001", "u0003"):
        for kind, attribute in (("FOLLOWING", "following_count"), ("FOLLOWER", "followers_count")):
            edges, count = len(_edges(ctx, user_id, kind)), _count(ctx, user_id, attribute)
            if edges != count:
                raise Failure(
                    f"USER#{user_id} has {edges} {kind} edges but {attribute} says {count}.",
                    expected=edges,
                    got=count,
                )


# --- 02.orders_design --------------------------------------------------------------------------


def _design(function: Learner, ctx: CheckContext) -> tuple[Model, Mapping[str, Any] | Any]:
    answer = ctx.call(function)
    if not (isinstance(answer, tuple) and len(answer) == 2 and isinstance(answer[0], Model)):
        raise Failure(
            "orders_design() should return (model, functions): a ddb_lab.modeling.Model and a "
            "dict of the four read functions by name.",
            got=type(answer).__name__,
        )
    return answer[0], answer[1]


@check_for("02.orders_design")
def orders_design(function: Learner, ctx: CheckContext) -> None:
    model, functions = _design(function, ctx)
    report = _verify(model, ORDERS_PATTERNS, functions, orders_data(), lab=ctx.lab)
    _fail_on(report, "The shop design does not serve every access pattern yet")
