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


# --- Secondary indexes (SECONDARY_INDEXES, GSI_CONSISTENCY, QUOTAS) ------------------------------
SECONDARY_INDEXES: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/SecondaryIndexes.html",
    "2026-11-25",
)
GSI_CONSISTENCY: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html",
    "2026-11-25",
)
#: NonKeyAttributes of every INCLUDE projection of a table, summed over all its indexes (the same
#: attribute projected into two indexes counts twice; ALL and KEYS_ONLY count nothing).
MAX_PROJECTED_ATTRIBUTES: Final = 100
#: An item collection (one partition-key value: the table's items plus their LSI entries) of a
#: table with a local secondary index holds at most 10 GB.
MAX_ITEM_COLLECTION_GB: Final = 10
#: UpdateTable creates (or deletes) at most one global secondary index per call.
MAX_INDEX_CREATES_PER_UPDATE: Final = 1
#: Index names: 3 to 255 characters of a-z, A-Z, 0-9, '_', '-', '.'.
INDEX_NAME_MIN_LENGTH: Final = 3

# Error texts of CreateTable and UpdateTable for indexes, as DynamoDB words them (dynalite's
# createTable validation and catalogues of messages observed from DynamoDB, 2026).
MSG_GSI_COUNT: Final = (
    "One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table "
    "limit of {limit}"
)
MSG_LSI_COUNT: Final = (
    "One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds "
    "per-table limit of {limit}"
)
#: UpdateTable adding a GSI beyond the limit answers LimitExceededException with this text.
MSG_GSI_COUNT_UPDATE: Final = (
    "Subscriber limit exceeded: Number of global secondary indexes exceeds per-table limit of "
    "{limit}"
)
MSG_DUPLICATE_INDEX: Final = (
    "One or more parameter values were invalid: Duplicate index name: {index}"
)
MSG_LSI_TABLE_NO_RANGE: Final = (
    "One or more parameter values were invalid: Table KeySchema does not have a range key, which "
    "is required when specifying a LocalSecondaryIndex"
)
MSG_LSI_NO_RANGE: Final = (
    "One or more parameter values were invalid: Index KeySchema does not have a range key for "
    "index: {index}"
)
MSG_LSI_HASH_KEY: Final = (
    "One or more parameter values were invalid: Index KeySchema does not have the same leading "
    "hash key as table KeySchema for index: {index}. index hash key: {index_hash}, table hash "
    "key: {table_hash}"
)
MSG_PROJECTION_TYPE_MISSING: Final = (
    "One or more parameter values were invalid: Unknown ProjectionType: null"
)
MSG_NON_KEY_NOT_ALLOWED: Final = (
    "One or more parameter values were invalid: ProjectionType is {projection}, but "
    "NonKeyAttributes is specified"
)
MSG_NON_KEY_MISSING: Final = (
    "One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes "
    "is not specified"
)
MSG_NON_KEY_DUPLICATE: Final = (
    "One or more parameter values were invalid: Duplicate element in NonKeyAttributes: {name}"
)
#: The text is quoted by tools that check templates against this limit; the "One or more
#: parameter values were invalid" prefix follows every other CreateTable index message.
MSG_PROJECTED_ATTRIBUTES: Final = (
    "One or more parameter values were invalid: Number of projected attributes in all indexes "
    "exceeds limit of {limit}"
)
MSG_INDEX_EXISTS: Final = "Attempting to create an index which already exists"
MSG_NOT_A_GSI: Final = "Cannot {action} an index that is not a GlobalSecondaryIndex: {index}"
MSG_INDEX_ATTRIBUTES_MISSING: Final = (
    "One or more parameter values were invalid: AttributeDefinitions is not specified for "
    "index: {index}"
)
#: UpdateTable updating (or deleting) a GSI the table does not have: ResourceNotFoundException
#: (observed for an Update; the lab answers a Delete the same way).
MSG_INDEX_NOT_FOUND: Final = "Requested resource not found: Index {index} for table {table}"
#: UpdateTable with two index creations answers LimitExceededException with this text.
MSG_ONE_INDEX_PER_UPDATE: Final = (
    "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously "
    "per table"
)
#: An item whose attribute is an index key of the wrong type (a NULL counts as a type too).
MSG_INDEX_KEY_TYPE: Final = (
    "One or more parameter values were invalid: Type mismatch for Index Key {key} Expected: "
    "{expected} Actual: {actual} IndexName: {index}"
)
#: What a Query or Scan of a GSI with ConsistentRead=True gets (moto answers it already).
MSG_GSI_CONSISTENT_READ: Final = "Consistent reads are not supported on global secondary indexes"
#: A GSI read whose ProjectionExpression names attributes the index does not project (a GSI never
#: fetches from the table; an LSI does, at an extra read per item).
MSG_GSI_NOT_PROJECTED: Final = (
    "One or more parameter values were invalid: Global secondary index {index} does not project "
    "[{names}]"
)


# --- Streams, TTL and global tables (STREAMS, LAMBDA_DDB, TTL, GLOBAL_TABLES) -------------------
STREAMS: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html",
    "2026-11-25",
)
LAMBDA_DDB: Final = Source(
    "https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html",
    "2026-11-25",
)
LAMBDA_FILTERING: Final = Source(
    "https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html",
    "2026-11-25",
)
TTL: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ttl-expired-items.html",
    "2026-11-25",
)
GLOBAL_TABLES: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html",
    "2026-11-25",
)
#: A stream keeps each record for 24 hours (STREAMS).
STREAM_RETENTION_SECONDS: Final = 24 * 60 * 60
#: The four StreamViewType values: what each record carries besides the keys.
STREAM_VIEW_TYPES: Final = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
#: The eventName of a stream record.
STREAM_EVENT_NAMES: Final = ("INSERT", "MODIFY", "REMOVE")
#: The eventVersion DynamoDB Streams records carry today.
STREAM_EVENT_VERSION: Final = "1.1"
#: The eventSource of a DynamoDB stream record.
STREAM_EVENT_SOURCE: Final = "aws:dynamodb"
#: GetRecords returns at most 1,000 records per call.
STREAM_GET_RECORDS_MAX: Final = 1000
#: userIdentity of a REMOVE record written by TTL: a service, not a user (TTL). The Streams API
#: names the members Type and PrincipalId; a Lambda event spells them type and principalId.
TTL_IDENTITY_TYPE: Final = "Service"
TTL_PRINCIPAL_ID: Final = "dynamodb.amazonaws.com"
#: DynamoDB typically deletes an expired item within two days of its expiry (UpdateTimeToLive).
TTL_TYPICAL_DELETE_SECONDS: Final = 2 * 24 * 60 * 60
#: Lambda event source mapping for a DynamoDB stream (LAMBDA_DDB): batch size default and maximum.
LAMBDA_BATCH_SIZE_DEFAULT: Final = 100
LAMBDA_BATCH_SIZE_MAX: Final = 10_000
#: MaximumRetryAttempts: -1 (the default) retries until the record expires; otherwise 0..10,000.
LAMBDA_MAX_RETRY_ATTEMPTS_DEFAULT: Final = -1
LAMBDA_MAX_RETRY_ATTEMPTS_MAX: Final = 10_000
#: Up to 5 filters per event source mapping by default (10 with a quota increase), ORed together.
LAMBDA_FILTERS_MAX: Final = 5
#: Global tables: version 2019.11.21 is current; replication usually takes under a second.
GLOBAL_TABLES_VERSION: Final = "2019.11.21"
GLOBAL_TABLES_TYPICAL_LAG_SECONDS: Final = 1.0
#: Multi-Region strong consistency (MRSC, generally available June 2025) needs exactly 3 Regions
#: (3 replicas, or 2 replicas and a witness); the default mode, MREC, is last-writer-wins.
MRSC_REGIONS: Final = 3


# --- Transactions and batches: limits and texts (TRANSACT_WRITE, BATCH_GET, BATCH_WRITE) ------
TRANSACT_WRITE: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html",
    "2026-11-25",
)
BATCH_GET: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html",
    "2026-11-25",
)
#: A ClientRequestToken makes TransactWriteItems idempotent for 10 minutes after the first
#: request that used it completes (TRANSACT_WRITE).
IDEMPOTENCY_WINDOW_SECONDS: Final = 10 * 60
#: More than 100 actions in TransactWriteItems or TransactGetItems. DynamoDB echoes the list
#: in Java ``toString`` form (observed by the dynamodb-conformance suite against DynamoDB).
MSG_TRANSACT_TOO_MANY: Final = (
    "1 validation error detected: Value '[{dump}]' at 'transactItems' failed to satisfy "
    "constraint: Member must have length less than or equal to 100"
)
#: The items of a TransactWriteItems call total more than 4 MB (DynamoDB's answer, as recorded
#: in a project's test of its DynamoDB client; the repetition is DynamoDB's own).
MSG_TRANSACT_TOO_LARGE: Final = (
    "Transaction payload size cannot exceed 4MB. Payload Size: : Transaction payload size "
    "cannot exceed 4MB. Payload Size: {size}"
)
#: A ClientRequestToken reused with a different request within the window. The exception's
#: description in the API reference (DynamoDB itself has been seen to send an empty message).
MSG_IDEMPOTENT_MISMATCH: Final = (
    "DynamoDB rejected the request because you retried a request with a different payload but "
    "with an idempotent token that was already used."
)
#: More than 100 keys for one table in a BatchGetItem (dynamodb-conformance suite, exact).
MSG_BATCH_GET_TABLE_LIMIT: Final = (
    "1 validation error detected: Value at 'RequestItems.{table}.member.Keys' failed to "
    "satisfy constraint: Member must have length less than or equal to 100"
)
#: A BatchWriteItem request over 16 MB. The API reference lists the cause ("The total request
#: size exceeds 16 MB") without DynamoDB's exact wording; the lab answers with that sentence.
MSG_BATCH_WRITE_TOO_LARGE: Final = "The total request size exceeds 16 MB."
#: The reasons a TransactionCanceledException lists, one per action, in order ("None" for an
#: action that would have succeeded).
MSG_TRANSACTION_CANCELLED: Final = (
    "Transaction cancelled, please refer cancellation reasons for specific reasons [{reasons}]"
)


# --- Security: IAM and encryption (IAM_CONDITIONS, ENCRYPTION_AT_REST) --------------------------
IAM_CONDITIONS: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html",
    "2026-11-25",
)
IAM_TRANSACTIONS: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html",
    "2026-11-25",
)
ENCRYPTION_AT_REST: Final = Source(
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html",
    "2026-11-25",
)
#: AccessDeniedException when no statement allows the action (implicit deny), in the wording of
#: the IAM User Guide's "Troubleshoot access denied error messages" page.
MSG_ACCESS_DENIED_IMPLICIT: Final = (
    "User: {principal} is not authorized to perform: {action} on resource: {resource} "
    "because no identity-based policy allows the {action} action"
)
#: AccessDeniedException when a Deny statement applies (explicit deny).
MSG_ACCESS_DENIED_EXPLICIT: Final = (
    "User: {principal} is not authorized to perform: {action} on resource: {resource} "
    "with an explicit deny in an identity-based policy"
)
#: An IAM policy document may hold only these characters (tab, LF, CR, U+0020 to U+00FF).
POLICY_ALLOWED_CHARACTERS: Final = "\t\n\r" + "".join(chr(c) for c in range(0x20, 0x100))

# --- Cost model (ITEM_SIZE; prices themselves live in ddb_lab.cost.prices) ------------------------
#: A global table's replicas bill this many more bytes of storage per item (on top of
#: STORAGE_OVERHEAD_BYTES), for replication metadata.
GLOBAL_TABLE_STORAGE_OVERHEAD_BYTES: Final = 48


# --- CloudWatch metrics (METRICS) ---------------------------------------------------------------
#: Where DynamoDB publishes its metrics.
CLOUDWATCH_NAMESPACE: Final = "AWS/DynamoDB"
#: These metrics are aggregated per minute (the others every five minutes).
METRIC_PERIOD_SECONDS: Final = 60
#: The dimension sets each metric is published with. A query must name exactly one of them:
#: ThrottledRequests asked for by TableName alone has no data. UserErrors has no dimension (the
#: account and region). A metric with GlobalSecondaryIndexName is that index's alone; the
#: TableName one is the table's own (WriteThrottleEvents on TableName excludes its indexes).
METRIC_DIMENSIONS: Final[dict[str, tuple[tuple[str, ...], ...]]] = {
    "ConditionalCheckFailedRequests": (("TableName",),),
    "ConsumedReadCapacityUnits": (("TableName",), ("GlobalSecondaryIndexName", "TableName")),
    "ConsumedWriteCapacityUnits": (("TableName",), ("GlobalSecondaryIndexName", "TableName")),
    "ProvisionedReadCapacityUnits": (("TableName",), ("GlobalSecondaryIndexName", "TableName")),
    "ProvisionedWriteCapacityUnits": (("TableName",), ("GlobalSecondaryIndexName", "TableName")),
    "ReadThrottleEvents": (("TableName",), ("GlobalSecondaryIndexName", "TableName")),
    "ReturnedItemCount": (("Operation", "TableName"),),
    "SuccessfulRequestLatency": (("Operation", "TableName"),),
    "SystemErrors": (("Operation", "TableName"),),
    "ThrottledRequests": (("Operation", "TableName"),),
    "UserErrors": ((),),
    "WriteThrottleEvents": (("TableName",), ("GlobalSecondaryIndexName", "TableName")),
}
#: The unit of each metric: Milliseconds for latency, Count for the rest.
METRIC_UNITS: Final[dict[str, str]] = {
    name: "Milliseconds" if name == "SuccessfulRequestLatency" else "Count"
    for name in METRIC_DIMENSIONS
}
#: CloudWatch's statistics (plus percentiles such as "p99" as extended statistics).
STATISTICS: Final = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
#: A failed condition is HTTP 400 but counts in ConditionalCheckFailedRequests, not UserErrors.
CONDITIONAL_CHECK_FAILED_CODE: Final = "ConditionalCheckFailedException"
#: A throttle is HTTP 400 but counts in ThrottledRequests, not UserErrors (the lab answers with
#: these two: provisioned tables, and on-demand tables above their peak).
THROTTLE_ERROR_CODES: Final = ("ProvisionedThroughputExceededException", "ThrottlingException")


# --- Capacity-mode switches (ON_DEMAND) -----------------------------------------------------------
#: A table may switch from provisioned to on-demand up to 4 times per rolling 24 hours (it was
#: once); on-demand to provisioned is allowed at any time.
SWITCHES_TO_ON_DEMAND_PER_DAY: Final = 4
