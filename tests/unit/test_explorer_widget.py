"""Tests for the TableExplorer widget: set control values, click buttons, check what it shows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ddb_lab.widgets import TableExplorer

TABLE = "Lab"
U1 = "USER#u1"
U1_SKS = sorted(["PROFILE", *(f"POST#{n:02d}" for n in range(1, 8))])


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """One moto account for the module: tables Lab (PK/SK, GSI1, GSI2), Scores and Empty."""
    with mock_aws():
        ddb = boto3.client(
            "dynamodb",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        ddb.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": "S"}
                for name in ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK")
            ],
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "GSI2",
                    "KeySchema": [{"AttributeName": "GSI2PK", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                },
                {
                    "IndexName": "GSI1",
                    "KeySchema": [
                        {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                        {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                },
            ],
        )
        ddb.put_item(
            TableName=TABLE,
            Item={
                "PK": {"S": U1},
                "SK": {"S": "PROFILE"},
                "username": {"S": "ada"},
                "GSI2PK": {"S": "ada"},
                "interests": {"SS": ["chess", "ai"]},
            },
        )
        for n in range(1, 8):
            ddb.put_item(
                TableName=TABLE,
                Item={
                    "PK": {"S": U1},
                    "SK": {"S": f"POST#{n:02d}"},
                    "status": {"S": "draft" if n % 2 else "published"},
                    "GSI1PK": {"S": "FEED"},
                    "GSI1SK": {"S": f"{n:02d}"},
                },
            )
        ddb.create_table(
            TableName="Scores",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "game", "AttributeType": "S"},
                {"AttributeName": "score", "AttributeType": "N"},
            ],
            KeySchema=[
                {"AttributeName": "game", "KeyType": "HASH"},
                {"AttributeName": "score", "KeyType": "RANGE"},
            ],
        )
        ddb.create_table(
            TableName="Empty",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        )
        yield ddb


def shown_html(explorer: TableExplorer) -> str:
    """All the HTML the explorer's Output holds."""
    return "\n".join(str(output["data"].get("text/html", "")) for output in explorer.output.outputs)


def sks(explorer: TableExplorer) -> list[str]:
    assert explorer.result is not None
    return [item["SK"]["S"] for item in explorer.result.items]


def test_controls_and_their_descriptions(client: Any) -> None:
    explorer = TableExplorer(client)
    assert explorer.table_dropdown.description == "Table"
    assert list(explorer.table_dropdown.options) == ["Empty", "Lab", "Scores"]
    assert explorer.table_dropdown.value == "Empty"
    descriptions = {
        control.description
        for control in (
            explorer.index_dropdown,
            explorer.partition_text,
            explorer.sort_operator_dropdown,
            explorer.sort_value_text,
            explorer.sort_value2_text,
            explorer.newest_first_checkbox,
            explorer.limit_text,
            explorer.filter_attribute_text,
            explorer.filter_operator_dropdown,
            explorer.filter_value_text,
            explorer.run_button,
            explorer.next_button,
        )
    }
    assert descriptions == {
        "Index",
        "Partition key",
        "Sort key",
        "Value",
        "and",
        "Newest first",
        "Limit",
        "Filter attr",
        "Filter op",
        "Filter value",
        "Run query",
        "Next page",
    }
    assert explorer.run_button.button_style == "primary"
    assert explorer.next_button.disabled
    assert explorer.limit_text.value == 10
    assert explorer.result is None


def test_index_options_and_schema_label(client: Any) -> None:
    explorer = TableExplorer(client, TABLE)
    assert list(explorer.index_dropdown.options) == ["(table)", "GSI1", "GSI2"]
    assert explorer.key_label.value == "Key: PK (S) + SK (S)"
    assert explorer.partition_text.placeholder == "PK (S)"
    explorer.index_dropdown.value = "GSI1"
    assert explorer.key_label.value == "Key: GSI1PK (S) + GSI1SK (S)"
    assert explorer.partition_text.placeholder == "GSI1PK (S)"
    explorer.sort_operator_dropdown.value = "="
    explorer.index_dropdown.value = "GSI2"
    assert explorer.key_label.value == "Key: GSI2PK (S)"
    assert explorer.sort_operator_dropdown.value == "(any)"
    assert explorer.sort_operator_dropdown.disabled


def test_table_change_refreshes_indexes(client: Any) -> None:
    explorer = TableExplorer(client, TABLE, index="GSI1")
    assert explorer.index_dropdown.value == "GSI1"
    explorer.table_dropdown.value = "Scores"
    assert list(explorer.index_dropdown.options) == ["(table)"]
    assert explorer.index_dropdown.value == "(table)"
    assert explorer.key_label.value == "Key: game (S) + score (N)"
    assert explorer.sort_value_text.placeholder == "score (N)"


def test_run_shows_code_status_and_items(client: Any) -> None:
    explorer = TableExplorer(client, TABLE, limit=None)
    explorer.partition_text.value = U1
    explorer.sort_operator_dropdown.value = "begins_with"
    explorer.sort_value_text.value = "POST#"
    explorer.newest_first_checkbox.value = True
    explorer.run_button.click()
    result = explorer.result
    assert result is not None and result.error_code is None
    assert result.count == 7
    assert sks(explorer) == [f"POST#{n:02d}" for n in range(7, 0, -1)]
    assert explorer.next_button.disabled
    html = shown_html(explorer)
    assert '<pre class="ddb-lab-code"' in html
    assert "client.query(" in html
    assert "ScanIndexForward=False" in html
    assert "&quot;#pk&quot;" in html  # escaped
    assert "Page 1 · Count: 7 · ScannedCount: 7 · LastEvaluatedKey: none (last page)" in html
    table = explorer.output.outputs[-1]["data"]
    assert "POST#07" in table["text/html"]
    assert table["text/html"].index("POST#07") < table["text/html"].index("POST#01")
    assert "0x" not in "".join(table.values())


def test_paging_enables_and_disables_next(client: Any) -> None:
    explorer = TableExplorer(client, TABLE, partition_value=U1, limit=3)
    explorer.run_button.click()
    assert sks(explorer) == U1_SKS[:3]
    assert not explorer.next_button.disabled
    seen = sks(explorer)
    for _ in range(5):
        if explorer.next_button.disabled:
            break
        explorer.next_button.click()
        seen += sks(explorer)
    assert seen == U1_SKS
    assert explorer.next_button.disabled
    assert explorer.result is not None and explorer.result.last_evaluated_key is None
    assert "Page 3 · " in shown_html(explorer)
    explorer.run_button.click()  # a fresh run starts again from page 1
    assert sks(explorer) == U1_SKS[:3]
    assert "Page 1 · " in shown_html(explorer)


def test_next_page_continues_the_query_that_ran(client: Any) -> None:
    explorer = TableExplorer(client, TABLE, partition_value=U1, limit=4)
    explorer.run()
    explorer.partition_text.value = "USER#other"  # edited after running: paging ignores it
    page = explorer.next_page()
    assert [item["SK"]["S"] for item in page.items] == U1_SKS[4:]


def test_filter_and_reserved_word(client: Any) -> None:
    explorer = TableExplorer(client, TABLE, partition_value=U1, limit=None)
    explorer.filter_attribute_text.value = "status"
    explorer.filter_operator_dropdown.value = "<>"
    explorer.filter_value_text.value = "draft"
    explorer.run_button.click()
    result = explorer.result
    assert result is not None
    assert result.scanned_count == 8
    assert sks(explorer) == ["POST#02", "POST#04", "POST#06", "PROFILE"]
    assert "#f0 &lt;&gt; :f0" in shown_html(explorer)


def test_gsi_query_from_the_widget(client: Any) -> None:
    explorer = TableExplorer(client, TABLE, index="GSI1", partition_value="FEED")
    explorer.sort_operator_dropdown.value = "BETWEEN"
    explorer.sort_value_text.value = "02"
    explorer.sort_value2_text.value = "04"
    spec = explorer.spec()
    assert spec.index == "GSI1" and spec.sort_operator == "BETWEEN" and spec.limit == 10
    explorer.run_button.click()
    assert sks(explorer) == ["POST#02", "POST#03", "POST#04"]


def test_bad_sort_value_shows_an_error_not_a_traceback(client: Any) -> None:
    explorer = TableExplorer(
        client, "Scores", partition_value="g1", sort_operator=">", sort_value="ten"
    )
    explorer.run_button.click()
    result = explorer.result
    assert result is not None
    assert result.error_code == "InvalidInput"
    html = shown_html(explorer)
    assert 'class="ddb-lab-error"' in html
    assert (
        "InvalidInput: Sort key &quot;score&quot; is a Number; &quot;ten&quot; is not a number."
        in html
    )
    assert explorer.next_button.disabled


def test_empty_partition_value(client: Any) -> None:
    explorer = TableExplorer(client, TABLE)
    explorer.run_button.click()
    assert "InvalidInput: Enter a partition key value." in shown_html(explorer)


def test_service_errors_and_crashes_are_shown(client: Any) -> None:
    explorer = TableExplorer(client, "Missing", partition_value="x")
    assert "Missing" in explorer.table_dropdown.options
    assert "ResourceNotFoundException" in shown_html(explorer)  # from describing it
    assert explorer.key_label.value.startswith("Key: (unknown")
    explorer.run_button.click()
    assert explorer.result is not None
    assert explorer.result.error_code == "ResourceNotFoundException"

    class Broken:
        def __getattr__(self, name: str) -> Any:
            raise RuntimeError("the engine fell over")

    broken = TableExplorer(client, TABLE, partition_value=U1)
    broken._client = Broken()
    broken.run_button.click()  # must not raise
    assert "RuntimeError: the engine fell over" in shown_html(broken)


def test_next_page_without_a_key(client: Any) -> None:
    explorer = TableExplorer(client, TABLE, partition_value=U1)
    with pytest.raises(RuntimeError, match="There is no next page"):
        explorer.next_page()
    explorer.next_button.click()  # the button never raises
    assert "RuntimeError: There is no next page" in shown_html(explorer)


def test_bad_constructor_arguments(client: Any) -> None:
    with pytest.raises(ValueError, match="no index named"):
        TableExplorer(client, TABLE, index="GSI9")
    with pytest.raises(ValueError, match="sort_operator"):
        TableExplorer(client, TABLE, sort_operator="!=")
    with pytest.raises(ValueError, match="limit"):
        TableExplorer(client, TABLE, limit=0)


def test_displays_as_its_vbox(client: Any) -> None:
    explorer = TableExplorer(client, TABLE)
    assert explorer.widget.__class__.__name__ == "VBox"
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == explorer.widget.model_id
