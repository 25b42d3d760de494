"""Unit tests for ddb_lab.datasets: the generated social-media data (no DynamoDB involved)."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from ddb_lab import datasets
from ddb_lab.datasets import (
    DEFAULT_SEED,
    SIZES,
    SOCIAL_TABLE,
    SocialDataset,
    generate_social,
    social_table_definition,
    to_low_level,
)
from ddb_lab.facts import MAX_ITEM_SIZE_BYTES

ISO = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"
USER_ID = r"u\d{4}"
POST_ID = r"p\d{5}"
COMMENT_ID = r"c\d{6}"

#: (PK, SK) patterns per entity, anchored.
KEY_PATTERNS: dict[str, tuple[str, str]] = {
    "USER": (rf"USER#{USER_ID}", "PROFILE"),
    "POST": (rf"USER#{USER_ID}", rf"POST#{ISO}#{POST_ID}"),
    "POST_META": (rf"POST#{POST_ID}", "METADATA"),
    "LIKE": (rf"POST#{POST_ID}", rf"LIKE#{USER_ID}"),
    "COMMENT": (rf"POST#{POST_ID}", rf"COMMENT#{ISO}#{COMMENT_ID}"),
    "FOLLOWING": (rf"USER#{USER_ID}", rf"FOLLOWING#{USER_ID}"),
    "FOLLOWER": (rf"USER#{USER_ID}", rf"FOLLOWER#{USER_ID}"),
}

#: Which index attributes each entity carries; every other entity must not have them.
GSI_ATTRIBUTES: dict[str, set[str]] = {
    "USER": {"GSI1PK", "GSI1SK", "GSI2PK", "GSI3PK", "GSI3SK"},
    "POST": {"GSI1PK", "GSI1SK", "GSI3PK", "GSI3SK"},
}
ALL_GSI_ATTRIBUTES = {"GSI1PK", "GSI1SK", "GSI2PK", "GSI3PK", "GSI3SK"}

SIZE_RANGES = {
    "tiny": (1, 79),
    "small": (200, 900),
    "medium": (1_500, 9_000),
    "large": (20_000, 60_000),
}


@pytest.fixture(scope="module")
def small() -> SocialDataset:
    return generate_social("small")


@pytest.fixture(scope="module")
def large() -> SocialDataset:
    return generate_social("large")


@pytest.fixture(scope="module", params=["tiny", "small", "medium"])
def dataset(request: pytest.FixtureRequest) -> SocialDataset:
    return generate_social(request.param)


def by_entity(ds: SocialDataset, entity: str) -> list[dict[str, Any]]:
    return [item for item in ds.items if item["entity"] == entity]


def item_size(item: dict[str, Any]) -> int:
    """Approximate DynamoDB item size: attribute names plus values (strings, ints, sets)."""

    def value_size(value: Any) -> int:
        if isinstance(value, str):
            return len(value.encode())
        if isinstance(value, (int, Decimal)):
            return len(str(value)) // 2 + 2
        if isinstance(value, (set, frozenset)):
            return sum(value_size(v) for v in value)
        raise TypeError(f"unexpected value type {type(value).__name__}")

    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


# --- Determinism and sizes ----------------------------------------------------------------------


def test_same_seed_gives_identical_items() -> None:
    first = generate_social("small", seed=DEFAULT_SEED)
    second = generate_social("small", seed=DEFAULT_SEED)
    assert first == second
    assert first.items == second.items


def test_different_seed_gives_different_items(small: SocialDataset) -> None:
    other = generate_social("small", seed=DEFAULT_SEED + 1)
    assert other.seed == DEFAULT_SEED + 1
    assert other.items != small.items


def test_defaults(small: SocialDataset) -> None:
    assert SOCIAL_TABLE == "SocialApp"
    assert DEFAULT_SEED == 7
    assert small.size == "small"
    assert small.seed == DEFAULT_SEED
    assert generate_social() == small


def test_sizes_are_ordered() -> None:
    assert list(SIZES) == ["tiny", "small", "medium", "large"]
    users = list(SIZES.values())
    assert users == sorted(users)
    assert len(set(users)) == len(users)


@pytest.mark.parametrize("size", ["tiny", "small", "medium"])
def test_size_within_range(size: str) -> None:
    ds = generate_social(size)
    low, high = SIZE_RANGES[size]
    assert low <= len(ds.items) <= high
    assert len(ds.users()) == SIZES[size]


def test_large_within_range(large: SocialDataset) -> None:
    low, high = SIZE_RANGES["large"]
    assert low <= len(large.items) <= high
    assert len(large.users()) == SIZES["large"]


def test_item_totals_grow_with_size(large: SocialDataset) -> None:
    totals = [len(generate_social(size).items) for size in ("tiny", "small", "medium")]
    totals.append(len(large.items))
    assert totals == sorted(totals)
    assert len(set(totals)) == 4


def test_unknown_size_raises_value_error_naming_the_sizes() -> None:
    with pytest.raises(ValueError, match="huge") as info:
        generate_social("huge")
    for size in SIZES:
        assert size in str(info.value)


# --- Structure ----------------------------------------------------------------------------------


def test_items_sorted_by_key_and_keys_unique(dataset: SocialDataset) -> None:
    keys = [(item["PK"], item["SK"]) for item in dataset.items]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


def test_large_keys_unique(large: SocialDataset) -> None:
    keys = {(item["PK"], item["SK"]) for item in large.items}
    assert len(keys) == len(large.items)


def test_counts_and_filters(dataset: SocialDataset) -> None:
    counts = dataset.counts()
    assert list(counts) == sorted(counts)
    assert set(counts) == set(KEY_PATTERNS)
    assert sum(counts.values()) == len(dataset.items)
    assert counts == dict(sorted(Counter(item["entity"] for item in dataset.items).items()))
    assert dataset.users() == by_entity(dataset, "USER")
    assert dataset.posts() == by_entity(dataset, "POST")
    assert counts["POST"] == counts["POST_META"]
    assert counts["FOLLOWING"] == counts["FOLLOWER"]


def test_key_formats(dataset: SocialDataset) -> None:
    for item in dataset.items:
        pk_pattern, sk_pattern = KEY_PATTERNS[item["entity"]]
        assert re.fullmatch(pk_pattern, item["PK"]), item
        assert re.fullmatch(sk_pattern, item["SK"]), item


def test_keys_embed_the_attributes(dataset: SocialDataset) -> None:
    for item in dataset.items:
        entity = item["entity"]
        if entity == "USER":
            assert item["PK"] == f"USER#{item['user_id']}"
        elif entity == "POST":
            assert item["PK"] == f"USER#{item['user_id']}"
            assert item["SK"] == f"POST#{item['created_at']}#{item['post_id']}"
        elif entity == "POST_META":
            assert item["PK"] == f"POST#{item['post_id']}"
        elif entity == "LIKE":
            assert item["PK"] == f"POST#{item['post_id']}"
            assert item["SK"] == f"LIKE#{item['user_id']}"
        elif entity == "COMMENT":
            assert item["PK"] == f"POST#{item['post_id']}"
            assert item["SK"] == f"COMMENT#{item['created_at']}#{item['comment_id']}"
        elif entity == "FOLLOWING":
            assert item["PK"] == f"USER#{item['follower_id']}"
            assert item["SK"] == f"FOLLOWING#{item['followee_id']}"
        else:
            assert entity == "FOLLOWER"
            assert item["PK"] == f"USER#{item['followee_id']}"
            assert item["SK"] == f"FOLLOWER#{item['follower_id']}"


def test_timestamps_iso_and_after_base(dataset: SocialDataset) -> None:
    for item in dataset.items:
        assert re.fullmatch(ISO, item["created_at"]), item
        assert item["created_at"] >= "2025-01-01T00:00:00Z"


def test_values_are_resource_style(dataset: SocialDataset) -> None:
    for item in dataset.items:
        for name, value in item.items():
            assert isinstance(value, (str, int, set)), (name, value)
            assert not isinstance(value, bool), (name, value)
            if isinstance(value, set):
                assert value, f"empty set in {item['PK']} {item['SK']}"
                assert all(isinstance(v, str) for v in value)


def test_user_attributes(dataset: SocialDataset) -> None:
    users = dataset.users()
    usernames = [user["username"] for user in users]
    assert len(set(usernames)) == len(usernames)
    for user in users:
        assert re.fullmatch(r"[a-z]+_[a-z]+\d*", user["username"]), user
        assert user["email"] == f"{user['username']}@example.com"
        assert user["status"] in {"active", "suspended", "deactivated"}
        assert user["name"] and user["bio"] and user["location"]
        if "interests" in user:
            assert 1 <= len(user["interests"]) <= 4
    assert Counter(user["status"] for user in users).most_common(1)[0][0] == "active"


def test_optional_sets_are_sometimes_absent(small: SocialDataset) -> None:
    users = small.users()
    with_interests = [user for user in users if "interests" in user]
    assert 0 < len(with_interests) < len(users)
    posts = small.posts()
    with_tags = [post for post in posts if "tags" in post]
    assert 0 < len(with_tags) < len(posts)


def test_post_statuses(small: SocialDataset) -> None:
    statuses = Counter(post["status"] for post in small.posts())
    assert set(statuses) <= {"published", "draft"}
    assert statuses["published"] > statuses["draft"] > 0


def test_ids_follow_time_order(dataset: SocialDataset) -> None:
    users = sorted(dataset.users(), key=lambda user: user["user_id"])
    assert [u["created_at"] for u in users] == sorted(u["created_at"] for u in users)
    posts = sorted(dataset.posts(), key=lambda post: post["post_id"])
    assert [p["created_at"] for p in posts] == sorted(p["created_at"] for p in posts)


# --- Referential integrity and counters ---------------------------------------------------------


def check_counters(ds: SocialDataset) -> None:
    followers = Counter(i["PK"] for i in ds.items if i["entity"] == "FOLLOWER")
    following = Counter(i["PK"] for i in ds.items if i["entity"] == "FOLLOWING")
    posts = Counter(i["PK"] for i in ds.items if i["entity"] == "POST")
    likes = Counter(i["post_id"] for i in ds.items if i["entity"] == "LIKE")
    comments = Counter(i["post_id"] for i in ds.items if i["entity"] == "COMMENT")
    for user in ds.users():
        assert user["followers_count"] == followers[user["PK"]], user
        assert user["following_count"] == following[user["PK"]], user
        assert user["posts_count"] == posts[user["PK"]], user
    for entity in ("POST", "POST_META"):
        for item in by_entity(ds, entity):
            assert item["likes_count"] == likes[item["post_id"]], item
            assert item["comments_count"] == comments[item["post_id"]], item


def test_counters_match_items(dataset: SocialDataset) -> None:
    check_counters(dataset)


def test_large_counters_match_items(large: SocialDataset) -> None:
    check_counters(large)


def test_post_metadata_mirrors_post(dataset: SocialDataset) -> None:
    meta = {item["post_id"]: item for item in by_entity(dataset, "POST_META")}
    posts = dataset.posts()
    assert set(meta) == {post["post_id"] for post in posts}
    for post in posts:
        head = meta[post["post_id"]]
        assert head["author_id"] == post["user_id"]
        assert head["created_at"] == post["created_at"]


def test_references_point_at_existing_items(dataset: SocialDataset) -> None:
    user_ids = {user["user_id"] for user in dataset.users()}
    post_ids = {post["post_id"] for post in dataset.posts()}
    for item in dataset.items:
        for name in ("user_id", "author_id", "follower_id", "followee_id"):
            if name in item:
                assert item[name] in user_ids, item
        if "post_id" in item:
            assert item["post_id"] in post_ids, item


def test_follow_edges_symmetric_without_self_follows(dataset: SocialDataset) -> None:
    following = {(i["follower_id"], i["followee_id"]) for i in by_entity(dataset, "FOLLOWING")}
    follower = {(i["follower_id"], i["followee_id"]) for i in by_entity(dataset, "FOLLOWER")}
    assert following == follower
    assert len(following) == len(by_entity(dataset, "FOLLOWING"))  # no duplicate edges
    assert all(a != b for a, b in following)
    pairs = {(i["PK"], i["SK"]): i["created_at"] for i in by_entity(dataset, "FOLLOWING")}
    for item in by_entity(dataset, "FOLLOWER"):
        twin = (f"USER#{item['follower_id']}", f"FOLLOWING#{item['followee_id']}")
        assert pairs[twin] == item["created_at"]


def test_likes_unique_and_never_own_post(dataset: SocialDataset) -> None:
    author = {post["post_id"]: post["user_id"] for post in dataset.posts()}
    status = {post["post_id"]: post["status"] for post in dataset.posts()}
    created = {post["post_id"]: post["created_at"] for post in dataset.posts()}
    likes = [(i["post_id"], i["user_id"], i["created_at"]) for i in by_entity(dataset, "LIKE")]
    assert likes
    assert len({(p, u) for p, u, _ in likes}) == len(likes)
    for post_id, user_id, when in likes:
        assert user_id != author[post_id]
        assert status[post_id] == "published"
        assert when > created[post_id]


def test_comments_after_their_post(dataset: SocialDataset) -> None:
    created = {post["post_id"]: post["created_at"] for post in dataset.posts()}
    comments = by_entity(dataset, "COMMENT")
    assert comments
    for comment in comments:
        assert comment["created_at"] > created[comment["post_id"]], comment
        assert comment["content"]


def test_popularity_is_skewed(large: SocialDataset) -> None:
    followers = sorted((u["followers_count"] for u in large.users()), reverse=True)
    total = sum(followers)
    top_one_percent = sum(followers[: len(followers) // 100])
    assert top_one_percent > 0.2 * total  # uniform would give about 1%
    assert followers[0] > 20 * (total / len(followers))
    posts = sorted((u["posts_count"] for u in large.users()), reverse=True)
    assert posts[0] > 20 * (sum(posts) / len(posts))


# --- Indexes ------------------------------------------------------------------------------------


def test_gsi_attributes_only_on_their_entities(dataset: SocialDataset) -> None:
    for item in dataset.items:
        present = ALL_GSI_ATTRIBUTES & set(item)
        assert present == GSI_ATTRIBUTES.get(item["entity"], set()), item


def test_gsi_attribute_values(dataset: SocialDataset) -> None:
    for item in dataset.users() + dataset.posts():
        assert item["GSI1PK"] == item["entity"]
        assert item["GSI1SK"] == item["created_at"]
        assert item["GSI3PK"] == f"STATUS#{item['status']}"
        assert item["GSI3SK"] == item["created_at"]
    for user in dataset.users():
        assert user["GSI2PK"] == f"USERNAME#{user['username']}"


def test_gsi2_unique_per_username(large: SocialDataset) -> None:
    keys = [item["GSI2PK"] for item in large.items if "GSI2PK" in item]
    assert len(keys) == SIZES["large"]
    assert len(set(keys)) == len(keys)


def test_items_under_400_kb(large: SocialDataset) -> None:
    assert max(item_size(item) for item in large.items) < MAX_ITEM_SIZE_BYTES
    assert max(item_size(item) for item in large.items) < 2_000  # small, readable items


def test_table_definition() -> None:
    definition = social_table_definition()
    assert definition["TableName"] == SOCIAL_TABLE
    assert social_table_definition("Other")["TableName"] == "Other"
    assert definition["BillingMode"] == "PAY_PER_REQUEST"
    assert definition["KeySchema"] == [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ]
    types = {a["AttributeName"]: a["AttributeType"] for a in definition["AttributeDefinitions"]}
    assert types == dict.fromkeys(ALL_GSI_ATTRIBUTES | {"PK", "SK"}, "S")
    indexes = {index["IndexName"]: index for index in definition["GlobalSecondaryIndexes"]}
    assert set(indexes) == {"GSI1", "GSI2", "GSI3"}
    assert indexes["GSI1"]["KeySchema"] == [
        {"AttributeName": "GSI1PK", "KeyType": "HASH"},
        {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
    ]
    assert indexes["GSI1"]["Projection"] == {"ProjectionType": "ALL"}
    assert indexes["GSI2"]["KeySchema"] == [{"AttributeName": "GSI2PK", "KeyType": "HASH"}]
    assert indexes["GSI2"]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert indexes["GSI3"]["KeySchema"] == [
        {"AttributeName": "GSI3PK", "KeyType": "HASH"},
        {"AttributeName": "GSI3SK", "KeyType": "RANGE"},
    ]
    assert indexes["GSI3"]["Projection"] == {
        "ProjectionType": "INCLUDE",
        "NonKeyAttributes": ["entity", "user_id", "post_id", "username"],
    }
    assert "ProvisionedThroughput" not in indexes["GSI1"]


def test_every_key_attribute_is_defined_and_used() -> None:
    definition = social_table_definition()
    defined = {a["AttributeName"] for a in definition["AttributeDefinitions"]}
    used = {k["AttributeName"] for k in definition["KeySchema"]}
    for index in definition["GlobalSecondaryIndexes"]:
        used |= {k["AttributeName"] for k in index["KeySchema"]}
    assert defined == used


# --- Wire format --------------------------------------------------------------------------------


def test_to_low_level() -> None:
    item = {"PK": "USER#u0001", "n": 3, "tags": {"a", "b"}, "big": Decimal("1.5")}
    wire = to_low_level(item)
    assert wire["PK"] == {"S": "USER#u0001"}
    assert wire["n"] == {"N": "3"}
    assert sorted(wire["tags"]["SS"]) == ["a", "b"]
    assert wire["big"] == {"N": "1.5"}
    assert set(wire) == set(item)


def test_module_is_self_describing() -> None:
    assert datasets.__doc__ and "one job" in datasets.__doc__
    backlink = "Used in: notebooks/01_keys_and_types.ipynb"
    for name in ("generate_social", "load_social", "social_table_definition", "to_low_level"):
        assert backlink in (getattr(datasets, name).__doc__ or "")
