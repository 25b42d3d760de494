"""The cost calculator widget: set values, check the bill it shows (no kernel, no browser)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ddb_lab.cost import (
    STANDARD_IA,
    US_EAST_1_STANDARD_IA,
    Index,
    Reads,
    Workload,
    Writes,
    monthly_cost,
)
from ddb_lab.widgets.cost import CostCalculator


def shown(widget: CostCalculator, mime: str) -> str:
    return "\n".join(out["data"][mime] for out in widget.output.outputs if mime in out["data"])


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


DEFAULT = Workload(
    reads=[Reads(100, 2_048)],
    writes=[Writes(20, 1_024)],
    item_count=10_000_000,
    item_bytes=1_024,
    indexes=[Index("GSI1", 200)],
)


def test_the_calculator_starts_with_a_priced_workload() -> None:
    calc = CostCalculator()
    assert calc.workload() == DEFAULT
    bill = calc.breakdown
    assert bill is not None and calc.error is None
    assert bill == monthly_cost(DEFAULT)
    assert shown(calc, "text/plain") == bill.text()
    assert shown(calc, "text/html") == bill._repr_html_()
    comparison = calc.comparison
    assert comparison is not None
    assert calc.headline() == (
        f"${_cents(bill.total)} / month on-demand "
        f"(provisioned: ${_cents(comparison.provisioned.total)})"
    )
    assert calc.headline() in calc.total.value
    assert repr(calc).startswith("<CostCalculator: $") and "JupyterLab" in repr(calc)


def test_every_slider_changes_the_bill() -> None:
    calc = CostCalculator()
    totals = [calc.breakdown.total if calc.breakdown else None]
    changes: list[tuple[Any, Any]] = [
        (calc.reads, 2_000),
        (calc.read_kb, 8.0),
        (calc.consistency, "strong"),
        (calc.writes, 300),
        (calc.write_kb, 3.0),
        (calc.items, 500.0),
        (calc.item_kb, 4.0),
        (calc.indexes, 3),
        (calc.index_bytes, 2_000),
        (calc.index_share, 0.5),
        (calc.pitr, True),
        (calc.backups, 2),
        (calc.replicas, 3),
        (calc.table_class, STANDARD_IA),
    ]
    for control, value in changes:
        control.value = value
        assert calc.breakdown is not None, (control.description, calc.error)
        totals.append(calc.breakdown.total)
        assert totals[-1] != totals[-2], control.description
    assert calc.breakdown.prices is US_EAST_1_STANDARD_IA
    assert [i.name for i in calc.workload().indexes] == ["GSI1", "GSI2", "GSI3"]


def test_provisioned_mode_enables_the_target_and_reservations() -> None:
    calc = CostCalculator(reads_per_second=5_000)
    assert calc.target.disabled and calc.reserved.disabled
    calc.mode.value = "provisioned"
    assert not calc.target.disabled and not calc.reserved.disabled
    assert calc.breakdown is not None and calc.breakdown.mode == "provisioned"
    plain = calc.breakdown.total
    calc.target.value = 0.9
    assert calc.breakdown.total < plain
    calc.reserved.value = "1y"
    assert any(line.category == "reserved capacity" for line in calc.breakdown.lines)
    # Standard-IA sells no reservations: the form turns them off instead of failing
    calc.table_class.value = STANDARD_IA
    assert calc.reserved.disabled and calc.reserved.value == ""
    assert calc.breakdown is not None and calc.error is None
    assert "provisioned" in calc.headline().split("(")[0]


def test_controls_follow_the_indexes_and_callbacks_never_raise() -> None:
    calc = CostCalculator(indexes=0)
    assert calc.index_bytes.disabled and calc.index_share.disabled
    calc.consistency.value = "transactional"  # fine: a transactional read of the table
    assert calc.breakdown is not None
    calc._on_change(None)  # a callback never raises
    bad = CostCalculator(target_utilization=0.2)
    bad.target.value = 0.95  # outside the range auto scaling accepts (the slider clamps it)
    assert bad.target.value == 0.9 and bad.breakdown is not None


def test_a_pricing_error_is_shown_not_raised(monkeypatch: Any) -> None:
    calc = CostCalculator()

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("no prices for this Region")

    monkeypatch.setattr("ddb_lab.widgets.cost.price_table", broken)
    calc.reads.value = 300
    assert calc.breakdown is None and calc.error == "no prices for this Region"
    assert "no prices for this Region" in shown(calc, "text/html")
    assert calc.headline() == "no bill"
