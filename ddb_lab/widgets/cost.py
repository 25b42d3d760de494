"""The cost calculator: sliders for a workload, its monthly bill and where the money goes.

All the arithmetic lives in :mod:`ddb_lab.cost` (the price table and :func:`monthly_cost`); this
module only turns the controls into a :class:`~ddb_lab.cost.Workload`, prices it in the chosen
mode and the other one, and shows the total, the itemised bill and a bar per category. A change
never raises: a combination that cannot be priced shows a styled message instead.

Used in: notebooks/08_cost.ipynb (the cost calculator).
"""

from __future__ import annotations

import html
from typing import Any, Final

import ipywidgets as w

from ddb_lab.capacity import Consistency
from ddb_lab.cost import (
    STANDARD,
    STANDARD_IA,
    CostBreakdown,
    Index,
    Mode,
    ModeComparison,
    Reads,
    Term,
    Workload,
    Writes,
    cents,
    compare_modes,
    format_dollars,
    monthly_cost,
    price_table,
)
from ddb_lab.facts import (
    AUTOSCALING_TARGET_DEFAULT,
    AUTOSCALING_TARGET_MAX,
    AUTOSCALING_TARGET_MIN,
    MAX_GSIS_PER_TABLE,
)
from ddb_lab.widgets._base import FormWidget
from ddb_lab.widgets.explorer import _error_html

__all__ = ["CostCalculator"]

KB: Final = 1024
#: The most Regions the form offers for a global table.
MAX_REPLICAS: Final = 5
#: The most on-demand backups the form offers to keep.
MAX_BACKUPS: Final = 30
_STYLE: Final = {"description_width": "11em"}
_WIDE: Final = w.Layout(width="26em")
_HINT: Final = "run this cell in JupyterLab to use the form"
_MODES: Final = (("on-demand", "on_demand"), ("provisioned", "provisioned"))
_CLASSES: Final = (("Standard", STANDARD), ("Standard-IA", STANDARD_IA))
_RESERVATIONS: Final = (("none", ""), ("1 year", "1y"), ("3 years", "3y"))
_MODE_NAMES: Final = dict((value, name) for name, value in _MODES)


def _display(text: str, html_text: str) -> dict[str, Any]:
    data = {"text/plain": text, "text/html": html_text}
    return {"output_type": "display_data", "data": data, "metadata": {}}


class CostCalculator(FormWidget):
    """A form that prices a workload for a month, and says where the money goes.

    Move a slider and the total, the bill and the bars update at once; the headline also gives
    the other capacity mode's total, so the on-demand / provisioned choice is always in view.

    Args:
        reads_per_second: Reads per second.
        read_item_kb: Size of each item read, in KB.
        consistency: ``"eventual"``, ``"strong"`` or ``"transactional"``.
        writes_per_second: Writes per second.
        write_item_kb: Size of each item written, in KB.
        items_millions: Items stored, in millions.
        item_kb: Average stored item size, in KB.
        indexes: Global secondary indexes (each holds every written item, sized below).
        index_entry_bytes: The size of an item's entry in each index (its projection).
        index_share: The fraction of items each index holds (below 1: a sparse index).
        mode: ``"on_demand"`` or ``"provisioned"``.
        target_utilization: Provisioned: the auto scaling target, 0.2 to 0.9.
        reserved: Provisioned, Standard class: ``"1y"``, ``"3y"`` or None.
        table_class: ``STANDARD`` or ``STANDARD_INFREQUENT_ACCESS``.
        pitr: Point-in-time recovery on.
        backups: On-demand backups kept.
        replicas: Regions of a global table (1: single Region).

    Used in: notebooks/08_cost.ipynb
    """

    def __init__(
        self,
        *,
        reads_per_second: int = 100,
        read_item_kb: float = 2.0,
        consistency: Consistency = "eventual",
        writes_per_second: int = 20,
        write_item_kb: float = 1.0,
        items_millions: float = 10.0,
        item_kb: float = 1.0,
        indexes: int = 1,
        index_entry_bytes: int = 200,
        index_share: float = 1.0,
        mode: Mode = "on_demand",
        target_utilization: float = AUTOSCALING_TARGET_DEFAULT,
        reserved: Term | None = None,
        table_class: str = STANDARD,
        pitr: bool = False,
        backups: int = 0,
        replicas: int = 1,
    ) -> None:
        self._breakdown: CostBreakdown | None = None
        self._comparison: ModeComparison | None = None
        self._error: str | None = None

        def slider(kind: Any, label: str, value: Any, low: Any, high: Any, step: Any) -> Any:
            return kind(
                description=label,
                value=value,
                min=low,
                max=high,
                step=step,
                style=_STYLE,
                layout=_WIDE,
                continuous_update=False,
            )

        self.reads = slider(w.IntSlider, "Reads / s", reads_per_second, 0, 10_000, 10)
        self.read_kb = slider(w.FloatSlider, "Read item (KB)", read_item_kb, 0.5, 64, 0.5)
        self.consistency = w.Dropdown(
            description="Read consistency",
            options=["eventual", "strong", "transactional"],
            value=consistency,
            style=_STYLE,
        )
        self.writes = slider(w.IntSlider, "Writes / s", writes_per_second, 0, 5_000, 5)
        self.write_kb = slider(w.FloatSlider, "Write item (KB)", write_item_kb, 0.5, 64, 0.5)
        self.items = slider(w.FloatSlider, "Items (millions)", items_millions, 0, 1_000, 0.5)
        self.item_kb = slider(w.FloatSlider, "Stored item (KB)", item_kb, 0.1, 64, 0.1)
        self.indexes = slider(w.IntSlider, "GSIs", indexes, 0, MAX_GSIS_PER_TABLE, 1)
        self.index_bytes = slider(
            w.IntSlider, "Index entry (bytes)", index_entry_bytes, 0, 64 * KB, 50
        )
        self.index_share = slider(w.FloatSlider, "Index share", index_share, 0, 1, 0.05)
        self.mode = w.ToggleButtons(description="Capacity", options=_MODES, value=mode)
        self.target = slider(
            w.FloatSlider,
            "Target utilisation",
            target_utilization,
            AUTOSCALING_TARGET_MIN,
            AUTOSCALING_TARGET_MAX,
            0.05,
        )
        self.reserved = w.Dropdown(
            description="Reserved", options=_RESERVATIONS, value=reserved or "", style=_STYLE
        )
        self.table_class = w.Dropdown(
            description="Table class", options=_CLASSES, value=table_class, style=_STYLE
        )
        self.pitr = w.Checkbox(description="Point-in-time recovery", value=pitr)
        self.backups = slider(w.IntSlider, "On-demand backups", backups, 0, MAX_BACKUPS, 1)
        self.replicas = slider(w.IntSlider, "Regions", replicas, 1, MAX_REPLICAS, 1)
        self.total = w.HTML()
        self.output = w.Output()
        controls = (
            self.reads,
            self.read_kb,
            self.consistency,
            self.writes,
            self.write_kb,
            self.items,
            self.item_kb,
            self.indexes,
            self.index_bytes,
            self.index_share,
            self.mode,
            self.target,
            self.reserved,
            self.table_class,
            self.pitr,
            self.backups,
            self.replicas,
        )
        traffic = w.VBox([self.reads, self.read_kb, self.consistency, self.writes, self.write_kb])
        data = w.VBox([self.items, self.item_kb, self.indexes, self.index_bytes, self.index_share])
        billing = w.VBox(
            [self.mode, self.target, self.reserved, self.table_class]
            + [self.pitr, self.backups, self.replicas]
        )
        self._box = w.VBox([w.HBox([traffic, data, billing]), self.total, self.output])
        for control in controls:
            control.observe(self._on_change, names="value")
        self._sync_controls()
        self.calculate()

    # --- public API ----------------------------------------------------------------------------

    @property
    def breakdown(self) -> CostBreakdown | None:
        """The bill shown, or None when the controls could not be priced."""
        return self._breakdown

    @property
    def comparison(self) -> ModeComparison | None:
        """The same workload in both capacity modes (reservations left out), or None."""
        return self._comparison

    @property
    def error(self) -> str | None:
        """Why there is no bill, or None."""
        return self._error

    def workload(self) -> Workload:
        """The workload the controls describe."""
        index_names = [f"GSI{n}" for n in range(1, self.indexes.value + 1)]
        return Workload(
            reads=[Reads(self.reads.value, round(self.read_kb.value * KB), self.consistency.value)],
            writes=[Writes(self.writes.value, round(self.write_kb.value * KB))],
            item_count=round(self.items.value * 1_000_000),
            item_bytes=round(self.item_kb.value * KB),
            indexes=[
                Index(name, self.index_bytes.value, self.index_share.value) for name in index_names
            ],
            pitr=self.pitr.value,
            backups=self.backups.value,
            replicas=self.replicas.value,
        )

    def calculate(self) -> CostBreakdown | None:
        """Price the workload the controls describe and show it.

        Returns:
            The bill, or None when it cannot be priced (the reason is in :attr:`error`).
        """
        self._breakdown, self._comparison, self._error = None, None, None
        try:
            workload = self.workload()
            prices = price_table("us-east-1", self.table_class.value)
            reserved = self.reserved.value or None
            mode = self.mode.value
            self._breakdown = monthly_cost(
                workload,
                mode,
                prices=prices,
                target_utilization=self.target.value,
                reserved=reserved if mode == "provisioned" else None,
            )
            self._comparison = compare_modes(
                workload, prices=prices, target_utilization=self.target.value
            )
        except (ValueError, KeyError) as error:
            self._show_error("Cannot price this workload", str(error))
            return None
        self._show_bill(self._breakdown, self._comparison)
        return self._breakdown

    def headline(self) -> str:
        """The total in one line, with the other capacity mode's total beside it."""
        if self._breakdown is None or self._comparison is None:
            return "no bill"
        mode = self._breakdown.mode
        other = "provisioned" if mode == "on_demand" else "on_demand"
        other_total = getattr(self._comparison, other).total
        return (
            f"{format_dollars(cents(self._breakdown.total))} / month {_MODE_NAMES[mode]} "
            f"({_MODE_NAMES[other]}: {format_dollars(cents(other_total))})"
        )

    def __repr__(self) -> str:
        return f"<CostCalculator: {self.headline()}; {_HINT}>"

    # --- callbacks: never raise ----------------------------------------------------------------

    def _on_change(self, _change: Any) -> None:
        try:
            self._sync_controls()
            self.calculate()
        except Exception as error:  # shown in the widget, never raised
            self._breakdown = None
            self._show_error(type(error).__name__, str(error))

    def _sync_controls(self) -> None:
        """Enable the controls the chosen mode, class and indexes use."""
        provisioned = self.mode.value == "provisioned"
        self.target.disabled = not provisioned
        self.reserved.disabled = not provisioned or self.table_class.value != STANDARD
        if self.reserved.disabled:
            self.reserved.value = ""
        self.index_bytes.disabled = self.index_share.disabled = self.indexes.value == 0

    # --- rendering -----------------------------------------------------------------------------

    def _show_bill(self, breakdown: CostBreakdown, comparison: ModeComparison) -> None:
        self.total.value = f"<h3>{html.escape(self.headline())}</h3>"
        self.output.outputs = (_display(breakdown.text(), breakdown._repr_html_()),)

    def _show_error(self, code: str, message: str) -> None:
        self._error = message
        self.total.value = ""
        self.output.outputs = (_display(f"{code}: {message}", _error_html(code, message)),)
