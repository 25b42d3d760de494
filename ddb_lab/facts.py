"""DynamoDB facts the course relies on: limits and error texts, each defined once.

Every constant names its source and the date it was checked. Nothing else in the package or the
notebooks writes these numbers or messages as literals; they import them from here.

Used in: notebooks/01_keys_and_types.ipynb (limits), and by the engine's corrections.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final


@dataclass(frozen=True)
class Source:
    """Where a fact comes from and when it was last checked against that source."""

    url: str
    checked: str  # ISO date


QUOTAS: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html",
    "2025-06-01",
)
DATA_TYPES: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html",
    "2025-06-01",
)
RESERVED_WORDS: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html",
    "2025-06-01",
)
TRANSACTIONS: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html",
    "2025-06-01",
)
BATCH_WRITE: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html",
    "2025-06-01",
)
ERRORS: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html",
    "2025-06-01",
)

# --- Items and attributes (QUOTAS, DATA_TYPES) -------------------------------------------------
#: Largest item, attribute names included. DynamoDB counts 1 KB as 1,024 bytes.
MAX_ITEM_SIZE_BYTES: Final = 400 * 1024
#: Partition key value: 1 to 2,048 bytes.
MAX_PARTITION_KEY_BYTES: Final = 2048
#: Sort key value: 1 to 1,024 bytes.
MAX_SORT_KEY_BYTES: Final = 1024
#: Numbers keep up to 38 significant digits.
MAX_NUMBER_DIGITS: Final = 38
#: Largest and smallest magnitudes a Number holds (positive range; negatives mirror it).
MAX_NUMBER: Final = Decimal("9.9999999999999999999999999999999999999E+125")
MIN_POSITIVE_NUMBER: Final = Decimal("1E-130")
#: Nesting depth of maps and lists.
MAX_NESTING_DEPTH: Final = 32
#: Table names: 3 to 255 characters of a-z, A-Z, 0-9, '_', '-', '.'.
TABLE_NAME_PATTERN: Final = r"^[a-zA-Z0-9_.-]{3,255}$"

# --- Requests (BATCH_WRITE, TRANSACTIONS, QUOTAS) ----------------------------------------------
BATCH_WRITE_MAX_ITEMS: Final = 25
BATCH_GET_MAX_KEYS: Final = 100
BATCH_MAX_BYTES: Final = 16 * 1024 * 1024
#: 100 actions per transaction since September 2022 (it was 25 before).
TRANSACT_MAX_ITEMS: Final = 100
TRANSACT_MAX_BYTES: Final = 4 * 1024 * 1024
#: A Query or Scan page stops at 1 MB of items read, before any filter.
QUERY_PAGE_MAX_BYTES: Final = 1024 * 1024
MAX_GSIS_PER_TABLE: Final = 20
MAX_LSIS_PER_TABLE: Final = 5

#: The type descriptors of the low-level API.
TYPE_DESCRIPTORS: Final = ("S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS")

# --- Error texts, as DynamoDB words them (ERRORS; dynalite, which mirrors them) ----------------
MSG_NUMBER_TOO_PRECISE: Final = "Attempting to store more than 38 significant digits in a Number"
MSG_NUMBER_OVERFLOW: Final = (
    "Number overflow. Attempting to store a number with magnitude larger than supported range"
)
MSG_NUMBER_UNDERFLOW: Final = (
    "Number underflow. Attempting to store a number with magnitude smaller than supported range"
)
MSG_NUMBER_INVALID: Final = "A value provided cannot be converted into a number"
MSG_SET_DUPLICATES: Final = (
    "One or more parameter values were invalid: Input collection {values} contains duplicates."
)
MSG_RESERVED_WORD: Final = (
    "Invalid {expression}: Attribute name is a reserved keyword; reserved keyword: {word}"
)
MSG_KEY_MISMATCH: Final = "The provided key element does not match the schema"
MSG_AV_EMPTY: Final = (
    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
)
MSG_AV_MANY: Final = (
    "Supplied AttributeValue has more than one datatypes set, "
    "must contain exactly one of the supported datatypes"
)
MSG_EMPTY_KEY_STRING: Final = (
    "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
    "contain an empty string value. Key: {key}"
)
MSG_UNDEFINED_NAME: Final = (
    "Invalid {expression}: An expression attribute name used in the document path is not "
    "defined; attribute name: {name}"
)
MSG_UNDEFINED_VALUE: Final = (
    "Invalid {expression}: An expression attribute value used in expression is not defined; "
    "attribute value: {name}"
)
MSG_UNUSED_VALUES: Final = (
    "Value provided in ExpressionAttributeValues unused in expressions: keys: {{{names}}}"
)
MSG_UNUSED_NAMES: Final = (
    "Value provided in ExpressionAttributeNames unused in expressions: keys: {{{names}}}"
)
MSG_KEY_CONDITION_OPERATOR: Final = "Invalid operator used in KeyConditionExpression: {operator}"

# --- The lab's own texts (not DynamoDB's) ------------------------------------------------------
MSG_INTERNAL: Final = (
    "The embedded DynamoDB could not process this request ({detail}). DynamoDB would reject it "
    "with a ValidationException; check the expression and the attribute values."
)

# --- Capacity (READ_WRITE, PARTITIONS, ON_DEMAND) ----------------------------------------------
READ_WRITE: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html",
    "2025-06-01",
)
ITEM_SIZE: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html",
    "2025-06-01",
)
PARTITIONS: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/burst-adaptive-capacity.html",
    "2025-06-01",
)
ON_DEMAND: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html",
    "2025-06-01",
)
#: One read unit: a strongly consistent read of up to 4 KB per second.
READ_UNIT_BYTES: Final = 4 * 1024
#: One write unit: a write of up to 1 KB per second.
WRITE_UNIT_BYTES: Final = 1024
#: Eventually consistent reads cost half; transactional reads and writes cost double.
EVENTUAL_READ_FACTOR: Final = 0.5
TRANSACTIONAL_FACTOR: Final = 2
#: Storage billing adds this many bytes per item for indexing.
STORAGE_OVERHEAD_BYTES: Final = 100
#: Per partition, per second, in either capacity mode.
PARTITION_MAX_READ_UNITS: Final = 3000
PARTITION_MAX_WRITE_UNITS: Final = 1000
#: Unused provisioned capacity kept for bursts, in seconds.
BURST_SECONDS: Final = 300
#: A new on-demand table serves this much at once; up to 2x its previous peak after that.
ON_DEMAND_INITIAL_READS: Final = 12_000
ON_DEMAND_INITIAL_WRITES: Final = 4_000
ON_DEMAND_PEAK_MULTIPLIER: Final = 2
ON_DEMAND_PEAK_WINDOW_SECONDS: Final = 30 * 60

# --- Auto scaling, throughput decreases, partition size (AUTO_SCALING, METRICS, QUOTAS) -----------
AUTO_SCALING: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/AutoScaling.html",
    "2025-06-01",
)
METRICS: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html",
    "2025-06-01",
)
#: Target tracking keeps consumed/provisioned near a target between 20 % and 90 % (console
#: default 70 %). The range is stated for Application Auto Scaling (Keyspaces API reference).
AUTOSCALING_TARGET_MIN: Final = 0.2
AUTOSCALING_TARGET_MAX: Final = 0.9
AUTOSCALING_TARGET_DEFAULT: Final = 0.7
#: The alarms look at one data point per minute: scale out after 2 consecutive minutes above
#: the target, scale in after 15 consecutive data points below it (cooldowns default to 0 s).
AUTOSCALING_PERIOD_SECONDS: Final = 60
AUTOSCALING_SCALE_OUT_PERIODS: Final = 2
AUTOSCALING_SCALE_IN_PERIODS: Final = 15
#: Provisioned throughput decreases (QUOTAS): 4 at any time in a UTC day, plus 1 more whenever
#: there was no decrease in the previous hour, up to 27 per UTC day (it was 9, and 4 before).
DECREASES_ANY_TIME_PER_DAY: Final = 4
DECREASES_MAX_PER_DAY: Final = 27
DECREASE_QUIET_SECONDS: Final = 60 * 60
#: Data per partition: about 10 GB. Not stated in the current developer guide (older docs and
#: community sources only); teach it as approximate.
PARTITION_SIZE_GB_APPROX: Final = 10

# --- Throttling (THROTTLING, ERRORS) ------------------------------------------------------------
THROTTLING: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/throttling-diagnosing-workflow.html",
    "2026-11-25",
)
#: A provisioned table (or one of its partitions) ran out of read or write capacity.
MSG_THROUGHPUT_EXCEEDED: Final = (
    "The level of configured provisioned throughput for the table was exceeded. Consider "
    "increasing your provisioning level with the UpdateTable API."
)
#: A write to a table whose provisioned global secondary index ran out of write capacity (the
#: index throttles the table's writes). As DynamoDB answers it (observed in SDK error reports).
MSG_INDEX_WRITE_THROUGHPUT_EXCEEDED: Final = (
    "The level of configured provisioned throughput for one or more global secondary indexes of "
    "the table was exceeded. Consider increasing your provisioning level for the "
    "under-provisioned global secondary indexes with the UpdateTable API"
)
#: A read of a provisioned global secondary index that ran out of read capacity (THROTTLING).
MSG_INDEX_THROUGHPUT_EXCEEDED: Final = (
    "The level of configured provisioned throughput for the index was exceeded"
)
#: An on-demand table asked for more than it can serve at once; the code is ThrottlingException
#: (observed in SDK error reports, 2021 and 2024).
MSG_ON_DEMAND_THROTTLED: Final = (
    "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically "
    "scaling your table or index so please try again shortly. If exceptions persist, check if "
    "you have a hot key: "
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html"
)


# --- Batch request limits (BATCH_WRITE) ---------------------------------------------------------
#: One table's list in a BatchWriteItem holds 1 to 25 requests.
MSG_BATCH_WRITE_TABLE_LIMIT: Final = (
    "1 validation error detected: Value '{{{table}=[{count} WriteRequests]}}' at 'requestItems' "
    "failed to satisfy constraint: Map value must satisfy constraint: [Member must have length "
    "less than or equal to 25, Member must have length greater than or equal to 1]"
)
#: Across tables, a BatchWriteItem holds at most 25 requests.
MSG_BATCH_WRITE_TOO_MANY: Final = "Too many items requested for the BatchWriteItem call"
