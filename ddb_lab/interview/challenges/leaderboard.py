"""Design challenge: a game's leaderboard under tournament load (write sharding)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Final

from ddb_lab.interview.challenges import Challenge
from ddb_lab.modeling import AccessPattern, Data, Load, Record

BRIEF: Final = """
**Design the leaderboards of a mobile game studio.** Every game has a leaderboard; a player's best score per game
is kept and shown next to the top scores. During a tournament, game `g1` receives **3,000 score updates per
second**.

Records: `Player(player_id, name, country)`, `Score(game_id, player_id, score, achieved_at)` — one score per player
and game (the player's best), scores are whole numbers and unique within a game.

Access patterns:

| function | given | returns |
|---|---|---|
| `player_score` | `game_id`, `player_id` | the player's score in that game (at most 1 read unit) |
| `top_scores` | `game_id`, `n` | the `n` highest scores of the game, highest first (at most 10 read units) |
| `player_games` | `player_id` | all of the player's scores, any order |
| `player_profile` | `player_id` | the player (at most 1 read unit) |

Load: 3,000 score writes per second to game `g1`.
"""

_GAMES: Final = {"g1": 60, "g2": 24, "g3": 15}


def leaderboard_data(seed: int = 42) -> Data:
    """60 players; every player has a score in g1, fewer in g2 and g3."""
    rng = random.Random(seed)
    players = [
        {"player_id": f"p{n:03d}", "name": f"Player {n}", "country": rng.choice(["DE", "BR", "JP"])}
        for n in range(1, 61)
    ]
    scores = []
    start = datetime(2025, 5, 1, tzinfo=UTC)
    for game, count in _GAMES.items():
        chosen = rng.sample(players, count)
        values = rng.sample(range(1_000, 1_000_000), count)
        for player, value in zip(chosen, values, strict=True):
            achieved = start + timedelta(seconds=rng.randrange(0, 30 * 86_400))
            scores.append(
                {
                    "game_id": game,
                    "player_id": player["player_id"],
                    "score": value,
                    "achieved_at": achieved.strftime("%Y-%m-%dT%H:%M:%SZ"),
                }
            )
    return Data(
        {"Player": players, "Score": scores},
        {"Player": ("player_id",), "Score": ("game_id", "player_id")},
    )


def _top(data: Data, game_id: str, n: int) -> list[Record]:
    return data.where("Score", game_id=game_id, order_by="score", reverse=True)[:n]


PATTERNS: Final = (
    AccessPattern(
        "player_score",
        "A player's score in a game",
        cases=[{"game_id": "g1", "player_id": "p007"}, {"game_id": "g3", "player_id": "p001"}],
        expected=lambda data, game_id, player_id: data.where(
            "Score", game_id=game_id, player_id=player_id
        ),
        max_read_units=1,
    ),
    AccessPattern(
        "top_scores",
        "The top n scores of a game, highest first",
        cases=[{"game_id": "g1", "n": 10}, {"game_id": "g2", "n": 5}],
        expected=_top,
        ordered=True,
        max_read_units=10,
    ),
    AccessPattern(
        "player_games",
        "All of a player's scores",
        cases=[{"player_id": "p007"}, {"player_id": "p042"}],
        expected=lambda data, player_id: data.where("Score", player_id=player_id),
    ),
    AccessPattern(
        "player_profile",
        "A player",
        cases=[{"player_id": "p007"}],
        expected=lambda data, player_id: data.where("Player", player_id=player_id),
        max_read_units=1,
    ),
)

CHALLENGE: Final = Challenge(
    id="leaderboard",
    title="A game leaderboard during a tournament (write sharding)",
    brief=BRIEF.strip(),
    data=leaderboard_data,
    patterns=PATTERNS,
    loads=(Load("Score", 3_000, where={"game_id": "g1"}, description="3,000 g1 scores/s"),),
    hot_share=1,  # g1 holds most scores by the brief; the load decides what is hot
    chapters=(3, 5),
)
