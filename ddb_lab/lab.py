"""``start()`` and ``Lab``: the one object a notebook holds to reach DynamoDB.

A lab owns the backend (embedded moto by default), the boto3 clients that talk to it, the lab
clock, and the engine that makes moto answer like DynamoDB. Every notebook's setup cell is
``lab = start()``; running that cell again gives the same lab back, reset to the same state.

Backends, one interface (``start(backend=...)`` or the ``DDB_LAB_BACKEND`` variable):

* ``embedded`` (default): moto in this Python process. Fake credentials and the region are
  forced, so credentials in the environment or ``~/.aws`` are never read and no request leaves
  the machine.
* ``server``: the same engine on 127.0.0.1, for the AWS CLI, NoSQL Workbench or another language.
* ``endpoint``: any DynamoDB-compatible engine at a URL (``endpoint=`` or ``DDB_LAB_ENDPOINT``):
  dynalite, DynamoDB Local, LocalStack, ScyllaDB Alternator.
* ``aws``: a real account, only when ``DDB_LAB_ALLOW_AWS=1``; table names are prefixed so the
  lab never touches other tables, and ``ddb-lab cleanup`` deletes what it created.

Used in: notebooks/00_welcome.ipynb, and the setup cell of every chapter.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import boto3
import botocore.session
from botocore.config import Config

from ddb_lab.clock import RealClock, SimulatedClock
from ddb_lab.cost import US_EAST_1_STANDARD, PriceTable, Receipt
from ddb_lab.engine import Engine
from ddb_lab.engine.throttling import (
    RETRY_JITTER_SEED,
    ClockRetries,
    Throttling,
    clock_retries,
    find_throttling,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ddb_lab.monitoring import Metrics

__all__ = [
    "BACKENDS",
    "DEFAULT_REGION",
    "FAKE_ACCOUNT_ID",
    "FAKE_CREDENTIALS",
    "AwsNotAllowedError",
    "Lab",
    "LabConfig",
    "start",
]

Backend = Literal["embedded", "server", "endpoint", "aws"]
BACKENDS: tuple[Backend, ...] = ("embedded", "server", "endpoint", "aws")
DEFAULT_REGION = "us-east-1"
#: The account moto serves (and what ARNs in the embedded backend show).
FAKE_ACCOUNT_ID = "123456789012"
#: What the embedded, server and endpoint backends sign with: never a real key.
FAKE_CREDENTIALS: Mapping[str, str] = {
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing",
}
#: Table-name prefix on the aws backend (override with DDB_LAB_TABLE_PREFIX).
DEFAULT_AWS_PREFIX = "ddb-lab-"

ENV_BACKEND = "DDB_LAB_BACKEND"
ENV_ENDPOINT = "DDB_LAB_ENDPOINT"
ENV_ALLOW_AWS = "DDB_LAB_ALLOW_AWS"
ENV_PREFIX = "DDB_LAB_TABLE_PREFIX"


class AwsNotAllowedError(RuntimeError):
    """The aws backend was asked for without the explicit opt-in."""


@dataclass(frozen=True)
class LabConfig:
    """Everything that decides which lab ``start()`` returns."""

    backend: Backend
    region: str
    endpoint: str | None
    clock: str
    table_prefix: str


def _resolve(
    backend: str | None, endpoint: str | None, region: str | None, clock: str
) -> LabConfig:
    chosen: Any = backend or os.environ.get(ENV_BACKEND) or None
    endpoint = endpoint or (os.environ.get(ENV_ENDPOINT) or None)
    if chosen is None:
        chosen = "endpoint" if endpoint else "embedded"
    if chosen not in BACKENDS:
        raise ValueError(f"unknown backend {chosen!r}; choose one of: {', '.join(BACKENDS)}")
    if chosen == "endpoint" and not endpoint:
        raise ValueError(
            "the endpoint backend needs a URL: start(endpoint='http://127.0.0.1:8000') "
            f"or set {ENV_ENDPOINT}"
        )
    if chosen == "aws" and os.environ.get(ENV_ALLOW_AWS) != "1":
        raise AwsNotAllowedError(
            "The aws backend uses a real AWS account and costs real money. ddb-lab only connects "
            f"to AWS when you opt in explicitly: set {ENV_ALLOW_AWS}=1 in the environment that "
            "starts Jupyter, then start(backend='aws')."
        )
    if chosen != "aws":
        region = DEFAULT_REGION if region is None else region
    if clock not in ("real", "simulated"):
        raise ValueError("clock must be 'real' or 'simulated'")
    prefix = os.environ.get(ENV_PREFIX, DEFAULT_AWS_PREFIX) if chosen == "aws" else ""
    return LabConfig(
        backend=chosen,
        region=region or "",
        endpoint=endpoint if chosen in ("endpoint",) else None,
        clock=clock,
        table_prefix=prefix,
    )


def isolated_session(region: str) -> boto3.Session:
    """A boto3 session that reads nothing from the environment or ``~/.aws``.

    Profiles, config and credentials files, ``AWS_ENDPOINT_URL*`` and ``AWS_PROFILE`` are all
    ignored, so a learner's real configuration can never redirect or sign a lab request.
    """
    core = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    core.set_config_variable("config_file", os.devnull)
    core.set_config_variable("credentials_file", os.devnull)
    core.set_config_variable("ignore_configured_endpoint_urls", True)
    core.set_config_variable("region", region)
    core.set_credentials(
        FAKE_CREDENTIALS["aws_access_key_id"], FAKE_CREDENTIALS["aws_secret_access_key"]
    )
    return boto3.Session(botocore_session=core, region_name=region)


#: The services whose requests go through the engine; others (kms) reach moto unchanged.
_ENGINE_SERVICES = frozenset({"dynamodb", "dynamodbstreams"})

_CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3},
    account_id_endpoint_mode="disabled",
    connect_timeout=5,
    read_timeout=30,
)


class Lab:
    """A running lab: backend, clients, clock and engine.

    Attributes:
        client: the low-level boto3 DynamoDB client.
        resource: the boto3 DynamoDB service resource (``lab.resource.Table(name)``).
        streams: the DynamoDB Streams client.
        clock: the lab clock (real or simulated).
        engine: the engine (embedded and server backends), or None.
    """

    def __init__(self, config: LabConfig) -> None:
        self.config = config
        self.clock: RealClock | SimulatedClock = (
            SimulatedClock() if config.clock == "simulated" else RealClock()
        )
        self.engine: Engine | None = None
        self._throttling: Throttling | None = None
        #: The lab clients' retry handlers, which sleep on the lab clock.
        self._retries: weakref.WeakSet[ClockRetries] = weakref.WeakSet()
        self._server: Any = None
        self._mock: Any = None
        self.endpoint_url: str | None = None
        self._closed = False

        if config.backend in ("embedded", "server"):
            self.engine = Engine(self.clock)
            self._throttling = find_throttling(self.engine.corrections)
            if self._throttling is not None:  # off until enable_throttling()
                self._throttling.bind(self.engine)
                self.engine.enable(Throttling.name, False)
            from ddb_lab.engine.streams import find_stream_records

            stream_records = find_stream_records(self.engine.corrections)
            if stream_records is not None:  # stream records on the lab clock
                stream_records.bind(self.engine)
            self._start_moto()
        if config.backend == "server":
            from ddb_lab.server import LabServer

            self._server = LabServer(self.engine, host="127.0.0.1", port=0)  # type: ignore[arg-type]
            self._server.start()
            self.endpoint_url = self._server.url
        elif config.backend == "endpoint":
            self.endpoint_url = config.endpoint

        self._session = self._make_session()
        self.client: Any = self._new_client("dynamodb")
        self.streams: Any = self._new_client("dynamodbstreams")
        self.resource: Any = self._session.resource("dynamodb", **self._client_kwargs("dynamodb"))
        self._prepare(self.resource.meta.client)
        from ddb_lab.ttl import TtlSweeper

        #: Deletes expired items on the lab clock (``lab.ttl.sweep()``; see ``ddb_lab.ttl``).
        self.ttl = TtlSweeper(self)

    # -- construction ----------------------------------------------------------------------------
    def _start_moto(self) -> None:
        from moto import mock_aws

        self._mock = mock_aws()
        self._mock.start()

    def _make_session(self) -> boto3.Session:
        if self.config.backend == "aws":
            return boto3.Session(region_name=self.config.region or None)
        return isolated_session(self.config.region)

    def _client_kwargs(self, service: str, region: str | None = None) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"config": _CLIENT_CONFIG}
        if self.config.backend == "aws":
            return kwargs
        region = region or self.config.region
        kwargs["region_name"] = region
        kwargs.update(FAKE_CREDENTIALS)
        if self.endpoint_url:
            kwargs["endpoint_url"] = self.endpoint_url
        else:  # embedded: the public endpoint names, which moto answers in-process
            host = "streams.dynamodb" if service == "dynamodbstreams" else service
            kwargs["endpoint_url"] = f"https://{host}.{region}.amazonaws.com"
        return kwargs

    def _new_client(
        self, service: str, config: Config | None = None, region: str | None = None
    ) -> Any:
        kwargs = self._client_kwargs(service, region)
        if config is not None:
            kwargs["config"] = kwargs["config"].merge(config)
        client = self._session.client(service, **kwargs)
        return self._prepare(client)

    def _prepare(self, client: Any) -> Any:
        service = client.meta.service_model.service_name
        embedded = self.config.backend == "embedded" and self.engine is not None
        if embedded and service in _ENGINE_SERVICES:  # kms is answered by moto directly
            self.engine.attach(client)  # type: ignore[union-attr]
        if self.engine is not None:  # embedded and server: retry back-off on the lab clock
            simulated = isinstance(self.clock, SimulatedClock)
            retries = clock_retries(client, self.clock, RETRY_JITTER_SEED if simulated else None)
            if retries is not None:
                self._retries.add(retries)
        if self.config.table_prefix:
            from ddb_lab.prefix import TablePrefixer

            TablePrefixer(self.config.table_prefix).attach(client)
        return client

    def new_client(
        self, service: str = "dynamodb", *, config: Config | None = None, region: str | None = None
    ) -> Any:
        """Another client on the same backend (for a thread of its own, or other retry settings).

        Args:
            service: ``dynamodb`` or ``dynamodbstreams`` (on the embedded backend also
                ``kms``, served by moto in this process, for client-side encryption).
            config: botocore settings merged over the lab's (e.g. retries).
            region: another region of the same backend (each region has its own tables; the
                simulated global tables of ``ddb_lab.global_tables`` use this).
        """
        return self._new_client(service, config, region)

    def client_as(self, identity: Any, policy: Any, *, service: str = "dynamodb") -> Any:
        """A client that acts as ``identity`` under ``policy``: IAM evaluates every call first.

        Each call's authorization requests (one per item for transactions, one per table for
        batches) are evaluated with their conditions (``dynamodb:LeadingKeys``,
        ``dynamodb:Attributes``, ``dynamodb:Select``, ``dynamodb:ReturnValues`` ...) before the
        call is sent; a denied call raises ``ClientError`` with code ``AccessDeniedException``
        naming the statement that decided, and never reaches the table.
        ``ddb_lab.iam.decisions_of(client)`` lists the decisions made.

        Args:
            identity: a ``ddb_lab.iam.Identity`` (``Identity.user("alice")``, ``web_user`` ...).
            policy: an identity-based policy (dict or JSON text), or a list of them.
            service: ``dynamodb`` or ``dynamodbstreams``.
        """
        from ddb_lab.iam.guard import IamGuard, schema_lookup
        from ddb_lab.iam.simulate import policies

        guard = IamGuard(
            identity, policies(policy), schema_lookup(self.client), self.region, FAKE_ACCOUNT_ID
        )
        engine = self.engine if self.config.backend == "embedded" else None
        return guard.attach(self._new_client(service), engine)

    def enable_throttling(self, on: bool = True) -> None:
        """Throttle requests as DynamoDB would (off by default): token buckets on the lab clock.

        Provisioned tables get buckets per table, global index and partition, with burst
        capacity; a request they cannot serve gets ``ProvisionedThroughputExceededException``,
        which the clients' retries see (their back-off sleeps on the lab clock). On-demand tables
        throttle above twice their previous peak. ``ddb_lab.engine.throttling`` says what is
        modelled. Only the lab's own engine (embedded and server backends) throttles; on the
        other backends this does nothing (a real DynamoDB throttles by itself).
        """
        if self.engine is None or self._throttling is None:
            return
        self._throttling.enable(on)
        self.engine.enable(Throttling.name, on)

    def simulate_gsi_lag(self, seconds: float) -> None:
        """Simulate GSI propagation: a write shows up in GSI reads ``seconds`` later (0: off).

        DynamoDB updates global secondary indexes asynchronously, usually within a second; moto
        updates them at once. With a lag, an item written at lab time ``t`` appears in a GSI
        Query or Scan from ``t + seconds`` on (the index answers with its previous version until
        then); base-table reads and LSIs are never delayed. Off by default and after
        ``reset()``. ``ddb_lab.engine.indexes`` says what is simulated. Only the lab's own engine
        (embedded and server backends) simulates it.
        """
        from ddb_lab.engine.indexes import find_gsi_lag

        lag = find_gsi_lag(self.engine.corrections) if self.engine is not None else None
        if lag is not None:
            lag.configure(self.clock, seconds)

    # -- everyday use ----------------------------------------------------------------------------
    @property
    def backend(self) -> str:
        return self.config.backend

    @property
    def region(self) -> str:
        return str(self.client.meta.region_name)

    def table(self, name: str) -> Any:
        """The resource-API ``Table`` for ``name``."""
        return self.resource.Table(name)

    def tables(self) -> list[str]:
        """Names of the tables in this lab, sorted."""
        names: list[str] = []
        for page in self.client.get_paginator("list_tables").paginate():
            names.extend(page["TableNames"])
        return sorted(names)

    def describe(self, name: str) -> dict[str, Any]:
        """A stable summary of ``describe_table`` (no timestamps or request ids)."""
        from ddb_lab.display import table_summary

        return table_summary(self.client.describe_table(TableName=name)["Table"])

    def load(
        self,
        dataset: str = "social",
        size: str = "small",
        seed: int | None = None,
        *,
        progress: bool | None = None,
    ) -> str:
        """Create and fill a sample table; returns its name.

        Args:
            dataset: only ``"social"`` for now: the social app of the course.
            size: ``tiny``, ``small``, ``medium`` or ``large``.
            seed: the random seed; the same seed always gives the same items.
            progress: show a progress bar (default: only for large loads).
        """
        from ddb_lab import datasets

        if dataset != "social":
            raise ValueError(f"unknown dataset {dataset!r}; available: 'social'")
        report = datasets.load_social(
            self.client,
            size,
            datasets.DEFAULT_SEED if seed is None else seed,
            progress=progress,
        )
        return report.table_name

    def explorer(self, table: str | None = None, **options: Any) -> Any:
        """A live query widget (``TableExplorer``) on this lab's client."""
        from ddb_lab.widgets import TableExplorer

        return TableExplorer(self.client, table, **options)

    def stream_processor(self, table: str, handler: Any, **options: Any) -> Any:
        """A :class:`~ddb_lab.streams.StreamProcessor`: ``handler`` called as Lambda calls it.

        ``options``: batch_size, starting_position, filters, max_retries, bisect_on_error,
        report_batch_item_failures, on_failure, region, name (see ``ddb_lab.streams``).
        """
        from ddb_lab.streams import StreamProcessor

        return StreamProcessor(self, table, handler, **options)

    def global_table(self, table: str, regions: Any, **options: Any) -> Any:
        """Make ``table`` a SIMULATED global table over ``regions`` (``ddb_lab.global_tables``)."""
        from ddb_lab.global_tables import global_table

        return global_table(self, table, regions, **options)

    @contextmanager
    def receipt(self, prices: PriceTable = US_EAST_1_STANDARD) -> Iterator[Receipt]:
        """What the calls made inside a ``with`` block consumed, and what they cost on demand.

        ``with lab.receipt() as r: ...`` then ``r`` shows each operation and table with its read
        and write units (RRU/WRU on an on-demand table, RCU/WCU on a provisioned one) and the
        on-demand dollars; ``r.read_units``, ``r.write_units``, ``r.cost`` and ``r.rows`` hold
        the numbers. Calls made before or after the block are not on it. Every call through this
        lab's engine counts, from any client (or, in server mode, any program).

        Only the embedded and server backends meter calls; on the others the receipt explains
        that instead (real DynamoDB reports units per call with ``ReturnConsumedCapacity``).

        Args:
            prices: The price table for the dollars (default: us-east-1, Standard).
        """
        if self.engine is None:
            yield Receipt(
                prices=prices,
                available=False,
                note=(
                    f"Receipts need the lab's own engine (the embedded or server backend); this "
                    f"lab uses the {self.config.backend} backend. Pass "
                    "ReturnConsumedCapacity='TOTAL' to a call to see the units DynamoDB charged "
                    "for it."
                ),
            )
            return
        ledger = self.engine.ledger
        start = ledger.next_seq()
        note = ""
        if "metering" in self.engine.disabled:
            note = "Metering is switched off (lab.engine.enable('metering')): no calls counted."
        receipt = Receipt(lambda: ledger.since(start), prices=prices, note=note)
        try:
            yield receipt
        finally:
            receipt.close()

    @property
    def metrics(self) -> Metrics:
        """CloudWatch's DynamoDB metrics of every request this lab's engine answered.

        ``lab.metrics.get_metric_statistics(...)`` answers like CloudWatch's API,
        ``lab.metrics.frame(table)`` is a table's minute-by-minute view; ``ddb_lab.monitoring``
        says what is recorded. Only the embedded and server backends record metrics; on the
        others there is no data (a real DynamoDB publishes them to CloudWatch itself).
        """
        from ddb_lab.monitoring import Metrics

        if self.engine is None:
            return Metrics(
                list,
                note=f"Metrics need the lab's own engine; this lab uses the {self.backend} "
                "backend: look at CloudWatch's AWS/DynamoDB namespace instead.",
            )
        return Metrics.from_recorder(self.engine.metrics)

    def dashboard(self, table: str, **options: Any) -> Figure:
        """A four-panel dashboard of ``table`` (capacity, throttles, latency, errors).

        ``options`` go to :meth:`ddb_lab.monitoring.Metrics.dashboard` (``period``, ``start``,
        ``end``, ``title``).
        """
        return self.metrics.dashboard(table, **options)

    def connection_help(self) -> str:
        """How to reach this lab from outside Python (server and endpoint backends)."""
        if not self.endpoint_url:
            return (
                "The embedded backend lives inside this kernel. For the AWS CLI or NoSQL "
                "Workbench, start(backend='server') or run `ddb-lab serve` in a terminal."
            )
        return cli_help(self.endpoint_url, self.config.region)

    # -- lifecycle ---------------------------------------------------------------------------------
    def reset(self) -> None:
        """A clean slate: no tables, the clock back at its start, throttling off.

        The lab's clients get a full retry quota back and, on simulated time, their retry jitter
        starts again from its seed, so a run repeated after a reset retries the same way.
        """
        if self.config.backend in ("embedded", "server"):
            from moto.core.base_backend import BackendDict

            BackendDict.reset()
        else:  # another engine, or a real account: delete, then wait until the tables are gone
            names = self.tables()
            for name in names:
                self.client.delete_table(TableName=name)
            delay = 5 if self.config.backend == "aws" else 0.05
            waiter = self.client.get_waiter("table_not_exists")
            for name in names:
                waiter.wait(TableName=name, WaiterConfig={"Delay": delay, "MaxAttempts": 200})
        if isinstance(self.clock, SimulatedClock):
            self.clock.reset()
        if self._throttling is not None and self.engine is not None:
            self._throttling.reset()
            self.engine.enable(Throttling.name, False)
        for retries in list(self._retries):
            retries.reset()
        self.ttl.reset()
        self.simulate_gsi_lag(0)
        if self.engine is not None:
            self.engine.metrics.clear()

    def close(self) -> None:
        """Stop the server (if any) and the embedded backend."""
        if self._closed:
            return
        self._closed = True
        self.ttl.stop()
        if self._server is not None:
            self._server.stop()
        if self._mock is not None:
            self._mock.stop(remove_data=False)
        global _current
        with _lock:
            if _current is self:
                _current = None

    def __repr__(self) -> str:
        where = self.endpoint_url or "in this kernel"
        return (
            f"<ddb-lab {self.config.backend} DynamoDB · {where} · region "
            f"{self.config.region or 'from your AWS config'} · {self.clock.kind} clock>"
        )


def cli_help(endpoint_url: str, region: str) -> str:
    """The exact commands for reaching a lab endpoint from a terminal."""
    port = endpoint_url.rsplit(":", 1)[-1].rstrip("/")
    return "\n".join(
        [
            f"DynamoDB endpoint: {endpoint_url}  (region {region}, any credentials)",
            "AWS CLI:",
            f"  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing "
            f"aws dynamodb list-tables --endpoint-url {endpoint_url} --region {region}",
            "NoSQL Workbench: Operation builder > Add connection > DynamoDB local, "
            f"hostname 127.0.0.1, port {port}.",
        ]
    )


_current: Lab | None = None
_lock = threading.RLock()  # start() holds it while closing the old lab


def start(
    backend: str | None = None,
    *,
    endpoint: str | None = None,
    region: str | None = None,
    clock: str = "real",
    dataset: str | None = None,
    size: str = "small",
    seed: int | None = None,
    reset: bool = True,
) -> Lab:
    """Start (or return) the lab for this kernel.

    Calling ``start()`` again with the same arguments returns the same lab: no second backend,
    no new clients, and (with ``reset=True``, the default) the same clean state as the first
    call, so re-running a notebook's setup cell is safe.

    Args:
        backend: ``embedded`` (default), ``server``, ``endpoint`` or ``aws``; defaults to
            ``DDB_LAB_BACKEND``.
        endpoint: URL for the ``endpoint`` backend; defaults to ``DDB_LAB_ENDPOINT``.
        region: AWS region name (forced to us-east-1 unless given; aws: your configuration).
        clock: ``"real"`` or ``"simulated"`` (deterministic time for notebooks).
        dataset: a sample dataset to load after the reset (``"social"``).
        size: dataset size (``tiny``, ``small``, ``medium``, ``large``).
        seed: dataset seed.
        reset: start from a clean slate (delete every table) when the lab already exists.

    Returns:
        The :class:`Lab`.

    Raises:
        AwsNotAllowedError: for ``backend="aws"`` without ``DDB_LAB_ALLOW_AWS=1``.
    """
    global _current
    config = _resolve(backend, endpoint, region, clock)
    with _lock:
        lab = _current
        if lab is not None and lab.config != config:
            lab.close()
            lab = None
        if lab is None:
            lab = Lab(config)
            _current = lab
        elif reset:
            lab.reset()
    from ddb_lab.errors import install_ipython_handler

    install_ipython_handler()
    if dataset is not None:
        lab.load(dataset, size, seed)
    return lab


def current() -> Lab | None:
    """The lab ``start()`` last returned, if it is still open."""
    return _current
