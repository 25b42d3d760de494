"""The course's interactive tools: thin ipywidgets layers over plain, tested functions.

Used in: notebooks/01–04 (``TableExplorer``), notebooks/05_capacity_and_partitions.ipynb
(``CapacityCalculator``, ``HotPartitionSimulator``), notebooks/08_cost.ipynb (``CostCalculator``),
notebooks/10_interview_drills.ipynb (``FlashcardForm``, ``MockInterviewForm``, ``MathDrills``).
"""

from __future__ import annotations

from ddb_lab.widgets.capacity import CapacityCalculator
from ddb_lab.widgets.cost import CostCalculator
from ddb_lab.widgets.drills import MathDrills
from ddb_lab.widgets.explorer import TableExplorer
from ddb_lab.widgets.interview import FlashcardForm, MockInterviewForm
from ddb_lab.widgets.partitions import HotPartitionSimulator

__all__ = [
    "CapacityCalculator",
    "CostCalculator",
    "FlashcardForm",
    "HotPartitionSimulator",
    "MathDrills",
    "MockInterviewForm",
    "TableExplorer",
]
