"""The engine: moto's DynamoDB behind a front that answers like DynamoDB.

Every request from a lab client (or, in server mode, from any HTTP client) passes through
:meth:`Engine.handle`: the enabled corrections may reject it first; inside the engine's lock they
may look at the stored items (``before``), moto runs it, and they may look again and rewrite the
answer (``settle``); after the lock they may rewrite the response once more (``after``). A raw
Python exception from moto's internals never reaches the caller: it becomes a ValidationException
with a plain message. A request that moto does not serve is refused, so nothing is sent to the
network.

Used in: notebooks/00_welcome.ipynb ("What runs where").
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from ddb_lab import facts
from ddb_lab.clock import Clock, RealClock
from ddb_lab.engine.corrections import Correction, default_corrections
from ddb_lab.engine.metering import Ledger, Metering
from ddb_lab.engine.metrics import MetricsRecorder
from ddb_lab.engine.transactions import bind_clock
from ddb_lab.engine.wire import DynamoError, WireRequest, WireResponse, error_response

__all__ = ["Engine", "EngineStats"]

log = logging.getLogger(__name__)

#: The code the engine answers with when a request would have left the machine.
REFUSED_CODE = "RequestRefused"


class _RawBody:
    """The ``raw`` object botocore reads a response body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterable[bytes]:
        yield self._body


class EngineStats:
    """Counts of what the engine did, for tests and the curious."""

    def __init__(self) -> None:
        self.requests = 0
        self.rejected = 0
        self.internal_errors = 0
        self.refused = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


class Engine:
    """DynamoDB's behaviour over moto's storage.

    Args:
        clock: the lab clock, shared with TTL, throttling and streams.
        corrections: the corrections to apply; defaults to :func:`default_corrections`.
    """

    def __init__(self, clock: Clock | None = None, corrections: list[Correction] | None = None):
        self.clock: Clock = clock or RealClock()
        self.corrections: list[Correction] = (
            default_corrections() if corrections is None else corrections
        )
        bind_clock(self.corrections, self.clock)
        self.disabled: set[str] = set()
        self.stats = EngineStats()
        #: What every metered request consumed (filled by the ``metering`` correction).
        self.ledger: Ledger = next(
            (c.ledger for c in self.corrections if isinstance(c, Metering)), Ledger()
        )
        #: CloudWatch's DynamoDB metrics of every request answered (``lab.metrics``).
        self.metrics = MetricsRecorder(self.clock, self.ledger, self.corrections)
        self._lock = threading.RLock()

    @property
    def lock(self) -> threading.RLock:
        """The lock requests run under: hold it to change moto's data between two requests."""
        return self._lock

    # -- configuration ---------------------------------------------------------------------------
    def enable(self, name: str, on: bool = True) -> None:
        """Switch a correction on or off by name (see :meth:`describe`)."""
        if name not in {c.name for c in self.corrections}:
            known = ", ".join(sorted(c.name for c in self.corrections))
            raise KeyError(f"no correction named {name!r}; known: {known}")
        if on:
            self.disabled.discard(name)
        else:
            self.disabled.add(name)

    def describe(self) -> list[dict[str, Any]]:
        """The corrections in order, with what each restores and whether it is on."""
        return [
            {"name": c.name, "on": c.name not in self.disabled, "what": c.summary}
            for c in self.corrections
        ]

    def _active(self) -> list[Correction]:
        return [c for c in self.corrections if c.name not in self.disabled]

    # -- the request path --------------------------------------------------------------------------
    def handle(self, request: AWSPreparedRequest) -> WireResponse:
        """Answer one DynamoDB or DynamoDB Streams request, and record its metrics."""
        raw: Any = request.body or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        elif not isinstance(raw, bytes):
            raw = raw.read() if hasattr(raw, "read") else bytes(raw)
            request.body = raw
        wire = WireRequest.parse(request.method, request.url, dict(request.headers), raw)
        self.stats.requests += 1
        finish = self.metrics.observe(wire)
        try:
            response = self._answer(request, wire)
        except BaseException:
            finish(None)  # no answer: nothing to record, but the request is over
            raise
        finish(response)
        return response

    def _answer(self, request: AWSPreparedRequest, wire: WireRequest) -> WireResponse:
        """The corrections' checks, moto, and the corrections' rewrites: the answer."""
        active = self._active()
        try:
            for correction in active:
                correction.check(wire)
        except DynamoError as error:
            self.stats.rejected += 1
            return error.response()
        try:
            response = self._dispatch(request, wire, active)
        except DynamoError as error:
            self.stats.rejected += 1
            return error.response()
        for correction in active:
            response = correction.after(wire, response)
        return response

    def _dispatch(
        self, request: AWSPreparedRequest, wire: WireRequest, active: list[Correction]
    ) -> WireResponse:
        """Run ``request`` in moto, with the corrections' ``before`` and ``settle`` around it."""
        with self._lock:
            states: list[dict[str, Any]] = []
            for correction in active:
                states.append({})
                correction.before(wire, states[-1])
            response = self._moto(request, wire)
            for correction, state in zip(active, states, strict=True):
                response = correction.settle(wire, response, state)
        return response

    def _moto(self, request: AWSPreparedRequest, wire: WireRequest) -> WireResponse:
        from moto.core.models import botocore_stubber

        try:
            answer = botocore_stubber.process_request(request)
        except Exception as exc:  # moto internals: never shown raw to a learner
            self.stats.internal_errors += 1
            log.debug("moto raised on %s", wire.operation, exc_info=True)
            detail = f"{wire.operation}: {type(exc).__name__}"
            return error_response("ValidationException", facts.MSG_INTERNAL.format(detail=detail))
        if answer is None:
            self.stats.refused += 1
            return error_response(
                REFUSED_CODE,
                f"ddb-lab's embedded backend does not send requests off this machine "
                f"({request.url}).",
            )
        status, headers, payload = answer
        data = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload or b"")
        return WireResponse(int(status), {str(k): str(v) for k, v in headers.items()}, data)

    # -- botocore integration --------------------------------------------------------------------
    def attach(self, client: Any) -> Any:
        """Route ``client``'s requests through this engine instead of straight into moto."""
        from moto.core.models import botocore_stubber

        events = client.meta.events
        events.unregister("before-send", botocore_stubber)
        events.register_first("before-send", self._before_send, unique_id="ddb-lab-engine")
        return client

    def _before_send(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        try:
            response = self.handle(request)
        except DynamoError as error:
            response = error.response()
        headers: Any = response.headers
        return AWSResponse(request.url, response.status, headers, _RawBody(response.body))
