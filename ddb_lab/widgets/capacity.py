"""The capacity calculator: paste an item, pick a request, see its units and on-demand price.

All the arithmetic lives in :mod:`ddb_lab.calculators` (and, below it, :mod:`ddb_lab.capacity`);
this module only reads the controls, calls :func:`~ddb_lab.calculators.capacity_report`, and
renders the report into an Output. A change never raises: an item that does not parse shows up
as a styled error message, not a traceback.

Used in: notebooks/05_capacity_and_partitions.ipynb (the capacity calculator).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

import ipywidgets as w

from ddb_lab.calculators import (
    OPERATIONS,
    CapacityReport,
    Operation,
    capacity_report,
    format_item,
    parse_item,
)
from ddb_lab.capacity import Consistency, IndexSpec
from ddb_lab.widgets._base import FormWidget
from ddb_lab.widgets.explorer import _error_html

__all__ = ["EXAMPLE_ITEM", "CapacityCalculator"]

#: What the calculator starts with when no item is given: a user profile of a few hundred bytes.
EXAMPLE_ITEM: Final[Mapping[str, Any]] = {
    "PK": "USER#ada",
    "SK": "PROFILE",
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "born": Decimal(1815),
    "verified": True,
    "languages": ["English", "French", "Italian"],
    "address": {"city": "London", "street": "12 St James's Square"},
    "bio": "Wrote the first published algorithm meant for a machine, for Babbage's Engine.",
}

#: The read consistencies the form offers (TransactGetItems is always transactional).
READ_CONSISTENCIES: Final = ("eventual", "strong")
#: Operations whose count control is used, and what it is called for each.
_COUNT_LABELS: Final = {"Query": "Items per page", "BatchGetItem": "Items per batch"}
#: Operations whose consistency control is used.
_CONSISTENT_READS: Final = ("GetItem", "Query", "BatchGetItem")

_STYLE: Final = {"description_width": "initial"}
_HINT: Final = "run this cell in JupyterLab to use the form"


def _display(text: str, html_text: str) -> dict[str, Any]:
    data = {"text/plain": text, "text/html": html_text}
    return {"output_type": "display_data", "data": data, "metadata": {}}


def _item_text(item: str | Mapping[str, Any] | None) -> str:
    if item is None:
        return format_item(EXAMPLE_ITEM)
    if isinstance(item, str):
        return item
    return format_item(item)


class CapacityCalculator(FormWidget):
    """A form that prices one request on one item, and shows why, attribute by attribute.

    Paste an item (JSON, DynamoDB JSON, or a Python dict with sets and bytes), choose the
    operation and, for reads, the consistency; the report under the form updates on every
    change: the item's size, the units the request consumes with the rounding rule spelled out,
    what a million such requests cost on demand, and each attribute's share of the size.

    Args:
        item: The item to start with, as text or as a dict; None for ``EXAMPLE_ITEM``.
        operation: The request to start with, one of ``calculators.OPERATIONS``.
        consistency: ``"eventual"`` or ``"strong"`` (reads other than TransactGetItems).
        items_per_page: Items a Query page or a BatchGetItem reads.
        indexes: The table's secondary indexes, to show a write's cost in each.

    Raises:
        ValueError: A starting operation, consistency or count the controls do not offer.

    Used in: notebooks/05_capacity_and_partitions.ipynb
    """

    def __init__(
        self,
        item: str | Mapping[str, Any] | None = None,
        operation: Operation = "GetItem",
        consistency: Consistency = "eventual",
        *,
        items_per_page: int = 1,
        indexes: Sequence[IndexSpec] = (),
    ) -> None:
        if operation not in OPERATIONS:
            raise ValueError(f"operation must be one of {', '.join(OPERATIONS)}")
        if consistency not in READ_CONSISTENCIES:
            raise ValueError(
                "consistency must be 'eventual' or 'strong' "
                "(choose TransactGetItems for a transactional read)"
            )
        if items_per_page < 1:
            raise ValueError("items_per_page must be at least 1")
        self._indexes = tuple(indexes)
        self._report: CapacityReport | None = None
        self._error: str | None = None

        self.item_text = w.Textarea(
            description="Item",
            value=_item_text(item),
            placeholder='{"PK": "USER#1", "name": "Ada"}',
            style=_STYLE,
            layout=w.Layout(width="100%", height="200px"),
        )
        self.operation_dropdown = w.Dropdown(
            description="Operation", options=list(OPERATIONS), value=operation, style=_STYLE
        )
        self.consistency_dropdown = w.Dropdown(
            description="Consistency",
            options=list(READ_CONSISTENCIES),
            value=consistency,
            style=_STYLE,
        )
        self.items_text = w.IntText(
            description="Items per page",
            value=items_per_page,
            style=_STYLE,
            layout=w.Layout(width="200px"),
        )
        self.output = w.Output()
        self._box = w.VBox(
            [
                self.item_text,
                w.HBox([self.operation_dropdown, self.consistency_dropdown, self.items_text]),
                self.output,
            ]
        )
        for control in (
            self.item_text,
            self.operation_dropdown,
            self.consistency_dropdown,
            self.items_text,
        ):
            control.observe(self._on_change, names="value")
        self._sync_controls()
        self.calculate()

    # --- public API ----------------------------------------------------------------------------

    @property
    def report(self) -> CapacityReport | None:
        """The report shown, or None when the item or the request could not be priced."""
        return self._report

    @property
    def error(self) -> str | None:
        """The error shown instead of a report, or None."""
        return self._error

    def calculate(self) -> CapacityReport | None:
        """Price the request the controls describe and show the report (or why there is none).

        Returns:
            The report, or None when the item does not parse or the request cannot be priced
            (the reason is in :attr:`error` and in the form).

        Used in: notebooks/05_capacity_and_partitions.ipynb
        """
        self._report, self._error = None, None
        try:
            item = parse_item(self.item_text.value)
        except ValueError as error:
            self._show_error("Cannot read the item", str(error))
            return None
        try:
            report = capacity_report(
                item,
                self.operation_dropdown.value,
                self.consistency_dropdown.value,
                items_per_page=int(self.items_text.value),
                indexes=self._indexes,
            )
        except ValueError as error:
            self._show_error("Cannot price the request", str(error))
            return None
        self._report = report
        self._show([_display(report.text(), report._repr_html_())])
        return report

    def __repr__(self) -> str:
        if self._report is None:
            return f"<CapacityCalculator: no report (the form shows why); {_HINT}>"
        report = self._report
        size = f"{report.size_bytes:,}-byte item"
        return f"<CapacityCalculator: {report.headline()} ({size}); {_HINT}>"

    # --- callbacks: never raise ----------------------------------------------------------------

    def _on_change(self, _change: Any) -> None:
        try:
            self._sync_controls()
            self.calculate()
        except Exception as error:  # shown in the widget, never raised
            self._report = None
            self._show_error(type(error).__name__, str(error))

    def _sync_controls(self) -> None:
        """Enable the controls the chosen operation uses."""
        operation = self.operation_dropdown.value
        self.consistency_dropdown.disabled = operation not in _CONSISTENT_READS
        label = _COUNT_LABELS.get(operation)
        self.items_text.disabled = label is None
        if label is not None:
            self.items_text.description = label

    # --- rendering -----------------------------------------------------------------------------

    def _show_error(self, code: str, message: str) -> None:
        self._error = message
        self._show([_display(f"{code}: {message}", _error_html(code, message))])

    def _show(self, outputs: list[dict[str, Any]]) -> None:
        """Replace what the Output shows (works with or without a running kernel)."""
        self.output.outputs = tuple(outputs)
