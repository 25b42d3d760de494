"""The lab's DynamoDB on 127.0.0.1: the same engine, reachable over HTTP.

``ddb-lab serve`` and ``start(backend="server")`` run this server so the AWS CLI, NoSQL Workbench
or a program in another language can use the embedded DynamoDB. It binds to loopback only.

Used in: notebooks/00_welcome.ipynb ("Other backends").
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

from botocore.awsrequest import AWSPreparedRequest
from werkzeug.serving import BaseWSGIServer, make_server

from ddb_lab.engine import Engine
from ddb_lab.engine.wire import error_response

__all__ = ["LabServer"]

_REGION = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/")

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class LabServer:
    """A threaded HTTP server in front of an :class:`Engine`.

    Args:
        engine: the engine that answers every request.
        host: address to bind; loopback only unless you mean it.
        port: port to bind; 0 picks a free one (see :attr:`url`).
        default_region: region for requests that do not name one in their signature.
    """

    def __init__(
        self,
        engine: Engine,
        host: str = "127.0.0.1",
        port: int = 0,
        default_region: str = "us-east-1",
    ) -> None:
        self.engine = engine
        self.default_region = default_region
        self._server: BaseWSGIServer = make_server(host, port, self.app, threaded=True)
        self._thread: threading.Thread | None = None
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LabServer:
        """Serve in a background thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="ddb-lab-server", daemon=True
        )
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self) -> None:
        """Block until the background server stops."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=0.5)

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- WSGI ------------------------------------------------------------------------------------
    def app(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        target = headers.get("X-Amz-Target", "")
        if environ.get("REQUEST_METHOD") != "POST" or not target:
            response = error_response(
                "UnknownOperationException",
                "This is ddb-lab's DynamoDB endpoint: send DynamoDB API requests (POST with "
                "X-Amz-Target), for example with the AWS CLI and --endpoint-url.",
            )
        else:
            match = _REGION.search(headers.get("Authorization", ""))
            region = match.group(1) if match else self.default_region
            host = "streams.dynamodb" if target.startswith("DynamoDBStreams_") else "dynamodb"
            request = AWSPreparedRequest(
                method="POST",
                url=f"https://{host}.{region}.amazonaws.com/",
                headers=headers,
                body=body,
                stream_output=False,
            )
            response = self.engine.handle(request)
        reason = "OK" if response.status == 200 else "Bad Request"
        start_response(f"{response.status} {reason}", list(response.headers.items()))
        return [response.body]
