"""Design challenge: a multi-tenant SaaS whose tenants IAM can isolate (dynamodb:LeadingKeys)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Final

from ddb_lab.interview.challenges import Challenge
from ddb_lab.modeling import AccessPattern, Data, Load, Model, Record

BRIEF: Final = """
**Design the document store of a multi-tenant SaaS.** Each customer company is a tenant with users and documents.
Security requires that **a tenant's requests can only ever touch that tenant's items**, enforced by IAM: each
tenant's role allows DynamoDB actions only when `dynamodb:LeadingKeys` — the partition key of every item a request
touches — belongs to the tenant. So every partition key (of the table and of any index) must be `TENANT#<tenant_id>`
or start with `TENANT#<tenant_id>#`.

Records: `Tenant(tenant_id, name, plan)`, `User(tenant_id, user_id, email, role)`,
`Document(tenant_id, doc_id, owner_id, title, updated_at)`.

Access patterns (every one is given the tenant):

| function | given | returns |
|---|---|---|
| `tenant_users` | `tenant_id` | the tenant's users |
| `user_documents` | `tenant_id`, `user_id` | the documents the user owns, most recently updated first |
| `document` | `tenant_id`, `doc_id` | the document (at most 1 read unit) |
| `recent_documents` | `tenant_id` | all the tenant's documents, most recently updated first |

Load: the largest tenant, `t1`, saves 600 documents per second at peak.
"""


def saas_data(seed: int = 5) -> Data:
    """Six tenants; t1 is much larger than the rest."""
    rng = random.Random(seed)
    tenants, users, documents = [], [], []
    start = datetime(2025, 4, 1, tzinfo=UTC)
    sizes = {"t1": (12, 45), "t2": (4, 9), "t3": (3, 6), "t4": (2, 4), "t5": (2, 3), "t10": (2, 5)}
    for tenant_id, (user_count, doc_count) in sizes.items():
        tenants.append(
            {
                "tenant_id": tenant_id,
                "name": f"Tenant {tenant_id}",
                "plan": rng.choice(["pro", "team"]),
            }
        )
        members = [f"{tenant_id}-u{n:02d}" for n in range(1, user_count + 1)]
        for user_id in members:
            users.append(
                {
                    "tenant_id": tenant_id,
                    "user_id": user_id,
                    "email": f"{user_id}@example.com",
                    "role": rng.choice(["admin", "member", "member"]),
                }
            )
        for n in range(1, doc_count + 1):
            updated = start + timedelta(seconds=rng.randrange(0, 60 * 86_400))
            documents.append(
                {
                    "tenant_id": tenant_id,
                    "doc_id": f"{tenant_id}-d{n:03d}",
                    "owner_id": rng.choice(members),
                    "title": f"Document {n} of {tenant_id}",
                    "updated_at": updated.strftime("%Y-%m-%dT%H:%M:%SZ"),
                }
            )
    return Data(
        {"Tenant": tenants, "User": users, "Document": documents},
        {"Tenant": ("tenant_id",), "User": ("user_id",), "Document": ("doc_id",)},
    )


def leading_keys_isolate_tenants(model: Model, data: Data) -> list[str]:
    """Every partition key (table and indexes) of a tenant's item belongs to that tenant."""
    problems: list[str] = []
    keys = [model.partition_key] + [i.partition_key for i in model.indexes]
    for entity in model.entities:
        for record in data[entity.record_set]:
            tenant = record.get("tenant_id")
            item = entity.item(record, model.type_attribute)
            for attribute in dict.fromkeys(keys):
                if attribute not in item:
                    continue
                value = str(item[attribute])
                own = f"TENANT#{tenant}"
                if value != own and not value.startswith(own + "#"):
                    problems.append(
                        f"tenant isolation: a {entity.name} of tenant {tenant} has {attribute} = "
                        f"{value!r}; a LeadingKeys condition on {own!r} (or {own + '#*'!r}) would "
                        "not let the tenant reach it — or would let another tenant in"
                    )
                    return problems
    return problems


def _recent(data: Data, tenant_id: str) -> list[Record]:
    return data.where(
        "Document", tenant_id=tenant_id, order_by=("updated_at", "doc_id"), reverse=True
    )


def _owned(data: Data, tenant_id: str, user_id: str) -> list[Record]:
    return data.where(
        "Document",
        tenant_id=tenant_id,
        owner_id=user_id,
        order_by=("updated_at", "doc_id"),
        reverse=True,
    )


PATTERNS: Final = (
    AccessPattern(
        "tenant_users",
        "A tenant's users",
        cases=[{"tenant_id": "t1"}, {"tenant_id": "t10"}],
        expected=lambda data, tenant_id: data.where("User", tenant_id=tenant_id),
    ),
    AccessPattern(
        "user_documents",
        "A user's documents, most recently updated first",
        cases=[{"tenant_id": "t1", "user_id": "t1-u03"}, {"tenant_id": "t2", "user_id": "t2-u01"}],
        expected=_owned,
        ordered=True,
    ),
    AccessPattern(
        "document",
        "A document",
        cases=[
            {"tenant_id": "t1", "doc_id": "t1-d007"},
            {"tenant_id": "t10", "doc_id": "t10-d002"},
        ],
        expected=lambda data, tenant_id, doc_id: data.where(
            "Document", tenant_id=tenant_id, doc_id=doc_id
        ),
        max_read_units=1,
    ),
    AccessPattern(
        "recent_documents",
        "A tenant's documents, most recently updated first",
        cases=[{"tenant_id": "t1"}, {"tenant_id": "t10"}],
        expected=_recent,
        ordered=True,
    ),
)

CHALLENGE: Final = Challenge(
    id="saas",
    title="A multi-tenant SaaS with tenant isolation by IAM (LeadingKeys)",
    brief=BRIEF.strip(),
    data=saas_data,
    patterns=PATTERNS,
    loads=(Load("Document", 600, where={"tenant_id": "t1"}, description="600 t1 saves/s"),),
    rules=(leading_keys_isolate_tenants,),
    hot_share=1,  # t1 is large by the brief; the load decides what is hot
    chapters=(2, 7),
)
