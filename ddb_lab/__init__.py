"""ddb-lab: learn Amazon DynamoDB in JupyterLab, on an embedded DynamoDB.

Every notebook imports what it needs from here and nowhere else::

    from ddb_lab import start
    lab = start()

Used in: every notebook's setup cell.
"""

from __future__ import annotations

from ddb_lab import capacity, cost, facts, iam, interview, modeling
from ddb_lab import simulate as simulator
from ddb_lab.clock import RealClock, SimulatedClock
from ddb_lab.datasets import SOCIAL_TABLE, generate_social, load_social, social_table_definition
from ddb_lab.display import items_frame, render_call, summary_frame, table_summary
from ddb_lab.errors import Explanation, explain
from ddb_lab.grader import check, hint, progress, solution
from ddb_lab.lab import AwsNotAllowedError, Lab, start
from ddb_lab.modeling import verify
from ddb_lab.modeling.picture import aggregate_view
from ddb_lab.widgets import (
    CapacityCalculator,
    CostCalculator,
    FlashcardForm,
    HotPartitionSimulator,
    MathDrills,
    MockInterviewForm,
    TableExplorer,
)

__version__ = "0.1.0"

__all__ = [
    "SOCIAL_TABLE",
    "AwsNotAllowedError",
    "CapacityCalculator",
    "CostCalculator",
    "Explanation",
    "FlashcardForm",
    "HotPartitionSimulator",
    "Lab",
    "MathDrills",
    "MockInterviewForm",
    "RealClock",
    "SimulatedClock",
    "TableExplorer",
    "__version__",
    "aggregate_view",
    "capacity",
    "check",
    "cost",
    "explain",
    "facts",
    "generate_social",
    "hint",
    "iam",
    "interview",
    "items_frame",
    "load_social",
    "modeling",
    "progress",
    "render_call",
    "simulator",
    "social_table_definition",
    "solution",
    "start",
    "summary_frame",
    "table_summary",
    "verify",
]
