"""The capacity calculator and hot-partition simulator widgets: set values, check what they show."""

from __future__ import annotations

import base64
from typing import Any

import matplotlib
import pytest

import ddb_lab.widgets.partitions as partitions_module
from ddb_lab.calculators import OPERATIONS
from ddb_lab.capacity import IndexSpec
from ddb_lab.widgets import CapacityCalculator, HotPartitionSimulator

matplotlib.use("Agg")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: A short simulation, so that every slider change stays quick.
QUICK = {"seconds": 30}


def shown(widget: Any, mime: str) -> list[Any]:
    return [out["data"][mime] for out in widget.output.outputs if mime in out["data"]]


def shown_text(widget: Any) -> str:
    return "\n".join(shown(widget, "text/plain"))


def shown_html(widget: Any) -> str:
    return "\n".join(shown(widget, "text/html"))


# --- CapacityCalculator ------------------------------------------------------------------------


def test_calculator_starts_with_the_example_item() -> None:
    calc = CapacityCalculator()
    report = calc.report
    assert report is not None
    assert report.operation == "GetItem"
    assert report.consistency == "eventual"
    assert report.units == 0.5
    assert calc.error is None
    assert calc.item_text.value.startswith('{\n  "PK": "USER#ada"')
    assert shown_text(calc) == report.text()
    assert shown_html(calc) == report._repr_html_()
    assert list(calc.operation_dropdown.options) == list(OPERATIONS)


def test_calculator_recomputes_on_every_change() -> None:
    calc = CapacityCalculator('{"pk": "' + "x" * 4_998 + '"}')
    assert calc.report is not None and calc.report.size_bytes == 5_000
    assert calc.report.units == 1.0

    calc.consistency_dropdown.value = "strong"
    assert calc.report is not None and calc.report.units == 2.0

    calc.operation_dropdown.value = "TransactGetItems"
    assert calc.report is not None and calc.report.units == 4.0
    assert calc.consistency_dropdown.disabled  # always transactional

    calc.operation_dropdown.value = "PutItem"
    assert calc.report is not None and calc.report.units == 5.0
    assert calc.report.unit_name == "WCU"
    assert calc.consistency_dropdown.disabled
    assert calc.items_text.disabled

    calc.operation_dropdown.value = "TransactWriteItems"
    assert calc.report is not None and calc.report.units == 10.0
    assert shown_text(calc).startswith("TransactWriteItems: 10.0 WCU per request")


def test_items_per_page_for_query_and_batch_get() -> None:
    calc = CapacityCalculator({"pk": "x" * 1_022}, "Query")
    assert not calc.items_text.disabled
    assert calc.items_text.description == "Items per page"
    calc.items_text.value = 10
    assert calc.report is not None and calc.report.units == 1.5
    calc.operation_dropdown.value = "BatchGetItem"
    assert calc.items_text.description == "Items per batch"
    assert calc.report is not None and calc.report.units == 5.0
    calc.operation_dropdown.value = "GetItem"
    assert calc.items_text.disabled
    assert calc.report is not None and calc.report.units == 0.5


def test_bad_json_shows_an_error_not_a_traceback() -> None:
    calc = CapacityCalculator()
    calc.item_text.value = '{\n  "pk": "a",\n  "n": 1\n  "m": 2\n}'  # must not raise
    assert calc.report is None
    assert calc.error is not None and "line 4, column 3" in calc.error
    assert 'class="ddb-lab-error"' in shown_html(calc)
    assert shown_text(calc).startswith("Cannot read the item: Not valid JSON: Expecting ','")
    assert "Traceback" not in shown_text(calc)

    calc.item_text.value = '{"pk": "a"}'  # fixing it brings the report back
    assert calc.report is not None and calc.error is None
    assert "ddb-lab-error" not in shown_html(calc)


def test_a_request_that_cannot_be_priced_shows_why() -> None:
    calc = CapacityCalculator({"pk": "a"}, "BatchGetItem")
    calc.items_text.value = 101
    assert calc.report is None
    assert shown_text(calc) == (
        "Cannot price the request: BatchGetItem reads at most 100 items, not 101"
    )
    calc.items_text.value = 0
    assert calc.error == "Items per page must be at least 1, not 0."


def test_unexpected_errors_are_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    import ddb_lab.widgets.capacity as capacity_module

    calc = CapacityCalculator()

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the calculator fell over")

    monkeypatch.setattr(capacity_module, "capacity_report", broken)
    calc.operation_dropdown.value = "PutItem"  # must not raise
    assert calc.report is None
    assert shown_text(calc) == "RuntimeError: the calculator fell over"


def test_items_given_as_dicts_sets_and_dynamodb_json() -> None:
    calc = CapacityCalculator({"pk": "a", "tags": {"y", "x"}, "blob": b"\x00\x01"})
    assert (
        calc.item_text.value
        == '{\n  "pk": "a",\n  "tags": {"x", "y"},\n  "blob": b\'\\x00\\x01\'\n}'
    )
    assert calc.report is not None and calc.report.size_bytes == 3 + 6 + 6
    calc.item_text.value = '{"pk": {"S": "a"}, "tags": {"SS": ["x", "y"]}}'
    assert calc.report is not None and calc.report.size_bytes == 3 + 6


def test_indexes_show_in_write_reports() -> None:
    index = IndexSpec("ByStatus", "status", None, "ALL", table_keys=("pk",))
    calc = CapacityCalculator({"pk": "a", "status": "new"}, "PutItem", indexes=[index])
    assert calc.report is not None and calc.report.index_units == {"ByStatus": 1.0}
    assert "index ByStatus: 1.0 WCU" in shown_text(calc)


def test_calculator_rejects_bad_starting_values() -> None:
    with pytest.raises(ValueError, match="operation must be one of"):
        CapacityCalculator(operation="Scan")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="TransactGetItems"):
        CapacityCalculator(consistency="transactional")
    with pytest.raises(ValueError, match="items_per_page"):
        CapacityCalculator(items_per_page=0)


def test_calculator_text_plain_is_short_and_deterministic() -> None:
    calc = CapacityCalculator()
    expected = (
        "<CapacityCalculator: GetItem, eventually consistent: 0.5 RCU per request "
        "(235-byte item); run this cell in JupyterLab to use the form>"
    )
    assert repr(calc) == repr(CapacityCalculator()) == expected
    bundle = calc._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data["text/plain"] == expected
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == calc.widget.model_id
    calc.item_text.value = "nope"
    assert repr(calc) == (
        "<CapacityCalculator: no report (the form shows why); "
        "run this cell in JupyterLab to use the form>"
    )


# --- HotPartitionSimulator ---------------------------------------------------------------------


def test_simulator_shows_verdict_and_two_pngs() -> None:
    import matplotlib.pyplot as plt

    open_before = plt.get_fignums()
    sim = HotPartitionSimulator(**QUICK)
    result = sim.result
    assert result is not None and result.throttled_requests > 0
    assert result.seconds == 30 and result.partitions == 4
    outputs = sim.output.outputs
    assert len(outputs) == 3
    assert outputs[0]["data"]["text/plain"] == sim.verdict
    assert "hottest partition needs 1,8" in outputs[0]["data"]["text/plain"]
    assert 'class="ddb-lab-verdict"' in outputs[0]["data"]["text/html"]
    pngs = shown(sim, "image/png")
    assert len(pngs) == 2
    for png in pngs:
        assert base64.b64decode(png).startswith(PNG_SIGNATURE)
    assert [out["data"]["text/plain"] for out in outputs[1:]] == [
        "<per-partition consumption heatmap>",
        "<capacity and throttles over time>",
    ]
    assert plt.get_fignums() == open_before  # no figure left open


def test_simulator_reruns_when_a_slider_moves() -> None:
    sim = HotPartitionSimulator(**QUICK)
    first = sim.result
    assert first is not None and first.throttled_requests > 0

    sim.shards_slider.value = 20
    sharded = sim.result
    assert sharded is not None and sharded is not first
    assert sharded.throttled_requests == 0
    assert shown_text(sim).startswith("No writes throttled")

    sim.distribution_dropdown.value = "uniform"
    sim.shards_slider.value = 1
    sim.capacity_slider.value = 1_500
    sim.rate_slider.value = 1_700
    assert sim.verdict is not None
    assert sim.verdict.endswith("the table gets 1,700 WCU/s but has 1,500 provisioned")

    sim.seconds_slider.value = 20
    sim.keys_slider.value = 10
    assert sim.result is not None and sim.result.seconds == 20
    assert sim.report is not None and sim.report.capacity == 1_500


def test_simulator_controls() -> None:
    sim = HotPartitionSimulator(**QUICK)
    sliders = [
        sim.keys_slider,
        sim.shards_slider,
        sim.capacity_slider,
        sim.rate_slider,
        sim.seconds_slider,
    ]
    assert [s.description for s in sliders] == [
        "Keys",
        "Shards",
        "Capacity (WCU)",
        "Writes/s",
        "Seconds",
    ]
    assert all(s.continuous_update is False for s in sliders)
    assert sim.distribution_dropdown.description == "Distribution"
    assert list(sim.distribution_dropdown.options) == ["uniform", "zipf", "one hot key"]


def test_simulator_errors_are_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    sim = HotPartitionSimulator(**QUICK)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the simulator fell over")

    monkeypatch.setattr(partitions_module, "hot_partition_report", broken)
    sim.rate_slider.value = 1_000  # must not raise
    assert sim.result is None and sim.verdict is None
    assert sim.error == "the simulator fell over"
    assert shown_text(sim) == "RuntimeError: the simulator fell over"
    assert 'class="ddb-lab-error"' in shown_html(sim)


def test_simulator_rejects_bad_starting_values() -> None:
    with pytest.raises(ValueError, match="distribution must be one of"):
        HotPartitionSimulator("normal")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="shards must be a whole number from 1 to 50"):
        HotPartitionSimulator(shards=0)
    with pytest.raises(ValueError, match="capacity"):
        HotPartitionSimulator(capacity=1_000_000)


def test_simulator_text_plain_is_short_and_deterministic() -> None:
    sim = HotPartitionSimulator(**QUICK)
    expected = (
        "<HotPartitionSimulator: one hot key, 1,000 keys, 1 shard, 4,000 WCU, "
        "3,000 writes/s for 30 s; run this cell in JupyterLab to use the sliders>"
    )
    assert repr(sim) == expected
    bundle = sim._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data["text/plain"] == expected
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == sim.widget.model_id
    again = HotPartitionSimulator(**QUICK)
    assert again.verdict == sim.verdict
