"""An online shop's orders: records and access patterns to design a table for.

Customers place orders; each order has lines. The records come from a seed (one customer orders
far more than the rest, one order is long) so that a right design needs pagination, and the
access patterns are the ones an interviewer states for this domain. No design is given here:
designing it is the exercise.

Used in: solutions/02_single_table_design.ipynb (exercise ``02.orders_design``).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from ddb_lab.modeling import AccessPattern, Data, Record

__all__ = ["ORDERS_IDENTITY", "ORDERS_PATTERNS", "orders_data"]

ORDERS_IDENTITY: Final = {
    "Customer": ("customer_id",),
    "Order": ("order_id",),
    "OrderLine": ("order_id", "line_no"),
}
_BASE: Final = datetime(2025, 3, 1, tzinfo=UTC)
_SKUS: Final = tuple(f"SKU-{n:04d}" for n in range(1, 41))
_STATUSES: Final = ("PLACED", "SHIPPED", "DELIVERED", "CANCELLED")


def orders_data(seed: int = 11, customers: int = 25) -> Data:
    """Customers, their orders and the orders' lines, the same for the same seed."""
    rng = random.Random(seed)
    people: list[dict[str, Any]] = []
    orders: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    for n in range(1, customers + 1):
        customer_id = f"c{n:03d}"
        people.append(
            {
                "customer_id": customer_id,
                "name": f"Customer {n}",
                "email": f"customer{n}@example.com",
                "joined_at": (_BASE - timedelta(days=rng.randrange(1, 400))).isoformat(),
            }
        )
        count = 21 if n == 3 else rng.randrange(0, 5)
        for _ in range(count):
            order_id = f"o{len(orders) + 1:05d}"
            placed = _BASE + timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
            line_count = 13 if order_id == "o00002" else rng.randrange(1, 5)
            total = Decimal(0)
            for line_no in range(1, line_count + 1):
                price = Decimal(rng.randrange(199, 9999)) / 100
                quantity = rng.randrange(1, 4)
                total += price * quantity
                lines.append(
                    {
                        "order_id": order_id,
                        "line_no": line_no,
                        "sku": rng.choice(_SKUS),
                        "quantity": quantity,
                        "price": price,
                    }
                )
            orders.append(
                {
                    "order_id": order_id,
                    "customer_id": customer_id,
                    "placed_at": placed.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "status": rng.choice(_STATUSES),
                    "total": total,
                }
            )
    return Data({"Customer": people, "Order": orders, "OrderLine": lines}, ORDERS_IDENTITY)


def _newest_orders(data: Data, customer_id: str) -> list[Record]:
    return data.where(
        "Order", customer_id=customer_id, order_by=("placed_at", "order_id"), reverse=True
    )


def _order_with_lines(data: Data, order_id: str) -> list[Record]:
    return data.where("Order", order_id=order_id) + data.where("OrderLine", order_id=order_id)


#: What the shop reads.
ORDERS_PATTERNS: Final[tuple[AccessPattern, ...]] = (
    AccessPattern(
        "get_customer",
        "A customer's profile, by customer id",
        cases=[{"customer_id": "c003"}, {"customer_id": "c010"}],
        expected=lambda data, customer_id: data.where("Customer", customer_id=customer_id),
        max_read_units=1,
    ),
    AccessPattern(
        "customer_by_email",
        "A customer, by email address (sign-in)",
        cases=[{"email": "customer7@example.com"}, {"email": "nobody@example.com"}],
        expected=lambda data, email: data.where("Customer", email=email),
        max_read_units=2,
    ),
    AccessPattern(
        "orders_of_customer",
        "A customer's orders, newest first",
        cases=[{"customer_id": "c003"}, {"customer_id": "c010"}],
        expected=_newest_orders,
        ordered=True,
    ),
    AccessPattern(
        "order_with_lines",
        "An order and all its lines, by order id",
        cases=[{"order_id": "o00002"}, {"order_id": "o00030"}],
        expected=_order_with_lines,
    ),
)
