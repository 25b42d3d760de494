"""The ``ddb-lab`` command: serve the lab's DynamoDB, clean up a real account.

    ddb-lab serve [--port 8000] [--dataset social] [--size small]
    ddb-lab cleanup [--yes]            delete the lab's prefixed tables on real AWS

Used in: README.md ("Other backends").
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _serve(args: argparse.Namespace) -> int:
    from moto import mock_aws

    from ddb_lab.clock import RealClock
    from ddb_lab.engine import Engine
    from ddb_lab.lab import cli_help, isolated_session
    from ddb_lab.server import LabServer

    mock = mock_aws()
    mock.start()
    server = LabServer(Engine(RealClock()), host=args.host, port=args.port)
    if args.dataset:
        from ddb_lab.datasets import load_social

        server.start()
        client = isolated_session("us-east-1").client("dynamodb", endpoint_url=server.url)
        report = load_social(client, args.size)
        print(f"Loaded {report.items} items into {report.table_name}.")
    print(f"ddb-lab is serving DynamoDB on {server.url} (Ctrl+C stops it).")
    print(cli_help(server.url, "us-east-1"), flush=True)
    try:
        if server.running:
            server.wait()
        else:
            server.serve_forever()
    except KeyboardInterrupt:
        print("\nStopped.")
    finally:
        mock.stop()
    return 0


def _cleanup(args: argparse.Namespace) -> int:
    from ddb_lab.lab import DEFAULT_AWS_PREFIX, ENV_PREFIX, AwsNotAllowedError, start

    try:
        lab = start("aws", reset=False)
    except AwsNotAllowedError as error:
        print(error, file=sys.stderr)
        return 2
    names = lab.tables()
    prefix = os.environ.get(ENV_PREFIX, DEFAULT_AWS_PREFIX)
    if not names:
        print(f"No tables named {prefix}* in {lab.region}; nothing to delete.")
        return 0
    print(f"Tables the lab created in {lab.region} ({prefix}*): " + ", ".join(names))
    if not args.yes:
        answer = input("Delete them all? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            print("Nothing deleted.")
            return 1
    for name in names:
        lab.client.delete_table(TableName=name)
        print(f"deleted {prefix}{name}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ddb-lab", description="An interactive DynamoDB course on an embedded DynamoDB."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the embedded DynamoDB on 127.0.0.1")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 = any)")
    serve.add_argument("--dataset", choices=["social"], help="load a sample dataset first")
    serve.add_argument("--size", default="small", choices=["tiny", "small", "medium", "large"])
    serve.set_defaults(func=_serve)
    cleanup = sub.add_parser("cleanup", help="delete the lab's tables from a real AWS account")
    cleanup.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    cleanup.set_defaults(func=_cleanup)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
