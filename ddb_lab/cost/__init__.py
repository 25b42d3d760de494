"""What DynamoDB costs: the course's one dated price table, workload bills, and receipts.

* :mod:`ddb_lab.cost.prices`: every price the course uses, each with its source, the date it
  was checked and the date it took effect (:data:`US_EAST_1_STANDARD`,
  :data:`US_EAST_1_STANDARD_IA`, the outdated :data:`US_EAST_1_STANDARD_BEFORE_2024_11`); other
  Regions by
  :meth:`PriceTable.override`. Nothing else in the package or the notebooks writes a price.
* :mod:`ddb_lab.cost.model`: the monthly cost of a :class:`Workload`, itemised
  (:func:`monthly_cost`), on-demand against provisioned (:func:`compare_modes`,
  :func:`break_even_utilization`, :func:`plot_break_even`).
* :mod:`ddb_lab.cost.receipt`: :class:`Receipt`, what a block of calls consumed and cost
  (``with lab.receipt() as r: ...``).

Used in: notebooks/08_cost.ipynb, notebooks/05_capacity_and_partitions.ipynb (receipts).
"""

from __future__ import annotations

from ddb_lab.cost.model import (
    CATEGORIES,
    CostBreakdown,
    CostLine,
    Index,
    Mode,
    ModeComparison,
    Reads,
    Term,
    Workload,
    Writes,
    break_even_utilization,
    compare_modes,
    monthly_cost,
    plot_break_even,
)
from ddb_lab.cost.prices import (
    GB,
    HOURS_PER_MONTH,
    MILLION,
    ON_DEMAND_PRICING,
    ON_DEMAND_READ,
    ON_DEMAND_WRITE,
    PRICING,
    PROVISIONED_PRICING,
    PROVISIONED_READ,
    PROVISIONED_WRITE,
    SECONDS_PER_MONTH,
    STANDARD,
    STANDARD_IA,
    STORAGE,
    US_EAST_1_STANDARD,
    US_EAST_1_STANDARD_BEFORE_2024_11,
    US_EAST_1_STANDARD_IA,
    FreeTier,
    Price,
    PriceTable,
    cents,
    class_name,
    format_dollars,
    price_table,
    request_cost,
)
from ddb_lab.cost.receipt import Metered, Receipt, ReceiptRow

__all__ = [
    "CATEGORIES",
    "GB",
    "HOURS_PER_MONTH",
    "MILLION",
    "ON_DEMAND_PRICING",
    "ON_DEMAND_READ",
    "ON_DEMAND_WRITE",
    "PRICING",
    "PROVISIONED_PRICING",
    "PROVISIONED_READ",
    "PROVISIONED_WRITE",
    "SECONDS_PER_MONTH",
    "STANDARD",
    "STANDARD_IA",
    "STORAGE",
    "US_EAST_1_STANDARD",
    "US_EAST_1_STANDARD_BEFORE_2024_11",
    "US_EAST_1_STANDARD_IA",
    "CostBreakdown",
    "CostLine",
    "FreeTier",
    "Index",
    "Metered",
    "Mode",
    "ModeComparison",
    "Price",
    "PriceTable",
    "Reads",
    "Receipt",
    "ReceiptRow",
    "Term",
    "Workload",
    "Writes",
    "break_even_utilization",
    "cents",
    "class_name",
    "compare_modes",
    "format_dollars",
    "monthly_cost",
    "plot_break_even",
    "price_table",
    "request_cost",
]
