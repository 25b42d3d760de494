"""Design challenge: an online shop's customers and orders."""

from __future__ import annotations

from typing import Final

from ddb_lab.interview.challenges import Challenge
from ddb_lab.modeling import Load
from ddb_lab.modeling.orders import ORDERS_PATTERNS, orders_data

BRIEF: Final = """
**Design the order store of an online shop.** Customers sign in with their email, browse their order history and
open an order to see its lines.

Records: `Customer(customer_id, name, email, joined_at)`, `Order(order_id, customer_id, placed_at, status, total)`,
`OrderLine(order_id, line_no, sku, quantity, price)`.

Access patterns:

| function | given | returns |
|---|---|---|
| `get_customer` | `customer_id` | the customer (at most 1 read unit) |
| `customer_by_email` | `email` | the customer with that email, if any (at most 2 read units) |
| `orders_of_customer` | `customer_id` | all the customer's orders, newest first |
| `order_with_lines` | `order_id` | the order and all its lines |

Load: 400 orders per second at peak, and their lines.
"""

CHALLENGE: Final = Challenge(
    id="shop",
    title="An online shop: customers, orders and order lines",
    brief=BRIEF.strip(),
    data=orders_data,
    patterns=ORDERS_PATTERNS,
    loads=(
        Load("Order", 400, description="400 orders per second"),
        Load("OrderLine", 1_000, description="their lines, 2.5 per order"),
    ),
    chapters=(2, 3),
)
