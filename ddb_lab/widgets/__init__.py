"""The course's interactive tools: thin ipywidgets layers over plain, tested functions.

Used in: notebooks/01_keys_and_types.ipynb (``TableExplorer``),
notebooks/05_capacity_and_partitions.ipynb (``CapacityCalculator``, ``HotPartitionSimulator``).
"""

from __future__ import annotations

from ddb_lab.widgets.capacity import CapacityCalculator
from ddb_lab.widgets.explorer import TableExplorer
from ddb_lab.widgets.partitions import HotPartitionSimulator

__all__ = ["CapacityCalculator", "HotPartitionSimulator", "TableExplorer"]
