"""Design challenge: the course's social app."""

from __future__ import annotations

from typing import Final

from ddb_lab.interview.challenges import Challenge
from ddb_lab.modeling import Load
from ddb_lab.modeling.social import SOCIAL_PATTERNS, social_data

BRIEF: Final = """
**Design the data layer of a small social network.** Users have a profile and a unique username; they write posts,
like posts and comment on them, and follow each other.

Records: `User(user_id, username, name, email, bio, location, status, created_at, interests, followers_count,
following_count, posts_count)`, `Post(post_id, user_id, content, status, created_at, tags, likes_count,
comments_count)`, `Like(post_id, user_id, created_at)`, `Comment(comment_id, post_id, user_id, content,
created_at)`, `Follow(follower_id, followee_id, created_at)`.

Access patterns:

| function | given | returns |
|---|---|---|
| `get_profile` | `user_id` | the user (at most 1 read unit) |
| `user_by_username` | `username` | the user with that username, if any (at most 2 read units) |
| `posts_by_user` | `user_id`, `limit`, `cursor` | one page of the user's posts, newest first, and the next cursor |
| `post_activity` | `post_id` | the post, its likes and its comments |
| `followers` | `user_id` | the follow records of the user's followers |
| `following` | `user_id` | the follow records of the users the user follows |

Load: 1,500 likes per second at peak, spread over the posts by popularity.
"""

CHALLENGE: Final = Challenge(
    id="social",
    title="A social network: profiles, posts, likes, comments, follows",
    brief=BRIEF.strip(),
    data=social_data,
    patterns=SOCIAL_PATTERNS,
    loads=(
        # each like record is one write: popular posts have more of them
        Load("Like", 1_500, description="1,500 likes per second, by post popularity"),
    ),
    chapters=(2, 3, 4),
)
