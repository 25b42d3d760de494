"""The lab clock: simulated time that moves only when told, and wall-clock time."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from ddb_lab.clock import SIMULATED_EPOCH, Clock, RealClock, SimulatedClock


def test_simulated_epoch_is_new_year_2025() -> None:
    assert datetime.fromtimestamp(SIMULATED_EPOCH, UTC) == datetime(2025, 1, 1, tzinfo=UTC)


def test_simulated_clock_starts_at_the_epoch_and_stands_still() -> None:
    clock = SimulatedClock()
    assert clock.now() == SIMULATED_EPOCH
    assert clock.now() == SIMULATED_EPOCH
    assert clock.datetime() == datetime(2025, 1, 1, tzinfo=UTC)
    assert clock.kind == "simulated"
    assert repr(clock) == "SimulatedClock(now=2025-01-01T00:00:00+00:00)"


def test_advance_moves_forward_and_returns_the_new_time() -> None:
    clock = SimulatedClock(start=100.0)
    assert clock.advance(5) == 105.0
    assert clock.advance(0.5) == 105.5
    assert clock.advance(0) == 105.5
    assert clock.now() == 105.5


def test_advance_never_goes_backwards() -> None:
    clock = SimulatedClock(start=100.0)
    with pytest.raises(ValueError, match="time only moves forward"):
        clock.advance(-1)
    assert clock.now() == 100.0


def test_sleep_advances_instantly() -> None:
    clock = SimulatedClock(start=0.0)
    started = time.monotonic()
    clock.sleep(3600)
    assert time.monotonic() - started < 1.0
    assert clock.now() == 3600.0
    clock.sleep(-5)  # a negative back-off is treated as zero, not as an error
    assert clock.now() == 3600.0


def test_reset_goes_back_to_the_start() -> None:
    clock = SimulatedClock(start=42.0)
    clock.advance(1000)
    clock.reset()
    assert clock.now() == 42.0


def test_listeners_hear_every_move_until_unsubscribed() -> None:
    clock = SimulatedClock(start=0.0)
    heard: list[float] = []
    also: list[float] = []
    unsubscribe = clock.subscribe(heard.append)
    clock.subscribe(also.append)

    clock.advance(1)
    clock.sleep(2)
    unsubscribe()
    clock.advance(3)
    unsubscribe()  # twice is harmless

    assert heard == [1.0, 3.0]
    assert also == [1.0, 3.0, 6.0]


def test_reset_does_not_notify() -> None:
    clock = SimulatedClock(start=0.0)
    heard: list[float] = []
    clock.subscribe(heard.append)
    clock.advance(10)
    clock.reset()
    assert heard == [10.0]
    assert clock.now() == 0.0


def test_a_listener_may_unsubscribe_itself_while_being_notified() -> None:
    clock = SimulatedClock(start=0.0)
    heard: list[float] = []

    def once(now: float) -> None:
        heard.append(now)
        unsubscribe()

    unsubscribe = clock.subscribe(once)
    clock.advance(1)
    clock.advance(1)
    assert heard == [1.0]


def test_real_clock_follows_the_wall_clock() -> None:
    clock = RealClock()
    before = time.time()
    now = clock.now()
    after = time.time()
    assert before <= now <= after
    assert clock.kind == "real"
    assert abs(clock.datetime().timestamp() - time.time()) < 5
    assert clock.datetime().tzinfo is UTC
    assert repr(clock) == "RealClock()"


def test_real_clock_sleep_zero_notifies_without_waiting() -> None:
    clock = RealClock()
    heard: list[float] = []
    clock.subscribe(heard.append)
    clock.sleep(0)
    clock.sleep(-1)
    assert len(heard) == 2
    assert all(abs(t - time.time()) < 5 for t in heard)


def test_both_clocks_satisfy_the_protocol() -> None:
    clocks: list[Clock] = [RealClock(), SimulatedClock()]
    for clock in clocks:
        assert isinstance(clock.now(), float)
