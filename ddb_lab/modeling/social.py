"""The course's social-media app as a model: its records, its access patterns, its design.

``social_data(size, seed)`` turns the generated sample data (``ddb_lab.datasets``) back into
domain records — users, posts, likes, comments and follow edges — so that any design can be
seeded with the same facts. ``SOCIAL_PATTERNS`` are the app's reads, each with the oracle that
says what a right answer holds. ``social_model()`` is the course's design (the ``SocialApp``
table of chapter 1), and ``reference_implementations`` reads it.

Used in: notebooks/02_single_table_design.ipynb, the checks of chapter 2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from boto3.dynamodb.conditions import Key

from ddb_lab.datasets import DEFAULT_SEED, generate_social
from ddb_lab.modeling import AccessPattern, Data, Entity, Index, Model, Record, every_item

__all__ = [
    "SOCIAL_IDENTITY",
    "SOCIAL_PATTERNS",
    "reference_implementations",
    "social_data",
    "social_model",
]

#: What identifies each kind of record.
SOCIAL_IDENTITY: Final[Mapping[str, tuple[str, ...]]] = {
    "User": ("user_id",),
    "Post": ("post_id",),
    "Like": ("post_id", "user_id"),
    "Comment": ("comment_id",),
    "Follow": ("follower_id", "followee_id"),
}

_KEYS = ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI3PK", "GSI3SK", "entity")
_KINDS = {"USER": "User", "POST": "Post", "LIKE": "Like", "COMMENT": "Comment"}


def social_data(size: str = "small", seed: int = DEFAULT_SEED) -> Data:
    """The records of the sample social app (the same facts as ``generate_social``)."""
    records: dict[str, list[dict[str, Any]]] = {kind: [] for kind in SOCIAL_IDENTITY}
    for item in generate_social(size, seed).items:
        entity = item["entity"]
        fields = {k: v for k, v in item.items() if k not in _KEYS}
        if entity in _KINDS:
            records[_KINDS[entity]].append(fields)
        elif entity == "FOLLOWING":
            records["Follow"].append(fields)
    return Data(records, SOCIAL_IDENTITY)


def social_model(table: str = "SocialApp") -> Model:
    """The course's single-table design of the app (the table of chapter 1, by entity)."""
    return Model(
        table=table,
        partition_key="PK",
        sort_key="SK",
        entities=[
            Entity(
                "USER",
                source="User",
                keys={
                    "PK": "USER#{user_id}",
                    "SK": "PROFILE",
                    "GSI1PK": "USER",
                    "GSI1SK": "{created_at}",
                    "GSI2PK": "USERNAME#{username}",
                },
            ),
            Entity(
                "POST",
                source="Post",
                keys={
                    "PK": "USER#{user_id}",
                    "SK": "POST#{created_at}#{post_id}",
                    "GSI1PK": "POST",
                    "GSI1SK": "{created_at}",
                },
            ),
            Entity(
                "POST_META",
                source="Post",
                keys={"PK": "POST#{post_id}", "SK": "METADATA"},
                attributes=("post_id", "user_id", "likes_count", "comments_count", "created_at"),
            ),
            Entity("LIKE", source="Like", keys={"PK": "POST#{post_id}", "SK": "LIKE#{user_id}"}),
            Entity(
                "COMMENT",
                source="Comment",
                keys={"PK": "POST#{post_id}", "SK": "COMMENT#{created_at}#{comment_id}"},
            ),
            Entity(
                "FOLLOWING",
                source="Follow",
                keys={"PK": "USER#{follower_id}", "SK": "FOLLOWING#{followee_id}"},
            ),
            Entity(
                "FOLLOWER",
                source="Follow",
                keys={"PK": "USER#{followee_id}", "SK": "FOLLOWER#{follower_id}"},
            ),
        ],
        indexes=[
            Index("GSI1", "GSI1PK", "GSI1SK"),
            Index("GSI2", "GSI2PK", projection="KEYS_ONLY"),
        ],
    )


def _newest_posts(data: Data, user_id: str) -> list[Record]:
    return data.where("Post", user_id=user_id, order_by=("created_at", "post_id"), reverse=True)


def _activity(data: Data, post_id: str) -> list[Record]:
    return (
        data.where("Post", post_id=post_id)
        + data.where("Like", post_id=post_id)
        + data.where("Comment", post_id=post_id)
    )


#: The app's reads. Arguments pick users and posts with enough items to need several pages.
SOCIAL_PATTERNS: Final[tuple[AccessPattern, ...]] = (
    AccessPattern(
        "get_profile",
        "A user's profile",
        cases=[{"user_id": "u0001"}, {"user_id": "u0002"}],
        expected=lambda data, user_id: data.where("User", user_id=user_id),
        max_read_units=1,
    ),
    AccessPattern(
        "user_by_username",
        "Find a user by username",
        cases=[{"username": "olga_shannon"}, {"username": "nobody_here"}],
        expected=lambda data, username: data.where("User", username=username),
        max_read_units=2,
    ),
    AccessPattern(
        "posts_by_user",
        "A user's posts, newest first, a page at a time",
        cases=[{"user_id": "u0002"}, {"user_id": "u0007"}],
        expected=_newest_posts,
        ordered=True,
        page_size=4,
    ),
    AccessPattern(
        "post_activity",
        "A post with its likes and comments",
        cases=[{"post_id": "p00013"}, {"post_id": "p00004"}],
        expected=_activity,
    ),
    AccessPattern(
        "followers",
        "Who follows a user",
        cases=[{"user_id": "u0002"}, {"user_id": "u0030"}],
        expected=lambda data, user_id: data.where("Follow", followee_id=user_id),
    ),
    AccessPattern(
        "following",
        "Whom a user follows",
        cases=[{"user_id": "u0024"}, {"user_id": "u0040"}],
        expected=lambda data, user_id: data.where("Follow", follower_id=user_id),
    ),
)


class reference_implementations:  # noqa: N801 - a namespace of functions, used like a module
    """The reads of :data:`SOCIAL_PATTERNS` on :func:`social_model`'s design."""

    @staticmethod
    def _all(table: Any, **query: Any) -> list[dict[str, Any]]:
        return every_item(table.query, **query)

    @staticmethod
    def get_profile(table: Any, user_id: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = table.get_item(
            Key={"PK": f"USER#{user_id}", "SK": "PROFILE"}
        ).get("Item")
        return item

    @staticmethod
    def user_by_username(table: Any, username: str) -> list[dict[str, Any]]:
        keys = reference_implementations._all(
            table, IndexName="GSI2", KeyConditionExpression=Key("GSI2PK").eq(f"USERNAME#{username}")
        )
        found = [table.get_item(Key={"PK": k["PK"], "SK": k["SK"]}).get("Item") for k in keys]
        return [item for item in found if item]

    @staticmethod
    def posts_by_user(
        table: Any, user_id: str, limit: int, cursor: dict[str, Any] | None = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("PK").eq(f"USER#{user_id}")
            & Key("SK").begins_with("POST#"),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if cursor:
            query["ExclusiveStartKey"] = cursor
        page = table.query(**query)
        return page["Items"], page.get("LastEvaluatedKey")

    @staticmethod
    def post_activity(table: Any, post_id: str) -> list[dict[str, Any]]:
        return reference_implementations._all(
            table, KeyConditionExpression=Key("PK").eq(f"POST#{post_id}")
        )

    @staticmethod
    def followers(table: Any, user_id: str) -> list[dict[str, Any]]:
        return reference_implementations._all(
            table,
            KeyConditionExpression=Key("PK").eq(f"USER#{user_id}")
            & Key("SK").begins_with("FOLLOWER#"),
        )

    @staticmethod
    def following(table: Any, user_id: str) -> list[dict[str, Any]]:
        return reference_implementations._all(
            table,
            KeyConditionExpression=Key("PK").eq(f"USER#{user_id}")
            & Key("SK").begins_with("FOLLOWING#"),
        )
