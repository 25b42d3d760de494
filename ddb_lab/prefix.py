"""Table-name prefixing for the aws backend: the lab only ever sees and touches its own tables.

On a real account a learner's notebook says ``TableName="SocialApp"``; the request goes out as
``ddb-lab-SocialApp`` and the response comes back with the prefix removed, so notebooks run
unchanged while the account's other tables stay out of reach (``list_tables`` shows only the
lab's tables). ``ddb-lab cleanup`` deletes every table carrying the prefix.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TablePrefixer"]


class TablePrefixer:
    """Adds a prefix to table names on the way out and strips it on the way back."""

    def __init__(self, prefix: str) -> None:
        if not prefix:
            raise ValueError("a table prefix must not be empty")
        self.prefix = prefix

    def attach(self, client: Any) -> None:
        events = client.meta.events
        service = client.meta.service_model.service_id.hyphenize()
        # before-parameter-build sees the parameters the call really sends: the resource API
        # swaps in a deep copy at provide-client-params, which would drop an edit made there.
        events.register(
            f"before-parameter-build.{service}", self._outgoing, unique_id="ddb-lab-prefix-out"
        )
        events.register(f"after-call.{service}", self._incoming, unique_id="ddb-lab-prefix-in")

    # -- requests ----------------------------------------------------------------------------------
    def add(self, name: str) -> str:
        return name if name.startswith("arn:") else self.prefix + name

    def strip(self, name: str) -> str:
        return name[len(self.prefix) :] if name.startswith(self.prefix) else name

    def _outgoing(self, params: dict[str, Any], **_: Any) -> None:
        if isinstance(params.get("TableName"), str):
            params["TableName"] = self.add(params["TableName"])
        if isinstance(params.get("ExclusiveStartTableName"), str):
            params["ExclusiveStartTableName"] = self.add(params["ExclusiveStartTableName"])
        if isinstance(params.get("RequestItems"), dict):
            params["RequestItems"] = {self.add(k): v for k, v in params["RequestItems"].items()}
        if isinstance(params.get("TransactItems"), list):
            # New dicts, never the caller's: a TransactItems list reused for a retry must not
            # come back prefixed twice.
            params["TransactItems"] = [
                {kind: self._prefixed(body) for kind, body in action.items()}
                if isinstance(action, dict)
                else action
                for action in params["TransactItems"]
            ]

    def _prefixed(self, body: Any) -> Any:
        if isinstance(body, dict) and isinstance(body.get("TableName"), str):
            return {**body, "TableName": self.add(body["TableName"])}
        return body

    # -- responses --------------------------------------------------------------------------------
    def _incoming(self, parsed: dict[str, Any], **_: Any) -> None:
        if isinstance(parsed.get("TableNames"), list):
            parsed["TableNames"] = [
                self.strip(n) for n in parsed["TableNames"] if n.startswith(self.prefix)
            ]
        if isinstance(parsed.get("LastEvaluatedTableName"), str):
            parsed["LastEvaluatedTableName"] = self.strip(parsed["LastEvaluatedTableName"])
        for member in ("Table", "TableDescription", "StreamDescription"):
            if isinstance(parsed.get(member), dict) and "TableName" in parsed[member]:
                parsed[member]["TableName"] = self.strip(parsed[member]["TableName"])
        for stream in parsed.get("Streams") or []:  # DynamoDB Streams ListStreams
            if isinstance(stream, dict) and isinstance(stream.get("TableName"), str):
                stream["TableName"] = self.strip(stream["TableName"])
        for member in ("Responses", "UnprocessedItems", "UnprocessedKeys", "ItemCollectionMetrics"):
            if isinstance(parsed.get(member), dict):
                parsed[member] = {self.strip(k): v for k, v in parsed[member].items()}
        capacity = parsed.get("ConsumedCapacity")
        for entry in capacity if isinstance(capacity, list) else [capacity]:
            if isinstance(entry, dict) and isinstance(entry.get("TableName"), str):
                entry["TableName"] = self.strip(entry["TableName"])
