"""The lab clock: one notion of "now" for everything that depends on time.

TTL sweeps, throttling token buckets and stream timestamps read the lab clock, never the wall
clock directly, so that a notebook can run on simulated time and produce the same output on every
run. Real time is the default for live play; simulated time is the default in the course
notebooks.

Used in: notebooks/00_welcome.ipynb (the clock), later chapters for TTL and throttling.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

__all__ = ["SIMULATED_EPOCH", "Clock", "RealClock", "SimulatedClock"]

#: Where simulated time starts: 2025-01-01T00:00:00Z, as epoch seconds.
SIMULATED_EPOCH = 1_735_689_600.0


class Clock(Protocol):
    """What the lab needs from a clock."""

    def now(self) -> float:
        """Seconds since the Unix epoch."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait (or, on simulated time, advance) by ``seconds``."""
        ...


class _Listeners:
    def __init__(self) -> None:
        self._listeners: list[Callable[[float], None]] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Callable[[float], None]) -> Callable[[], None]:
        """Call ``listener(now)`` whenever time moves; returns an unsubscribe function."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _notify(self, now: float) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(now)


class RealClock(_Listeners):
    """Wall-clock time."""

    kind = "real"

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)
        self._notify(self.now())

    def datetime(self) -> datetime:
        """The current time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.now(), UTC)

    def __repr__(self) -> str:
        return "RealClock()"


class SimulatedClock(_Listeners):
    """Time that moves only when told to: deterministic notebooks and fast simulations.

    ``sleep`` advances the clock instead of waiting, so code written against real time (a retry
    loop with back-off, say) runs instantly and reproducibly.
    """

    kind = "simulated"

    def __init__(self, start: float = SIMULATED_EPOCH) -> None:
        super().__init__()
        self._start = float(start)
        self._now = float(start)
        self._time_lock = threading.Lock()

    def now(self) -> float:
        with self._time_lock:
            return self._now

    def advance(self, seconds: float) -> float:
        """Move time forward by ``seconds`` (never backwards) and return the new time."""
        if seconds < 0:
            raise ValueError("time only moves forward: seconds must be >= 0")
        with self._time_lock:
            self._now += seconds
            now = self._now
        self._notify(now)
        return now

    def sleep(self, seconds: float) -> None:
        self.advance(max(0.0, seconds))

    def reset(self) -> None:
        """Back to the start time."""
        with self._time_lock:
            self._now = self._start

    def datetime(self) -> datetime:
        """The current time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.now(), UTC)

    def __repr__(self) -> str:
        return f"SimulatedClock(now={self.datetime().isoformat()})"
