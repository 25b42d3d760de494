"""Deterministic sample data: a social-media app stored as one DynamoDB table.

This module has one job: build the course's sample data set (users, posts, likes, comments and
follow edges laid out in a single-table design) from a seed, and load it into a table. Nothing
here reads the network or the wall clock: every id, name and timestamp derives from the seed and
the fixed base time ``2025-01-01T00:00:00Z``, so the same size and seed always give the same
items.

Layout of table ``SocialApp`` (``PK`` HASH, ``SK`` RANGE; every key attribute is a string):

=============  ====================  =======================================  ============
entity         PK                    SK                                       indexes
=============  ====================  =======================================  ============
USER           ``USER#<user_id>``    ``PROFILE``                              GSI1 GSI2 GSI3
POST           ``USER#<user_id>``    ``POST#<created_at>#<post_id>``          GSI1 GSI3
POST_META      ``POST#<post_id>``    ``METADATA``
LIKE           ``POST#<post_id>``    ``LIKE#<user_id>``
COMMENT        ``POST#<post_id>``    ``COMMENT#<created_at>#<comment_id>``
FOLLOWING      ``USER#<a>``          ``FOLLOWING#<b>``
FOLLOWER       ``USER#<b>``          ``FOLLOWER#<a>``
=============  ====================  =======================================  ============

* ``GSI1`` (``GSI1PK`` = entity type, ``GSI1SK`` = ``created_at``; projection ALL): users or
  posts in time order.
* ``GSI2`` (``GSI2PK`` = ``USERNAME#<username>``; KEYS_ONLY): find a user by username.
* ``GSI3`` (``GSI3PK`` = ``STATUS#<status>``, ``GSI3SK`` = ``created_at``; INCLUDE ``entity``,
  ``user_id``, ``post_id``, ``username``): users or posts by status, in time order.

Popularity is skewed on purpose (a Zipf-like weighting over a seeded ranking of the users), so a
few users collect most followers, posts and likes: later chapters use them as hot keys.

Used in: notebooks/01_keys_and_types.ipynb (the sample table), and later chapters that query it.
"""

from __future__ import annotations

import bisect
import itertools
import random
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, Final, cast

from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

from ddb_lab.facts import BATCH_WRITE_MAX_ITEMS

__all__ = [
    "BASE_TIME",
    "DEFAULT_SEED",
    "PROGRESS_MIN_ITEMS",
    "SIZES",
    "SOCIAL_TABLE",
    "LoadReport",
    "SocialDataset",
    "generate_social",
    "load_social",
    "social_table_definition",
    "to_low_level",
]

#: Name of the sample table.
SOCIAL_TABLE: Final = "SocialApp"
#: Seed used when none is given; the notebooks rely on it.
DEFAULT_SEED: Final = 7
#: Number of users per data-set size (item totals: tiny 66, small ~565, medium ~5.7k, large ~34k).
SIZES: Final[Mapping[str, int]] = MappingProxyType(
    {"tiny": 8, "small": 40, "medium": 250, "large": 1500}
)
#: Every timestamp is this instant plus a seeded offset.
BASE_TIME: Final = datetime(2025, 1, 1, tzinfo=UTC)
#: With ``progress=None``, ``load_social`` shows a progress bar from this many items up.
PROGRESS_MIN_ITEMS: Final = 2000


@dataclass(frozen=True)
class _Shape:
    """How much activity a data set holds, per user and per post."""

    posts_per_user: float
    follows_per_user: float
    likes_per_post: float
    comments_per_post: float


# Per-size activity. The item total is about
# users * (1 + 2*posts + 2*follows) + posts * (likes + comments).
_SHAPES: Final[Mapping[str, _Shape]] = MappingProxyType(
    {
        "tiny": _Shape(1.25, 1.25, 1.2, 0.6),
        "small": _Shape(1.5, 3.0, 2.0, 0.75),
        "medium": _Shape(2.0, 5.0, 3.0, 1.0),
        "large": _Shape(2.5, 5.0, 2.0, 0.6),
    }
)

#: Zipf exponent for popularity (followers, posts, likes). 1.0 is the classic Zipf law.
_ZIPF_EXPONENT: Final = 1.0
_MINUTE: Final = 60
_HOUR: Final = 3600
_DAY: Final = 86_400

_FIRST_NAMES: Final = (
    "Ada", "Alan", "Barbara", "Bjarne", "Claude", "Dennis", "Donald", "Edsger", "Frances",
    "Grace", "Guido", "Hedy", "Ivan", "Jean", "John", "Ken", "Leslie", "Linus", "Margaret",
    "Radia", "Shafi", "Sophie", "Tim", "Vint", "Annie", "Karen", "Niklaus", "Lynn", "Adele",
    "Butler", "Carl", "Dorothy", "Evelyn", "Fran", "Gordon", "Hal", "Irene", "Joan", "Katherine",
    "Lois", "Marian", "Nancy", "Olga", "Peter", "Rosalind", "Susan", "Tony", "Whitfield",
)  # fmt: skip
_LAST_NAMES: Final = (
    "Lovelace", "Turing", "Liskov", "Stroustrup", "Shannon", "Ritchie", "Knuth", "Dijkstra",
    "Allen", "Hopper", "Rossum", "Lamarr", "Sutherland", "Sammet", "Backus", "Thompson",
    "Lamport", "Torvalds", "Hamilton", "Perlman", "Goldwasser", "Wilson", "Berners", "Cerf",
    "Easley", "Jones", "Wirth", "Conway", "Goldberg", "Lampson", "Hewitt", "Vaughan", "Boyd",
    "Bilas", "Moore", "Abelson", "Greif", "Clarke", "Johnson", "Haibt", "Croft", "Lynch",
    "Taussky", "Naur", "Franklin", "Kare", "Hoare", "Diffie",
)  # fmt: skip
_CITIES: Final = (
    "Berlin", "Lagos", "Lisbon", "Melbourne", "Montreal", "Mumbai", "Nairobi", "Osaka", "Oslo",
    "Portland", "Santiago", "Seoul", "Singapore", "Toronto", "Vienna", "Warsaw",
)  # fmt: skip
_INTERESTS: Final = (
    "books", "climbing", "coffee", "cooking", "cycling", "databases", "design", "film", "gaming",
    "gardening", "hiking", "jazz", "music", "photography", "running", "science", "travel", "yoga",
)  # fmt: skip
_POST_OPENERS: Final = (
    "Just tried", "Thinking about", "Weekend plans:", "Hot take on", "Learning more about",
    "Can't stop talking about", "A quick note on", "Loving",
)  # fmt: skip
_POST_CLOSERS: Final = (
    "What do you think?", "More soon.", "Highly recommend.", "Not sure yet.", "Ten out of ten.",
    "Anyone else?", "", "Photos later!",
)  # fmt: skip
_COMMENTS: Final = (
    "Love this!", "So true.", "Great post.", "Thanks for sharing.", "Totally agree.",
    "Interesting, tell me more.", "Same here!", "Ha, nice one.", "Where was this?",
    "I disagree, but fair point.",
)  # fmt: skip


def _iso(offset_seconds: int) -> str:
    """ISO-8601 UTC timestamp for ``BASE_TIME`` plus ``offset_seconds``."""
    return (BASE_TIME + timedelta(seconds=offset_seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def social_table_definition(table_name: str = SOCIAL_TABLE) -> dict[str, Any]:
    """Keyword arguments for ``client.create_table(**...)`` that create the sample table.

    The table has a composite primary key (``PK``, ``SK``), three global secondary indexes and
    on-demand billing. See the module docstring for what each index is for.

    Args:
        table_name: Name for the table.

    Returns:
        ``TableName``, ``KeySchema``, ``AttributeDefinitions``, ``GlobalSecondaryIndexes`` and
        ``BillingMode``, ready for a low-level client's ``create_table``.

    Used in: notebooks/01_keys_and_types.ipynb
    """
    key_attributes = ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI3PK", "GSI3SK")
    return {
        "TableName": table_name,
        "KeySchema": [
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"} for name in key_attributes
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "GSI1",
                "KeySchema": [
                    {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                    {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "GSI2",
                "KeySchema": [{"AttributeName": "GSI2PK", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            },
            {
                "IndexName": "GSI3",
                "KeySchema": [
                    {"AttributeName": "GSI3PK", "KeyType": "HASH"},
                    {"AttributeName": "GSI3SK", "KeyType": "RANGE"},
                ],
                "Projection": {
                    "ProjectionType": "INCLUDE",
                    "NonKeyAttributes": ["entity", "user_id", "post_id", "username"],
                },
            },
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }


@dataclass(frozen=True)
class SocialDataset:
    """One generated data set: resource-style items (``int`` numbers, ``set[str]`` sets).

    Attributes:
        size: The size name it was generated for (a key of ``SIZES``).
        seed: The seed it was generated from.
        items: Every item, sorted by (``PK``, ``SK``).

    Used in: notebooks/01_keys_and_types.ipynb
    """

    size: str
    seed: int
    items: tuple[dict[str, Any], ...]

    def users(self) -> list[dict[str, Any]]:
        """User profile items, in ``user_id`` order.

        Used in: notebooks/01_keys_and_types.ipynb
        """
        return [item for item in self.items if item["entity"] == "USER"]

    def posts(self) -> list[dict[str, Any]]:
        """Post items, grouped by author and oldest first within an author.

        Used in: notebooks/01_keys_and_types.ipynb
        """
        return [item for item in self.items if item["entity"] == "POST"]

    def counts(self) -> dict[str, int]:
        """Number of items per entity, keyed by entity name in alphabetical order.

        Used in: notebooks/01_keys_and_types.ipynb
        """
        tally = Counter(item["entity"] for item in self.items)
        return {entity: tally[entity] for entity in sorted(tally)}


@dataclass
class _User:
    user_id: str
    username: str
    name: str
    created: int
    status: str
    interests: list[str]
    location: str
    weight: float


@dataclass
class _Post:
    author: _User
    created: int
    status: str
    tags: list[str]
    content: str
    weight: float
    post_id: str = ""


def _cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _pick(rng: random.Random, cum_weights: Sequence[float]) -> int:
    """Index drawn with probability proportional to its weight (cumulative weights given)."""
    return bisect.bisect_right(cum_weights, rng.random() * cum_weights[-1])


def _make_users(rng: random.Random, count: int) -> list[_User]:
    created = sorted(rng.randrange(0, 60 * _DAY) for _ in range(count))
    # Popularity: a seeded ranking of the users, weighted 1 / rank**s (Zipf-like).
    ranks = list(range(1, count + 1))
    rng.shuffle(ranks)
    taken: set[str] = set()
    users: list[_User] = []
    for number, (offset, rank) in enumerate(zip(created, ranks, strict=True), start=1):
        first = rng.choice(_FIRST_NAMES)
        last = rng.choice(_LAST_NAMES)
        base = f"{first}_{last}".lower()
        username = base
        suffix = 2
        while username in taken:
            username = f"{base}{suffix}"
            suffix += 1
        taken.add(username)
        roll = rng.random()
        status = "active" if roll < 0.9 else "suspended" if roll < 0.96 else "deactivated"
        # About one user in six has no interests: the attribute is then absent, because
        # DynamoDB cannot store an empty set.
        interests = [] if rng.random() < 0.15 else rng.sample(_INTERESTS, rng.randint(1, 4))
        users.append(
            _User(
                user_id=f"u{number:04d}",
                username=username,
                name=f"{first} {last}",
                created=offset,
                status=status,
                interests=interests,
                location=rng.choice(_CITIES),
                weight=1.0 / rank**_ZIPF_EXPONENT,
            )
        )
    return users


def _make_posts(rng: random.Random, users: list[_User], count: int) -> list[_Post]:
    cum = _cumulative([user.weight for user in users])
    drafts: list[tuple[int, int, _Post]] = []
    for draw in range(count):
        author = users[_pick(rng, cum)]
        created = author.created + rng.randrange(_HOUR, 90 * _DAY)
        tags = [] if rng.random() < 0.3 else rng.sample(_INTERESTS, rng.randint(1, 3))
        topic = tags[0] if tags else rng.choice(_INTERESTS)
        content = f"{rng.choice(_POST_OPENERS)} {topic}. {rng.choice(_POST_CLOSERS)}".strip()
        post = _Post(
            author=author,
            created=created,
            status="published" if rng.random() < 0.88 else "draft",
            tags=tags,
            content=content,
            # Hot authors write hot posts, with some luck either way.
            weight=author.weight * rng.uniform(0.5, 1.5),
        )
        drafts.append((created, draw, post))
    drafts.sort(key=lambda entry: entry[:2])
    posts = [post for _, _, post in drafts]
    for number, post in enumerate(posts, start=1):
        post.post_id = f"p{number:05d}"
    return posts


def _sample_pairs(
    rng: random.Random,
    target: int,
    draw: Callable[[], tuple[int, int] | None],
) -> list[tuple[int, int]]:
    """Up to ``target`` distinct pairs from ``draw`` (which returns None for a rejected draw)."""
    chosen: list[tuple[int, int]] = []
    seen: set[tuple[int, int]] = set()
    attempts = 0
    max_attempts = 200 * target + 1000
    while len(chosen) < target and attempts < max_attempts:
        attempts += 1
        pair = draw()
        if pair is None or pair in seen:
            continue
        seen.add(pair)
        chosen.append(pair)
    return chosen


def _items_for(
    users: list[_User], posts: list[_Post], rng: random.Random, shape: _Shape
) -> list[dict[str, Any]]:
    n = len(users)
    items: list[dict[str, Any]] = []
    followers: Counter[str] = Counter()
    following: Counter[str] = Counter()

    # Follows: the follower is anyone, the followee is drawn by popularity.
    user_cum = _cumulative([user.weight for user in users])

    def draw_follow() -> tuple[int, int] | None:
        a, b = rng.randrange(n), _pick(rng, user_cum)
        return None if a == b else (a, b)

    for a, b in _sample_pairs(rng, round(n * shape.follows_per_user), draw_follow):
        src, dst = users[a], users[b]
        followed_at = max(src.created, dst.created) + rng.randrange(_MINUTE, 30 * _DAY)
        common = {
            "follower_id": src.user_id,
            "followee_id": dst.user_id,
            "created_at": _iso(followed_at),
        }
        items.append(
            {"PK": f"USER#{src.user_id}", "SK": f"FOLLOWING#{dst.user_id}", "entity": "FOLLOWING"}
            | common
        )
        items.append(
            {"PK": f"USER#{dst.user_id}", "SK": f"FOLLOWER#{src.user_id}", "entity": "FOLLOWER"}
            | common
        )
        following[src.user_id] += 1
        followers[dst.user_id] += 1

    # Likes and comments go to published posts only, drawn by post popularity.
    published = [post for post in posts if post.status == "published"]
    likes: Counter[str] = Counter()
    comments: Counter[str] = Counter()
    if published:
        post_cum = _cumulative([post.weight for post in published])
        index_of = {user.user_id: index for index, user in enumerate(users)}

        def draw_like() -> tuple[int, int] | None:
            p, u = _pick(rng, post_cum), rng.randrange(n)
            return None if index_of[published[p].author.user_id] == u else (p, u)

        for p, u in _sample_pairs(rng, round(len(posts) * shape.likes_per_post), draw_like):
            post, liker = published[p], users[u]
            items.append(
                {
                    "PK": f"POST#{post.post_id}",
                    "SK": f"LIKE#{liker.user_id}",
                    "entity": "LIKE",
                    "post_id": post.post_id,
                    "user_id": liker.user_id,
                    "created_at": _iso(
                        max(post.created, liker.created) + rng.randrange(_MINUTE, 14 * _DAY)
                    ),
                }
            )
            likes[post.post_id] += 1

        drafted: list[tuple[int, int, _Post, _User, str]] = []
        for draw in range(round(len(posts) * shape.comments_per_post)):
            post, commenter = published[_pick(rng, post_cum)], users[rng.randrange(n)]
            created = max(post.created, commenter.created) + rng.randrange(_MINUTE, 7 * _DAY)
            drafted.append((created, draw, post, commenter, rng.choice(_COMMENTS)))
        drafted.sort(key=lambda entry: entry[:2])
        for number, (created, _, post, commenter, text) in enumerate(drafted, start=1):
            comment_id = f"c{number:06d}"
            stamp = _iso(created)
            items.append(
                {
                    "PK": f"POST#{post.post_id}",
                    "SK": f"COMMENT#{stamp}#{comment_id}",
                    "entity": "COMMENT",
                    "comment_id": comment_id,
                    "post_id": post.post_id,
                    "user_id": commenter.user_id,
                    "content": text,
                    "created_at": stamp,
                }
            )
            comments[post.post_id] += 1

    posts_by_user = Counter(post.author.user_id for post in posts)
    for post in posts:
        stamp = _iso(post.created)
        item: dict[str, Any] = {
            "PK": f"USER#{post.author.user_id}",
            "SK": f"POST#{stamp}#{post.post_id}",
            "entity": "POST",
            "post_id": post.post_id,
            "user_id": post.author.user_id,
            "content": post.content,
            "likes_count": likes[post.post_id],
            "comments_count": comments[post.post_id],
            "status": post.status,
            "created_at": stamp,
            "GSI1PK": "POST",
            "GSI1SK": stamp,
            "GSI3PK": f"STATUS#{post.status}",
            "GSI3SK": stamp,
        }
        if post.tags:
            item["tags"] = set(post.tags)
        items.append(item)
        items.append(
            {
                "PK": f"POST#{post.post_id}",
                "SK": "METADATA",
                "entity": "POST_META",
                "post_id": post.post_id,
                "author_id": post.author.user_id,
                "likes_count": likes[post.post_id],
                "comments_count": comments[post.post_id],
                "created_at": stamp,
            }
        )

    for user in users:
        stamp = _iso(user.created)
        topics = ", ".join(user.interests) if user.interests else "a bit of everything"
        profile: dict[str, Any] = {
            "PK": f"USER#{user.user_id}",
            "SK": "PROFILE",
            "entity": "USER",
            "user_id": user.user_id,
            "username": user.username,
            "name": user.name,
            "email": f"{user.username}@example.com",
            "bio": f"{user.name.split()[0]} from {user.location}. Into {topics}.",
            "location": user.location,
            "followers_count": followers[user.user_id],
            "following_count": following[user.user_id],
            "posts_count": posts_by_user[user.user_id],
            "status": user.status,
            "created_at": stamp,
            "GSI1PK": "USER",
            "GSI1SK": stamp,
            "GSI2PK": f"USERNAME#{user.username}",
            "GSI3PK": f"STATUS#{user.status}",
            "GSI3SK": stamp,
        }
        if user.interests:
            profile["interests"] = set(user.interests)
        items.append(profile)
    return items


def generate_social(size: str = "small", seed: int = DEFAULT_SEED) -> SocialDataset:
    """Generate the social-media sample data, deterministically.

    Args:
        size: One of ``SIZES`` (``"tiny"``, ``"small"``, ``"medium"``, ``"large"``).
        seed: Random seed. The same size and seed always give identical items.

    Returns:
        The data set, items sorted by (``PK``, ``SK``). Every counter attribute
        (``followers_count``, ``following_count``, ``posts_count``, ``likes_count``,
        ``comments_count``) equals the number of matching items; ``posts_count`` counts drafts
        too, while likes and comments only go to published posts.

    Raises:
        ValueError: If ``size`` is not one of ``SIZES``.

    Used in: notebooks/01_keys_and_types.ipynb
    """
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; valid sizes are: {', '.join(SIZES)}")
    rng = random.Random(seed)
    shape = _SHAPES[size]
    users = _make_users(rng, SIZES[size])
    posts = _make_posts(rng, users, round(len(users) * shape.posts_per_user))
    items = _items_for(users, posts, rng, shape)
    items.sort(key=lambda item: (item["PK"], item["SK"]))
    return SocialDataset(size=size, seed=seed, items=tuple(items))


_SERIALIZER: Final = TypeSerializer()


def to_low_level(item: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Convert a resource-style item to the low-level wire format (``{"S": ...}`` and so on).

    Args:
        item: Attribute name to Python value (``str``, ``int``, ``Decimal``, ``set``, ...).

    Returns:
        Attribute name to typed attribute value, as ``TypeSerializer`` produces it.

    Used in: notebooks/01_keys_and_types.ipynb
    """
    return {
        name: cast("dict[str, Any]", _SERIALIZER.serialize(value)) for name, value in item.items()
    }


@dataclass(frozen=True)
class LoadReport:
    """What ``load_social`` did.

    Attributes:
        table_name: The table written to.
        items: Items written.
        batches: ``BatchWriteItem`` batches of new items (each up to ``BATCH_WRITE_MAX_ITEMS``).
        retries: Extra ``BatchWriteItem`` calls that resent ``UnprocessedItems``.

    Used in: notebooks/01_keys_and_types.ipynb
    """

    table_name: str
    items: int
    batches: int
    retries: int


#: Retries of one batch's ``UnprocessedItems`` before ``load_social`` gives up.
_MAX_RETRIES: Final = 8
_BACKOFF_BASE_SECONDS: Final = 0.05
_BACKOFF_CAP_SECONDS: Final = 2.0
#: How backoff waits; tests replace it to run without waiting.
_sleep: Callable[[float], None] = time.sleep


def _ensure_table(client: Any, table_name: str) -> None:
    try:
        client.describe_table(TableName=table_name)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
        try:
            client.create_table(**social_table_definition(table_name))
        except ClientError as create_error:  # created meanwhile by someone else: fine
            if create_error.response.get("Error", {}).get("Code") != "ResourceInUseException":
                raise
    client.get_waiter("table_exists").wait(
        TableName=table_name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 50}
    )


def _write_batch(client: Any, table_name: str, requests: list[dict[str, Any]]) -> int:
    """Write one batch, resending ``UnprocessedItems`` with backoff; returns the retry count."""
    pending: dict[str, Any] = {table_name: requests}
    retries = 0
    while True:
        response = client.batch_write_item(RequestItems=pending)
        pending = {
            name: reqs for name, reqs in response.get("UnprocessedItems", {}).items() if reqs
        }
        if not pending:
            return retries
        if retries >= _MAX_RETRIES:
            left = sum(len(reqs) for reqs in pending.values())
            raise RuntimeError(
                f"{left} item(s) still unprocessed after {retries} retries of BatchWriteItem "
                f"into {table_name!r}; the table is being throttled or is unavailable"
            )
        _sleep(min(_BACKOFF_CAP_SECONDS, _BACKOFF_BASE_SECONDS * 2**retries))
        retries += 1


def load_social(
    client: Any,
    size: str = "small",
    seed: int = DEFAULT_SEED,
    *,
    table_name: str = SOCIAL_TABLE,
    create: bool = True,
    progress: bool | None = None,
) -> LoadReport:
    """Generate the sample data and write it into a table with ``BatchWriteItem``.

    Items go in batches of ``BATCH_WRITE_MAX_ITEMS``; ``UnprocessedItems`` are resent with
    exponential backoff (up to a fixed number of retries per batch).

    Args:
        client: A boto3 low-level DynamoDB client (``boto3.client("dynamodb")``).
        size: One of ``SIZES``.
        seed: Random seed, as for ``generate_social``.
        table_name: Table to write to.
        create: Create the table from ``social_table_definition`` if it does not exist, and
            wait until it is ACTIVE. An existing table is used as it is.
        progress: Show a tqdm progress bar. ``None`` shows one only for
            ``PROGRESS_MIN_ITEMS`` items or more.

    Returns:
        A ``LoadReport`` with the numbers of items, batches and retries.

    Raises:
        ValueError: If ``size`` is unknown.
        RuntimeError: If a batch still has unprocessed items after the last retry.
        botocore.exceptions.ClientError: For any other service error (for example a missing
            table with ``create=False``).

    Used in: notebooks/01_keys_and_types.ipynb
    """
    dataset = generate_social(size, seed)
    if create:
        _ensure_table(client, table_name)
    total = len(dataset.items)
    show = total >= PROGRESS_MIN_ITEMS if progress is None else progress
    bar: Any = None
    if show:
        from tqdm.auto import tqdm  # type: ignore[import-untyped, unused-ignore]

        bar = tqdm(total=total, unit="item", desc=f"Loading {table_name}")
    batches = retries = 0
    try:
        for start in range(0, total, BATCH_WRITE_MAX_ITEMS):
            chunk = dataset.items[start : start + BATCH_WRITE_MAX_ITEMS]
            requests = [{"PutRequest": {"Item": to_low_level(item)}} for item in chunk]
            retries += _write_batch(client, table_name, requests)
            batches += 1
            if bar is not None:
                bar.update(len(chunk))
    finally:
        if bar is not None:
            bar.close()
    return LoadReport(table_name=table_name, items=total, batches=batches, retries=retries)
