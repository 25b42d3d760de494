"""Shared fixtures: a lab per test, a table helper, a network guard."""

from __future__ import annotations

import ipaddress
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _close_current_lab() -> None:
    from ddb_lab.lab import current

    lab = current()
    if lab is not None:
        lab.close()


@pytest.fixture(scope="module", autouse=True)
def _no_lab_outlives_its_module() -> Iterator[None]:
    """A lab keeps moto's mock running; stop it so later modules start from a clean moto."""
    yield
    if "ddb_lab.lab" in sys.modules:
        _close_current_lab()


@pytest.fixture
def lab() -> Iterator[Any]:
    """The embedded lab (``start()``), empty, with every correction switched on."""
    from ddb_lab import start

    the_lab = start()
    assert the_lab.engine is not None
    for correction in the_lab.engine.describe():
        the_lab.engine.enable(correction["name"], True)
    yield the_lab
    for correction in the_lab.engine.describe():
        the_lab.engine.enable(correction["name"], True)


@pytest.fixture
def sim() -> Iterator[Any]:
    """The embedded lab on the simulated clock, empty, with every correction switched on."""
    from ddb_lab import start

    the_lab = start(clock="simulated")
    assert the_lab.engine is not None
    for correction in the_lab.engine.describe():
        the_lab.engine.enable(correction["name"], True)
    yield the_lab


MakeTable = Callable[..., str]


def _create_table(
    client: Any,
    name: str = "T",
    *,
    pk: tuple[str, str] = ("pk", "S"),
    sk: tuple[str, str] | None = ("sk", "S"),
    stream: bool = False,
) -> str:
    """Create an on-demand table with keys ``pk`` (and ``sk``); returns its name."""
    keys = [{"AttributeName": pk[0], "KeyType": "HASH"}]
    definitions = [{"AttributeName": pk[0], "AttributeType": pk[1]}]
    if sk is not None:
        keys.append({"AttributeName": sk[0], "KeyType": "RANGE"})
        definitions.append({"AttributeName": sk[0], "AttributeType": sk[1]})
    extra: dict[str, Any] = {}
    if stream:
        extra["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        }
    client.create_table(
        TableName=name,
        KeySchema=keys,
        AttributeDefinitions=definitions,
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )
    return name


@pytest.fixture
def make_table(lab: Any) -> MakeTable:
    """``make_table(name="T", pk=("pk", "S"), sk=("sk", "S"), stream=False)`` in the lab."""

    def make(name: str = "T", **options: Any) -> str:
        return _create_table(lab.client, name, **options)

    return make


@pytest.fixture(scope="session")
def create_table() -> Callable[..., str]:
    """``create_table(client, name="T", pk=..., sk=..., stream=False)`` on any client."""
    return _create_table


def _is_loopback(address: Any) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):  # AF_UNIX paths and the like never leave the machine
        return True
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


class EgressAttempted(AssertionError):
    """A test tried to open a connection off this machine."""


@pytest.fixture
def no_egress(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Fail any connection to a non-loopback address; returns the attempts made."""
    attempts: list[Any] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def guard(address: Any) -> None:
        if not _is_loopback(address):
            attempts.append(address)
            raise EgressAttempted(f"connection off the machine attempted: {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        guard(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        guard(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        guard((host,))
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return attempts


# --- dynalite: a second, independent DynamoDB engine (npm, installed by `make test`) -----------

DYNALITE = ROOT / "node_modules" / "dynalite" / "cli.js"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def dynalite_url() -> Iterator[str]:
    """The URL of a dynalite server on loopback, for the session.

    Skips without Node.js and dynalite, except in CI, where a missing engine is a failure.
    """
    import os
    import shutil
    import subprocess
    import time
    import urllib.error
    import urllib.request

    node = shutil.which("node")
    if node is None or not DYNALITE.exists():
        message = "dynalite not installed: run `make test` (it runs `npm ci`) with Node.js present"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    port = _free_port()
    process = subprocess.Popen(
        [
            node,
            str(DYNALITE),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--createTableMs",
            "0",
            "--deleteTableMs",
            "0",
            "--updateTableMs",
            "0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - loopback only
            break
        except urllib.error.HTTPError:
            break  # it answers (400 for a bare GET): it is up
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                error = process.stderr.read().decode(errors="replace") if process.stderr else ""
                pytest.fail(f"dynalite did not start: {error}")
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)
