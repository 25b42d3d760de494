"""Design challenge: chat rooms and their messages."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Final

from ddb_lab.interview.challenges import Challenge
from ddb_lab.modeling import AccessPattern, Data, Load, Record

BRIEF: Final = """
**Design the storage of a chat service.** Users join rooms and post messages; the app opens a room on its newest
messages and scrolls back a page at a time.

Records: `Room(room_id, name, created_at)`, `Membership(room_id, user_id, joined_at)`,
`Message(room_id, message_id, sent_at, sender_id, text)` — `message_id` is unique, `sent_at` is an ISO timestamp.

Access patterns:

| function | given | returns |
|---|---|---|
| `room` | `room_id` | the room (at most 1 read unit) |
| `room_messages` | `room_id`, `limit`, `cursor` | one page of the room's messages, newest first, and the next cursor |
| `room_members` | `room_id` | the room's memberships |
| `user_rooms` | `user_id` | the user's memberships (the rooms they are in) |

Load: 2,500 messages per second; the busiest room takes a fifth of them.
"""


def chat_data(seed: int = 8) -> Data:
    rng = random.Random(seed)
    start = datetime(2025, 6, 1, tzinfo=UTC)
    rooms = [
        {"room_id": f"r{n:02d}", "name": f"Room {n}", "created_at": f"2025-05-{n:02d}T09:00:00Z"}
        for n in range(1, 13)
    ]
    users = [f"u{n:03d}" for n in range(1, 31)]
    members = []
    for room in rooms:
        for user in sorted(rng.sample(users, rng.randrange(3, 12))):
            joined = start - timedelta(days=rng.randrange(1, 30))
            members.append(
                {
                    "room_id": room["room_id"],
                    "user_id": user,
                    "joined_at": joined.date().isoformat(),
                }
            )
    messages = []
    for n in range(1, 301):
        room_id = "r01" if n % 5 == 0 else rng.choice([r["room_id"] for r in rooms])
        sent = start + timedelta(seconds=rng.randrange(0, 7 * 86_400))
        messages.append(
            {
                "room_id": room_id,
                "message_id": f"m{n:05d}",
                "sent_at": sent.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "sender_id": rng.choice(users),
                "text": rng.choice(["hi", "see you", "on it", "thanks!", "lunch?", "+1"]),
            }
        )
    return Data(
        {"Room": rooms, "Membership": members, "Message": messages},
        {"Room": ("room_id",), "Membership": ("room_id", "user_id"), "Message": ("message_id",)},
    )


def _newest(data: Data, room_id: str) -> list[Record]:
    return data.where("Message", room_id=room_id, order_by=("sent_at", "message_id"), reverse=True)


PATTERNS: Final = (
    AccessPattern(
        "room",
        "A room",
        cases=[{"room_id": "r01"}, {"room_id": "r07"}],
        expected=lambda data, room_id: data.where("Room", room_id=room_id),
        max_read_units=1,
    ),
    AccessPattern(
        "room_messages",
        "A room's messages, newest first, a page at a time",
        cases=[{"room_id": "r01"}, {"room_id": "r05"}],
        expected=_newest,
        ordered=True,
        page_size=10,
    ),
    AccessPattern(
        "room_members",
        "A room's members",
        cases=[{"room_id": "r08"}, {"room_id": "r12"}],
        expected=lambda data, room_id: data.where("Membership", room_id=room_id),
    ),
    AccessPattern(
        "user_rooms",
        "The rooms a user is in",
        cases=[{"user_id": "u004"}, {"user_id": "u021"}],
        expected=lambda data, user_id: data.where("Membership", user_id=user_id),
    ),
)

CHALLENGE: Final = Challenge(
    id="chat",
    title="A chat service: rooms, members and messages",
    brief=BRIEF.strip(),
    data=chat_data,
    patterns=PATTERNS,
    loads=(Load("Message", 2_500, description="2,500 messages/s, a fifth in the busiest room"),),
    chapters=(2, 3, 4),
)
